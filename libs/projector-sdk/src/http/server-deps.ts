import type { onRequestAsyncHookHandler } from 'fastify';
import type { Logger } from 'pino';
import type { Applier } from '../apply/applier.js';
import type { LoopProgress } from '../background/loop-progress.js';
import type { ProjectorConfig } from '../config/config.js';
import type { Sql } from '../db/connect.js';
import type { CatchupStatus } from '../catchup/catchup-status.js';
import type { Lens } from '../lens/lens-types.js';
import type { RebuildRunner } from '../rebuild/rebuild-runner.js';
import type { ProjectorMetrics } from '../metrics/projector-metrics.js';

/** Everything the HTTP layer needs, built once by the projector and handed in. */
export interface ServerDeps {
  readonly lens: Lens;
  readonly config: ProjectorConfig;
  readonly sql: Sql;
  readonly applier: Applier;
  readonly metrics: ProjectorMetrics;
  readonly logger: Logger;
  /** Runs first on the write routes: bearer auth when a token is configured. */
  readonly authenticate: onRequestAsyncHookHandler | undefined;
  /** What the catch-up loop last saw (for `/health`). */
  readonly catchup?: CatchupStatus;
  /** Rebuilds in the background (`/rebuild`); absent, the route is not served. */
  readonly rebuilds?: RebuildRunner;
  /** Each background loop's last progress (for `/ready`); none watched until the loops start. */
  readonly progress?: LoopProgress;
}
