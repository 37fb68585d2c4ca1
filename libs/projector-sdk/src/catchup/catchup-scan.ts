import type { Sql } from '../db/connect.js';
import type { Tx } from '../lens/lens-types.js';
import { globalSeq, type GlobalSeq, type Partition } from '../event/event.js';

/** A partition of the log whose last logged event is past this projector's watermark. */
export interface BehindPartition {
  readonly partition: Partition;
  readonly watermark: GlobalSeq;
  readonly head: GlobalSeq;
  /** The poison event the partition is blocked at: catch-up applies the events before it, no further. */
  readonly blockedAt: GlobalSeq | null;
}

/** Whose partitions to scan: `projectorName`'s watermarks against the log's head, or against `follow`'s watermarks. */
export interface ScanTarget {
  readonly projectorName: string;
  readonly follow?: string | undefined;
}

/** Where a scan resumes: the last partition of the previous page (keyset order). */
export type ScanCursor = Partition | undefined;

/**
 * One set-based statement: the head (max global_seq) of every partition of the log against this
 * projector's watermark, keeping those behind, a page at a time in (world_id, branch) order.
 * Partitions with no watermark row count as watermark 0 (the backfill). It relies on nothing but
 * per-partition positions, so an event that commits late in another partition is found as soon as
 * it is visible. With the log's (world_id, branch, global_seq) index this is an index-only scan.
 */
export async function scanBehind(sql: Sql | Tx, scan: ScanTarget, after: ScanCursor, limit: number): Promise<BehindPartition[]> {
  const { projectorName, follow } = scan;
  const rows = await sql<{ world_id: string; branch: string; head: string; watermark: string; blocked_at: string | null }[]>`
    SELECT l.world_id::text, l.branch, l.head::text, coalesce(w.last_processed_seq, 0)::text AS watermark,
           b.global_seq::text AS blocked_at
    FROM (
      ${follow === undefined
        ? sql`SELECT e.world_id, e.branch, max(e.global_seq) AS head FROM event_core.event_log e
              ${after ? sql`WHERE (e.world_id, e.branch) > (${after.worldId}::uuid, ${after.branch})` : sql``}
              GROUP BY e.world_id, e.branch`
        : sql`SELECT f.world_id, f.branch, f.last_processed_seq AS head FROM event_core.projector_watermarks f
              WHERE f.projector_name = ${follow}
              ${after ? sql`AND (f.world_id, f.branch) > (${after.worldId}::uuid, ${after.branch})` : sql``}`}
    ) l
    LEFT JOIN event_core.projector_watermarks w
      ON w.projector_name = ${projectorName} AND w.world_id = l.world_id AND w.branch = l.branch
    LEFT JOIN event_core.projector_partition_blocks b
      ON b.projector_name = ${projectorName} AND b.world_id = l.world_id AND b.branch = l.branch
    WHERE l.head > coalesce(w.last_processed_seq, 0)
      -- A blocked partition is behind only while logged events sit between its watermark and the block.
      AND (b.global_seq IS NULL OR EXISTS (
        SELECT 1 FROM event_core.event_log e
        WHERE e.world_id = l.world_id AND e.branch = l.branch
          AND e.global_seq > coalesce(w.last_processed_seq, 0) AND e.global_seq < b.global_seq
      ))
    ORDER BY l.world_id, l.branch
    LIMIT ${limit}`;
  return rows.map((r) => ({
    partition: { worldId: r.world_id, branch: r.branch },
    watermark: globalSeq(Number(r.watermark)),
    head: globalSeq(Number(r.head)),
    blockedAt: r.blocked_at === null ? null : globalSeq(Number(r.blocked_at)),
  }));
}
