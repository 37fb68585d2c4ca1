import { statement } from '@projectors/projector-sdk';
import { z } from 'zod';
import { eventTime, id, optionalTime } from './event-time.js';

export const tagAddedPayload = z.object({ note_id: id, tag: id, applied_at: optionalTime });
export const tagRemovedPayload = z.object({ note_id: id, tag: id });

export type TagAddedPayload = z.infer<typeof tagAddedPayload>;
export type TagRemovedPayload = z.infer<typeof tagRemovedPayload>;

/** Inserts the tag, also on a note not created (yet); already there: nothing changes. */
export const tagAdded = statement(tagAddedPayload, ({ sql, payload, partition, occurredAt }) =>
  sql`
    INSERT INTO lens_rel.note_tag (world_id, branch, note_id, tag, applied_at)
    VALUES (${partition.worldId}, ${partition.branch}, ${payload.note_id}, ${payload.tag},
            ${eventTime(payload.applied_at, occurredAt)}::text::timestamptz)
    ON CONFLICT (world_id, branch, note_id, tag) DO NOTHING`,
);

export const tagRemoved = statement(tagRemovedPayload, ({ sql, payload, partition }) =>
  sql`
    DELETE FROM lens_rel.note_tag
    WHERE world_id = ${partition.worldId} AND branch = ${partition.branch}
      AND note_id = ${payload.note_id} AND tag = ${payload.tag}`,
);
