import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing/index.js';
import { logEvents, makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { partitionRows, testProjector } from '../testing/fixtures/projector.fixture.js';
import type { Projector } from '../server/create-projector.js';

const db = useTestDatabase({ prefix: 'sdk_batch' });
let projector: Projector;

beforeAll(async () => {
  projector = await testProjector(db.url, { PROJECTOR_MAX_BATCH: '50' });
});
afterAll(() => projector.close());

const postBatch = (events: object[]) =>
  projector.app.inject({ method: 'POST', url: '/events/batch', payload: { events } });

describe('POST /events/batch', () => {
  it('applies several partitions in one transaction and reports each result', async () => {
    const [w1, w2] = [newWorld(), newWorld()];
    await postBatch([makeEvent(10, 'item.set', { id: 'a', value: '1' }, { worldId: w1 })]);
    const res = await postBatch([
      makeEvent(10, 'item.set', { id: 'a', value: 'dup' }, { worldId: w1 }),
      makeEvent(11, 'item.set', { id: 'b', value: '2' }, { worldId: w2 }),
      makeEvent(12, 'other.kind', {}, { worldId: w1 }),
      makeEvent(13, 'item.set', { id: 'c', value: '3' }, { worldId: w2, branch: 'feature' }),
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'processed',
      results: [
        { global_seq: 10, status: 'duplicate' },
        { global_seq: 11, status: 'processed' },
        { global_seq: 12, status: 'ignored' },
        { global_seq: 13, status: 'processed' },
      ],
    });
    expect((await partitionRows(projector, w1)).watermark).toBe(12);
    expect((await partitionRows(projector, w2)).watermark).toBe(11);
    expect((await partitionRows(projector, w2, 'feature')).watermark).toBe(13);
  });

  it('all or nothing: a failing event names its index and global_seq, and nothing is written', async () => {
    const [w1, w2] = [newWorld(), newWorld()];
    const res = await postBatch([
      makeEvent(20, 'item.set', { id: 'a', value: 'ok' }, { worldId: w1 }),
      makeEvent(21, 'item.set', { id: 'b', value: 'ok' }, { worldId: w2 }),
      // Out of integer range: only PostgreSQL can tell (22003).
      makeEvent(22, 'item.set', { id: 'c', value: 'bad', amount: 2 ** 40 }, { worldId: w2 }),
    ]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_payload', index: 2, global_seq: 22 });
    for (const w of [w1, w2]) expect(await partitionRows(projector, w)).toEqual({ watermark: null, items: [], applied: [] });
  });

  it('everything is checked before any write: a bad payload, hash or order refuses the whole batch', async () => {
    const w = newWorld();
    const ok = makeEvent(30, 'item.set', { id: 'a', value: 'ok' }, { worldId: w });
    const badPayload = makeEvent(31, 'item.set', { id: 'a' }, { worldId: w });
    const badHash = { ...makeEvent(32, 'item.set', { id: 'a', value: 'x' }, { worldId: w }), payload_hash: ok.payload_hash };
    const cases: [object[], string, number][] = [
      [[ok, badPayload], 'invalid_payload', 1],
      [[ok, badHash], 'payload_hash_mismatch', 1],
      [[makeEvent(35, 'item.set', { id: 'a', value: 'x' }, { worldId: w }), ok], 'invalid_event', 1],
    ];
    for (const [events, error, index] of cases) {
      const res = await postBatch(events);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error, index });
    }
    expect(await partitionRows(projector, w)).toEqual({ watermark: null, items: [], applied: [] });
  });

  it('pipelined statements keep their order with handlers that read, and a failure among them names its own index', async () => {
    const w = newWorld();
    const events = [
      makeEvent(400, 'item.put', { id: 'a', value: 'one' }, { worldId: w }),
      makeEvent(401, 'item.put', { id: 'a', value: 'two' }, { worldId: w }),
      makeEvent(402, 'item.copy', { from: 'a', to: 'b' }, { worldId: w }),
      makeEvent(403, 'item.put', { id: 'a', value: 'three' }, { worldId: w }),
      makeEvent(404, 'item.copy', { from: 'a', to: 'c' }, { worldId: w }),
    ];
    expect((await postBatch(events)).statusCode).toBe(200);
    const rows = await partitionRows(projector, w);
    expect(rows.applied).toEqual([400, 401, 402, 403, 404]);
    expect(rows.items.map((i) => [i.item_id, i.value])).toEqual([['a', 'three'], ['b', 'two'], ['c', 'three']]);

    const w2 = newWorld();
    const failing = await postBatch([
      makeEvent(410, 'item.put', { id: 'a', value: 'ok' }, { worldId: w2 }),
      // Too large for the primary key's btree (incompressible, so 54000): only PostgreSQL can tell.
      makeEvent(411, 'item.put', { id: randomBytes(1500).toString('hex'), value: 'bad' }, { worldId: w2 }),
      makeEvent(412, 'item.put', { id: 'c', value: 'ok' }, { worldId: w2 }),
      makeEvent(413, 'item.copy', { from: 'a', to: 'd' }, { worldId: w2 }),
    ]);
    expect(failing.statusCode).toBe(400);
    expect(failing.json()).toMatchObject({ error: 'invalid_payload', index: 1, global_seq: 411 });
    expect(await partitionRows(projector, w2)).toEqual({ watermark: null, items: [], applied: [] });
  });

  it('refuses an empty batch and one over PROJECTOR_MAX_BATCH', async () => {
    const w = newWorld();
    expect((await postBatch([])).json().error).toBe('invalid_event');
    const tooMany = Array.from({ length: 51 }, (_, i) => makeEvent(100 + i, 'item.set', { id: 'a', value: 'v' }, { worldId: w }));
    const res = await postBatch(tooMany);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_event');
  });

  it('fills gaps from the log between the events of the batch', async () => {
    const w = newWorld();
    const events = [40, 41, 42, 43, 44].map((seq) => makeEvent(seq, 'item.set', { id: `i${seq}`, value: 'v' }, { worldId: w }));
    await logEvents(db.sql, events);
    const res = await postBatch([events[1]!, events[4]!]);
    expect(res.json().results).toEqual([
      { global_seq: 41, status: 'processed' },
      { global_seq: 44, status: 'processed' },
    ]);
    expect((await partitionRows(projector, w)).applied).toEqual([40, 41, 42, 43, 44]);
  });

  it('two batches over the same partitions in opposite order never deadlock', async () => {
    const worlds = Array.from({ length: 6 }, newWorld);
    let seq = 1000;
    const batchFor = (order: string[]) => order.map((worldId) => makeEvent(seq++, 'item.set', { id: 'k', value: String(seq) }, { worldId }));
    const rounds = await Promise.all(
      Array.from({ length: 8 }, (_, i) => postBatch(batchFor(i % 2 ? worlds : [...worlds].reverse()))),
    );
    expect(rounds.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
  });
});
