import { defineLens } from '@projectors/projector-sdk';
import { graphMigrations } from './migrations.js';

/**
 * The graph lens: notes as nodes, links as edges. An extension point: schema, snapshot and a place
 * for handlers, none yet, so every kind is `ignored` and the watermark still moves. See README.md.
 */
export const graphLens = defineLens({
  name: 'graph',
  projectorName: 'projector_graph',
  migrations: graphMigrations,
  handlers: {
    // 'link.added': handler(z.object({ src_id: z.string().min(1), dst_id: z.string().min(1) }), ['edge'], async ({ sql, tables, payload, partition }) => { ... }),
  },
  snapshot: {
    edges: {
      table: 'edge',
      columns: { src_id: 'text', dst_id: 'text', edge_type: 'text' },
      orderBy: ['src_id', 'dst_id', 'edge_type'],
    },
    nodes: {
      table: 'node',
      columns: { node_id: 'text', label: 'text' },
      orderBy: ['node_id'],
    },
  },
});
