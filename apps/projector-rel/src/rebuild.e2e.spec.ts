import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { relLens } from '@projectors/lens-rel';
import { expectedRelModel, generateRelStream, logRelEvents, readRelPartition } from '@projectors/lens-rel/testing';
import { migrate } from '@projectors/projector-sdk';
import { nxBuild, startApp, useTestDatabase } from '@projectors/projector-sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built rebuild command against a live projector process: killed half-way, run again, it
// resumes, compares every partition with live and cuts over, while live keeps serving.
const appDir = path.resolve(import.meta.dirname, '..');
const db = useTestDatabase({ prefix: 'rel_rebuild_e2e' });
const events = generateRelStream({ seed: 20261202, events: 20_000, worlds: 4, branches: 2 });
const started: ChildProcess[] = [];

beforeAll(async () => {
  await nxBuild(path.resolve(appDir, '../..'), 'projector-rel');
  await migrate(db.sql, relLens);
  await logRelEvents(db.sql, events);
}, 120_000);
afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** `node dist/rebuild.js` with small transactions, so that a kill lands half-way. */
function rebuild() {
  const child = spawn(process.execPath, [path.join(appDir, 'dist/rebuild.js')], {
    env: { PATH: process.env['PATH'], PROJECTOR_DATABASE_URL: db.url, PROJECTOR_REBUILD_CHUNK: '200', PROJECTOR_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exit, output: () => out };
}

const copied = async () => {
  const [row] = await db.sql<{ n: number }[]>`
    SELECT coalesce(sum(last_processed_seq), 0)::float8 AS n FROM event_core.projector_watermarks WHERE projector_name = 'projector_rel__build'`;
  return row!.n;
};

describe('projector-rel:rebuild as a process', () => {
  it('resumes after SIGKILL, then cuts over with every partition equal to live and to an independent model', async () => {
    const live = startApp(path.join(appDir, 'dist/main.js'), { PROJECTOR_DATABASE_URL: db.url, PROJECTOR_PORT: '0', PROJECTOR_HOST: '127.0.0.1', PROJECTOR_LOG_LEVEL: 'info' }, started);
    const base = String((await live.waitForLog((l) => l.msg === 'projector listening')).address);
    // Live backfills the whole log by catch-up first.
    await live.waitForLog((l) => l.msg === 'catch-up pass done', 60_000);

    const first = rebuild();
    for (let i = 0; (await copied()) === 0 && i < 400; i++) await new Promise((r) => setTimeout(r, 25));
    first.child.kill('SIGKILL');
    expect(await first.exit).toBeNull();
    const halfway = await copied();
    expect(halfway).toBeGreaterThan(0);

    const second = rebuild();
    expect(await second.exit, second.output()).toBe(0);
    const summary = second.output();
    expect(summary).toMatch(/^cut over\s+1\s+8\s+(\d+)/m);
    const [, resumedEvents] = /^cut over\s+1\s+8\s+(\d+)/m.exec(summary)!;
    // The second run applied only what the first had not.
    expect(Number(resumedEvents)).toBeLessThan(events.length);
    expect(summary).toMatch(/^cut over\s+1\s+8\s+\d+\s+\d+\s+8\s+0\s/m);

    for (const expected of expectedRelModel(events)) {
      expect(await readRelPartition(db.sql, { world_id: expected.world_id, branch: expected.branch })).toEqual(expected);
    }
    // Live serves on the new tables: a note created now is in lens_rel, not in the previous lens.
    const worldId = events[0]!.envelope.world_id;
    const [{ next }] = (await db.sql`SELECT (max(global_seq) + 1)::int AS next FROM event_core.event_log`) as unknown as [{ next: number }];
    const event = { global_seq: next, event_id: 'after-cutover', payload_hash: null, envelope: { world_id: worldId, branch: 'main', kind: 'note.created', payload: { id: 'after', title: 'new' } } };
    await logRelEvents(db.sql, [event as never]);
    const res = await fetch(`${base}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    // Processed, or already applied by live's catch-up from the log: either way by the new tables.
    const answer = (await res.json()) as { status: string };
    expect(['processed', 'duplicate'], JSON.stringify(answer)).toContain(answer.status);
    const [row] = await db.sql`SELECT title FROM lens_rel.note WHERE world_id = ${worldId} AND branch = 'main' AND note_id = 'after'`;
    expect(row, JSON.stringify(answer)).toEqual({ title: 'new' });
    live.child.kill('SIGTERM');
    expect((await live.exit).code).toBe(0);
  }, 180_000);
});
