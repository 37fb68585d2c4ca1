import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing/index.js';
import { logEvents, makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { partitionRows, testProjector } from '../testing/fixtures/projector.fixture.js';
import type { Projector } from '../server/create-projector.js';

const db = useTestDatabase({ prefix: 'sdk_order' });
let first: Projector;
let second: Projector;

beforeAll(async () => {
  first = await testProjector(db.url);
  second = await testProjector(db.url);
});
afterAll(async () => {
  await first.close();
  await second.close();
});

const post = (projector: Projector, payload: object) => projector.app.inject({ method: 'POST', url: '/events', payload });

function shuffle<T>(items: T[], seed = 7): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('order per partition', () => {
  it('50 concurrent deliveries of one event: exactly one is processed', async () => {
    const worldId = newWorld();
    const event = makeEvent(500, 'item.set', { id: 'x', value: 'once' }, { worldId });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => post(i % 2 ? first : second, event)));
    const statuses = answers.map((a) => a.json().status);
    expect(statuses.filter((s) => s === 'processed')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(49);
    expect((await partitionRows(first, worldId)).applied).toEqual([500]);
  });

  it('a partition posted all at once in shuffled order ends right, across two processes', async () => {
    const worldId = newWorld();
    const events = Array.from({ length: 40 }, (_, i) => makeEvent(1000 + i * 3, 'item.set', { id: `k${i % 5}`, value: `v${i}` }, { worldId }));
    await logEvents(db.sql, events);
    const answers = await Promise.all(shuffle(events).map((e, i) => post(i % 2 ? first : second, e)));
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    const rows = await partitionRows(first, worldId);
    expect(rows.applied).toEqual(events.map((e) => e.global_seq));
    expect(rows.watermark).toBe(events.at(-1)!.global_seq);
    // The last write of each key wins, as it would have in order.
    expect(rows.items).toEqual(
      [0, 1, 2, 3, 4].map((k) => ({ item_id: `k${k}`, value: `v${35 + k}`, amount: null })),
    );
  });

  it('different partitions proceed in parallel: a slow partition does not hold up another', async () => {
    const slowWorld = newWorld();
    const fastWorld = newWorld();
    let slowDone = false;
    const slow = post(first, makeEvent(600, 'item.slow', { seconds: 3 }, { worldId: slowWorld })).then((res) => {
      slowDone = true;
      return res;
    });
    await new Promise((r) => setTimeout(r, 100));
    const fast = await post(second, makeEvent(601, 'item.set', { id: 'f', value: 'v' }, { worldId: fastWorld }));
    expect(fast.json().status).toBe('processed');
    // Answered while the other partition's transaction is still open.
    expect(slowDone).toBe(false);
    expect((await slow).json().status).toBe('processed');
  });

  it('a second event of a partition waits for the first one in flight, on another process', async () => {
    const worldId = newWorld();
    const a = makeEvent(700, 'item.slow', { seconds: 0.5 }, { worldId });
    const b = makeEvent(701, 'item.set', { id: 'b', value: 'after' }, { worldId });
    const slow = post(first, a);
    await new Promise((r) => setTimeout(r, 100));
    expect((await post(second, b)).json().status).toBe('processed');
    expect((await slow).json().status).toBe('processed');
    expect((await partitionRows(first, worldId)).applied).toEqual([700, 701]);
  });
});
