import { globalSeq, partitionKey, type GlobalSeq, type Partition } from '../event/event.js';
import type { Lens, Tx } from '../lens/lens-types.js';

/** An event read back from `event_core.event_log` (to fill a gap, or to replay). */
export interface LoggedEvent {
  readonly globalSeq: GlobalSeq;
  readonly eventId: string;
  readonly kind: string;
  /** Whatever the gateway stored; `checkLogged` checks it like a delivered envelope. */
  readonly envelope: unknown;
}

export interface PartitionState {
  readonly watermark: GlobalSeq;
  /** Logged events after the watermark and before `upTo`, other than those being delivered. */
  readonly missing: readonly LoggedEvent[];
  /** The event the partition is blocked at (a poison event), or null. */
  readonly blockedAt: GlobalSeq | null;
}

const lockName = (p: Partition) => `${p.worldId}/${p.branch}`;

// The lens-wide lock is a one-key advisory lock (apart from the two-key partition locks): every
// transaction that applies events holds it shared; a rebuild's cutover takes it exclusive, so it
// runs while no apply is in flight, and applies wait for the moment it lasts.

/**
 * Takes the lens lock shared, then the transaction-scoped lock of each partition, in one fixed
 * order (the lock keys, sorted), so two transactions that need the same partitions never deadlock.
 * Other processes on the same database take the same locks, which is what orders a partition
 * across processes. Both statements are sent at once: PostgreSQL runs them in that order.
 */
export async function lockPartitions(tx: Tx, projectorName: string, partitions: readonly Partition[]): Promise<void> {
  await Promise.all([
    tx`SELECT pg_advisory_xact_lock_shared(hashtext(${projectorName})::bigint)`,
    tx`
      SELECT count(pg_advisory_xact_lock(k.a, k.b))
      FROM (
        SELECT DISTINCT hashtext(${projectorName}) AS a, hashtext(p) AS b
        FROM unnest(${partitions.map(lockName)}::text[]) AS p
        ORDER BY 1, 2
      ) AS k`,
  ]);
}

/**
 * Takes, without waiting, the lens lock shared and then the lock of each partition nobody else
 * holds (the same keys as `lockPartitions`); returns the partitions now held by this transaction,
 * in the order given: none while a cutover holds the lens.
 */
export async function tryLockPartitions(tx: Tx, projectorName: string, partitions: readonly Partition[]): Promise<Partition[]> {
  const [lens] = await tx<{ held: boolean }[]>`SELECT pg_try_advisory_xact_lock_shared(hashtext(${projectorName})::bigint) AS held`;
  if (!lens!.held) return [];
  const rows = await tx<{ name: string }[]>`
    SELECT p AS name FROM unnest(${partitions.map(lockName)}::text[]) AS p
    WHERE pg_try_advisory_xact_lock(hashtext(${projectorName}), hashtext(p))`;
  const held = new Set(rows.map((r) => r.name));
  return partitions.filter((p) => held.has(lockName(p)));
}

/** Takes the lens lock exclusive: waits for every apply in flight, and holds off new ones until commit. */
export async function lockLens(tx: Tx, projectorName: string): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(hashtext(${projectorName})::bigint)`;
}

/** One partition to read: the highest seq being delivered bounds the gap to look for. */
export interface PartitionRead {
  readonly partition: Partition;
  readonly upTo: GlobalSeq;
  /** Read at most this many missing events (a gap larger than that is left to catch-up). */
  readonly gapLimit?: number;
}

type StateRow = {
  world_id: string;
  branch: string;
  watermark: string;
  global_seq: string | null;
  event_id: string | null;
  kind: string | null;
  envelope: unknown;
  blocked_at: string | null;
};

/**
 * Reads, in one statement for all partitions, each watermark and the logged events that sit between
 * it and `upTo` and are not among `delivering`: the gaps to fill first. It must execute after
 * `lockPartitions` (it may be sent right behind it on the same connection: a statement's snapshot is
 * taken when it starts, so it sees every commit made before the locks were granted). Watermarks and
 * blocks are `lens.projectorName`'s, skips are `lens.decisionsOf`'s (live's, for a copy made by lensIn).
 */
export async function readPartitionStates(
  tx: Tx,
  { projectorName, decisionsOf }: Pick<Lens, 'projectorName' | 'decisionsOf'>,
  reads: readonly PartitionRead[],
  delivering: readonly GlobalSeq[],
): Promise<Map<string, PartitionState>> {
  const rows = await tx<StateRow[]>`
    WITH p AS (
      SELECT * FROM unnest(${reads.map((r) => r.partition.worldId)}::uuid[], ${reads.map((r) => r.partition.branch)}::text[],
                           ${reads.map((r) => r.upTo as number)}::bigint[],
                           ${reads.map((r) => r.gapLimit ?? null)}::bigint[]) AS p(world_id, branch, up_to, gap_limit)
    ), w AS (
      SELECT p.world_id, p.branch, p.up_to, p.gap_limit, coalesce(m.last_processed_seq, 0) AS wm, b.global_seq AS blocked_at
      FROM p LEFT JOIN event_core.projector_watermarks m
        ON m.projector_name = ${projectorName} AND m.world_id = p.world_id AND m.branch = p.branch
      LEFT JOIN event_core.projector_partition_blocks b
        ON b.projector_name = ${projectorName} AND b.world_id = p.world_id AND b.branch = p.branch
    )
    SELECT w.world_id::text, w.branch, w.wm::text AS watermark, w.blocked_at::text AS blocked_at,
           e.global_seq::text AS global_seq, e.event_id, e.kind, e.envelope
    FROM w
    LEFT JOIN LATERAL (
      SELECT e.global_seq, e.event_id, e.kind, e.envelope FROM event_core.event_log e
      WHERE e.world_id = w.world_id AND e.branch = w.branch
        AND e.global_seq > w.wm AND e.global_seq < w.up_to
        AND e.global_seq <> ALL(${[...delivering] as number[]}::bigint[])
        -- A skipped event (event_core.projector_skips) is no gap: replay passes over it as live did.
        AND NOT EXISTS (
          SELECT 1 FROM event_core.projector_skips s
          WHERE s.projector_name = ${decisionsOf} AND s.world_id = e.world_id AND s.branch = e.branch AND s.global_seq = e.global_seq
        )
      ORDER BY e.global_seq
      LIMIT w.gap_limit
    ) e ON true
    ORDER BY w.world_id, w.branch, e.global_seq`;
  const states = new Map<string, { watermark: GlobalSeq; missing: LoggedEvent[]; blockedAt: GlobalSeq | null }>();
  for (const r of rows) {
    const key = partitionKey({ worldId: r.world_id, branch: r.branch });
    let state = states.get(key);
    if (!state) states.set(key, (state = { watermark: globalSeq(Number(r.watermark)), missing: [], blockedAt: r.blocked_at === null ? null : globalSeq(Number(r.blocked_at)) }));
    if (r.global_seq !== null) {
      state.missing.push({ globalSeq: globalSeq(Number(r.global_seq)), eventId: r.event_id!, kind: r.kind!, envelope: r.envelope });
    }
  }
  return states;
}

/** Moves watermarks forward, all partitions in one statement; the `WHERE` keeps them from moving back. */
export async function advanceWatermarks(
  tx: Tx,
  projectorName: string,
  moves: readonly { partition: Partition; to: GlobalSeq }[],
): Promise<void> {
  if (moves.length === 0) return;
  await tx`
    INSERT INTO event_core.projector_watermarks (projector_name, world_id, branch, last_processed_seq, updated_at)
    SELECT ${projectorName}, m.world_id, m.branch, m.seq, now()
    FROM unnest(${moves.map((m) => m.partition.worldId)}::uuid[], ${moves.map((m) => m.partition.branch)}::text[],
                ${moves.map((m) => m.to as number)}::bigint[]) AS m(world_id, branch, seq)
    ON CONFLICT (projector_name, world_id, branch) DO UPDATE
      SET last_processed_seq = EXCLUDED.last_processed_seq, updated_at = EXCLUDED.updated_at
      WHERE projector_watermarks.last_processed_seq < EXCLUDED.last_processed_seq`;
}
