import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskDatabaseUrl } from '../db/mask-url.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';

const quietLog = { info: () => undefined, warn: () => undefined };

async function query<T>(url: string, run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    return await run(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

describe('startEmbeddedPostgres', () => {
  let root: string;
  const started: EmbeddedPostgres[] = [];
  const start = async (dataDir: string): Promise<EmbeddedPostgres> => {
    const pg = await startEmbeddedPostgres({ dataDir, fsync: false, log: quietLog });
    started.push(pg);
    return pg;
  };

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'embedded-pg-spec-'));
    await chmod(root, 0o755);
  });

  afterAll(async () => {
    await Promise.all(started.map((pg) => pg.stop()));
    await rm(root, { recursive: true, force: true });
  });

  it('answers, keeps its data and its port across restarts, survives a stale postmaster.pid', async () => {
    const dataDir = path.join(root, 'a');
    const first = await start(dataDir);
    expect(first.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    expect(maskDatabaseUrl(first.url)).toBe(`postgres://postgres:***@127.0.0.1:${first.port}/postgres`);
    expect(await readFile(`${dataDir}.port`, 'utf8')).toBe(`${first.port}\n`);

    await query(first.url, async (sql) => {
      expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
      await sql`create table kept (id int primary key)`;
      await sql`insert into kept values (42)`;
    });
    await first.stop();
    await first.stop(); // idempotent

    // A crashed server leaves postmaster.pid behind, with a pid that is now dead.
    const deadPid = spawnSync('true').pid;
    await writeFile(path.join(dataDir, 'postmaster.pid'), `${deadPid}\n${dataDir}\n`);

    const second = await start(dataDir);
    expect(second.port).toBe(first.port);
    expect(second.url).toBe(first.url);
    const rows = await query(second.url, (sql) => sql`select id from kept`);
    expect(rows).toEqual([{ id: 42 }]);
    await second.stop();
  });

  it('runs two clusters side by side on different ports', async () => {
    const [a, b] = await Promise.all([start(path.join(root, 'a')), start(path.join(root, 'b'))]);
    expect(a.port).not.toBe(b.port);
    const [inA, inB] = await Promise.all([
      query(a.url, (sql) => sql`select to_regclass('kept')::text as t`),
      query(b.url, (sql) => sql`select to_regclass('kept')::text as t`),
    ]);
    expect(inA).toEqual([{ t: 'kept' }]);
    expect(inB).toEqual([{ t: null }]);
  });
});
