import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Projector } from '../server/create-projector.js';
import { catchupDeps } from './catchup-deps.js';
import { catchUpPass } from './catchup-pass.js';
import { catchUp, logMany } from '../testing/fixtures/catchup.fixture.js';
import { logEvents, makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { partitionRows, testProjector } from '../testing/fixtures/projector.fixture.js';
import { useTestDatabase } from '../testing/index.js';

const db = useTestDatabase({ prefix: 'sdk_catchup' });
let first: Projector;
let second: Projector;

beforeAll(async () => {
  first = await testProjector(db.url, { PROJECTOR_CATCHUP_CHUNK: '7' });
  second = await testProjector(db.url, { PROJECTOR_CATCHUP_CHUNK: '7' });
});
afterAll(async () => {
  await first.close();
  await second.close();
});

const post = (projector: Projector, payload: object) => projector.app.inject({ method: 'POST', url: '/events', payload });
const set = (seq: number, worldId: string) => makeEvent(seq, 'item.set', { id: `i${seq}`, value: `v${seq}` }, { worldId });
// Earlier specs' partitions are caught up by each pass, so a test makes its own and runs until idle.
const settle = async (projector: Projector) => {
  let events = 0;
  for (;;) {
    const report = await catchUp(projector);
    if (report.events === 0) return events;
    events += report.events;
  }
};

describe('catch-up from the log', () => {
  it('applies the logged tail no delivery brought, in global_seq order', async () => {
    const worldId = newWorld();
    const events = Array.from({ length: 10 }, (_, i) => set(i + 1, worldId));
    await logEvents(db.sql, events);
    for (const e of events.slice(0, 5)) expect((await post(first, e)).statusCode).toBe(200);
    expect((await partitionRows(first, worldId)).watermark).toBe(5);

    const report = await catchUp(first);
    expect(report.events).toBe(5);
    const rows = await partitionRows(first, worldId);
    expect(rows.watermark).toBe(10);
    expect(rows.applied).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await catchUp(first)).toMatchObject({ events: 0, partitionsBehind: 0 });
  });

  it('backfills partitions that never had a delivery, a chunk per transaction', async () => {
    const worlds = await logMany(db.sql, { partitions: 60, perPartition: 12, from: 10_000 });
    const before = (await first.metrics.catchupEvents.get()).values[0]?.value ?? 0;
    const report = await catchUp(first);
    expect(report.events).toBe(60 * 12);
    expect(report.partitionsDone).toBe(60);
    for (const worldId of [worlds[0]!, worlds[33]!, worlds[59]!]) {
      const rows = await partitionRows(first, worldId);
      const seqs = rows.applied;
      expect(seqs).toHaveLength(12);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(rows.watermark).toBe(seqs.at(-1));
    }
    expect((await first.metrics.catchupEvents.get()).values[0]!.value - before).toBe(720);
  });

  it('never skips a row that commits late with a lower global_seq in another partition', async () => {
    const [early, late] = [newWorld(), newWorld()];
    const reserve = await db.sql.reserve();
    try {
      await reserve`BEGIN`;
      // global_seq 20_000 is taken by a transaction that commits after 20_001 is applied.
      await reserve`
        INSERT INTO event_core.event_log (global_seq, event_id, world_id, branch, kind, envelope)
        VALUES (20000, 'late', ${late}, 'main', 'item.set', ${db.sql.json(set(20_000, late).envelope as never)})`;
      await logEvents(db.sql, [set(20_001, early)]);
      await settle(first);
      expect((await partitionRows(first, early)).watermark).toBe(20_001);
      expect((await partitionRows(first, late)).watermark).toBeNull();
      await reserve`COMMIT`;
    } finally {
      reserve.release();
    }
    await catchUp(first);
    expect((await partitionRows(first, late)).applied).toEqual([20_000]);
  });

  it('two processes share a pass: every event applied exactly once', async () => {
    await settle(first);
    const worlds = await logMany(db.sql, { partitions: 40, perPartition: 25, from: 30_000 });
    const [a, b] = await Promise.all([catchUp(first), catchUp(second)]);
    // lens_memo.applied has one row per (partition, global_seq): a second apply would fail its key.
    expect(a.events + b.events).toBe(40 * 25);
    expect(a.events).toBeGreaterThan(0);
    expect(b.events).toBeGreaterThan(0);
    const [row] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM lens_memo.applied WHERE world_id = ANY(${worlds}::uuid[])`;
    expect(row!.n).toBe(1000);
  });

  it('a delivery behind by more than one chunk is queued (202) when logged, refused (409) when not', async () => {
    const worldId = newWorld();
    const events = Array.from({ length: 20 }, (_, i) => set(40_000 + i, worldId));
    await logEvents(db.sql, events);
    const queued = await post(first, events.at(-1)!);
    expect(queued.statusCode).toBe(202);
    expect(queued.json()).toEqual({ status: 'queued', global_seq: 40_019, watermark: 0 });
    const unlogged = await post(first, set(40_020, worldId));
    expect(unlogged.statusCode).toBe(409);
    expect(unlogged.json()).toMatchObject({ error: 'out_of_order', global_seq: 40_020, watermark: 0, catching_up: true });
    expect((await partitionRows(first, worldId)).watermark).toBeNull();

    await settle(first);
    expect((await partitionRows(first, worldId)).applied).toEqual(events.map((e) => e.global_seq));
    // Caught up: the next event is applied by its delivery, a gap of up to one chunk is filled.
    expect((await post(first, set(40_020, worldId))).json()).toMatchObject({ status: 'processed' });
  });

  it('/health shows a pass catching up, and what it applied', async () => {
    await settle(first);
    await logMany(db.sql, { partitions: 300, perPartition: 10, from: 50_000 });
    const before = first.catchup.eventsApplied;
    const pass = catchUp(first);
    const seen = new Set<boolean>();
    let done = false;
    void pass.finally(() => (done = true));
    while (!done) {
      seen.add((await first.app.inject({ method: 'GET', url: '/health' })).json().catching_up as boolean);
      // /health does no I/O: without a turn of the event loop the pass's queries would never run.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await pass).events).toBe(3000);
    expect(seen.has(true)).toBe(true);
    const health = (await first.app.inject({ method: 'GET', url: '/health' })).json();
    expect(health).toMatchObject({ status: 'healthy', catching_up: false, catchup: { partitions_behind: 0 } });
    expect(health.catchup.events_applied - before).toBe(3000);
    expect(typeof health.catchup.last_pass_at).toBe('string');
  });

  it('a long pass logs its progress: partitions done, events applied, events/s', async () => {
    await settle(first);
    await logMany(db.sql, { partitions: 100, perPartition: 10, from: 60_000 });
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const { sql, lens, config, metrics } = first;
    const report = await catchUpPass({ ...catchupDeps({ sql, lens, config, metrics, log, catchup: first.catchup }), progressEveryMs: 1 });
    expect(report.events).toBe(1000);
    const progress = lines.filter((l) => l['msg'] === 'catch-up progress');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ partitions_behind: 100, partitions_done: 100, events_applied: 1000 });
    expect(progress.at(-1)!['events_per_s']).toBeGreaterThan(0);
  });

  it('a logged envelope that is not one (JSON null) is checked like a delivered one: a poison event, not a crash', async () => {
    const worldId = newWorld();
    await logEvents(db.sql, [set(90_001, worldId)]);
    await db.sql`
      INSERT INTO event_core.event_log (global_seq, event_id, world_id, branch, kind, envelope)
      VALUES (90002, 'null-90002', ${worldId}, 'main', 'item.set', 'null'::jsonb)`;
    await logEvents(db.sql, [set(90_003, worldId)]);
    await settle(first);
    expect((await partitionRows(first, worldId)).applied).toEqual([90_001]);
    const [block] = await db.sql<{ global_seq: string; code: string }[]>`
      SELECT global_seq::text, code FROM event_core.projector_partition_blocks WHERE world_id = ${worldId}`;
    expect(block).toMatchObject({ global_seq: '90002', code: 'invalid_payload' });
  });
});
