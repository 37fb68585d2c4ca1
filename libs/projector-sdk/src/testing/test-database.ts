/**
 * One fresh database per spec file on the run's PostgreSQL (see `global-setup.ts`): spec files run in
 * parallel and never see each other's rows.
 */
import { createFreshDatabase } from '@projectors/dev-postgres';
import postgres from 'postgres';
import { afterAll, beforeAll, inject } from 'vitest';
import { ADMIN_DATABASE_URL_KEY } from './provided-context.js';

export interface TestDatabase {
  /** Connection URL of this database (same credentials as the admin URL). */
  readonly url: string;
  /** The database name: `<prefix>_<pid>_<random>`, lowercase. */
  readonly name: string;
  /** postgres.js client on this database (max 10 connections, notices ignored). */
  readonly sql: postgres.Sql;
  /** Closes `sql` and drops the database (`WITH (FORCE)`). Idempotent. */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Start of the database name; `[a-z0-9_]`, other characters become `_`. Default `test`. */
  prefix?: string;
  /** Pool size of `sql`. Default 10. */
  max?: number;
}

/** The database of `useTestDatabase()`: readable from `beforeAll` (registered after it) until `afterAll`. */
export type TestDatabaseRef = Pick<TestDatabase, 'url' | 'name' | 'sql'>;

export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const fresh = await createFreshDatabase(adminDatabaseUrl(), options.prefix ?? 'test');
  const sql = postgres(fresh.url, { onnotice: () => undefined, max: options.max ?? 10 });
  let dropping: Promise<void> | undefined;
  const drop = (): Promise<void> =>
    (dropping ??= (async () => {
      await sql.end({ timeout: 5 });
      await fresh.drop();
    })());
  return { url: fresh.url, name: fresh.name, sql, drop };
}

/**
 * Registers `beforeAll` (create) and `afterAll` (drop) in the calling file or `describe`, and returns
 * an object whose `sql`/`url`/`name` read the current database. Read them inside hooks and tests, not
 * at module level (`const { sql } = useTestDatabase()` throws).
 */
export function useTestDatabase(options: CreateTestDatabaseOptions = {}): TestDatabaseRef {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(options);
  });
  afterAll(async () => {
    const current = db;
    db = undefined;
    await current?.drop();
  });
  const current = (): TestDatabase => {
    if (!db) {
      throw new Error('useTestDatabase(): the database exists only between its beforeAll and afterAll');
    }
    return db;
  };
  return {
    get url() {
      return current().url;
    },
    get name() {
      return current().name;
    },
    get sql() {
      return current().sql;
    },
  };
}

function adminDatabaseUrl(): string {
  const url = inject(ADMIN_DATABASE_URL_KEY);
  if (!url) {
    throw new Error(
      "adminDatabaseUrl was not provided: add globalSetup: ['<path to libs/projector-sdk>/src/testing/global-setup.ts'] " +
        'to this vitest config',
    );
  }
  return url;
}
