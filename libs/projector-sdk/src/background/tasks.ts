import type { Logger } from 'pino';
import type { ProjectorConfig } from '../config/config.js';
import type { Sql } from '../db/connect.js';
import type { Lens } from '../lens/lens-types.js';
import { hashGaugeValue, type ProjectorMetrics } from '../metrics/projector-metrics.js';
import { listPartitions } from '../replay/list-partitions.js';
import { recordStateHash } from '../replay/recorded-hash.js';
import { verifyPartition } from '../replay/verify-partition.js';
import type { PartitionHash } from '../state/state-hash.js';
import { runCatchupLoop } from '../catchup/catchup-loop.js';
import { catchupDeps } from '../catchup/catchup-deps.js';
import type { CatchupStatus } from '../catchup/catchup-status.js';
import { reportPartitions } from '../catchup/partition-report.js';
import { repeat } from './every.js';
import type { LoopProgress } from './loop-progress.js';

export interface BackgroundDeps {
  sql: Sql;
  lens: Lens;
  config: ProjectorConfig;
  metrics: ProjectorMetrics;
  log: Logger;
  /** Written by the catch-up loop, read by `/health`. */
  catchup: CatchupStatus;
  /** Each loop's last progress, read by `/ready`. */
  progress: LoopProgress;
}

/** What the gauges and the state-hash monitor need (no catch-up). */
export type MonitorDeps = Omit<BackgroundDeps, 'catchup' | 'progress'>;

/** Partitions the lag report reads at most per refresh. */
const LAG_GAUGE_PARTITIONS = 10_000;

/**
 * Refreshes the watermark, lag and blocked gauges for every partition of the log, with a watermark
 * row or not: lag in events (logged past the watermark) and in seconds (age of the oldest of those).
 * Per-partition series only for the partitions `metrics.partitions` admits (PROJECTOR_METRICS_MAX_PARTITIONS);
 * the largest lag of all is kept in `projector_lag_max_seconds`.
 */
export async function updateLagMetrics({ sql, lens, metrics }: MonitorDeps): Promise<void> {
  const reports = await reportPartitions(sql, lens.projectorName, { limit: LAG_GAUGE_PARTITIONS });
  let untracked = 0;
  let lagMax = 0;
  for (const r of reports) {
    lagMax = Math.max(lagMax, r.lag_seconds);
    if (!metrics.partitions.admit(r.world_id, r.branch)) {
      untracked++;
      continue;
    }
    const labels = { projector: lens.projectorName, world_id: r.world_id, branch: r.branch };
    metrics.watermark.set(labels, r.watermark);
    metrics.lag.set(labels, r.lag_seconds);
    metrics.lagEvents.set(labels, r.lag_events);
  }
  metrics.lagMax.set({ projector: lens.projectorName }, lagMax);
  metrics.partitionsUntracked.set({ projector: lens.projectorName }, untracked);
  const [blocked] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM event_core.projector_partition_blocks WHERE projector_name = ${lens.projectorName}`;
  metrics.partitionsBlocked.set({ projector: lens.projectorName }, blocked!.n);
}

/**
 * Hashes every partition of this projector and records the hash beside its watermark; then verifies
 * a sample of partitions against the log (`PROJECTOR_REPLAY_SAMPLE`, taken in turn across runs) at
 * the hash just taken, without locking them (verifyPartition), and counts those whose replayed hash
 * differs in `projector_replay_mismatch_total`.
 */
export async function recordStateHashes(
  { sql, lens, config, metrics, log }: MonitorDeps,
  run = 0,
  /** Called after each partition hashed or verified: a long run is progress, not a stall. */
  onStep: () => void = () => undefined,
): Promise<number> {
  const partitions = await listPartitions(sql, lens);
  const hashes: PartitionHash[] = [];
  for (const partition of partitions) {
    const hash = await recordStateHash(sql, lens, partition);
    hashes.push(hash);
    if (metrics.partitions.admit(partition.worldId, partition.branch)) {
      metrics.stateHash.set({ projector: lens.projectorName, world_id: partition.worldId, branch: partition.branch }, hashGaugeValue(hash.stateHash));
    }
    onStep();
  }
  for (let i = 0; i < Math.min(config.replaySample, partitions.length); i++) {
    const at = (run * config.replaySample + i) % partitions.length;
    const partition = partitions[at]!;
    const result = await verifyPartition(sql, lens, partition, { against: hashes[at] });
    if (!result.equal) {
      metrics.replayMismatch.inc({ projector: lens.projectorName });
      log.error(
        { world_id: partition.worldId, branch: partition.branch, watermark: result.watermark, live: result.liveHash, replay: result.replayHash },
        'replay mismatch: live state differs from the log',
      );
    }
    onStep();
  }
  log.debug({ partitions: partitions.length }, 'state hashes recorded');
  return partitions.length;
}

/**
 * Starts the background loops (database ping, lag and watermark gauges, state-hash monitor, catch-up),
 * each watched by `deps.progress`; the returned function stops them and waits for the one running to finish.
 */
export function startBackgroundTasks(deps: BackgroundDeps): () => Promise<void> {
  const { sql, lens, config, metrics, log, progress } = deps;
  const controller = new AbortController();
  const common = { backoffMs: config.errorBackoffMs, signal: controller.signal, log };
  const failed = (task: string) => () => metrics.backgroundErrors.inc({ projector: lens.projectorName, task });
  let databaseUp = true;
  let monitorRuns = 0;
  progress.watch('health-check', config.healthCheckIntervalMs);
  progress.watch('lag-metrics', config.metricsUpdateIntervalMs);
  progress.watch('state-hash-monitor', config.stateHashIntervalMs);
  const loops = [
    repeat(
      async () => {
        try {
          await sql`SELECT 1`;
          if (!databaseUp) log.info('database reachable again');
          databaseUp = true;
        } catch (err) {
          if (databaseUp) log.error({ err }, 'database unreachable');
          databaseUp = false;
        }
        metrics.databaseUp.set({ projector: lens.projectorName }, databaseUp ? 1 : 0);
        // Its work is to find out, and it did: a ping that fails is still progress (the gauge says 0).
        progress.beat('health-check');
      },
      { ...common, name: 'health-check', intervalMs: config.healthCheckIntervalMs },
    ),
    repeat(
      async () => {
        await updateLagMetrics(deps);
        progress.beat('lag-metrics');
      },
      { ...common, name: 'lag-metrics', intervalMs: config.metricsUpdateIntervalMs, onError: failed('lag-metrics') },
    ),
    repeat(
      async () => {
        await recordStateHashes(deps, monitorRuns++, () => progress.beat('state-hash-monitor'));
        progress.beat('state-hash-monitor');
      },
      { ...common, name: 'state-hash-monitor', intervalMs: config.stateHashIntervalMs, onError: failed('state-hash-monitor') },
    ),
  ];
  if (config.catchupIntervalMs > 0) {
    progress.watch('catch-up', config.catchupIntervalMs);
    loops.push(
      runCatchupLoop(catchupDeps(deps), {
        intervalMs: config.catchupIntervalMs, backoffMs: config.errorBackoffMs, signal: controller.signal, onError: failed('catch-up'),
      }),
    );
  }
  return async () => {
    controller.abort();
    await Promise.allSettled(loops);
    progress.clear();
  };
}
