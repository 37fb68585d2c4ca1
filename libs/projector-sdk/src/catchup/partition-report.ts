import type { Sql } from '../db/connect.js';
import type { Partition } from '../event/event.js';
import type { Tx } from '../lens/lens-types.js';

/** One partition of the log as the operator sees it (contract.md, "Operating partitions"). */
export interface PartitionReport {
  readonly world_id: string;
  readonly branch: string;
  readonly watermark: number;
  readonly log_head: number;
  readonly blocked_at: number | null;
  readonly error: { readonly code: string; readonly message: string; readonly first_seen: string } | null;
  readonly lag_events: number;
  readonly lag_seconds: number;
}

export interface ReportFilter {
  /** One partition only. */
  readonly partition?: Partition;
  /** Blocked partitions only. */
  readonly blockedOnly?: boolean;
  /** Rows at most (bounded: the log may hold very many partitions). */
  readonly limit: number;
}

type Row = {
  world_id: string;
  branch: string;
  watermark: string;
  head: string;
  blocked_at: string | null;
  code: string | null;
  message: string | null;
  first_seen: Date | null;
  lag_events: number;
  lag_seconds: number;
};

/**
 * Every partition of the log (with a watermark row or not) and every partition with a watermark
 * (delivered, perhaps never logged) against this projector: watermark, head,
 * block, and lag in events (logged past the watermark) and seconds (age of the oldest of those).
 * The lag gauges and the operator routes read this one statement.
 */
export async function reportPartitions(sql: Sql | Tx, projectorName: string, filter: ReportFilter): Promise<PartitionReport[]> {
  const { partition } = filter;
  const inLog = partition ? sql`WHERE world_id = ${partition.worldId}::uuid AND branch = ${partition.branch}` : sql``;
  const inWatermarks = partition ? sql`AND world_id = ${partition.worldId}::uuid AND branch = ${partition.branch}` : sql``;
  const rows = await sql<Row[]>`
    WITH l AS (
      SELECT world_id, branch, max(global_seq) AS head FROM event_core.event_log ${inLog} GROUP BY world_id, branch
    ), w AS (
      SELECT world_id, branch, last_processed_seq FROM event_core.projector_watermarks
      WHERE projector_name = ${projectorName} ${inWatermarks}
    ), p AS (
      SELECT world_id, branch, coalesce(w.last_processed_seq, 0) AS wm, coalesce(l.head, 0) AS head
      FROM l FULL JOIN w USING (world_id, branch)
    )
    SELECT p.world_id::text, p.branch, p.wm::text AS watermark, p.head::text AS head,
           b.global_seq::text AS blocked_at, b.code, b.message, b.first_seen, lag.lag_events, lag.lag_seconds
    FROM p
    LEFT JOIN event_core.projector_partition_blocks b
      ON b.projector_name = ${projectorName} AND b.world_id = p.world_id AND b.branch = p.branch
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS lag_events, coalesce(extract(epoch FROM now() - min(e.received_at)), 0)::float8 AS lag_seconds
      FROM event_core.event_log e
      WHERE e.world_id = p.world_id AND e.branch = p.branch AND e.global_seq > p.wm
    ) lag
    ${filter.blockedOnly ? sql`WHERE b.global_seq IS NOT NULL` : sql``}
    ORDER BY p.world_id, p.branch
    LIMIT ${filter.limit}`;
  return rows.map((r) => ({
    world_id: r.world_id,
    branch: r.branch,
    watermark: Number(r.watermark),
    log_head: Number(r.head),
    blocked_at: r.blocked_at === null ? null : Number(r.blocked_at),
    error: r.code === null ? null : { code: r.code, message: r.message!, first_seen: r.first_seen!.toISOString() },
    lag_events: r.lag_events,
    lag_seconds: Math.max(0, r.lag_seconds),
  }));
}
