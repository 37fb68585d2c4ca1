import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDevDatabase } from './dev-database.js';
import { maskedClusterUrl, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { STAGE_ROOT } from './staging.js';

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
    // mkdtemp makes a 0700 folder: as root the postgres OS user cannot reach it, so the data is staged.
    root = await mkdtemp(path.join(tmpdir(), 'embedded-pg-spec-'));
  });

  afterAll(async () => {
    await Promise.all(started.map((pg) => pg.stop()));
    // As root the data was staged outside root: remove it too.
    await Promise.all(started.map((pg) => rm(pg.dataDir, { recursive: true, force: true })));
    await rm(root, { recursive: true, force: true });
  });

  it('answers, keeps its data and its port across restarts, survives a stale postmaster.pid', async () => {
    const dataDir = path.join(root, 'a');
    const first = await start(dataDir);
    expect(first.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    expect(maskedClusterUrl(first.port)).toBe(`postgres://postgres:***@127.0.0.1:${first.port}/postgres`);
    expect(await readFile(`${dataDir}.port`, 'utf8')).toBe(`${first.port}\n`);
    // The password is readable by its owner only, and the server really is where the log says.
    expect((await stat(`${dataDir}.password`)).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(first.dataDir, 'PG_VERSION'))).toBe(true);
    if (process.getuid?.() === 0) expect(first.dataDir.startsWith(`${STAGE_ROOT}/data/`)).toBe(true);
    else expect(first.dataDir).toBe(dataDir);
    // Another dev command finds it from the data folder alone.
    expect(await findDevDatabase(dataDir)).toEqual({ ok: true, url: first.url, port: first.port });

    await query(first.url, async (sql) => {
      expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
      await sql`create table kept (id int primary key)`;
      await sql`insert into kept values (42)`;
    });
    await first.stop();
    await first.stop(); // idempotent
    const stopped = await findDevDatabase(dataDir);
    expect(stopped.ok).toBe(false);
    expect(stopped.ok ? '' : stopped.reason).toMatch(/is not running/);

    // A crashed server leaves postmaster.pid behind, with a pid that is now dead.
    const deadPid = spawnSync('true').pid;
    await writeFile(path.join(first.dataDir, 'postmaster.pid'), `${deadPid}\n${first.dataDir}\n`);

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

  it('an ephemeral cluster leaves nothing behind, no secret included', async () => {
    const before = new Set(await readdir(tmpdir()));
    const pg = await startEmbeddedPostgres({ ephemeral: true, fsync: false, log: quietLog });
    expect(await query(pg.url, (sql) => sql`select 1 as one`)).toEqual([{ one: 1 }]);
    expect(existsSync(pg.dataDir)).toBe(true);
    await pg.stop();
    expect(existsSync(path.dirname(pg.dataDir))).toBe(false);
    const left = (await readdir(tmpdir())).filter((f) => !before.has(f) && /pg-password|projectors-(pg|initdb)-/.test(f));
    expect(left).toEqual([]);
  });

  it('finds no dev database where none was started, and says so', async () => {
    const found = await findDevDatabase(path.join(root, 'never'));
    expect(found).toEqual({ ok: false, reason: expect.stringMatching(/no dev database in .*never.*make serve/) });
  });
});
