import { z } from 'zod';
import { checkStorableJson, identifier } from './text-rules.js';

/**
 * The envelope as the gateway wrote it; fields beyond these are kept (and hashed). Every string in
 * it, keys included, must be text PostgreSQL can store (text-rules.ts).
 */
export const envelopeSchema = z
  .looseObject({
    world_id: z.guid('world_id must be a UUID'),
    branch: identifier(),
    kind: identifier(),
    payload: z.record(z.string(), z.unknown()),
    occurred_at: z.string().min(1).nullish(),
  })
  .superRefine(checkStorableJson);

/** One event as the publisher posts it (contract.md, "POST /events"). */
export const eventBodySchema = z.object({
  global_seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  event_id: identifier(),
  envelope: envelopeSchema,
  payload_hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'payload_hash must be 64 lowercase hex digits')
    .nullish(),
});

export const batchBodySchema = (maxBatch: number) =>
  z.object({ events: z.array(eventBodySchema).min(1).max(maxBatch) });

export type EnvelopeBody = z.infer<typeof envelopeSchema>;
export type EventBody = z.infer<typeof eventBodySchema>;
