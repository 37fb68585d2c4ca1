import { advanceWatermarks, lockPartitions } from '../apply/partition-store.js';
import type { Sql } from '../db/connect.js';
import { globalSeq, type GlobalSeq, type Partition } from '../event/event.js';
import type { Tx } from '../lens/lens-types.js';

/** Why an event was given up on: the contract's error code and message. */
export interface EventError {
  readonly code: string;
  readonly message: string;
}

/**
 * Parks a partition at a poison event. Seen again at the same event, only `last_seen` and `attempts`
 * move, so `first_seen` tells how long it has been blocked.
 */
export async function recordBlock(sql: Sql | Tx, projectorName: string, at: { partition: Partition; globalSeq: GlobalSeq; error: EventError }): Promise<void> {
  const { partition, error } = at;
  await sql`
    INSERT INTO event_core.projector_partition_blocks (projector_name, world_id, branch, global_seq, code, message)
    VALUES (${projectorName}, ${partition.worldId}, ${partition.branch}, ${at.globalSeq}, ${error.code}, ${error.message})
    ON CONFLICT (projector_name, world_id, branch) DO UPDATE SET
      code = EXCLUDED.code, message = EXCLUDED.message, last_seen = now(),
      attempts = CASE WHEN projector_partition_blocks.global_seq = EXCLUDED.global_seq THEN projector_partition_blocks.attempts + 1 ELSE 1 END,
      first_seen = CASE WHEN projector_partition_blocks.global_seq = EXCLUDED.global_seq THEN projector_partition_blocks.first_seen ELSE now() END,
      global_seq = EXCLUDED.global_seq`;
}

/** Lifts a block (the event was skipped or applied after all). */
export async function clearBlock(sql: Sql | Tx, projectorName: string, partition: Partition): Promise<void> {
  await sql`
    DELETE FROM event_core.projector_partition_blocks
    WHERE projector_name = ${projectorName} AND world_id = ${partition.worldId} AND branch = ${partition.branch}`;
}

/** The event a partition is blocked at, or undefined. */
export async function readBlock(sql: Sql | Tx, projectorName: string, partition: Partition) {
  const [row] = await sql<{ seq: string; code: string; message: string; first_seen: Date }[]>`
    SELECT global_seq::text AS seq, code, message, first_seen FROM event_core.projector_partition_blocks
    WHERE projector_name = ${projectorName} AND world_id = ${partition.worldId} AND branch = ${partition.branch}`;
  return row && { globalSeq: globalSeq(Number(row.seq)), code: row.code, message: row.message, firstSeen: row.first_seen };
}

export interface SkipDecision {
  readonly partition: Partition;
  readonly globalSeq: GlobalSeq;
  readonly reason: string;
  /** `policy` (PROJECTOR_POISON_POLICY=skip) or `operator`. */
  readonly decidedBy: 'policy' | 'operator';
  readonly operator?: string | undefined;
  readonly error?: EventError | undefined;
}

export type SkipResult = { ok: true; watermark: GlobalSeq } | { ok: false; watermark: GlobalSeq; next: GlobalSeq | null };

/**
 * Records a skip and moves the watermark past the event, in one transaction holding the partition's
 * lock; the event must be the next logged one past the watermark (nothing before it is passed over).
 * The block, if any, is lifted. Replay and the state-hash monitor read the same skips.
 */
export async function skipEvent(sql: Sql, projectorName: string, decision: SkipDecision): Promise<SkipResult> {
  const { partition } = decision;
  return (await sql.begin(async (tx) => {
    await lockPartitions(tx, projectorName, [partition]);
    const [row] = await tx<{ watermark: string; next: string | null }[]>`
      WITH w AS (
        SELECT coalesce((SELECT last_processed_seq FROM event_core.projector_watermarks
                         WHERE projector_name = ${projectorName} AND world_id = ${partition.worldId} AND branch = ${partition.branch}), 0) AS wm
      )
      SELECT w.wm::text AS watermark,
             (SELECT min(e.global_seq) FROM event_core.event_log e
              WHERE e.world_id = ${partition.worldId} AND e.branch = ${partition.branch} AND e.global_seq > w.wm)::text AS next
      FROM w`;
    const watermark = globalSeq(Number(row!.watermark));
    const next = row!.next === null ? null : globalSeq(Number(row!.next));
    if (next !== decision.globalSeq) return { ok: false, watermark, next };
    await tx`
      INSERT INTO event_core.projector_skips (projector_name, world_id, branch, global_seq, reason, decided_by, operator, code, message)
      VALUES (${projectorName}, ${partition.worldId}, ${partition.branch}, ${decision.globalSeq}, ${decision.reason},
              ${decision.decidedBy}, ${decision.operator ?? null}, ${decision.error?.code ?? null}, ${decision.error?.message ?? null})
      ON CONFLICT DO NOTHING`;
    await advanceWatermarks(tx, projectorName, [{ partition, to: decision.globalSeq }]);
    await clearBlock(tx, projectorName, partition);
    return { ok: true, watermark: decision.globalSeq };
  })) as SkipResult;
}

/** The skipped events of a partition up to `upTo`, for replay. */
export async function readSkips(sql: Sql | Tx, projectorName: string, partition: Partition, upTo: GlobalSeq): Promise<Set<number>> {
  const rows = await sql<{ seq: string }[]>`
    SELECT global_seq::text AS seq FROM event_core.projector_skips
    WHERE projector_name = ${projectorName} AND world_id = ${partition.worldId} AND branch = ${partition.branch} AND global_seq <= ${upTo}`;
  return new Set(rows.map((r) => Number(r.seq)));
}
