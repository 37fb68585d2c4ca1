import type { Logger } from 'pino';
import type { Sql } from '../db/connect.js';
import { partitionKey, type GlobalSeq } from '../event/event.js';
import type { Lens } from '../lens/lens-types.js';
import type { ProjectorMetrics } from '../metrics/projector-metrics.js';
import { applyChunk, type ChunkOutcome, type FailedEvent } from './catchup-chunk.js';
import { scanBehind, type BehindPartition, type ScanCursor } from './catchup-scan.js';
import type { CatchupStatus } from './catchup-status.js';
import { withSpan } from '../tracing/span.js';

/** Partitions a scan returns at most (a page; the pass pages on). */
export const SCAN_PAGE = 10_000;
/**
 * Partitions one catch-up transaction locks at most; never more than a chunk, since each one behind
 * has at least one event to apply (a lock taken for nothing would only keep another process off it).
 */
export const PARTITIONS_PER_TX = 64;
const PROGRESS_EVERY_MS = 5_000;

export interface CatchupDeps {
  readonly sql: Sql;
  readonly lens: Lens;
  readonly chunk: number;
  readonly metrics: ProjectorMetrics;
  readonly log: Logger;
  readonly status: CatchupStatus;
  /**
   * Decides what a failing event does to its partition (block, skip). True when the partition may go
   * on (the event was skipped); else the pass leaves it alone.
   */
  readonly onFailed: (failed: FailedEvent) => Promise<boolean>;
  readonly signal?: AbortSignal;
  /**
   * Catch up to this projector's watermarks instead of the log's head: a rebuild's copy of the lens
   * (`lensIn`) follows the live projector. Unset: the log's head.
   */
  readonly follow?: string;
  /** How often a long pass logs its progress (default 5 s). */
  readonly progressEveryMs?: number;
  /** Called after each transaction and at the end of a pass: a long pass is progress, not a stall. */
  readonly onProgress?: () => void;
}

export interface PassReport {
  readonly partitionsBehind: number;
  readonly partitionsDone: number;
  readonly events: number;
  readonly failed: number;
  readonly seconds: number;
}

/**
 * One catch-up pass: pages through the partitions of the log that are behind and applies their
 * logged events in bounded transactions until each is caught up, held by another process, or
 * stopped at a failing event (handed to `onFailed`, then left alone for the rest of the pass).
 */
export async function catchUpPass(deps: CatchupDeps): Promise<PassReport> {
  const { sql, lens, log, status } = deps;
  const started = Date.now();
  const every = deps.progressEveryMs ?? PROGRESS_EVERY_MS;
  let lastProgress = started;
  let cursor: ScanCursor;
  const tally = { behind: 0, done: 0, events: 0, failed: 0 };
  const progress = () => {
    const seconds = (Date.now() - started) / 1000;
    const { behind, done, events } = tally;
    log.info(
      { partitions_behind: behind, partitions_done: done, events_applied: events, events_per_s: Math.round(events / Math.max(seconds, 0.001)) },
      'catch-up progress',
    );
  };
  const scan = { projectorName: lens.projectorName, follow: deps.follow };
  let page = await scanBehind(sql, scan, cursor, SCAN_PAGE);
  // A pass with nothing behind (most of them, every PROJECTOR_CATCHUP_INTERVAL_S) gets no span: a
  // trace of it would only bury the ones that did something. The span starts with the pass anyway.
  if (page.length > 0) {
    await withSpan('projector.catchup.pass', {}, async (span) => {
      try {
        while (page.length > 0) {
          cursor = page.at(-1)!.partition;
          tally.behind += page.length;
          status.catchingUp = true;
          await drain(deps, page, tally, () => {
            deps.onProgress?.();
            status.partitionsBehind = Math.max(0, tally.behind - tally.done);
            if (Date.now() - lastProgress >= every) {
              lastProgress = Date.now();
              progress();
            }
          });
          if (deps.signal?.aborted) break;
          page = await scanBehind(sql, scan, cursor, SCAN_PAGE);
        }
      } finally {
        status.catchingUp = false;
        span?.setAttributes({ 'projector.partitions_behind': tally.behind, 'projector.partitions_done': tally.done, 'projector.events': tally.events, 'projector.failed': tally.failed });
      }
    }, { startTime: started });
  }
  const seconds = (Date.now() - started) / 1000;
  if (seconds * 1000 >= every) progress();
  status.partitionsBehind = 0;
  status.lastPassAt = new Date();
  deps.onProgress?.();
  return { partitionsBehind: tally.behind, partitionsDone: tally.done, events: tally.events, failed: tally.failed, seconds };
}

/**
 * Catches up the given partitions until each is caught up, held by another process, or stopped at a
 * failing event; counts into `tally` and calls `afterBatch` after each transaction.
 */
export async function drain(
  deps: CatchupDeps,
  partitions: readonly BehindPartition[],
  tally: { done: number; events: number; failed: number },
  afterBatch: () => void = () => undefined,
): Promise<void> {
  const { lens, status, metrics } = deps;
  const queue = [...partitions];
  while (queue.length > 0 && !deps.signal?.aborted) {
    const batch = queue.splice(0, Math.min(PARTITIONS_PER_TX, deps.chunk));
    const { outcome, failed } = await applyIsolated(deps, batch);
    tally.events += outcome.events;
    status.eventsApplied += outcome.events;
    // A copy following live is a rebuild's work, counted under the live projector's name.
    if (deps.follow === undefined) metrics.catchupEvents.inc({ projector: lens.projectorName }, outcome.events);
    else metrics.rebuildEvents.inc({ projector: deps.follow }, outcome.events);
    const stopped = new Set<string>();
    const skipped = new Set<string>();
    for (const f of failed) (await deps.onFailed(f) ? skipped : stopped).add(partitionKey(f.partition));
    tally.failed += failed.length;
    const held = new Set(outcome.held.map(partitionKey));
    const full = outcome.events >= deps.chunk;
    for (const b of batch) {
      const key = partitionKey(b.partition);
      if (!held.has(key) || stopped.has(key)) continue;
      const moved = outcome.applied.get(key);
      const end = b.blockedAt ?? b.head + 1;
      // Still behind when scanned (the chunk ran out inside it, or before reaching it), or past a skip.
      if ((moved && moved.watermark < end - 1) || (!moved && full) || skipped.has(key)) queue.push(b);
      else tally.done++;
    }
    afterBatch();
  }
}

/**
 * Applies a batch of partitions in one transaction (a blocked one up to its block); when the database
 * rejects an event, tries again with that partition stopped before it, so one poison event holds back
 * only its own partition.
 */
async function applyIsolated(deps: CatchupDeps, batch: readonly BehindPartition[]): Promise<{ outcome: ChunkOutcome; failed: FailedEvent[] }> {
  const partitions = batch.map((b) => b.partition);
  const stops = new Map<string, GlobalSeq>(batch.flatMap((b) => (b.blockedAt === null ? [] : [[partitionKey(b.partition), b.blockedAt] as const])));
  const failed: FailedEvent[] = [];
  // Each retry stops one more partition, so this ends within partitions.length + 1 tries.
  for (;;) {
    const result = await applyChunk(deps.sql, deps.lens, { partitions, chunk: deps.chunk, stops, follow: deps.follow });
    if (result.ok) return { outcome: result.outcome, failed: [...failed, ...result.outcome.failed] };
    const key = partitionKey(result.retry.partition);
    const earlier = stops.get(key);
    // A stop only moves back (a block's stop is after the event now failing): else it is no progress.
    if (earlier !== undefined && earlier <= result.retry.globalSeq) throw result.retry.error;
    stops.set(key, result.retry.globalSeq);
    failed.push(result.retry);
  }
}
