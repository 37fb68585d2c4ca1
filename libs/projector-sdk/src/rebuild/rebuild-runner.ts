import type { Logger } from 'pino';
import type { ProjectorConfig } from '../config/config.js';
import type { Sql } from '../db/connect.js';
import type { Lens } from '../lens/lens-types.js';
import type { ProjectorMetrics } from '../metrics/projector-metrics.js';
import { ensureLiveVersion } from './rebuild-record.js';
import { runRebuild, type RebuildProgress, type RebuildReport } from './run-rebuild.js';

export interface RebuildStatus {
  readonly running: boolean;
  readonly progress: RebuildProgress | null;
  readonly last: RebuildReport | null;
}

/** A projector's rebuilds in the background: one at a time, started by the admin route or a new lens version. */
export interface RebuildRunner {
  /** Starts a rebuild unless one runs; false when one already does. */
  start(options?: { acceptDifferences?: boolean }): boolean;
  status(): RebuildStatus;
  /** At start: a lens version other than the live tables' builds itself (`auto`) or is logged (`manual`). */
  checkLensVersion(): Promise<void>;
  /** Stops a running rebuild after its transaction in flight (it resumes at the next run) and waits. */
  close(): Promise<void>;
}

export function createRebuildRunner(deps: { sql: Sql; lens: Lens; config: ProjectorConfig; metrics: ProjectorMetrics; log: Logger }): RebuildRunner {
  const { sql, lens, config, log } = deps;
  const controller = new AbortController();
  let running: Promise<void> | undefined;
  let progress: RebuildProgress | null = null;
  let last: RebuildReport | null = null;

  const runner: RebuildRunner = {
    start(options = {}) {
      if (running) return false;
      progress = null;
      running = runRebuild({
        ...deps,
        log: log.child({ task: 'rebuild' }),
        chunk: config.rebuildChunk,
        acceptDifferences: options.acceptDifferences,
        signal: controller.signal,
        onProgress: (p) => (progress = p),
      })
        .then((report) => {
          last = report;
          if (report.status === 'refused') log.error({ reason: report.reason }, 'rebuild refused');
        })
        .catch((err: unknown) => log.error({ err }, 'rebuild failed; run it again to resume'))
        .finally(() => (running = undefined));
      return true;
    },
    status: () => ({ running: running !== undefined, progress, last }),
    async checkLensVersion() {
      const live = await ensureLiveVersion(sql, lens);
      if (live === lens.version) return;
      const context = { live_version: live, lens_version: lens.version };
      if (config.lensUpgrade === 'manual') {
        log.warn(context, `the live tables were built by lens version ${live}: this process serves them with version ${lens.version}'s code; rebuild with \`npx nx run ${lens.serviceName}:rebuild\` (or POST /rebuild)`);
        return;
      }
      log.info(context, 'lens version changed: building the new version beside the live tables (PROJECTOR_LENS_UPGRADE=auto)');
      runner.start();
    },
    async close() {
      controller.abort();
      await running;
    },
  };
  return runner;
}
