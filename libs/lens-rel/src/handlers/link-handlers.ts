import { setStatement } from '@projectors/projector-sdk';
import { z } from 'zod';
import { eventTime, id, optionalTime } from './event-time.js';

/** A link without a type is `related`, when added and when removed alike. */
const linkType = id.default('related');

export const linkAddedPayload = z.object({ src_id: id, dst_id: id, link_type: linkType, created_at: optionalTime });
export const linkRemovedPayload = z.object({ src_id: id, dst_id: id, link_type: linkType });

export type LinkAddedPayload = z.infer<typeof linkAddedPayload>;
export type LinkRemovedPayload = z.infer<typeof linkRemovedPayload>;

/** A link event touches its link, within the notes at both ends (whose note.deleted removes it). */
type LinkRef = { payload: { src_id: string; dst_id: string; link_type: string } };
const linkKeys = ({ payload }: LinkRef) => [`link:${JSON.stringify([payload.src_id, payload.dst_id, payload.link_type])}`];
const linkWithin = ({ payload }: LinkRef) => [`note:${payload.src_id}`, `note:${payload.dst_id}`];

/** Inserts the links, also between notes not created (yet); already there: nothing changes. */
export const linkAdded = setStatement(linkAddedPayload, {
  tables: ['link'],
  keys: linkKeys,
  within: linkWithin,
  row: ({ payload, partition, occurredAt }) => ({ ...partition, ...payload, at: eventTime(payload.created_at, occurredAt) }),
  apply: (sql, rows, { link }) => sql`
    INSERT INTO ${link} (world_id, branch, src_id, dst_id, link_type, created_at)
    SELECT r.world_id, r.branch, r.src_id, r.dst_id, r.link_type, r.at::timestamptz
    FROM unnest(${rows.map((r) => r.worldId)}::uuid[], ${rows.map((r) => r.branch)}::text[], ${rows.map((r) => r.src_id)}::text[],
                ${rows.map((r) => r.dst_id)}::text[], ${rows.map((r) => r.link_type)}::text[], ${rows.map((r) => r.at)}::text[])
         AS r(world_id, branch, src_id, dst_id, link_type, at)
    ON CONFLICT (world_id, branch, src_id, dst_id, link_type) DO NOTHING`,
});

export const linkRemoved = setStatement(linkRemovedPayload, {
  tables: ['link'],
  keys: linkKeys,
  within: linkWithin,
  row: ({ payload, partition }) => ({ ...partition, ...payload }),
  apply: (sql, rows, { link }) => sql`
    DELETE FROM ${link} AS l
    USING unnest(${rows.map((r) => r.worldId)}::uuid[], ${rows.map((r) => r.branch)}::text[], ${rows.map((r) => r.src_id)}::text[],
                 ${rows.map((r) => r.dst_id)}::text[], ${rows.map((r) => r.link_type)}::text[]) AS r(world_id, branch, src_id, dst_id, link_type)
    WHERE l.world_id = r.world_id AND l.branch = r.branch AND l.src_id = r.src_id AND l.dst_id = r.dst_id AND l.link_type = r.link_type`,
});
