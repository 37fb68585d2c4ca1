import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, useTestDatabase, type TestDatabase } from './index.js';

async function databaseExists(name: string): Promise<boolean> {
  const admin = postgres(inject('adminDatabaseUrl'), { max: 1, onnotice: () => undefined });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${name}`;
    return rows.length > 0;
  } finally {
    await admin.end({ timeout: 5 });
  }
}

describe('createTestDatabase', () => {
  let a: TestDatabase;
  let b: TestDatabase;

  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDatabase(), createTestDatabase({ prefix: 'Other-Spec' })]);
  });

  afterAll(async () => {
    await Promise.all([a?.drop(), b?.drop()]);
  });

  it('gives distinct, isolated databases', async () => {
    expect(a.name).not.toBe(b.name);
    expect(a.name).toMatch(/^test_\d+_[0-9a-f]{12}$/);
    expect(b.name).toMatch(/^other_spec_\d+_[0-9a-f]{12}$/);
    expect(await a.sql`select current_database() as db`).toEqual([{ db: a.name }]);
    expect(await b.sql`select current_database() as db`).toEqual([{ db: b.name }]);

    await a.sql`create table only_in_a (id int)`;
    expect(await a.sql`select to_regclass('only_in_a')::text as t`).toEqual([{ t: 'only_in_a' }]);
    expect(await b.sql`select to_regclass('only_in_a')::text as t`).toEqual([{ t: null }]);
  });

  it('drop removes the database, even with a connection open, and is idempotent', async () => {
    const c = await createTestDatabase({ prefix: 'dropped' });
    await c.sql`select 1`;
    expect(await databaseExists(c.name)).toBe(true);
    await c.drop();
    await c.drop();
    expect(await databaseExists(c.name)).toBe(false);
  });
});

describe('useTestDatabase', () => {
  const db = useTestDatabase({ prefix: 'used' });
  let seenName = '';

  beforeAll(async () => {
    seenName = db.name;
    await db.sql`create table t (id int)`;
  });

  it('creates the database before the tests and exposes it', async () => {
    expect(db.name).toBe(seenName);
    expect(db.url).toContain(`/${db.name}`);
    expect(await db.sql`select count(*)::int as n from t`).toEqual([{ n: 0 }]);
    expect(await databaseExists(db.name)).toBe(true);
  });
});

describe('useTestDatabase read at module level', () => {
  const db = useTestDatabase();
  let earlyError: unknown;
  try {
    void db.name;
  } catch (err) {
    earlyError = err;
  }

  it('throws before its beforeAll ran, works inside tests', () => {
    expect(earlyError).toBeInstanceOf(Error);
    expect(String(earlyError)).toMatch(/between its beforeAll and afterAll/);
    expect(db.name).toMatch(/^test_/);
  });
});
