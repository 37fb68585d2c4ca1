import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordStateHashes } from '../background/tasks.js';
import { verifyPartition } from '../replay/verify-partition.js';
import type { Projector } from '../server/create-projector.js';
import { catchUp } from '../testing/fixtures/catchup.fixture.js';
import { logEvents, makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { memoLens } from '../testing/fixtures/memo-lens.fixture.js';
import { partitionRows, testProjector } from '../testing/fixtures/projector.fixture.js';
import { useTestDatabase } from '../testing/index.js';

const db = useTestDatabase({ prefix: 'sdk_poison_skip' });
let projector: Projector;

beforeAll(async () => {
  projector = await testProjector(db.url, { PROJECTOR_POISON_POLICY: 'skip', PROJECTOR_REPLAY_SAMPLE: '100' });
});
afterAll(() => projector.close());

const post = (payload: object) => projector.app.inject({ method: 'POST', url: '/events', payload });
const set = (seq: number, worldId: string) => makeEvent(seq, 'item.set', { id: `i${seq % 3}`, value: `v${seq}` }, { worldId });
const badSchema = (seq: number, worldId: string) => makeEvent(seq, 'item.set', { id: 'x', value: 42 }, { worldId });
const skips = (worldId: string) =>
  db.sql<{ global_seq: string; decided_by: string; code: string }[]>`
    SELECT global_seq::text, decided_by, code FROM event_core.projector_skips WHERE world_id = ${worldId} ORDER BY global_seq`;

describe('PROJECTOR_POISON_POLICY=skip', () => {
  it('catch-up records the skip, moves past the event and applies the rest', async () => {
    const worldId = newWorld();
    await logEvents(db.sql, [set(1, worldId), set(2, worldId), badSchema(3, worldId), set(4, worldId), set(5, worldId)]);
    const before = (await projector.metrics.eventsSkipped.get()).values[0]?.value ?? 0;
    await catchUp(projector);
    await catchUp(projector);
    const rows = await partitionRows(projector, worldId);
    expect(rows.applied).toEqual([1, 2, 4, 5]);
    expect(rows.watermark).toBe(5);
    expect([...(await skips(worldId))]).toEqual([{ global_seq: '3', decided_by: 'policy', code: 'invalid_payload' }]);
    expect((await projector.metrics.eventsSkipped.get()).values[0]!.value - before).toBe(1);
    const [blocked] = await db.sql`SELECT count(*)::int AS n FROM event_core.projector_partition_blocks`;
    expect(blocked).toEqual({ n: 0 });
  });

  it('a delivered poison event answers 200 skipped and the next event is processed', async () => {
    const worldId = newWorld();
    await logEvents(db.sql, [set(10, worldId), badSchema(11, worldId), set(12, worldId)]);
    expect((await post(set(10, worldId))).statusCode).toBe(200);
    const res = await post(badSchema(11, worldId));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'skipped', global_seq: 11, error: { code: 'invalid_payload' } });
    expect((await post(set(12, worldId))).json()).toEqual({ status: 'processed', global_seq: 12 });
    expect((await partitionRows(projector, worldId)).applied).toEqual([10, 12]);
  });

  it('replay honours recorded skips: replayed state equals live', async () => {
    const worldId = newWorld();
    await logEvents(db.sql, [set(20, worldId), badSchema(21, worldId), set(22, worldId), set(23, worldId)]);
    await catchUp(projector);
    expect((await partitionRows(projector, worldId)).watermark).toBe(23);
    const result = await verifyPartition(projector.sql, memoLens, { worldId, branch: 'main' });
    expect(result).toMatchObject({ equal: true, eventsReplayed: 3, watermark: 23 });
  });

  it('the state-hash monitor replays every partition after skips and finds no mismatch', async () => {
    const { sql, lens, config, metrics, log } = projector;
    const partitions = await recordStateHashes({ sql, lens, config, metrics, log });
    expect(partitions).toBeGreaterThanOrEqual(3);
    expect((await metrics.replayMismatch.get()).values.reduce((n, v) => n + v.value, 0)).toBe(0);
  });
});
