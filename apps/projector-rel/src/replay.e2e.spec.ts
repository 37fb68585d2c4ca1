import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { relLens } from '@projectors/lens-rel';
import { expectedRelModel, generateRelStream, logRelEvents, readRelPartition, type RelEvent } from '@projectors/lens-rel/testing';
import { computeStateHash, createProjector, parseConfig, type Projector } from '@projectors/projector-sdk';
import { createTestDatabase, freePort, waitForReady, type TestDatabase } from '@projectors/projector-sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The built app as the operator runs it: a real process fed over HTTP by a publisher that
 * redelivers, killed with SIGKILL while requests are in flight, started again and fed everything
 * from the start; then the replay command must find every partition equal to its log.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');
const MAIN = path.join(ROOT, 'apps/projector-rel/dist/main.js');
const REPLAY = path.join(ROOT, 'apps/projector-rel/dist/replay.js');
const run = promisify(execFile);

const events = generateRelStream({ seed: 8_2026, events: 2000, worlds: 3, branches: 2, startSeq: 5000 });
const model = expectedRelModel(events);
const byPartition = model.map((p) => events.filter((e) => e.envelope.world_id === p.world_id && e.envelope.branch === p.branch));

type Status = 'processed' | 'duplicate' | 'ignored';

let db: TestDatabase;
let clean: TestDatabase;
let cleanProjector: Projector | undefined;
let app: ChildProcess | undefined;

const env = (port: number): NodeJS.ProcessEnv => ({
  PATH: process.env['PATH'],
  HOME: process.env['HOME'],
  PROJECTOR_DATABASE_URL: db.url,
  PROJECTOR_PORT: String(port),
  PROJECTOR_HOST: '127.0.0.1',
  PROJECTOR_LOG_LEVEL: 'warn',
  // This test is about deliveries across a SIGKILL: catch-up from the log would apply the logged
  // events first and turn the first deliveries into duplicates.
  PROJECTOR_CATCHUP_INTERVAL_S: '0',
});

/** Starts `node dist/main.js` and waits until `/ready` answers 200. */
async function startApp(): Promise<{ proc: ChildProcess; base: string; output: () => string }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [MAIN], { cwd: ROOT, env: env(port), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  app = proc;
  const base = `http://127.0.0.1:${port}`;
  await waitForReady(base, proc, { output: () => output });
  return { proc, base, output: () => output };
}

/**
 * One event as the publisher sends it: retried on 5xx, 409 and on a connection that failed, until
 * acknowledged or `stop()` says the sender gave up; other 4xx are permanent and fail the test.
 */
async function deliver(base: string, event: RelEvent, stop: () => boolean, inFlight: { n: number }): Promise<Status | undefined> {
  for (let attempt = 0; attempt < 50 && !stop(); attempt++) {
    inFlight.n++;
    try {
      const res = await fetch(`${base}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await res.json()) as { status: Status };
      if (res.status === 200) return body.status;
      if (res.status < 500 && res.status !== 409) throw new Error(`event ${event.global_seq}: ${res.status} ${JSON.stringify(body)}`);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith(`event ${event.global_seq}:`)) throw err;
      // The connection broke (the process died): not acknowledged, so it is sent again.
    } finally {
      inFlight.n--;
    }
    await sleep(Math.min(1000, 20 * 2 ** attempt));
  }
  return undefined;
}

beforeAll(async () => {
  await run(path.join(ROOT, 'node_modules/.bin/nx'), ['run', 'projector-rel:build'], {
    cwd: ROOT,
    env: { ...process.env, NX_ISOLATE_PLUGINS: 'false', NX_DAEMON: 'false' },
    timeout: 280_000,
    maxBuffer: 16 * 1024 * 1024,
  });

  // A database fed the same stream cleanly, in process: the hashes to compare with.
  [db, clean] = await Promise.all([
    createTestDatabase({ prefix: 'projector_rel_e2e', max: 2 }),
    createTestDatabase({ prefix: 'projector_rel_clean', max: 1 }),
  ]);
  cleanProjector = await createProjector({
    lens: relLens,
    config: parseConfig({ PROJECTOR_DATABASE_URL: clean.url, PROJECTOR_LOG_LEVEL: 'silent', PROJECTOR_DB_POOL_MAX: '2' }),
  });
  await cleanProjector.migrate();
  await logRelEvents(cleanProjector.sql, events);
  for (let i = 0; i < events.length; i += 500) {
    const res = await cleanProjector.app.inject({ method: 'POST', url: '/events/batch', payload: { events: events.slice(i, i + 500) } });
    expect(res.statusCode).toBe(200);
  }
}, 300_000);

afterAll(async () => {
  if (app && app.exitCode === null && app.signalCode === null) {
    app.kill('SIGTERM');
    await once(app, 'exit');
  }
  await cleanProjector?.close();
  await Promise.all([db?.drop(), clean?.drop()]);
});

describe('projector-rel as a process, killed midway and fed again', () => {
  it('applies every event once across a SIGKILL, and holds the rows of the model and the hash of a clean run', async () => {
    // The schema comes from the app's own start; the gateway then writes the log.
    const first = await startApp();
    await logRelEvents(db.sql, events);

    // Phase 1: partitions side by side, every 5th event delivered twice; SIGKILL once half are acknowledged.
    const before = new Map<number, Status>();
    const inFlight = { n: 0 };
    let killed = false;
    let inFlightAtKill = 0;
    await Promise.all(
      byPartition.map(async (partitionEvents) => {
        for (const [i, event] of partitionEvents.entries()) {
          for (let copy = 0; copy < (i % 5 === 0 ? 2 : 1); copy++) {
            const status = await deliver(first.base, event, () => killed, inFlight);
            if (status === undefined) return;
            if (!before.has(event.global_seq)) before.set(event.global_seq, status);
            else expect(status).toBe('duplicate');
            if (!killed && before.size >= events.length / 2) {
              killed = true;
              inFlightAtKill = inFlight.n;
              first.proc.kill('SIGKILL');
            }
          }
        }
      }),
    );
    if (first.proc.exitCode === null && first.proc.signalCode === null) await once(first.proc, 'exit');
    expect(first.proc.signalCode).toBe('SIGKILL');
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect([...before.values()].every((s) => s === 'processed')).toBe(true);

    // Phase 2: a new process; the publisher sends everything again from the start.
    const second = await startApp();
    const after = new Map<number, Status>();
    await Promise.all(
      byPartition.map(async (partitionEvents) => {
        for (const event of partitionEvents) {
          const status = await deliver(second.base, event, () => false, inFlight);
          expect(status, `event ${event.global_seq}`).toBeDefined();
          after.set(event.global_seq, status!);
        }
      }),
    );
    // Acknowledged before the kill: a duplicate now. Never processed twice.
    for (const seq of before.keys()) expect(after.get(seq), `event ${seq}`).toBe('duplicate');
    expect([...after.values()].filter((s) => s === 'processed').length).toBeGreaterThan(0);
    expect(after.size).toBe(events.length);

    for (const expectedRows of model) {
      const { world_id, branch } = expectedRows;
      expect(await readRelPartition(db.sql, { world_id, branch })).toEqual(expectedRows);
      const res = await fetch(`${second.base}/state-hash?world_id=${world_id}&branch=${encodeURIComponent(branch)}`);
      expect(res.status).toBe(200);
      const live = (await res.json()) as { watermark: number; state_hash: string };
      const reference = await computeStateHash(cleanProjector!.sql, relLens, { worldId: world_id, branch });
      expect({ watermark: live.watermark, state_hash: live.state_hash }).toEqual({
        watermark: reference.watermark,
        state_hash: reference.stateHash,
      });
    }
  }, 180_000);

  it('replay --all exits 0 and lists every partition as equal', async () => {
    const result = await run(process.execPath, [REPLAY, '--all'], { cwd: ROOT, env: env(0), timeout: 60_000 }).then(
      (ok) => ({ ...ok, code: 0, killed: false }),
      (err: { code: number | null; killed?: boolean; stdout?: string; stderr?: string }) => err,
    );
    const { stdout = '', stderr = '' } = result;
    expect(result.killed, `replay.js --all did not finish in 60 s:\n${stdout}\n${stderr}`).toBe(false);
    expect(result.code, `replay.js --all:\n${stdout}\n${stderr}`).toBe(0);
    const rows = stdout.split('\n').filter((line) => /^[0-9a-f-]{36}\//.test(line));
    expect(rows).toHaveLength(model.length);
    for (const { world_id, branch } of model) {
      const row = rows.find((line) => line.startsWith(`${world_id}/${branch} `));
      expect(row, `${world_id}/${branch}`).toMatch(/\syes$/);
    }
    expect(stdout).toMatch(new RegExp(`${model.length} partitions, ${events.length} events replayed, 0 not equal`));
  }, 120_000);
});
