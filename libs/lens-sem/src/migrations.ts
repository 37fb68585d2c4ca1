import type { Migration } from '@projectors/projector-sdk';

/**
 * The semantic lens keeps what notes mean: their text now, embeddings later. The table is here so
 * the first handler has somewhere to write; every primary key is led by (world_id, branch).
 */
export const semMigrations: readonly Migration[] = [
  {
    id: '0001_note_text',
    sql: `
      CREATE TABLE note_text (
        world_id   uuid NOT NULL,
        branch     text NOT NULL,
        note_id    text NOT NULL,
        content    text NOT NULL,
        updated_at timestamptz,
        PRIMARY KEY (world_id, branch, note_id)
      );
    `,
  },
];
