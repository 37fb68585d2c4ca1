import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectDatabase, maskDatabaseUrl, startEmbeddedPostgres } from '@projectors/projector-sdk';

export interface BenchDatabase {
  /** Where the server came from: `BENCH_DATABASE_URL`, `TEST_DATABASE_URL` or `embedded`. */
  readonly source: string;
  /** The fresh database the bench owns. */
  readonly url: string;
  readonly name: string;
  readonly serverVersion: string;
  /** Durability settings as the server reports them: fsync, synchronous_commit, … */
  readonly settings: Readonly<Record<string, string>>;
  /** Drops the database (unless kept) and stops an embedded server; once, however often it is called. */
  release(keep: boolean): Promise<void>;
}

const DURABILITY = ['fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers', 'max_connections'];

/**
 * A fresh database on the server named by the environment, or on an embedded PostgreSQL with its
 * default (durable) settings: results with fsync off are not results.
 */
export async function acquireBenchDatabase(env: Readonly<Record<string, string | undefined>>, say: (line: string) => void): Promise<BenchDatabase> {
  const fromEnv = ['BENCH_DATABASE_URL', 'TEST_DATABASE_URL'].map((name) => [name, env[name]?.trim()] as const).find(([, url]) => url);
  let serverUrl: string;
  let source: string;
  let stopServer = async (): Promise<void> => undefined;
  if (fromEnv) {
    [source, serverUrl] = [fromEnv[0], fromEnv[1]!];
  } else {
    const dir = await mkdtemp(path.join(tmpdir(), 'projectors-bench-'));
    say(`no BENCH_DATABASE_URL or TEST_DATABASE_URL: starting an embedded PostgreSQL (fsync on) in ${dir}`);
    const quiet = { info: () => undefined, warn: (obj: object, msg?: string) => say(`embedded PostgreSQL: ${msg ?? ''} ${JSON.stringify(obj)}`) };
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), fsync: true, log: quiet });
    serverUrl = pg.url;
    source = 'embedded';
    stopServer = async () => {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }

  const name = `bench_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
  const admin = connectDatabase(serverUrl, { max: 1, applicationName: 'bench-admin' });
  let serverVersion: string;
  let settings: Record<string, string>;
  try {
    const [version] = await admin<{ server_version: string }[]>`SHOW server_version`;
    serverVersion = version!.server_version;
    const rows = await admin<{ name: string; setting: string; unit: string | null }[]>`
      SELECT name, setting, unit FROM pg_settings WHERE name = ANY(${DURABILITY})`;
    settings = Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting} (${r.unit})` : r.setting]));
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch (err) {
    await admin.end({ timeout: 5 });
    await stopServer();
    throw new Error(`bench: cannot create a database on ${source} PostgreSQL ${maskDatabaseUrl(serverUrl)}: ${(err as Error).message}`, { cause: err });
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  say(`database ${name} on ${source} PostgreSQL ${serverVersion} (${maskDatabaseUrl(serverUrl)}), fsync=${settings['fsync']}, synchronous_commit=${settings['synchronous_commit']}`);

  let released: Promise<void> | undefined;
  return {
    source,
    url: url.toString(),
    name,
    serverVersion,
    settings,
    release: (keep) =>
      (released ??= (async () => {
        try {
          if (keep) say(`kept database ${name}`);
          else await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await admin.end({ timeout: 5 });
          await stopServer();
        }
      })()),
  };
}
