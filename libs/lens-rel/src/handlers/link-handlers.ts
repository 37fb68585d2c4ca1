import { statement } from '@projectors/projector-sdk';
import { z } from 'zod';
import { eventTime, id, optionalTime } from './event-time.js';

/** A link without a type is `related`, when added and when removed alike. */
const linkType = id.default('related');

export const linkAddedPayload = z.object({ src_id: id, dst_id: id, link_type: linkType, created_at: optionalTime });
export const linkRemovedPayload = z.object({ src_id: id, dst_id: id, link_type: linkType });

export type LinkAddedPayload = z.infer<typeof linkAddedPayload>;
export type LinkRemovedPayload = z.infer<typeof linkRemovedPayload>;

/** Inserts the link, also between notes not created (yet); already there: nothing changes. */
export const linkAdded = statement(linkAddedPayload, ({ sql, payload, partition, occurredAt }) =>
  sql`
    INSERT INTO lens_rel.link (world_id, branch, src_id, dst_id, link_type, created_at)
    VALUES (${partition.worldId}, ${partition.branch}, ${payload.src_id}, ${payload.dst_id}, ${payload.link_type},
            ${eventTime(payload.created_at, occurredAt)}::text::timestamptz)
    ON CONFLICT (world_id, branch, src_id, dst_id, link_type) DO NOTHING`,
);

export const linkRemoved = statement(linkRemovedPayload, ({ sql, payload, partition }) =>
  sql`
    DELETE FROM lens_rel.link
    WHERE world_id = ${partition.worldId} AND branch = ${partition.branch}
      AND src_id = ${payload.src_id} AND dst_id = ${payload.dst_id} AND link_type = ${payload.link_type}`,
);
