import type { Lens } from '../lens/lens-types.js';
import { ConfigError, parseConfig } from '../config/config.js';
import { createProjector } from './create-projector.js';
import { MISSING_DATABASE_LINE } from './database.js';

const SHUTDOWN_TIMEOUT_MS = 30_000;

/**
 * The whole process of a projector app: configuration from the environment (a bad value stops the
 * process with exit code 1 and one line per variable; so does a missing database URL), start, and a graceful shutdown on SIGTERM or
 * SIGINT that finishes requests in flight and exits 0.
 */
export async function runProjector(lens: Lens, env: Record<string, string | undefined>): Promise<void> {
  let config;
  try {
    config = parseConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.lines) process.stderr.write(`${lens.serviceName}: ${line}\n`);
    process.exit(1);
  }
  if (!config.databaseUrl) {
    process.stderr.write(`${lens.serviceName}: ${MISSING_DATABASE_LINE}\n`);
    process.exit(1);
  }
  let projector;
  try {
    projector = await createProjector({ lens, config });
  } catch (err) {
    // Before a logger exists (e.g. `embedded` in a production folder, without the dev library): one line.
    process.stderr.write(`${lens.serviceName}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const { log } = projector;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    projector.close().then(
      () => {
        clearTimeout(timer);
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  try {
    await projector.start();
  } catch (err) {
    log.fatal({ err }, 'projector failed to start');
    await projector.close().catch((closeErr: unknown) => log.error({ err: closeErr }, 'cleanup after a failed start failed'));
    process.exit(1);
  }
}
