import { z } from 'zod';
import type { Outcome } from '../apply/apply-events.js';
import { errorCatalogue, type ErrorCode } from '../errors/catalogue.js';

/*
 * Every answer of the HTTP contract as a zod schema. The code builds the answers from typed values;
 * these schemas are what the OpenAPI document shows for each status (contract.md, "Answers").
 */

const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const watermark = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The 200 answers of `POST /events`. */
export const eventAnswerSchema = z
  .discriminatedUnion('status', [
    z.object({ status: z.literal('processed'), global_seq: seq }).meta({ description: 'Applied; the watermark is now global_seq.' }),
    z.object({ status: z.literal('ignored'), global_seq: seq }).meta({ description: 'The lens has no handler for this kind; only the watermark moved.' }),
    z
      .object({ status: z.literal('duplicate'), global_seq: seq, watermark })
      .meta({ description: 'global_seq is at or below the watermark: nothing written.' }),
  ])
  .meta({ description: 'processed, ignored or duplicate: in every case move on to the next event.' });

export const batchAnswerSchema = z
  .object({
    status: z.literal('processed'),
    results: z.array(z.object({ global_seq: seq, status: z.enum(['processed', 'duplicate', 'ignored', 'queued', 'blocked', 'skipped']) })),
  })
  .meta({ description: 'The whole batch committed in one transaction; results are in request order.' });

/** 202: the event is in the log and left to catch-up (a large gap before it, or its partition blocked). */
export const heldAnswerSchema = z
  .discriminatedUnion('status', [
    z.object({ status: z.literal('queued'), global_seq: seq, watermark }).meta({ description: 'A gap larger than one catch-up chunk before it: catch-up applies it from the log.' }),
    z.object({ status: z.literal('blocked'), global_seq: seq, blocked_at: seq }).meta({ description: 'Its partition is blocked at blocked_at: applied from the log once an operator unblocks it.' }),
  ])
  .meta({ description: 'queued or blocked: the event is in the log and will be applied from it; move on.' });

/** 200 under `PROJECTOR_POISON_POLICY=skip`: the event was rejected for good, recorded as skipped. */
export const skippedAnswerSchema = z
  .object({ status: z.literal('skipped'), global_seq: seq, error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ description: 'Rejected for good and skipped by the poison policy (recorded; replay skips it too); move on.' });

export function eventAnswer(
  outcome: Outcome,
): z.infer<typeof eventAnswerSchema> | z.infer<typeof heldAnswerSchema> | z.infer<typeof skippedAnswerSchema> {
  if (outcome.status === 'queued' || outcome.status === 'blocked') return heldAnswer(outcome);
  if (outcome.status === 'skipped') return { status: 'skipped', global_seq: outcome.globalSeq, error: outcome.error };
  return outcome.status === 'duplicate'
    ? { status: 'duplicate', global_seq: outcome.globalSeq, watermark: outcome.watermark }
    : { status: outcome.status, global_seq: outcome.globalSeq };
}

export function heldAnswer(outcome: Extract<Outcome, { status: 'queued' | 'blocked' }>): z.infer<typeof heldAnswerSchema> {
  return outcome.status === 'queued'
    ? { status: 'queued', global_seq: outcome.globalSeq, watermark: outcome.watermark }
    : { status: 'blocked', global_seq: outcome.globalSeq, blocked_at: outcome.blockedAt };
}

/** zod's issues as the answers carry them: at least a path; code and message as zod wrote them. */
const issues = z.array(z.looseObject({ path: z.array(z.union([z.string(), z.number()])), message: z.string().optional(), code: z.string().optional() }));
/** Where a batch's failure belongs: the event's 0-based index and its global_seq. */
const position = { index: z.number().int().min(0).optional(), global_seq: seq.optional() };

/** One error answer: `error` is the catalogue's code, the description its meaning there. */
function errorAnswer<S extends z.ZodRawShape>(code: ErrorCode, shape: S, withMessage = true) {
  return z
    .looseObject({ error: z.literal(code), ...(withMessage ? { message: z.string() } : {}), ...shape })
    .meta({ description: `${code}: ${errorCatalogue[code].message}` });
}

/** One schema per code of the catalogue: a code added there does not compile until it is documented here. */
export const errorAnswers = {
  invalid_event: errorAnswer('invalid_event', { issues, ...position }),
  payload_hash_mismatch: errorAnswer('payload_hash_mismatch', position),
  invalid_payload: errorAnswer('invalid_payload', { ...position, issues: issues.optional(), gap_global_seq: seq.optional() }),
  unauthorized: errorAnswer('unauthorized', {}, false),
  not_found: errorAnswer('not_found', {}),
  out_of_order: errorAnswer('out_of_order', { global_seq: seq, watermark, missing_from: seq, index: position.index, catching_up: z.boolean().optional() }),
  payload_too_large: errorAnswer('payload_too_large', {}, false),
  unsupported_media_type: errorAnswer('unsupported_media_type', {}),
  // The message is the catalogue's, never the failure's own text: that is logged under request_id.
  apply_failed: errorAnswer('apply_failed', { ...position, gap_global_seq: seq.optional(), request_id: z.string() }),
  unavailable: errorAnswer('unavailable', position),
  partition_blocked: errorAnswer('partition_blocked', { ...position, blocked_at: seq }),
  not_blocked_at: errorAnswer('not_blocked_at', { blocked_at: seq.nullable() }),
  rebuild_running: errorAnswer('rebuild_running', {}),
} satisfies Record<ErrorCode, z.ZodType>;

/** 409 of a partition blocked at a poison event, for an event not in the log (retry later). */
export const partitionBlockedAnswerSchema = errorAnswers.partition_blocked;

/** A 503 answer comes with `Retry-After`: the OpenAPI document adds the header to this schema. */
export const unavailableAnswerSchema = errorAnswers.unavailable;

/** The write routes' 400: the three ways an event is refused for good. Retrying cannot help. */
export const badEventAnswerSchema = z
  .discriminatedUnion('error', [errorAnswers.invalid_event, errorAnswers.payload_hash_mismatch, errorAnswers.invalid_payload])
  .meta({ description: 'invalid_event, payload_hash_mismatch or invalid_payload: nothing written; park the event and fix the publisher or the lens.' });

const identity = { service: z.string(), projector_name: z.string(), lens: z.string() };

const catchupView = z
  .object({ partitions_behind: z.number().int().min(0), events_applied: z.number().int().min(0), last_pass_at: z.string().nullable() })
  .meta({ description: "This process's catch-up loop: partitions behind in the pass running, events applied since start, when the last pass ended." });

/** `GET /health`: liveness, from memory only. */
export const liveAnswerSchema = z
  .object({
    ...identity,
    status: z.literal('healthy'),
    uptime_seconds: z.number().min(0),
    shutting_down: z.boolean(),
    catching_up: z.boolean(),
    catchup: catchupView.optional(),
  })
  .meta({
    description:
      'The process answers (liveness). Read from memory: it says nothing about the database (see /ready), and stays 200 while shutting down. catching_up: catch-up is applying logged events.',
  });

/** Why `/ready` answers 503: one entry per check that failed. */
const notReadyReason = z.discriminatedUnion('check', [
  z.object({ check: z.literal('database'), message: z.string() }).meta({ description: 'The readiness query failed: the database is unreachable or refused it.' }),
  z
    .object({ check: z.literal('migrations'), message: z.string(), pending: z.array(z.string()) })
    .meta({ description: 'Migrations of event_core or the lens are not applied (scope/id); the process applies them at start.' }),
  z.object({ check: z.literal('shutting_down'), message: z.string() }).meta({ description: 'The process is stopping: requests in flight finish, new ones go elsewhere.' }),
  z
    .object({ check: z.literal('stalled'), task: z.enum(['health-check', 'lag-metrics', 'state-hash-monitor', 'catch-up']), seconds_since_progress: z.number().min(0), message: z.string() })
    .meta({ description: 'A background loop has made no progress for longer than its interval plus PROJECTOR_STALL_SECONDS (hung, or failing every time).' }),
]);

/** `GET /ready` 200: readiness, with what the same query counts. */
export const readyAnswerSchema = z
  .object({
    ...identity,
    status: z.enum(['ready', 'degraded']),
    watermark_count: z.number().int().min(0),
    blocked_partitions: z.number().int().min(0),
  })
  .meta({
    description:
      'Ready: the database answered, every migration is applied, the process is not shutting down, and no background loop is stalled. watermark_count is the number of partitions this projector has seen. degraded: some partitions are blocked at a poison event (the others flow).',
  });

export const notReadyAnswerSchema = z
  .object({ ...identity, status: z.literal('not_ready'), reasons: z.array(notReadyReason).min(1) })
  .meta({ description: 'Not ready: send events elsewhere or later (Retry-After). reasons lists every check that failed.' });

export type NotReadyReason = z.infer<typeof notReadyReason>;

export const stateHashAnswerSchema = z
  .object({ world_id: z.string(), branch: z.string(), watermark, state_hash: z.string().regex(/^[0-9a-f]{64}$/) })
  .meta({ description: "The partition's state hash at its watermark (watermark 0 and the hash of empty tables for an unknown partition)." });

export const badQueryAnswerSchema = errorAnswers.invalid_event.meta({
  description: 'invalid_event: the query string does not match (world_id must be a UUID, branch non-empty).',
});

export const metricsJsonAnswerSchema = z.object({
  projector_name: z.string(),
  lens: z.string(),
  watermark_count: z.number().int().min(0),
  watermarks: z.array(z.object({ world_id: z.string(), branch: z.string(), last_processed_seq: watermark, updated_at: z.string() })),
  last_activity: z.string().nullable(),
});

export const applyFailedAnswerSchema = errorAnswers.apply_failed;

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
}).meta({ description: 'One partition: its watermark, the head of its log, its lag, and the poison event it is blocked at (null when it flows).' });

/** The answer of an operator's skip or retry: what the partition looks like afterwards. */
export const operatorAnswerSchema = z
  .object({ status: z.enum(['skipped', 'flowing', 'blocked']), partition: partitionReportSchema })
  .meta({ description: 'skipped or flowing: the partition flows again and catch-up applies the rest; blocked: the retried event failed again (its new error).' });
