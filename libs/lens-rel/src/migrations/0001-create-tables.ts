import type { Migration } from '@projectors/projector-sdk';

/**
 * The lens tables. Every primary key starts with `(world_id, branch)`, so the tables can later be
 * distributed by `world_id` (Citus) and a partition's rows sit together. No foreign keys: events may
 * name notes that do not exist (yet), and tags and links of such notes are still kept.
 */
export const createTables: Migration = {
  id: '0001_create_tables',
  sql: `
    CREATE TABLE note (
      world_id   uuid        NOT NULL,
      branch     text        NOT NULL,
      note_id    text        NOT NULL,
      title      text        NOT NULL,
      body       text,
      created_at timestamptz,
      updated_at timestamptz,
      PRIMARY KEY (world_id, branch, note_id)
    );

    CREATE TABLE note_tag (
      world_id   uuid        NOT NULL,
      branch     text        NOT NULL,
      note_id    text        NOT NULL,
      tag        text        NOT NULL,
      applied_at timestamptz,
      PRIMARY KEY (world_id, branch, note_id, tag)
    );

    CREATE TABLE link (
      world_id   uuid        NOT NULL,
      branch     text        NOT NULL,
      src_id     text        NOT NULL,
      dst_id     text        NOT NULL,
      link_type  text        NOT NULL DEFAULT 'related',
      created_at timestamptz,
      PRIMARY KEY (world_id, branch, src_id, dst_id, link_type)
    );

    -- note.deleted removes the links at either end: the primary key finds the src end, this the dst end.
    CREATE INDEX link_dst_idx ON link (world_id, branch, dst_id);
  `,
};
