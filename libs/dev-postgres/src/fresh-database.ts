/**
 * A fresh database on a PostgreSQL server, dropped when done: the one fresh-database helper of the
 * workspace (each spec file gets one through `@projectors/projector-sdk/testing`, the bench gets one).
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

export interface FreshDatabase {
  /** Connection URL of this database (same credentials as the admin URL). */
  readonly url: string;
  /** `<prefix>_<pid>_<random>`, lowercase. */
  readonly name: string;
  /** Drops the database (`WITH (FORCE)`). Idempotent. */
  drop(): Promise<void>;
}

/** Creates a uniquely named database on the server of `adminUrl` (a role that may CREATE DATABASE). */
export async function createFreshDatabase(adminUrl: string, prefix = 'test'): Promise<FreshDatabase> {
  const name = uniqueDatabaseName(prefix);
  await withAdmin(adminUrl, (admin) => admin`CREATE DATABASE ${admin(name)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  let dropping: Promise<void> | undefined;
  const drop = (): Promise<void> =>
    (dropping ??= withAdmin(adminUrl, (admin) => admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`).then(() => undefined));
  return { url: url.toString(), name, drop };
}

function uniqueDatabaseName(prefix: string): string {
  const safePrefix =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/^[^a-z_]+/, '')
      .slice(0, 32) || 'test';
  // PostgreSQL identifiers hold 63 bytes: 32 + 1 + 10 + 1 + 12 fits.
  return `${safePrefix}_${process.pid}_${randomBytes(6).toString('hex')}`;
}

async function withAdmin<T>(adminUrl: string, run: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined, connect_timeout: 10 });
  try {
    return await run(admin);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
