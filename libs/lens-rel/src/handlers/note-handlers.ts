import { statement } from '@projectors/projector-sdk';
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

/** Inserts the note; a second create of the same id changes nothing. */
export const noteCreated = statement(noteCreatedPayload, ({ sql, payload, partition, occurredAt }) => {
  const at = eventTime(payload.created_at, occurredAt);
  return sql`
    INSERT INTO lens_rel.note (world_id, branch, note_id, title, body, created_at, updated_at)
    VALUES (${partition.worldId}, ${partition.branch}, ${payload.id}, ${payload.title}, ${payload.body ?? null},
            ${at}::text::timestamptz, ${at}::text::timestamptz)
    ON CONFLICT (world_id, branch, note_id) DO NOTHING`;
});

/** Sets the fields the payload gives, and `updated_at`; a note that does not exist stays absent. */
export const noteUpdated = statement(noteUpdatedPayload, ({ sql, payload, partition, occurredAt }) => {
  const at = eventTime(payload.updated_at, occurredAt);
  const title = payload.title === undefined ? sql`` : sql`title = ${payload.title},`;
  const body = payload.body === undefined ? sql`` : sql`body = ${payload.body},`;
  return sql`
    UPDATE lens_rel.note SET ${title} ${body} updated_at = ${at}::text::timestamptz
    WHERE world_id = ${partition.worldId} AND branch = ${partition.branch} AND note_id = ${payload.id}`;
});

/** Deletes the note, its tags and the links at either end, in one statement (one round trip). */
export const noteDeleted = statement(noteDeletedPayload, ({ sql, payload, partition }) => {
  const { worldId, branch } = partition;
  return sql`
    WITH deleted_note AS (
      DELETE FROM lens_rel.note WHERE world_id = ${worldId} AND branch = ${branch} AND note_id = ${payload.id}
    ), deleted_tags AS (
      DELETE FROM lens_rel.note_tag WHERE world_id = ${worldId} AND branch = ${branch} AND note_id = ${payload.id}
    )
    DELETE FROM lens_rel.link
    WHERE world_id = ${worldId} AND branch = ${branch} AND (src_id = ${payload.id} OR dst_id = ${payload.id})`;
});
