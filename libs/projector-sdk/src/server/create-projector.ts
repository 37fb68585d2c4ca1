import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createApplier } from '../apply/applier.js';
import { createLoopProgress, type LoopProgress } from '../background/loop-progress.js';
import { startBackgroundTasks } from '../background/tasks.js';
import { newCatchupStatus, type CatchupStatus } from '../catchup/catchup-status.js';
import type { ProjectorConfig } from '../config/config.js';
import type { Sql } from '../db/connect.js';
import { migrate, type MigrationReport } from '../db/migrate.js';
import { bearerAuth } from '../http/auth.js';
import { buildServer } from '../http/build-server.js';
import type { Lens } from '../lens/lens-types.js';
import { createProjectorMetrics, type ProjectorMetrics } from '../metrics/projector-metrics.js';
import { openDatabase } from './database.js';
import { onPoisonDelivery } from '../poison/delivery-poison.js';
import { createLogger } from './logger.js';
import { startTracing } from '../tracing/start-tracing.js';
import { createRebuildRunner, type RebuildRunner } from '../rebuild/rebuild-runner.js';

export interface ProjectorOptions {
  lens: Lens;
  config: ProjectorConfig;
  logger?: Logger;
}

export interface Projector {
  readonly lens: Lens;
  readonly config: ProjectorConfig;
  /** The HTTP app, built but not listening: tests call `app.inject`. */
  readonly app: FastifyInstance;
  readonly sql: Sql;
  readonly metrics: ProjectorMetrics;
  readonly log: Logger;
  /** What the catch-up loop last saw (also shown by `/health`). */
  readonly catchup: CatchupStatus;
  /** Rebuilds of the lens beside the live one (`POST /rebuild`, a new lens version). */
  readonly rebuilds: RebuildRunner;
  /** Each background loop's last progress (`/ready` says stalled when one stops). */
  readonly progress: LoopProgress;
  /** Creates what is missing of `event_core` and the lens schema. */
  migrate(): Promise<MigrationReport>;
  /** Migrates, listens and starts the background tasks; resolves with the address. */
  start(): Promise<string>;
  /** Stops accepting, lets requests in flight finish, stops background tasks, closes the pool. */
  close(): Promise<void>;
}

/** Composes one lens with the SDK into a projector. */
export async function createProjector({ lens, config, logger }: ProjectorOptions): Promise<Projector> {
  const log = logger ?? createLogger(config, lens.serviceName);
  // First: the HTTP app registers its request spans only with tracing on.
  const tracing = await startTracing(config.tracing, { serviceName: lens.serviceName, projectorName: lens.projectorName, log });
  let database;
  try {
    database = await openDatabase(lens, config, log);
  } catch (err) {
    await tracing?.shutdown();
    throw err;
  }
  const { sql } = database;
  const metrics = createProjectorMetrics(config.metricsMaxPartitions);
  const applier = createApplier({ sql, lens, config, metrics, log, onPoison: (event, error) => onPoisonDelivery({ sql, lens, config, metrics, log }, event, error) });
  const authenticate = config.authToken ? bearerAuth(config.authToken) : undefined;
  const catchup = newCatchupStatus();
  const rebuilds = createRebuildRunner({ sql, lens, config, metrics, log });
  const progress = createLoopProgress((task, atMs) => metrics.backgroundProgress.set({ projector: lens.projectorName, task }, atMs / 1000));
  const app = await buildServer({ lens, config, sql, applier, metrics, logger: log, authenticate, catchup, rebuilds, progress });
  let stopBackground: (() => Promise<void>) | undefined;
  let closing: Promise<void> | undefined;

  const projector: Projector = {
    lens,
    config,
    app,
    sql,
    metrics,
    log,
    catchup,
    rebuilds,
    progress,
    migrate: async () => {
      const report = await migrate(sql, lens);
      log.info({ applied: report.applied }, report.applied.length ? 'migrations applied' : 'schema up to date');
      return report;
    },
    start: async () => {
      await projector.migrate();
      const address = await app.listen({ port: config.port, host: config.host });
      stopBackground = startBackgroundTasks({ sql, lens, config, metrics, log, catchup, progress });
      await rebuilds.checkLensVersion();
      log.info({ address, projector: lens.projectorName }, 'projector listening');
      return address;
    },
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await stopBackground?.();
        await rebuilds.close();
        await database.close();
        // Last: the spans of everything above are exported before the process ends.
        await tracing?.shutdown();
      })()),
  };
  return projector;
}
