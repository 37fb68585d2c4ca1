import { applyDeliveries, type Delivery } from '../apply/apply-events.js';
import { classifyError, toProjectorError } from '../apply/classify-error.js';
import { checkLogged } from '../apply/lens-payload.js';
import { advanceWatermarks, tryLockPartitions } from '../apply/partition-store.js';
import type { Sql } from '../db/connect.js';
import type { ProjectorError } from '../errors/projector-error.js';
import { globalSeq, partitionKey, type GlobalSeq, type Partition } from '../event/event.js';
import type { Lens, Tx } from '../lens/lens-types.js';
import { dbSpan, withSpan } from '../tracing/span.js';

/** An event of the log that could not be applied, and why. */
export interface FailedEvent {
  readonly partition: Partition;
  readonly globalSeq: GlobalSeq;
  readonly error: ProjectorError;
  /** Rejected for good by the lens or the database (a poison event), not a bug of ours. */
  readonly poison: boolean;
}

export interface ChunkOutcome {
  /** Partitions this transaction held; the others were held by someone else and are left alone. */
  readonly held: readonly Partition[];
  /** Per partition key: events applied and the new watermark. */
  readonly applied: ReadonlyMap<string, { count: number; watermark: GlobalSeq }>;
  readonly events: number;
  /** Events found failing; their partition's earlier events were applied, none after. */
  readonly failed: readonly FailedEvent[];
}

export interface ChunkRequest {
  readonly partitions: readonly Partition[];
  /** Events per transaction, all partitions together. */
  readonly chunk: number;
  /** Per partition key, a global_seq not to reach (a failing event found in an earlier try). */
  readonly stops: ReadonlyMap<string, GlobalSeq>;
  /** Read no further than this projector's watermarks (a rebuild's copy follows live). */
  readonly follow?: string | undefined;
}

type LogRow = { world_id: string; branch: string; seq: string; event_id: string; kind: string; envelope: unknown };

/**
 * One bounded catch-up transaction: takes, without waiting, the lock of each partition that nobody
 * else holds (the same key the delivery path locks, so a partition is applied by one transaction at
 * a time across processes), reads up to `chunk` logged events past their watermarks in global_seq
 * order, and applies them through the delivery path. An event the lens rejects stops its partition
 * there and is reported; an event the database rejects rolls the transaction back and is reported
 * as `retry`, to try again with a stop before it.
 */
export async function applyChunk(
  sql: Sql,
  lens: Lens,
  request: ChunkRequest,
): Promise<{ ok: true; outcome: ChunkOutcome } | { ok: false; retry: FailedEvent }> {
  return withSpan('projector.catchup.chunk', { 'projector.partitions': request.partitions.length, 'projector.chunk': request.chunk }, async (span) => {
    const result = await applyChunkInTransaction(sql, lens, request);
    span?.setAttributes(
      result.ok
        ? { 'projector.partitions_held': result.outcome.held.length, 'projector.events': result.outcome.events, 'projector.failed': result.outcome.failed.length }
        : { 'projector.outcome': 'retry', 'projector.global_seq': result.retry.globalSeq, 'error.type': result.retry.error.code },
    );
    return result;
  });
}

async function applyChunkInTransaction(
  sql: Sql,
  lens: Lens,
  request: ChunkRequest,
): Promise<{ ok: true; outcome: ChunkOutcome } | { ok: false; retry: FailedEvent }> {
  let retry: FailedEvent | undefined;
  try {
    const outcome = (await dbSpan('transaction', () =>
      sql.begin(async (tx) => {
        const result = await applyChunkIn(tx, lens, request);
        if (!result.ok) {
          retry = result.retry;
          throw result.cause;
        }
        return result.outcome;
      }),
    )) as ChunkOutcome;
    return { ok: true, outcome };
  } catch (err) {
    if (retry) return { ok: false, retry };
    throw err;
  }
}

/**
 * The chunk inside the caller's transaction (a cutover catches its copy up under the lens lock).
 * A database refusal leaves the transaction failed: the caller rolls back (or to its savepoint).
 */
export async function applyChunkIn(
  tx: Tx,
  lens: Lens,
  request: ChunkRequest,
): Promise<{ ok: true; outcome: ChunkOutcome } | { ok: false; retry: FailedEvent; cause: unknown }> {
  const held = await dbSpan('try_lock_partitions', () => tryLockPartitions(tx, lens.projectorName, request.partitions));
  if (held.length === 0) return { ok: true, outcome: { held, applied: new Map(), events: 0, failed: [] } };
  const bounds = request.follow === undefined ? undefined : await readBounds(tx, request.follow, held);
  const rows = await dbSpan('read_log', () => readLogged(tx, lens, held, request, bounds));
  const { deliveries, failed } = checkRows(lens, rows, request.stops);
  try {
    await applyDeliveries(tx, deliveries, { lens, gapPolicy: 'fill' });
  } catch (err) {
    const retry = blame(err, deliveries);
    if (!retry) throw err;
    return { ok: false, retry, cause: err };
  }
  // A copy that read all there is up to live's watermark stands at that watermark, also when the
  // last events there were skips (which it passes over, so no delivery would move it past them).
  if (bounds && rows.length < request.chunk) {
    const stopped = new Set(failed.map((f) => partitionKey(f.partition)));
    const moves = held.flatMap((p) => {
      const key = partitionKey(p);
      const to = bounds.get(key);
      return to === undefined || stopped.has(key) || request.stops.has(key) ? [] : [{ partition: p, to }];
    });
    await advanceWatermarks(tx, lens.projectorName, moves);
  }
  const applied = new Map<string, { count: number; watermark: GlobalSeq }>();
  for (const d of deliveries) {
    const key = partitionKey(d.event.partition);
    applied.set(key, { count: (applied.get(key)?.count ?? 0) + 1, watermark: d.event.globalSeq });
  }
  return { ok: true, outcome: { held, applied, events: deliveries.length, failed } };
}

/**
 * The logged events past each watermark, read after the locks are held (a new statement, so its
 * snapshot sees every commit made before), partition after partition, `chunk` at most in all.
 */
async function readLogged(
  tx: Tx,
  lens: Lens,
  partitions: readonly Partition[],
  request: ChunkRequest,
  bounds: ReadonlyMap<string, GlobalSeq> | undefined,
): Promise<LogRow[]> {
  const { chunk } = request;
  const upTo = partitions.map((p) => (bounds ? (bounds.get(partitionKey(p)) ?? 0) : null));
  return tx<LogRow[]>`
    SELECT p.world_id::text, p.branch, e.global_seq::text AS seq, e.event_id, e.kind, e.envelope
    FROM unnest(${partitions.map((p) => p.worldId)}::uuid[], ${partitions.map((p) => p.branch)}::text[], ${upTo as number[]}::bigint[])
           WITH ORDINALITY AS p(world_id, branch, up_to, ord)
    CROSS JOIN LATERAL (
      SELECT e.global_seq, e.event_id, e.kind, e.envelope FROM event_core.event_log e
      WHERE e.world_id = p.world_id AND e.branch = p.branch
        AND e.global_seq > coalesce((
          SELECT m.last_processed_seq FROM event_core.projector_watermarks m
          WHERE m.projector_name = ${lens.projectorName} AND m.world_id = p.world_id AND m.branch = p.branch), 0)
        AND (p.up_to IS NULL OR e.global_seq <= p.up_to)
        -- Recorded skips are decisions every replay makes again (a copy honours live's).
        AND NOT EXISTS (
          SELECT 1 FROM event_core.projector_skips s
          WHERE s.projector_name = ${lens.decisionsOf} AND s.world_id = e.world_id AND s.branch = e.branch AND s.global_seq = e.global_seq
        )
      ORDER BY e.global_seq
      LIMIT ${chunk}
    ) e
    ORDER BY p.ord, e.global_seq
    LIMIT ${chunk}`;
}

/**
 * The watermarks of the projector a copy follows, read once per chunk: the copy applies up to them
 * and, having read all there is, stands at them (a later read would see live moved on).
 */
async function readBounds(tx: Tx, follow: string, partitions: readonly Partition[]): Promise<Map<string, GlobalSeq>> {
  const rows = await tx<{ world_id: string; branch: string; seq: string }[]>`
    SELECT f.world_id::text, f.branch, f.last_processed_seq::text AS seq
    FROM unnest(${partitions.map((p) => p.worldId)}::uuid[], ${partitions.map((p) => p.branch)}::text[]) AS p(world_id, branch)
    JOIN event_core.projector_watermarks f ON f.projector_name = ${follow} AND f.world_id = p.world_id AND f.branch = p.branch`;
  return new Map(rows.map((r) => [partitionKey({ worldId: r.world_id, branch: r.branch }), globalSeq(Number(r.seq))]));
}

/** Checks each logged event as a delivered one is checked; a partition stops at its first failing event. */
function checkRows(lens: Lens, rows: readonly LogRow[], stops: ReadonlyMap<string, GlobalSeq>) {
  const deliveries: Delivery[] = [];
  const failed: FailedEvent[] = [];
  const stopped = new Set<string>();
  for (const r of rows) {
    const partition = { worldId: r.world_id, branch: r.branch };
    const key = partitionKey(partition);
    const seq = globalSeq(Number(r.seq));
    if (stopped.has(key) || seq >= (stops.get(key) ?? Infinity)) continue;
    try {
      deliveries.push(checkLogged(lens, partition, { globalSeq: seq, eventId: r.event_id, kind: r.kind, envelope: r.envelope }));
    } catch (err) {
      stopped.add(key);
      failed.push({ partition, globalSeq: seq, error: toProjectorError(err, 1), poison: isPoison(err) });
    }
  }
  return { deliveries, failed };
}

/** Rejected for good: the lens's schema, or the database refusing the data (both `invalid_payload`). */
const isPoison = (err: unknown) => toProjectorError(err, 1).code === 'invalid_payload';

/** The event a failed apply names (the `index` its ApplyFailure carries). */
function blame(err: unknown, deliveries: readonly Delivery[]): FailedEvent | undefined {
  if (classifyError(err) === 'transient') return undefined;
  const error = toProjectorError(err, 1);
  const index = error.details.index;
  const delivery = typeof index === 'number' ? deliveries[index] : undefined;
  if (!delivery) return undefined;
  return { partition: delivery.event.partition, globalSeq: delivery.event.globalSeq, error, poison: isPoison(err) };
}
