import type { Logger } from 'pino';
import { ConfigError, parseConfig, type ProjectorConfig } from '../config/config.js';
import { connectDatabase, type Sql } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import type { Lens } from '../lens/lens-types.js';
import { resolveCliDatabaseUrl } from './database.js';
import { createLogger } from './logger.js';
import { startTracing } from '../tracing/start-tracing.js';

export interface CliContext {
  readonly sql: Sql;
  readonly config: ProjectorConfig;
  readonly log: Logger;
}

/**
 * What every command of a projector app (replay, partitions) does around its work: configuration
 * from the environment (a bad value is exit code 2, one line per variable), the projector's database
 * (`embedded`: the running dev database of `make serve`, never a new empty one; none found is exit
 * code 2 with one line), migrated, closed after. Returns the work's exit code.
 */
export async function withCliDatabase(
  lens: Lens,
  env: Record<string, string | undefined>,
  command: string,
  work: (context: CliContext) => Promise<number>,
): Promise<number> {
  let config;
  try {
    config = parseConfig({ PROJECTOR_LOG_LEVEL: 'warn', ...env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.lines) process.stderr.write(`${line}\n`);
    return 2;
  }
  const target = await resolveCliDatabaseUrl(lens, config);
  if (!target.ok) {
    process.stderr.write(`${lens.serviceName} ${command}: ${target.reason}\n`);
    return 2;
  }
  const log = createLogger(config, `${lens.serviceName}-${command}`);
  // A command's spans (a replay's, a rebuild's) go where the server's go, under `<service>-<command>`.
  const tracing = await startTracing(config.tracing, { serviceName: `${lens.serviceName}-${command}`, projectorName: lens.projectorName, log });
  const sql = connectDatabase(target.url, { max: config.dbPoolMax, applicationName: `${lens.serviceName}-${command}` });
  try {
    await migrate(sql, lens);
    return await work({ sql, config, log });
  } finally {
    await sql.end({ timeout: 5 });
    await tracing?.shutdown();
  }
}
