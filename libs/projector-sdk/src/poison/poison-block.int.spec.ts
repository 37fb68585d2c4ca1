import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateLagMetrics } from '../background/tasks.js';
import type { Projector } from '../server/create-projector.js';
import { catchUp } from '../testing/fixtures/catchup.fixture.js';
import { logEvents, makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { partitionRows, testProjector } from '../testing/fixtures/projector.fixture.js';
import { useTestDatabase } from '../testing/index.js';

const db = useTestDatabase({ prefix: 'sdk_poison_block' });
let projector: Projector;

beforeAll(async () => {
  projector = await testProjector(db.url, { PROJECTOR_CATCHUP_CHUNK: '50' });
});
afterAll(() => projector.close());

const post = (payload: object) => projector.app.inject({ method: 'POST', url: '/events', payload });
const set = (seq: number, worldId: string) => makeEvent(seq, 'item.set', { id: `i${seq}`, value: `v${seq}` }, { worldId });
// The lens schema rejects it (value must be a string) ...
const badSchema = (seq: number, worldId: string) => makeEvent(seq, 'item.set', { id: `i${seq}`, value: 42 }, { worldId });
// ... and PostgreSQL rejects this one (integer out of range, SQLSTATE 22003) inside the transaction.
const badRow = (seq: number, worldId: string) => makeEvent(seq, 'item.set', { id: `i${seq}`, value: 'v', amount: 2 ** 40 }, { worldId });
const block = async (worldId: string) =>
  (await db.sql<{ global_seq: string; code: string; message: string; first_seen: Date }[]>`
    SELECT global_seq::text, code, message, first_seen FROM event_core.projector_partition_blocks WHERE world_id = ${worldId}`)[0];

describe('PROJECTOR_POISON_POLICY=block (default)', () => {
  const [poisoned, neighbour, rowPoisoned] = [newWorld(), newWorld(), newWorld()];

  it('catch-up parks the partition at the poison event, applies the events before it, and the others flow', async () => {
    await logEvents(db.sql, [set(1, poisoned), set(2, poisoned), badSchema(3, poisoned), set(4, poisoned), set(5, poisoned)]);
    await logEvents(db.sql, [set(6, neighbour), set(7, neighbour)]);
    await logEvents(db.sql, [set(8, rowPoisoned), badRow(9, rowPoisoned), set(10, rowPoisoned)]);
    const report = await catchUp(projector);
    expect(report).toMatchObject({ events: 2 + 2 + 1, failed: 2 });
    expect((await partitionRows(projector, poisoned)).applied).toEqual([1, 2]);
    expect((await partitionRows(projector, neighbour)).applied).toEqual([6, 7]);
    expect((await partitionRows(projector, rowPoisoned)).applied).toEqual([8]);
    expect(await block(poisoned)).toMatchObject({ global_seq: '3', code: 'invalid_payload' });
    expect(await block(rowPoisoned)).toMatchObject({ global_seq: '9', code: 'invalid_payload' });
    expect((await block(rowPoisoned))!.message).toMatch(/out of range/);
  });

  it('catch-up does not loop on a poison event: the next pass finds nothing to do', async () => {
    const firstSeen = (await block(poisoned))!.first_seen;
    expect(await catchUp(projector)).toMatchObject({ events: 0, failed: 0, partitionsBehind: 0 });
    expect((await block(poisoned))!.first_seen).toEqual(firstSeen);
  });

  it('a later delivery answers 202 blocked when the event is in the log, 409 partition_blocked when not', async () => {
    const logged = await post(set(5, poisoned));
    expect(logged.statusCode).toBe(202);
    expect(logged.json()).toEqual({ status: 'blocked', global_seq: 5, blocked_at: 3 });
    const unlogged = await post(set(11, poisoned));
    expect(unlogged.statusCode).toBe(409);
    expect(unlogged.json()).toMatchObject({ error: 'partition_blocked', blocked_at: 3, global_seq: 11 });
    // A delivery of another partition is applied as usual.
    expect((await post(set(12, neighbour))).json()).toEqual({ status: 'processed', global_seq: 12 });
    expect((await partitionRows(projector, poisoned)).watermark).toBe(2);
  });

  it('a delivered poison event answers 400 as before and blocks its partition when it is logged', async () => {
    const worldId = newWorld();
    expect((await post(set(20, worldId))).statusCode).toBe(200);
    await logEvents(db.sql, [badSchema(21, worldId), set(22, worldId)]);
    const res = await post(badSchema(21, worldId));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_payload', global_seq: 21 });
    expect(await block(worldId)).toMatchObject({ global_seq: '21', code: 'invalid_payload' });
    expect((await post(set(22, worldId))).json()).toEqual({ status: 'blocked', global_seq: 22, blocked_at: 21 });
  });

  it('a delivery before the blocked event is applied as usual', async () => {
    const worldId = newWorld();
    await logEvents(db.sql, [set(40, worldId), set(41, worldId), badSchema(42, worldId)]);
    await db.sql`
      INSERT INTO event_core.projector_partition_blocks (projector_name, world_id, branch, global_seq, code, message)
      VALUES (${projector.lens.projectorName}, ${worldId}, 'main', 42, 'invalid_payload', 'seen by another process')`;
    expect((await post(set(41, worldId))).json()).toEqual({ status: 'processed', global_seq: 41 });
    expect((await partitionRows(projector, worldId)).applied).toEqual([40, 41]);
    expect((await post(set(43, worldId))).json()).toMatchObject({ error: 'partition_blocked', blocked_at: 42 });
  });

  it('a delivered poison event not in the log answers 400 and blocks nothing', async () => {
    const worldId = newWorld();
    expect((await post(badSchema(30, worldId))).statusCode).toBe(400);
    expect(await block(worldId)).toBeUndefined();
  });

  it('/ready is degraded (still 200) while a partition is blocked, and the gauge counts them', async () => {
    const ready = await projector.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'degraded', blocked_partitions: 4 });
    const { sql, lens, config, metrics, log } = projector;
    await updateLagMetrics({ sql, lens, config, metrics, log });
    expect((await metrics.partitionsBlocked.get()).values[0]!.value).toBe(4);
    const lag = (await metrics.lagEvents.get()).values.find((v) => v.labels.world_id === poisoned);
    expect(lag!.value).toBe(3);
    // A partition with no watermark row yet has its lag too (in events and in seconds).
    const fresh = newWorld();
    await logEvents(db.sql, [set(50, fresh), set(51, fresh)]);
    await updateLagMetrics({ sql, lens, config, metrics, log });
    expect((await metrics.lagEvents.get()).values.find((v) => v.labels.world_id === fresh)!.value).toBe(2);
    expect((await metrics.lag.get()).values.find((v) => v.labels.world_id === fresh)!.value).toBeGreaterThanOrEqual(0);
    expect((await metrics.watermark.get()).values.find((v) => v.labels.world_id === fresh)!.value).toBe(0);
  });
});
