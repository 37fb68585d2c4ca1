import { setStatement } from '@projectors/projector-sdk';
import { z } from 'zod';
import { eventTime, id, optionalTime } from './event-time.js';

export const tagAddedPayload = z.object({ note_id: id, tag: id, applied_at: optionalTime });
export const tagRemovedPayload = z.object({ note_id: id, tag: id });

export type TagAddedPayload = z.infer<typeof tagAddedPayload>;
export type TagRemovedPayload = z.infer<typeof tagRemovedPayload>;

/** A tag event touches its tag, within its note (whose note.deleted removes every tag of it). */
type TagRef = { payload: { note_id: string; tag: string } };
const tagKeys = ({ payload }: TagRef) => [`tag:${JSON.stringify([payload.note_id, payload.tag])}`];
const tagWithin = ({ payload }: TagRef) => [`note:${payload.note_id}`];

/** Inserts the tags, also on notes not created (yet); already there: nothing changes. */
export const tagAdded = setStatement(tagAddedPayload, {
  tables: ['note_tag'],
  keys: tagKeys,
  within: tagWithin,
  row: ({ payload, partition, occurredAt }) => ({ ...partition, ...payload, at: eventTime(payload.applied_at, occurredAt) }),
  apply: (sql, rows, { note_tag }) => sql`
    INSERT INTO ${note_tag} (world_id, branch, note_id, tag, applied_at)
    SELECT r.world_id, r.branch, r.note_id, r.tag, r.at::timestamptz
    FROM unnest(${rows.map((r) => r.worldId)}::uuid[], ${rows.map((r) => r.branch)}::text[], ${rows.map((r) => r.note_id)}::text[],
                ${rows.map((r) => r.tag)}::text[], ${rows.map((r) => r.at)}::text[]) AS r(world_id, branch, note_id, tag, at)
    ON CONFLICT (world_id, branch, note_id, tag) DO NOTHING`,
});

export const tagRemoved = setStatement(tagRemovedPayload, {
  tables: ['note_tag'],
  keys: tagKeys,
  within: tagWithin,
  row: ({ payload, partition }) => ({ ...partition, ...payload }),
  apply: (sql, rows, { note_tag }) => sql`
    DELETE FROM ${note_tag} AS t
    USING unnest(${rows.map((r) => r.worldId)}::uuid[], ${rows.map((r) => r.branch)}::text[], ${rows.map((r) => r.note_id)}::text[],
                 ${rows.map((r) => r.tag)}::text[]) AS r(world_id, branch, note_id, tag)
    WHERE t.world_id = r.world_id AND t.branch = r.branch AND t.note_id = r.note_id AND t.tag = r.tag`,
});
