import type { EnvelopeBody } from '../event/event-schema.js';
import { globalSeq, type GlobalSeq, type Partition } from '../event/event.js';
import type { Tx } from '../lens/lens-types.js';

/** An event read back from `event_core.event_log` to fill a gap. */
export interface LoggedEvent {
  readonly globalSeq: GlobalSeq;
  readonly eventId: string;
  readonly kind: string;
  readonly envelope: EnvelopeBody;
}

export interface PartitionState {
  readonly watermark: GlobalSeq;
  /** Logged events after the watermark and before `upTo`, other than those being delivered. */
  readonly missing: readonly LoggedEvent[];
}

const lockName = (p: Partition) => `${p.worldId}/${p.branch}`;

/**
 * Takes the transaction-scoped lock of each partition, in one fixed order (the lock keys, sorted),
 * so two transactions that need the same partitions never deadlock. Other processes on the same
 * database take the same locks, which is what orders a partition across processes.
 */
export async function lockPartitions(tx: Tx, projectorName: string, partitions: readonly Partition[]): Promise<void> {
  await tx`
    SELECT count(pg_advisory_xact_lock(k.a, k.b))
    FROM (
      SELECT DISTINCT hashtext(${projectorName}) AS a, hashtext(p) AS b
      FROM unnest(${partitions.map(lockName)}::text[]) AS p
      ORDER BY 1, 2
    ) AS k`;
}

/**
 * Reads the partition's watermark and, in the same statement, the logged events that sit between
 * it and `upTo` and are not among `delivering`: the gap to fill before those can be applied.
 * Must run after `lockPartitions`, so the watermark cannot move under us.
 */
export async function readPartitionState(
  tx: Tx,
  projectorName: string,
  partition: Partition,
  upTo: GlobalSeq,
  delivering: readonly GlobalSeq[],
): Promise<PartitionState> {
  const rows = await tx<{ watermark: string; global_seq: string | null; event_id: string | null; kind: string | null; envelope: EnvelopeBody | null }[]>`
    WITH w AS (
      SELECT coalesce(max(last_processed_seq), 0) AS wm
      FROM event_core.projector_watermarks
      WHERE projector_name = ${projectorName} AND world_id = ${partition.worldId} AND branch = ${partition.branch}
    )
    SELECT w.wm::text AS watermark, e.global_seq::text AS global_seq, e.event_id, e.kind, e.envelope
    FROM w
    LEFT JOIN event_core.event_log e
      ON e.world_id = ${partition.worldId} AND e.branch = ${partition.branch}
     AND e.global_seq > w.wm AND e.global_seq < ${upTo}
     AND e.global_seq <> ALL(${[...delivering] as number[]}::bigint[])
    ORDER BY e.global_seq`;
  const watermark = globalSeq(Number(rows[0]?.watermark ?? 0));
  const missing: LoggedEvent[] = [];
  for (const r of rows) {
    if (r.global_seq === null) continue;
    missing.push({ globalSeq: globalSeq(Number(r.global_seq)), eventId: r.event_id!, kind: r.kind!, envelope: r.envelope! });
  }
  return { watermark, missing };
}

/** Moves the watermark forward; the `WHERE` keeps it from ever moving back. */
export async function advanceWatermark(tx: Tx, projectorName: string, partition: Partition, to: GlobalSeq): Promise<void> {
  await tx`
    INSERT INTO event_core.projector_watermarks (projector_name, world_id, branch, last_processed_seq, updated_at)
    VALUES (${projectorName}, ${partition.worldId}, ${partition.branch}, ${to}, now())
    ON CONFLICT (projector_name, world_id, branch) DO UPDATE
      SET last_processed_seq = EXCLUDED.last_processed_seq, updated_at = EXCLUDED.updated_at
      WHERE projector_watermarks.last_processed_seq < EXCLUDED.last_processed_seq`;
}
