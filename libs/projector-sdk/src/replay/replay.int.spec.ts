import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useTestDatabase } from '../testing/index.js';
import { logEvents, makeEvent, newWorld, type TestEvent } from '../testing/fixtures/events.fixture.js';
import { memoLens } from '../testing/fixtures/memo-lens.fixture.js';
import { catchUp } from '../testing/fixtures/catchup.fixture.js';
import { partitionRows, testProjector } from '../testing/fixtures/projector.fixture.js';
import type { Projector } from '../server/create-projector.js';
import { computeStateHash } from '../state/state-hash.js';
import { replayPartition } from './replay-partition.js';
import { runReplayCli } from './replay-cli.js';

const db = useTestDatabase({ prefix: 'sdk_replay' });
let projector: Projector;
const worlds = [newWorld(), newWorld()];
let seq = 1;

/** Logs and delivers a few events per world, some of them duplicated, one ignored kind. */
async function feed(worldId: string): Promise<TestEvent[]> {
  const events = [
    makeEvent(seq++, 'item.set', { id: 'a', value: 'one' }, { worldId }),
    makeEvent(seq++, 'item.set', { id: 'b', value: 'two', amount: 2 }, { worldId }, { occurredAt: '2026-11-01T10:00:00.123456+02:00' }),
    makeEvent(seq++, 'other.kind', {}, { worldId }),
    makeEvent(seq++, 'item.set', { id: 'a', value: 'three' }, { worldId }),
  ];
  await logEvents(db.sql, events);
  for (const e of [...events, events[1]!]) await projector.app.inject({ method: 'POST', url: '/events', payload: e });
  return events;
}

beforeAll(async () => {
  projector = await testProjector(db.url);
  for (const w of worlds) await feed(w);
});
afterAll(() => projector.close());

describe('replay', () => {
  it('replays a partition to the same hash and leaves the live rows untouched', async () => {
    const partition = { worldId: worlds[0]!, branch: 'main' };
    const before = await partitionRows(projector, partition.worldId);
    const live = await computeStateHash(projector.sql, memoLens, partition);
    const result = await replayPartition(projector.sql, memoLens, partition);
    expect(result).toMatchObject({ watermark: live.watermark, eventsReplayed: 4, liveHash: live.stateHash, equal: true, rebuilt: false });
    expect(result.replayHash).toBe(live.stateHash);
    expect(await partitionRows(projector, partition.worldId)).toEqual(before);
  });

  it('finds drift, and --rebuild repairs it atomically', async () => {
    const partition = { worldId: worlds[1]!, branch: 'main' };
    await db.sql`UPDATE lens_memo.item SET value = 'tampered' WHERE world_id = ${partition.worldId} AND item_id = 'a'`;
    const drifted = await replayPartition(projector.sql, memoLens, partition);
    expect(drifted.equal).toBe(false);
    expect((await partitionRows(projector, partition.worldId)).items[0]).toMatchObject({ value: 'tampered' });
    const repaired = await replayPartition(projector.sql, memoLens, partition, { rebuild: true });
    expect(repaired.rebuilt).toBe(true);
    const rows = await partitionRows(projector, partition.worldId);
    expect(rows.items[0]).toMatchObject({ value: 'three' });
    expect(rows.watermark).toBe(drifted.watermark);
    expect((await replayPartition(projector.sql, memoLens, partition)).equal).toBe(true);
  });

  it('replays a partition of many pages whose seqs cross a digit boundary (9,990 to 11,190)', async () => {
    const worldId = newWorld();
    const events = Array.from({ length: 1200 }, (_, i) => makeEvent(9990 + i, 'item.set', { id: `k${i % 37}`, value: `v${i}` }, { worldId }));
    await logEvents(db.sql, events);
    // A gap of 1,199 events is more than one chunk: the delivery is queued and catch-up applies the log.
    const res = await projector.app.inject({ method: 'POST', url: '/events', payload: events.at(-1)! });
    expect(res.json()).toEqual({ status: 'queued', global_seq: 11189, watermark: 0 });
    await catchUp(projector);
    const result = await replayPartition(projector.sql, memoLens, { worldId, branch: 'main' });
    expect(result).toMatchObject({ eventsReplayed: 1200, equal: true, watermark: 11189 });
  });

  it('other partitions keep being served while one replays', async () => {
    const partition = { worldId: worlds[0]!, branch: 'main' };
    const other = newWorld();
    const event = makeEvent(seq++, 'item.set', { id: 'x', value: 'y' }, { worldId: other });
    await logEvents(db.sql, [event]);
    const replaying = replayPartition(projector.sql, memoLens, partition);
    const res = await projector.app.inject({ method: 'POST', url: '/events', payload: event });
    expect(res.json().status).toBe('processed');
    expect((await replaying).equal).toBe(true);
  });

  it('the CLI prints a table and exits 0 when all are equal, 1 when one is not, 2 on bad usage', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const env = { PROJECTOR_DATABASE_URL: db.url, PROJECTOR_LOG_LEVEL: 'silent' };
      expect(await runReplayCli(memoLens, ['--all'], env)).toBe(0);
      const table = out.mock.calls.map((c) => String(c[0])).join('');
      expect(table).toMatch(/partition\s+watermark\s+events replayed\s+live hash\s+replay hash\s+equal/);
      expect(table).toContain(`${worlds[0]}/main`);
      await db.sql`UPDATE lens_memo.item SET amount = 99 WHERE world_id = ${worlds[0]!}`;
      expect(await runReplayCli(memoLens, ['--world-id', worlds[0]!, '--branch', 'main'], env)).toBe(1);
      expect(await runReplayCli(memoLens, ['--world-id', worlds[0]!, '--branch', 'main', '--rebuild'], env)).toBe(1);
      expect(await runReplayCli(memoLens, ['--all'], env)).toBe(0);
      expect(await runReplayCli(memoLens, [], env)).toBe(2);
      expect(await runReplayCli(memoLens, ['--all', '--world-id', worlds[0]!], env)).toBe(2);
      expect(await runReplayCli(memoLens, ['--bogus'], env)).toBe(2);
      // No database named: says so and stops, rather than verifying an empty one.
      expect(await runReplayCli(memoLens, ['--all'], {})).toBe(2);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/PROJECTOR_DATABASE_URL is unset/);
      // `embedded` where no dev database runs: says so too (nothing is started).
      expect(await runReplayCli(memoLens, ['--all'], { PROJECTOR_DATABASE_URL: 'embedded', PROJECTOR_DATA_DIR: '/nonexistent/projectors-replay-spec' })).toBe(2);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/no dev database in \/nonexistent\/projectors-replay-spec .*make serve/);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
