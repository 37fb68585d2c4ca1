import path from 'node:path';
import type { Logger } from 'pino';
import type { ProjectorConfig } from '../config/config.js';
import { connectDatabase, type Sql } from '../db/connect.js';
import { maskDatabaseUrl } from '../db/mask-url.js';
import { startEmbeddedPostgres } from '../embedded/index.js';
import type { Lens } from '../lens/lens-types.js';

export interface Database {
  readonly sql: Sql;
  readonly url: string;
  readonly embedded: boolean;
  close(): Promise<void>;
}

/**
 * The configured database, or, when `PROJECTOR_DATABASE_URL` is unset, an embedded PostgreSQL the
 * projector starts itself with its data under `.data/<service>/` (one folder, and so one port, per
 * projector: two side by side never share a cluster).
 */
export async function openDatabase(lens: Lens, config: ProjectorConfig, log: Logger): Promise<Database> {
  const connect = (url: string) =>
    connectDatabase(url, { max: config.dbPoolMax, applicationName: lens.serviceName, connectTimeoutSeconds: config.dbConnectTimeoutMs / 1000 });
  if (config.databaseUrl) {
    const sql = connect(config.databaseUrl);
    log.info({ database: maskDatabaseUrl(config.databaseUrl) }, 'using database');
    return { sql, url: config.databaseUrl, embedded: false, close: () => sql.end({ timeout: 5 }) };
  }
  const dataDir = path.resolve(config.dataDir ?? path.join('.data', lens.serviceName));
  log.info({ dataDir }, 'PROJECTOR_DATABASE_URL is unset: starting an embedded PostgreSQL');
  const server = await startEmbeddedPostgres({ dataDir, log });
  const sql = connect(server.url);
  log.info({ database: maskDatabaseUrl(server.url) }, 'using embedded database');
  return {
    sql,
    url: server.url,
    embedded: true,
    close: async () => {
      await sql.end({ timeout: 5 });
      await server.stop();
    },
  };
}
