import type { Migration } from '@projectors/projector-sdk';

/** Notes as nodes and links as edges; every primary key is led by (world_id, branch). */
export const graphMigrations: readonly Migration[] = [
  {
    id: '0001_nodes_edges',
    sql: `
      CREATE TABLE node (
        world_id uuid NOT NULL,
        branch   text NOT NULL,
        node_id  text NOT NULL,
        label    text,
        PRIMARY KEY (world_id, branch, node_id)
      );
      CREATE TABLE edge (
        world_id  uuid NOT NULL,
        branch    text NOT NULL,
        src_id    text NOT NULL,
        dst_id    text NOT NULL,
        edge_type text NOT NULL,
        PRIMARY KEY (world_id, branch, src_id, dst_id, edge_type)
      );
      CREATE INDEX edge_dst_idx ON edge (world_id, branch, dst_id);
    `,
  },
];
