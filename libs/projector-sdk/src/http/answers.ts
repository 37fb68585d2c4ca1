import { z } from 'zod';
import type { Outcome } from '../apply/apply-events.js';

/** The 200 answers of the write routes, as the OpenAPI document shows them. */
export const eventAnswerSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('processed'), global_seq: z.number().int() }),
  z.object({ status: z.literal('ignored'), global_seq: z.number().int() }),
  z.object({ status: z.literal('duplicate'), global_seq: z.number().int(), watermark: z.number().int() }),
]);

export const batchAnswerSchema = z.object({
  status: z.literal('processed'),
  results: z.array(z.object({ global_seq: z.number().int(), status: z.enum(['processed', 'duplicate', 'ignored', 'queued', 'blocked', 'skipped']) })),
});

export const errorAnswerSchema = z.looseObject({ error: z.string(), message: z.string().optional() });

export function eventAnswer(
  outcome: Outcome,
): z.infer<typeof eventAnswerSchema> | z.infer<typeof heldAnswerSchema> | z.infer<typeof skippedAnswerSchema> {
  if (outcome.status === 'queued' || outcome.status === 'blocked') return heldAnswer(outcome);
  if (outcome.status === 'skipped') return { status: 'skipped', global_seq: outcome.globalSeq, error: outcome.error };
  return outcome.status === 'duplicate'
    ? { status: 'duplicate', global_seq: outcome.globalSeq, watermark: outcome.watermark }
    : { status: outcome.status, global_seq: outcome.globalSeq };
}

// Issue 11: answers of catch-up and poison events (contract.md, "Catch-up and poison events").

/** 202: the event is in the log and left to catch-up (a large gap before it, or its partition blocked). */
export const heldAnswerSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('queued'), global_seq: z.number().int(), watermark: z.number().int() }),
  z.object({ status: z.literal('blocked'), global_seq: z.number().int(), blocked_at: z.number().int() }),
]);

/** 200 under `PROJECTOR_POISON_POLICY=skip`: the event was rejected for good, recorded as skipped. */
export const skippedAnswerSchema = z.object({
  status: z.literal('skipped'),
  global_seq: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }),
});

/** 409 of a partition blocked at a poison event, for an event not in the log (retry later). */
export const partitionBlockedAnswerSchema = z.looseObject({ error: z.literal('partition_blocked'), message: z.string(), blocked_at: z.number().int() });

export function heldAnswer(outcome: Extract<Outcome, { status: 'queued' | 'blocked' }>): z.infer<typeof heldAnswerSchema> {
  return outcome.status === 'queued'
    ? { status: 'queued', global_seq: outcome.globalSeq, watermark: outcome.watermark }
    : { status: 'blocked', global_seq: outcome.globalSeq, blocked_at: outcome.blockedAt };
}

/** One partition as `GET /partitions` shows it (blocked_at and error null when not blocked). */
export const partitionReportSchema = z.object({
  world_id: z.string(),
  branch: z.string(),
  watermark: z.number().int(),
  log_head: z.number().int(),
  blocked_at: z.number().int().nullable(),
  error: z.object({ code: z.string(), message: z.string(), first_seen: z.string() }).nullable(),
  lag_events: z.number().int(),
  lag_seconds: z.number(),
});

/** The answer of an operator's skip or retry: what the partition looks like afterwards. */
export const operatorAnswerSchema = z.object({ status: z.enum(['skipped', 'flowing', 'blocked']), partition: partitionReportSchema });
