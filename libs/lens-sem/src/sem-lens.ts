import { defineLens } from '@projectors/projector-sdk';
import { semMigrations } from './migrations.js';

/**
 * The semantic lens: text and meaning of notes. An extension point: it has its schema, its
 * snapshot and its place for handlers, but no handler yet, so every kind is `ignored` and the
 * watermark still moves. See README.md for how to add the first one.
 */
export const semLens = defineLens({
  name: 'sem',
  projectorName: 'projector_sem',
  migrations: semMigrations,
  handlers: {
    // 'note.created': handler(z.object({ id: z.string().min(1), body: z.string().optional() }), ['note_text'], async ({ sql, tables, payload, partition }) => { ... }),
  },
  snapshot: {
    note_texts: {
      table: 'note_text',
      columns: { note_id: 'text', content: 'text', updated_at: 'timestamptz' },
      orderBy: ['note_id'],
    },
  },
});
