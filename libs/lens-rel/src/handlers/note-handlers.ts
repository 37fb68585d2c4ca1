import { setStatement } from '@projectors/projector-sdk';
import { z } from 'zod';
import { eventTime, id, optionalTime } from './event-time.js';

export const noteCreatedPayload = z.object({
  id,
  title: z.string(),
  /** Absent or null: the note has no body. */
  body: z.string().nullish(),
  created_at: optionalTime,
});

export const noteUpdatedPayload = z.object({
  id,
  title: z.string().optional(),
  /** Absent: the body is kept. Null: the body is cleared. */
  body: z.string().nullable().optional(),
  updated_at: optionalTime,
});

export const noteDeletedPayload = z.object({ id });

export type NoteCreatedPayload = z.infer<typeof noteCreatedPayload>;
export type NoteUpdatedPayload = z.infer<typeof noteUpdatedPayload>;
export type NoteDeletedPayload = z.infer<typeof noteDeletedPayload>;

/** Every note event touches its note's row, and note.deleted also its tags and links. */
const noteKey = (id: string) => [`note:${id}`];

/** Inserts the notes; a second create of the same id changes nothing. */
export const noteCreated = setStatement(noteCreatedPayload, {
  tables: ['note'],
  keys: ({ payload }) => noteKey(payload.id),
  row: ({ payload, partition, occurredAt }) => ({ ...partition, ...payload, at: eventTime(payload.created_at, occurredAt) }),
  apply: (sql, rows, { note }) => sql`
    INSERT INTO ${note} (world_id, branch, note_id, title, body, created_at, updated_at)
    SELECT r.world_id, r.branch, r.note_id, r.title, r.body, r.at::timestamptz, r.at::timestamptz
    FROM unnest(${rows.map((r) => r.worldId)}::uuid[], ${rows.map((r) => r.branch)}::text[], ${rows.map((r) => r.id)}::text[],
                ${rows.map((r) => r.title)}::text[], ${rows.map((r) => r.body ?? null)}::text[], ${rows.map((r) => r.at)}::text[])
         AS r(world_id, branch, note_id, title, body, at)
    ON CONFLICT (world_id, branch, note_id) DO NOTHING`,
});

/** Sets the fields each payload gives, and `updated_at`; a note that does not exist stays absent. */
export const noteUpdated = setStatement(noteUpdatedPayload, {
  tables: ['note'],
  keys: ({ payload }) => noteKey(payload.id),
  row: ({ payload, partition, occurredAt }) => ({
    ...partition,
    id: payload.id,
    setTitle: payload.title !== undefined,
    title: payload.title ?? null,
    setBody: payload.body !== undefined,
    body: payload.body ?? null,
    at: eventTime(payload.updated_at, occurredAt),
  }),
  // sql.array: postgres.js sends a plain JavaScript array of booleans as one boolean, not an array.
  apply: (sql, rows, { note }) => sql`
    UPDATE ${note} AS n
    SET title = CASE WHEN r.set_title THEN r.title ELSE n.title END,
        body = CASE WHEN r.set_body THEN r.body ELSE n.body END,
        updated_at = r.at::timestamptz
    FROM unnest(${rows.map((r) => r.worldId)}::uuid[], ${rows.map((r) => r.branch)}::text[], ${rows.map((r) => r.id)}::text[],
                ${sql.array(rows.map((r) => r.setTitle))}::boolean[], ${rows.map((r) => r.title)}::text[],
                ${sql.array(rows.map((r) => r.setBody))}::boolean[], ${rows.map((r) => r.body)}::text[], ${rows.map((r) => r.at)}::text[])
         AS r(world_id, branch, note_id, set_title, title, set_body, body, at)
    WHERE n.world_id = r.world_id AND n.branch = r.branch AND n.note_id = r.note_id`,
});

/** Deletes the notes, their tags and the links at either end, in one statement. */
export const noteDeleted = setStatement(noteDeletedPayload, {
  tables: ['note', 'note_tag', 'link'],
  keys: ({ payload }) => noteKey(payload.id),
  row: ({ payload, partition }) => ({ ...partition, id: payload.id }),
  apply: (sql, rows, { note, note_tag, link }) => sql`
    WITH r AS (
      SELECT * FROM unnest(${rows.map((r) => r.worldId)}::uuid[], ${rows.map((r) => r.branch)}::text[], ${rows.map((r) => r.id)}::text[])
             AS r(world_id, branch, note_id)
    ), deleted_notes AS (
      DELETE FROM ${note} AS n USING r WHERE n.world_id = r.world_id AND n.branch = r.branch AND n.note_id = r.note_id
    ), deleted_tags AS (
      DELETE FROM ${note_tag} AS t USING r WHERE t.world_id = r.world_id AND t.branch = r.branch AND t.note_id = r.note_id
    )
    DELETE FROM ${link} AS l USING r
    WHERE l.world_id = r.world_id AND l.branch = r.branch AND (l.src_id = r.note_id OR l.dst_id = r.note_id)`,
});
