import path from 'node:path';
import type { Logger } from 'pino';
import type { ProjectorConfig } from '../config/config.js';
import { connectDatabase, type Sql } from '../db/connect.js';
import { maskDatabaseUrl } from '../db/mask-url.js';
import type { Lens } from '../lens/lens-types.js';

export interface Database {
  readonly sql: Sql;
  readonly url: string;
  readonly embedded: boolean;
  close(): Promise<void>;
}

/** The value of `PROJECTOR_DATABASE_URL` that asks for the development PostgreSQL. */
export const EMBEDDED = 'embedded';

/** Production names its database: without `PROJECTOR_DATABASE_URL` the process says so (one line) and stops. */
export const MISSING_DATABASE_LINE =
  'PROJECTOR_DATABASE_URL is unset: name the database (postgres://...), or PROJECTOR_DATABASE_URL=embedded for a development PostgreSQL';

/**
 * What the SDK uses of `@projectors/dev-postgres` (type:dev). Loaded by a dynamic import, and only when
 * `PROJECTOR_DATABASE_URL=embedded`: the SDK does not depend on it, so no production folder or image
 * contains it (nor the 60 MB of PostgreSQL binaries behind it).
 */
interface DevPostgres {
  devDataDir(service: string): string;
  startEmbeddedPostgres(options: { dataDir: string; log: Logger }): Promise<{ url: string; stop(): Promise<void> }>;
  findDevDatabase(dataDir: string): Promise<{ ok: true; url: string } | { ok: false; reason: string }>;
}

const DEV_POSTGRES = '@projectors/dev-postgres';

async function importDevPostgres(): Promise<DevPostgres> {
  try {
    // A variable, not a literal: bundlers and the project graph must not follow it into production.
    return (await import(DEV_POSTGRES)) as DevPostgres;
  } catch (err) {
    throw new Error(
      `PROJECTOR_DATABASE_URL=embedded needs ${DEV_POSTGRES}, a development tool that production builds leave out: name a postgres:// database`,
      { cause: err },
    );
  }
}

/** Where the dev database of this lens's service lives (`PROJECTOR_DATA_DIR`, else `<workspace>/.data/<service>`). */
const devDataDir = (dev: DevPostgres, lens: Lens, config: ProjectorConfig) =>
  path.resolve(config.dataDir ?? dev.devDataDir(lens.serviceName));

/**
 * The configured database. `embedded` starts the development PostgreSQL of this service (one data
 * folder, and so one port, per projector: two side by side never share a cluster).
 */
export async function openDatabase(lens: Lens, config: ProjectorConfig, log: Logger): Promise<Database> {
  if (!config.databaseUrl) throw new Error(MISSING_DATABASE_LINE);
  const connect = (url: string) =>
    connectDatabase(url, { max: config.dbPoolMax, applicationName: lens.serviceName, connectTimeoutSeconds: config.dbConnectTimeoutMs / 1000 });
  if (config.databaseUrl !== EMBEDDED) {
    const sql = connect(config.databaseUrl);
    log.info({ database: maskDatabaseUrl(config.databaseUrl) }, 'using database');
    return { sql, url: config.databaseUrl, embedded: false, close: () => sql.end({ timeout: 5 }) };
  }
  const dev = await importDevPostgres();
  const dataDir = devDataDir(dev, lens, config);
  log.info({ dataDir }, 'PROJECTOR_DATABASE_URL=embedded: starting the development PostgreSQL');
  const server = await dev.startEmbeddedPostgres({ dataDir, log });
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

/**
 * For a CLI (replay): the configured database, or with `embedded` the running dev database of this
 * service (started by `make serve`). Never starts one: a verification of an empty database proves nothing.
 */
export async function resolveCliDatabaseUrl(lens: Lens, config: ProjectorConfig): Promise<{ ok: true; url: string } | { ok: false; reason: string }> {
  if (!config.databaseUrl) return { ok: false, reason: MISSING_DATABASE_LINE };
  if (config.databaseUrl !== EMBEDDED) return { ok: true, url: config.databaseUrl };
  const dev = await importDevPostgres();
  return dev.findDevDatabase(devDataDir(dev, lens, config));
}
