import type { Logger } from 'pino';
import { catchUpPass } from '../catchup/catchup-pass.js';
import type { FailedEvent } from '../catchup/catchup-chunk.js';
import { newCatchupStatus } from '../catchup/catchup-status.js';
import type { Sql } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import type { Partition } from '../event/event.js';
import type { Lens } from '../lens/lens-types.js';
import type { ProjectorMetrics } from '../metrics/projector-metrics.js';
import { listPartitions } from '../replay/list-partitions.js';
import { comparePartition, type Comparison } from './compare-partitions.js';
import { cutOver, type CutoverOutcome } from './cutover.js';
import { dropLensCopy, schemaExists } from './lens-schemas.js';
import { buildLensOf, previousSchemaOf } from './rebuild-places.js';
import { ensureLiveVersion, readRebuild, recordRebuild } from './rebuild-record.js';
import { countEvents } from './count-events.js';
import { withSpan } from '../tracing/span.js';

/** Events per backfill transaction: larger than a live catch-up chunk, for bigger set-based statements. */
const DEFAULT_CHUNK = 5_000;
/** Differing partitions named in a report (the rest are counted). */
const FIRST_DIFFERENT = 10;
const COMPARE_PAGE = 1_000;
const PROGRESS_EVERY_MS = 5_000;

export interface RebuildDeps {
  readonly sql: Sql;
  readonly lens: Lens;
  readonly metrics: ProjectorMetrics;
  readonly log: Logger;
  /** Events per backfill transaction (default 5,000). */
  readonly chunk?: number;
  /** Cut over although partitions differ from live when the lens version did not change (a repair). */
  readonly acceptDifferences?: boolean;
  /** Build and compare, but leave the cutover to a later run. */
  readonly noCutover?: boolean;
  readonly signal?: AbortSignal;
  /** Called about every half second while events are applied and partitions compared. */
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** How often the log gets a progress line (default 5 s). */
  readonly progressEveryMs?: number;
}

export interface RebuildProgress {
  readonly phase: 'building' | 'comparing' | 'cutting over';
  /** Events the copy holds (applied in this run or before a crash) out of those live holds. */
  readonly eventsDone: number;
  readonly eventsTotal: number;
  readonly partitionsCompared: number;
  readonly partitions: number;
}

export type RebuildReport =
  | { readonly status: 'refused'; readonly reason: string }
  | {
      /** `cut over`: the copy is live; `different`: not cut over, partitions differ and the version is the same; `failed`: an event failed in the copy; `built`: `noCutover`. */
      readonly status: 'cut over' | 'different' | 'failed' | 'built' | 'aborted';
      readonly version: number;
      readonly fromVersion: number;
      readonly resumed: boolean;
      readonly partitions: number;
      /** Events applied into the copy by this run. */
      readonly events: number;
      readonly equal: number;
      readonly different: number;
      readonly firstDifferent: readonly Partition[];
      readonly failed: readonly FailedEvent[];
      readonly seconds: number;
      /** How long the cutover transaction held the lens, in ms. */
      readonly cutoverMs: number | null;
    };

/**
 * Builds the lens anew from the log beside the live one and cuts over (docs/rebuild.md): the copy
 * `lens_<name>__build` is filled by the set-based catch-up following live's watermarks while live
 * traffic goes on, every partition is compared with live by state hash at one watermark, and one
 * short transaction holding the lens lock catches up the last events, checks what moved, and
 * renames the schemas (live becomes `__previous`). Its state is data (the copy's schema and
 * watermarks, `event_core.projector_rebuilds`), so a run after a crash resumes where it stopped.
 */
export function runRebuild(deps: RebuildDeps): Promise<RebuildReport> {
  return withSpan('projector.rebuild', { 'projector.lens_version': deps.lens.version }, async (span) => {
    const report = await rebuildLens(deps);
    span?.setAttributes({ 'projector.outcome': report.status, ...(report.status !== 'refused' && { 'projector.events': report.events, 'projector.partitions': report.partitions, 'projector.different': report.different }) });
    return report;
  });
}

async function rebuildLens(deps: RebuildDeps): Promise<RebuildReport> {
  const { sql, lens, metrics, log } = deps;
  const chunk = deps.chunk ?? DEFAULT_CHUNK;
  const started = Date.now();
  const copy = buildLensOf(lens);
  await migrate(sql, lens);
  if (await schemaExists(sql, previousSchemaOf(lens))) {
    return { status: 'refused', reason: `${previousSchemaOf(lens)} (the lens before the last rebuild) still exists: drop it first (rebuild --drop-previous)` };
  }
  const fromVersion = await ensureLiveVersion(sql, lens);
  const record = await readRebuild(sql, lens);
  const resumed = record !== null && record.version === lens.version && (await schemaExists(sql, copy.schema));
  if (!resumed) {
    await dropLensCopy(sql, copy);
    await recordRebuild(sql, lens, { version: lens.version, fromVersion, buildSchema: copy.schema });
  }
  await migrate(sql, copy);
  const since = resumed ? record!.fromVersion : fromVersion;
  log.info({ schema: copy.schema, version: lens.version, from_version: since, resumed }, resumed ? 'rebuild resumed' : 'rebuild started');

  metrics.rebuildRunning.set({ projector: lens.projectorName }, 1);
  const tally = { compared: 0, partitions: 0 };
  const total = await countEvents(sql, lens, copy);
  const status = newCatchupStatus();
  let phase: RebuildProgress['phase'] = 'building';
  const progress = (): RebuildProgress => ({
    phase,
    eventsDone: total.done + status.eventsApplied,
    eventsTotal: total.live,
    partitionsCompared: tally.compared,
    partitions: tally.partitions,
  });
  const every = deps.progressEveryMs ?? PROGRESS_EVERY_MS;
  let lastLine = Date.now();
  const ticker = setInterval(() => {
    const p = progress();
    deps.onProgress?.(p);
    if (Date.now() - lastLine >= every) {
      lastLine = Date.now();
      const seconds = (Date.now() - started) / 1000;
      log.info({ ...p, events_per_s: Math.round(status.eventsApplied / Math.max(seconds, 0.001)) }, 'rebuild progress');
    }
  }, 500);
  const failed: FailedEvent[] = [];
  try {
    const pass = () =>
      catchUpPass({
        sql,
        lens: copy,
        follow: lens.projectorName,
        chunk,
        metrics,
        log,
        status,
        signal: deps.signal,
        progressEveryMs: Number.POSITIVE_INFINITY,
        // An event the copy cannot apply stops its partition there; live is not touched.
        onFailed: async (f) => {
          failed.push(f);
          return false;
        },
      });
    // Passes until one finds little left: what live applies meanwhile is taken by the next pass.
    for (;;) {
      const report = await pass();
      if (deps.signal?.aborted || failed.length > 0 || report.events < chunk) break;
    }
    const finish = (s: 'different' | 'failed' | 'built' | 'aborted' | 'cut over', c: Compared, cutoverMs: number | null = null): RebuildReport => ({
      status: s,
      version: lens.version,
      fromVersion: since,
      resumed,
      partitions: c.equal + c.different.length + c.moved.length,
      events: status.eventsApplied,
      equal: c.equal,
      different: c.different.length,
      firstDifferent: c.different.slice(0, FIRST_DIFFERENT),
      failed,
      seconds: (Date.now() - started) / 1000,
      cutoverMs,
    });
    if (deps.signal?.aborted) return finish('aborted', emptyCompared());
    if (failed.length > 0) {
      log.error({ failed: failed.map((f) => ({ ...f.partition, global_seq: f.globalSeq, code: f.error.code })) }, 'rebuild stopped: events failed in the copy');
      return finish('failed', emptyCompared());
    }
    phase = 'comparing';
    const compared = await compareAll(deps, copy, tally);
    if (compared.moved.length > 0) {
      await pass();
      await recompare(deps, copy, compared);
    }
    recordComparison(metrics, lens, compared);
    const expectDifferences = since !== lens.version;
    if (compared.different.length > 0 && !expectDifferences && !deps.acceptDifferences) {
      log.error({ different: compared.different.length, first: compared.different.slice(0, FIRST_DIFFERENT) }, 'rebuild differs from live at the same lens version: not cut over');
      return finish('different', compared);
    }
    if (deps.noCutover) return finish('built', compared);
    phase = 'cutting over';
    const outcome: CutoverOutcome = await withSpan('projector.rebuild.cutover', {}, () => cutOver({
      sql,
      lens,
      copy,
      fromVersion: since,
      chunk,
      moved: compared.moved,
      acceptDifferences: expectDifferences || Boolean(deps.acceptDifferences),
    }));
    if (!outcome.ok) {
      compared.different.push(...outcome.different);
      log.error({ different: outcome.different }, 'partitions moved during the cutover differ from live: not cut over');
      return finish('different', compared);
    }
    compared.equal += outcome.equal;
    compared.different.push(...outcome.different);
    compared.moved = [];
    recordComparison(metrics, lens, compared);
    log.info({ ms: outcome.ms, caught_up_events: outcome.events, version: lens.version, previous: previousSchemaOf(lens) }, 'rebuild cut over');
    return finish('cut over', compared, outcome.ms);
  } finally {
    clearInterval(ticker);
    metrics.rebuildRunning.set({ projector: lens.projectorName }, 0);
  }
}

interface Compared {
  equal: number;
  different: Partition[];
  /** Live moved on while they were compared: compared again after one more pass, else in the cutover. */
  moved: Partition[];
}

const emptyCompared = (): Compared => ({ equal: 0, different: [], moved: [] });

/** Compares every live partition with the copy, each in its own snapshot, page by page. */
async function compareAll(deps: RebuildDeps, copy: Lens, tally: { compared: number; partitions: number }): Promise<Compared> {
  const compared = emptyCompared();
  let after: Partition | undefined;
  for (;;) {
    const page = await listPartitions(deps.sql, deps.lens, { after, limit: COMPARE_PAGE });
    if (page.length === 0) return compared;
    tally.partitions += page.length;
    for (const partition of page) {
      tally.compared++;
      count(compared, await comparePartition(deps.sql, deps.lens, copy, partition));
    }
    after = page.at(-1);
  }
}

function count(into: Compared, c: Comparison): void {
  if ('moved' in c) into.moved.push(c.partition);
  else if (c.equal) into.equal++;
  else into.different.push(c.partition);
}

/** Compares again the partitions that moved; those that moved again are left to the cutover. */
async function recompare(deps: RebuildDeps, copy: Lens, compared: Compared): Promise<void> {
  const moved = compared.moved.splice(0);
  for (const partition of moved) count(compared, await comparePartition(deps.sql, deps.lens, copy, partition));
}

function recordComparison(metrics: ProjectorMetrics, lens: Lens, compared: Compared): void {
  metrics.rebuildPartitions.set({ projector: lens.projectorName, result: 'equal' }, compared.equal);
  metrics.rebuildPartitions.set({ projector: lens.projectorName, result: 'different' }, compared.different.length);
}
