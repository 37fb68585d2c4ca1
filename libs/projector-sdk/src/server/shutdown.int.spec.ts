import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../config/config.js';
import { eventCoreMigrations } from '../db/event-core-schema.js';
import { makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { memoLens } from '../testing/fixtures/memo-lens.fixture.js';
import { useTestDatabase } from '../testing/index.js';
import { createProjector } from './create-projector.js';

const db = useTestDatabase({ prefix: 'sdk_shutdown' });

/** Waits until the database is running the slow handler's pg_sleep: the request is in flight. */
const sleepingInDatabase = () =>
  vi.waitFor(
    async () => {
      const [row] = await db.sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()`;
      expect(row!.n).toBe(1);
    },
    { timeout: 5_000, interval: 10 },
  );

/**
 * POSTs over a connection of its own that the client gives up after the answer (`Connection: close`).
 * A keep-alive client would make close() wait for that socket to go idle-and-closed (see the report):
 * here the test is about the request in flight, not about the client's pool.
 */
function postOnce(url: string, body: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('projector.start() and close() over real HTTP', () => {
  it('close() lets the request in flight finish with 200, then the port refuses connections', async () => {
    const projector = await createProjector({
      lens: memoLens,
      config: parseConfig({ PROJECTOR_DATABASE_URL: db.url, PROJECTOR_PORT: '0', PROJECTOR_HOST: '127.0.0.1', PROJECTOR_LOG_LEVEL: 'silent' }),
    });
    const address = await projector.start();
    const { port, address: host } = projector.app.server.address() as AddressInfo;
    expect(host).toBe('127.0.0.1');
    expect(port).toBeGreaterThan(0);
    expect(address).toBe(`http://127.0.0.1:${port}`);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);

    const worldId = newWorld();
    const slow = postOnce(`${base}/events`, JSON.stringify(makeEvent(1, 'item.slow', { seconds: 0.5 }, { worldId })));
    await sleepingInDatabase();

    let closed = false;
    const closing = projector.close().then(() => (closed = true));
    expect(projector.close()).toBe(projector.close()); // one shutdown, however often asked

    // While closing, a newcomer is not served: refused, or 503 if it rode an open keep-alive socket
    // (/ready says why; /health, liveness, would still answer 200).
    const newcomer = await fetch(`${base}/ready`).then(async (r) => [r.status, ((await r.json()) as { reasons: unknown }).reasons], () => 'refused');
    if (newcomer !== 'refused') expect(newcomer).toEqual([503, expect.arrayContaining([{ check: 'shutting_down', message: expect.any(String) }])]);

    const res = await slow;
    expect(res).toEqual({ status: 200, json: { status: 'processed', global_seq: 1 } });
    await closing;
    expect(closed).toBe(true);

    await expect(fetch(`${base}/health`)).rejects.toThrow(TypeError);
    await expect(projector.sql`SELECT 1`).rejects.toMatchObject({ code: 'CONNECTION_ENDED' });
    // The slow event was committed, not cut off.
    const [wm] = await db.sql<{ seq: string }[]>`
      SELECT last_processed_seq::text AS seq FROM event_core.projector_watermarks WHERE world_id = ${worldId}`;
    expect(wm?.seq).toBe('1');
    const [applied] = await db.sql<{ kinds: string[] }[]>`SELECT array_agg(kind) AS kinds FROM lens_memo.applied WHERE world_id = ${worldId}`;
    expect(applied!.kinds).toEqual(['item.slow']);
  });

  it('two projectors on one database listen on ports of their own and both close cleanly', async () => {
    const config = parseConfig({ PROJECTOR_DATABASE_URL: db.url, PROJECTOR_PORT: '0', PROJECTOR_HOST: '127.0.0.1', PROJECTOR_LOG_LEVEL: 'silent' });
    const [a, b] = await Promise.all([createProjector({ lens: memoLens, config }), createProjector({ lens: memoLens, config })]);
    await Promise.all([a.start(), b.start()]);
    const ports = [a, b].map((p) => (p.app.server.address() as AddressInfo).port);
    expect(new Set(ports).size).toBe(2);
    for (const port of ports) expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    await Promise.all([a.close(), b.close()]);
    for (const port of ports) await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow(TypeError);
    // Both ran migrate() at start; each migration is still recorded once.
    const migrations = eventCoreMigrations.length + memoLens.migrations.length;
    expect(await db.sql`SELECT count(*)::int AS n FROM event_core.schema_migrations`).toEqual([{ n: migrations }]);
  });
});
