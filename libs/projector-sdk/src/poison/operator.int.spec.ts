import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPartition } from '../replay/verify-partition.js';
import type { Projector } from '../server/create-projector.js';
import { catchUp } from '../testing/fixtures/catchup.fixture.js';
import { logEvents, makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { memoLens } from '../testing/fixtures/memo-lens.fixture.js';
import { partitionRows, testProjector } from '../testing/fixtures/projector.fixture.js';
import { useTestDatabase } from '../testing/index.js';

const db = useTestDatabase({ prefix: 'sdk_operator' });
let projector: Projector;
const auth = { authorization: 'Bearer s3cret' };

beforeAll(async () => {
  projector = await testProjector(db.url, { PROJECTOR_AUTH_TOKEN: 's3cret' });
});
afterAll(() => projector.close());

const set = (seq: number, worldId: string) => makeEvent(seq, 'item.set', { id: `i${seq % 2}`, value: `v${seq}` }, { worldId });
const bad = (seq: number, worldId: string) => makeEvent(seq, 'item.set', { id: 'x', value: 42 }, { worldId });
const call = (method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = auth) =>
  projector.app.inject({ method, url, headers, ...(payload && { payload }) });

/** A partition logged 1..4 (per base) and blocked at its third event by catch-up. */
async function blockedPartition(base: number) {
  const worldId = newWorld();
  await logEvents(db.sql, [set(base + 1, worldId), set(base + 2, worldId), bad(base + 3, worldId), set(base + 4, worldId)]);
  await catchUp(projector);
  expect((await partitionRows(projector, worldId)).watermark).toBe(base + 2);
  return worldId;
}

describe('operating partitions', () => {
  it('every /partitions route needs the token', async () => {
    const worldId = newWorld();
    for (const [method, url] of [
      ['GET', '/partitions'],
      ['GET', `/partitions/${worldId}/main`],
      ['POST', `/partitions/${worldId}/main/skip`],
      ['POST', `/partitions/${worldId}/main/retry`],
    ] as const) {
      const res = await call(method, url, method === 'POST' ? { global_seq: 1, reason: 'r' } : undefined, {});
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it('lists blocked partitions with their error and lag, and shows one', async () => {
    const worldId = await blockedPartition(100);
    const listed = await call('GET', '/partitions?status=blocked');
    expect(listed.statusCode).toBe(200);
    const mine = listed.json().partitions.find((p: { world_id: string }) => p.world_id === worldId);
    expect(mine).toMatchObject({ branch: 'main', watermark: 102, log_head: 104, blocked_at: 103, error: { code: 'invalid_payload' }, lag_events: 2 });
    expect(mine.lag_seconds).toBeGreaterThanOrEqual(0);
    const one = await call('GET', `/partitions/${worldId}/main`);
    expect(one.json()).toEqual({ ...mine, lag_seconds: expect.any(Number) });
    expect((await call('GET', `/partitions/${newWorld()}/main`)).statusCode).toBe(404);
    const all = (await call('GET', '/partitions?status=all')).json().partitions;
    expect(all.length).toBeGreaterThanOrEqual(listed.json().partitions.length);
  });

  it('skip: 409 unless it names the blocked event; then stored as data, and catch-up applies the rest', async () => {
    const worldId = await blockedPartition(200);
    const wrong = await call('POST', `/partitions/${worldId}/main/skip`, { global_seq: 204, reason: 'typo' });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json()).toMatchObject({ error: 'not_blocked_at', blocked_at: 203 });

    const res = await call('POST', `/partitions/${worldId}/main/skip`, { global_seq: 203, reason: 'bad value from a gateway bug' }, { ...auth, 'x-operator': 'alice' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'skipped', partition: { watermark: 203, blocked_at: null, error: null } });
    const [skip] = await db.sql`SELECT global_seq::int, reason, decided_by, operator, code FROM event_core.projector_skips WHERE world_id = ${worldId}`;
    expect(skip).toEqual({ global_seq: 203, reason: 'bad value from a gateway bug', decided_by: 'operator', operator: 'alice', code: 'invalid_payload' });

    await catchUp(projector);
    const rows = await partitionRows(projector, worldId);
    expect(rows.applied).toEqual([201, 202, 204]);
    expect(await verifyPartition(projector.sql, memoLens, { worldId, branch: 'main' })).toMatchObject({ equal: true, eventsReplayed: 3 });
    expect((await call('POST', `/partitions/${worldId}/main/skip`, { global_seq: 203, reason: 'again' })).statusCode).toBe(409);
  });

  it('retry: still blocked with the error while the row is bad; flows once the log row is corrected', async () => {
    const worldId = await blockedPartition(300);
    const still = await call('POST', `/partitions/${worldId}/main/retry`);
    expect(still.statusCode).toBe(200);
    expect(still.json()).toMatchObject({ status: 'blocked', partition: { blocked_at: 303, error: { code: 'invalid_payload' } } });

    await db.sql`
      UPDATE event_core.event_log SET envelope = ${db.sql.json(set(303, worldId).envelope as never)}, kind = 'item.set'
      WHERE global_seq = 303`;
    const fixed = await call('POST', `/partitions/${worldId}/main/retry`);
    expect(fixed.json()).toMatchObject({ status: 'flowing', partition: { watermark: 304, blocked_at: null, error: null, lag_events: 0 } });
    expect((await partitionRows(projector, worldId)).applied).toEqual([301, 302, 303, 304]);
    expect((await call('POST', `/partitions/${worldId}/main/retry`)).json()).toMatchObject({ error: 'not_blocked_at', blocked_at: null });
  });

  it('the OpenAPI document shows the new routes and answers', async () => {
    const doc = (await projector.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/partitions', '/partitions/{world_id}/{branch}', '/partitions/{world_id}/{branch}/skip', '/partitions/{world_id}/{branch}/retry']),
    );
    expect(Object.keys(doc.paths['/events'].post.responses)).toEqual(expect.arrayContaining(['200', '202', '409']));
  });
});
