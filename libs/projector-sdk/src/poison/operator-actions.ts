import { catchupDeps } from '../catchup/catchup-deps.js';
import { drain } from '../catchup/catchup-pass.js';
import type { CatchupStatus } from '../catchup/catchup-status.js';
import { reportPartitions, type PartitionReport } from '../catchup/partition-report.js';
import type { GlobalSeq, Partition } from '../event/event.js';
import type { PoisonDeps } from './on-failed-event.js';
import { clearBlock, readBlock, skipEvent } from './partition-blocks.js';

/** The operator's routes and CLI act through these, so both do exactly the same. */
export type OperatorDeps = PoisonDeps & { readonly catchup: CatchupStatus };

/** Partitions a listing returns at most. */
export const MAX_LISTED_PARTITIONS = 1000;

export function listPartitionReports(deps: OperatorDeps, options: { blockedOnly: boolean; limit?: number }): Promise<PartitionReport[]> {
  const limit = Math.min(options.limit ?? MAX_LISTED_PARTITIONS, MAX_LISTED_PARTITIONS);
  return reportPartitions(deps.sql, deps.lens.projectorName, { blockedOnly: options.blockedOnly, limit });
}

export async function showPartition(deps: OperatorDeps, partition: Partition): Promise<PartitionReport | undefined> {
  const [report] = await reportPartitions(deps.sql, deps.lens.projectorName, { partition, limit: 1 });
  return report;
}

/** `status`: `skipped`, or after a retry `flowing` (applied) or `blocked` (failed again, new error). */
export type OperatorResult =
  | { ok: true; status: 'skipped' | 'flowing' | 'blocked'; partition: PartitionReport }
  | { ok: false; blockedAt: GlobalSeq | null };

/**
 * Skips the event a partition is blocked at, as data (event, reason, time, operator); the watermark
 * moves past it and catch-up applies the rest of the partition from the log. Refused unless the
 * partition is blocked at exactly that event.
 */
export async function operatorSkip(
  deps: OperatorDeps,
  request: { partition: Partition; globalSeq: GlobalSeq; reason: string; operator: string | undefined },
): Promise<OperatorResult> {
  const { partition, globalSeq } = request;
  const block = await readBlock(deps.sql, deps.lens.projectorName, partition);
  if (!block || block.globalSeq !== globalSeq) return { ok: false, blockedAt: block?.globalSeq ?? null };
  const skipped = await skipEvent(deps.sql, deps.lens.projectorName, {
    partition,
    globalSeq,
    reason: request.reason,
    decidedBy: 'operator',
    operator: request.operator,
    error: { code: block.code, message: block.message },
  });
  if (!skipped.ok) return { ok: false, blockedAt: block.globalSeq };
  deps.metrics.eventsSkipped.inc({ projector: deps.lens.projectorName, decided_by: 'operator' });
  deps.log.warn({ world_id: partition.worldId, branch: partition.branch, global_seq: globalSeq, reason: request.reason, operator: request.operator }, 'operator skipped an event');
  return { ok: true, status: 'skipped', partition: (await showPartition(deps, partition))! };
}

/**
 * Tries the event a partition is blocked at again now (after a lens fix or a corrected log row):
 * the block is lifted and catch-up runs on the partition up to that event; if it fails again, the
 * poison policy records it again with the new error. Refused when the partition is not blocked.
 */
export async function operatorRetry(deps: OperatorDeps, partition: Partition): Promise<OperatorResult> {
  const block = await readBlock(deps.sql, deps.lens.projectorName, partition);
  if (!block) return { ok: false, blockedAt: null };
  await clearBlock(deps.sql, deps.lens.projectorName, partition);
  // Up to the blocked event only: what follows is the catch-up loop's, in bounded transactions.
  await drain(catchupDeps(deps), [{ partition, watermark: block.globalSeq, head: block.globalSeq, blockedAt: null }], { done: 0, events: 0, failed: 0 });
  deps.log.info({ world_id: partition.worldId, branch: partition.branch, global_seq: block.globalSeq }, 'operator retried a blocked event');
  const report = (await showPartition(deps, partition))!;
  return { ok: true, status: report.blocked_at === null ? 'flowing' : 'blocked', partition: report };
}
