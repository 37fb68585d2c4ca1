import { createFreshDatabase, devDataDir, type FreshDatabase, findDevDatabase, startEmbeddedPostgres } from '@projectors/dev-postgres';
import { connectDatabase, maskDatabaseUrl } from '@projectors/projector-sdk';

export interface BenchDatabase {
  /** Where the server came from: `BENCH_DATABASE_URL`, `TEST_DATABASE_URL`, `make serve`'s dev database or `embedded`. */
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
 * A fresh database on the server named by the environment, else on the running dev database of
 * `make serve`, else on a throw-away embedded PostgreSQL with its default (durable) settings (as root
 * from any folder: see @projectors/dev-postgres): results with fsync off are not results.
 */
export async function acquireBenchDatabase(env: Readonly<Record<string, string | undefined>>, say: (line: string) => void): Promise<BenchDatabase> {
  const fromEnv = ['BENCH_DATABASE_URL', 'TEST_DATABASE_URL'].map((name) => [name, env[name]?.trim()] as const).find(([, url]) => url);
  let serverUrl: string;
  let source: string;
  let stopServer = async (): Promise<void> => undefined;
  const dev = fromEnv ? undefined : await findDevDatabase(devDataDir('projector-rel'));
  if (fromEnv) {
    [source, serverUrl] = [fromEnv[0], fromEnv[1]!];
  } else if (dev?.ok) {
    [source, serverUrl] = ["make serve's dev database", dev.url];
  } else {
    say('no BENCH_DATABASE_URL, TEST_DATABASE_URL or running dev database: starting a throw-away embedded PostgreSQL (fsync on)');
    const quiet = { info: (obj: object, msg?: string) => (msg?.includes('staged') || msg?.includes('as root') ? say(`${msg} ${JSON.stringify(obj)}`) : undefined), warn: (obj: object, msg?: string) => say(`embedded PostgreSQL: ${msg ?? ''} ${JSON.stringify(obj)}`) };
    const pg = await startEmbeddedPostgres({ ephemeral: true, fsync: true, log: quiet });
    say(`embedded PostgreSQL in ${pg.dataDir}`);
    serverUrl = pg.url;
    source = 'embedded';
    stopServer = () => pg.stop();
  }

  const admin = connectDatabase(serverUrl, { max: 1, applicationName: 'bench-admin' });
  let serverVersion: string;
  let settings: Record<string, string>;
  let fresh: FreshDatabase;
  try {
    const [version] = await admin<{ server_version: string }[]>`SHOW server_version`;
    serverVersion = version!.server_version;
    const rows = await admin<{ name: string; setting: string; unit: string | null }[]>`
      SELECT name, setting, unit FROM pg_settings WHERE name = ANY(${DURABILITY})`;
    settings = Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting} (${r.unit})` : r.setting]));
    fresh = await createFreshDatabase(serverUrl, 'bench');
  } catch (err) {
    await admin.end({ timeout: 5 });
    await stopServer();
    throw new Error(`bench: cannot create a database on ${source} PostgreSQL ${maskDatabaseUrl(serverUrl)}: ${(err as Error).message}`, { cause: err });
  }
  const { name } = fresh;
  say(`database ${name} on ${source} PostgreSQL ${serverVersion} (${maskDatabaseUrl(serverUrl)}), fsync=${settings['fsync']}, synchronous_commit=${settings['synchronous_commit']}`);

  let released: Promise<void> | undefined;
  return {
    source,
    url: fresh.url,
    name,
    serverVersion,
    settings,
    release: (keep) =>
      (released ??= (async () => {
        try {
          if (keep) say(`kept database ${name}`);
          else await fresh.drop();
        } finally {
          await admin.end({ timeout: 5 });
          await stopServer();
        }
      })()),
  };
}
