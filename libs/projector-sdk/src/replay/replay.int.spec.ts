import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useTestDatabase } from '../testing/index.js';
import { logEvents, makeEvent, newWorld, type TestEvent } from '../testing/fixtures/events.fixture.js';
import { memoLens } from '../testing/fixtures/memo-lens.fixture.js';
import { catchUp } from '../testing/fixtures/catchup.fixture.js';
import { partitionRows, testProjector } from '../testing/fixtures/projector.fixture.js';
import type { Projector } from '../server/create-projector.js';
import { computeStateHash, type StateHash } from '../state/state-hash.js';
import { globalSeq, type Partition } from '../event/event.js';
import { latestRecordedHash, recordStateHash } from './recorded-hash.js';
import { rebuildPartition } from './rebuild-partition.js';
import { runReplayCli } from './replay-cli.js';
import { verifyPartition } from './verify-partition.js';

const db = useTestDatabase({ prefix: 'sdk_replay' });
let projector: Projector;
const worlds = [newWorld(), newWorld(), newWorld()];
let seq = 1;
const post = (payload: object) => projector.app.inject({ method: 'POST', url: '/events', payload });
const main = (worldId: string): Partition => ({ worldId, branch: 'main' });
const tamper = (worldId: string) => db.sql`UPDATE lens_memo.item SET value = 'tampered' WHERE world_id = ${worldId} AND item_id = 'a'`;
const scratchRows = async () =>
  (await db.sql<{ n: number }[]>`SELECT ((SELECT count(*) FROM lens_memo__verify.item) + (SELECT count(*) FROM lens_memo__verify.applied))::int AS n`)[0]!.n;

/** Logs and delivers a few events per world, some of them duplicated, one ignored kind. */
async function feed(worldId: string): Promise<TestEvent[]> {
  const events = [
    makeEvent(seq++, 'item.set', { id: 'a', value: 'one' }, { worldId }),
    makeEvent(seq++, 'item.set', { id: 'b', value: 'two', amount: 2 }, { worldId }, { occurredAt: '2026-11-01T10:00:00.123456+02:00' }),
    makeEvent(seq++, 'other.kind', {}, { worldId }),
    makeEvent(seq++, 'item.set', { id: 'a', value: 'three' }, { worldId }),
  ];
  await logEvents(db.sql, events);
  for (const e of [...events, events[1]!]) await post(e);
  return events;
}

beforeAll(async () => {
  projector = await testProjector(db.url);
  for (const w of worlds) await feed(w);
});
afterAll(() => projector.close());

describe('verifyPartition', () => {
  it('given no recorded hash, records one, replays into the scratch schema to the same hash and leaves live and scratch as they were', async () => {
    const partition = main(worlds[0]!);
    const before = await partitionRows(projector, partition.worldId);
    expect(await latestRecordedHash(db.sql, memoLens, partition)).toBeUndefined();
    const live = await computeStateHash(projector.sql, memoLens, partition);
    const result = await verifyPartition(projector.sql, memoLens, partition);
    expect(result).toEqual({ partition, watermark: live.watermark, eventsReplayed: 4, liveHash: live.stateHash, replayHash: live.stateHash, equal: true, rebuilt: false });
    expect(await latestRecordedHash(db.sql, memoLens, partition)).toEqual(live);
    expect(await partitionRows(projector, partition.worldId)).toEqual(before);
    expect(await scratchRows()).toBe(0);
    const [scope] = await db.sql`SELECT count(*)::int AS n FROM event_core.schema_migrations WHERE scope = 'lens_memo__verify'`;
    expect(scope).toEqual({ n: 1 });
  });

  it('checks the log against the latest recorded hash: a wrong record is unequal', async () => {
    const partition = main(worlds[1]!);
    const live = await recordStateHash(projector.sql, memoLens, partition);
    expect((await verifyPartition(projector.sql, memoLens, partition)).equal).toBe(true);
    const wrong = 'f'.repeat(64) as StateHash;
    await db.sql`
      INSERT INTO event_core.projector_state_hashes (projector_name, world_id, branch, global_seq, state_hash)
      VALUES (${memoLens.projectorName}, ${partition.worldId}, 'main', ${live.watermark + 1}, ${wrong})`;
    // Recorded at a later watermark, so it is the latest: the log up to it is replayed and compared with it.
    const result = await verifyPartition(projector.sql, memoLens, partition);
    expect(result).toMatchObject({ watermark: live.watermark + 1, liveHash: wrong, replayHash: live.stateHash, equal: false });
  });

  it('a live state that differs from the log is unequal; a tamper after the record is not in the record; rebuildPartition repairs', async () => {
    const partition = main(worlds[2]!);
    const recorded = await recordStateHash(projector.sql, memoLens, partition);
    await tamper(partition.worldId);
    // The recorded hash is of the live state at its watermark, before the tamper: the log agrees with it.
    expect((await verifyPartition(projector.sql, memoLens, partition)).equal).toBe(true);
    const now = await computeStateHash(projector.sql, memoLens, partition);
    expect(now.watermark).toBe(recorded.watermark);
    const drifted = await verifyPartition(projector.sql, memoLens, partition, { against: now });
    expect(drifted).toMatchObject({ equal: false, liveHash: now.stateHash, replayHash: recorded.stateHash });
    expect((await partitionRows(projector, partition.worldId)).items[0]).toMatchObject({ value: 'tampered' });

    const repaired = await rebuildPartition(projector.sql, memoLens, partition);
    expect(repaired).toMatchObject({ rebuilt: true, equal: false, watermark: recorded.watermark });
    const rows = await partitionRows(projector, partition.worldId);
    expect(rows.items[0]).toMatchObject({ value: 'three' });
    expect(rows.watermark).toBe(recorded.watermark);
    expect((await verifyPartition(projector.sql, memoLens, partition, { against: await computeStateHash(projector.sql, memoLens, partition) })).equal).toBe(true);
  });

  it('an event applied live but not in the log makes the partition unequal', async () => {
    const worldId = newWorld();
    const logged = makeEvent(seq++, 'item.set', { id: 'a', value: 'logged' }, { worldId });
    await logEvents(db.sql, [logged]);
    await post(logged);
    expect((await post(makeEvent(seq++, 'item.set', { id: 'b', value: 'unlogged' }, { worldId }))).json().status).toBe('processed');
    const result = await verifyPartition(projector.sql, memoLens, main(worldId));
    expect(result).toMatchObject({ eventsReplayed: 1, equal: false });
    // The repair goes by the log: the unlogged event's effects are dropped.
    await rebuildPartition(projector.sql, memoLens, main(worldId));
    expect((await partitionRows(projector, worldId)).items).toEqual([expect.objectContaining({ item_id: 'a', value: 'logged' })]);
  });

  it('replays a partition of many pages whose seqs cross a digit boundary (9,990 to 11,190)', async () => {
    const worldId = newWorld();
    const events = Array.from({ length: 1200 }, (_, i) => makeEvent(9990 + i, 'item.set', { id: `k${i % 37}`, value: `v${i}` }, { worldId }));
    await logEvents(db.sql, events);
    // A gap of 1,199 events is more than one chunk: the delivery is queued and catch-up applies the log.
    const res = await post(events.at(-1)!);
    expect(res.json()).toEqual({ status: 'queued', global_seq: 11189, watermark: 0 });
    await catchUp(projector);
    const progress: number[] = [];
    const result = await verifyPartition(projector.sql, memoLens, main(worldId), { onProgress: (n) => progress.push(n) });
    expect(result).toMatchObject({ eventsReplayed: 1200, equal: true, watermark: 11189 });
    expect(progress).toEqual([500, 1000, 1200]);
  });

  it('never takes the live partition lock: it finishes while another transaction holds it', async () => {
    const partition = main(worlds[0]!);
    await db.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtext(${memoLens.projectorName}), hashtext(${`${partition.worldId}/main`}))`;
      const result = await verifyPartition(projector.sql, memoLens, partition);
      expect(result.equal).toBe(true);
    });
  });

  it('a live event of the partition being verified is answered before the verification ends', async () => {
    const worldId = newWorld();
    const slow = [makeEvent(seq++, 'item.set', { id: 'a', value: 'x' }, { worldId }), makeEvent(seq++, 'item.slow', { seconds: 1.5 }, { worldId })];
    await logEvents(db.sql, slow);
    for (const e of slow) expect((await post(e)).json().status).toBe('processed');
    await recordStateHash(projector.sql, memoLens, main(worldId));
    let verified = false;
    const verifying = verifyPartition(projector.sql, memoLens, main(worldId)).then((r) => ((verified = true), r));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the replay is inside the slow event by now
    const next = makeEvent(seq++, 'item.set', { id: 'b', value: 'live' }, { worldId });
    await logEvents(db.sql, [next]);
    expect((await post(next)).json().status).toBe('processed');
    expect(verified).toBe(false);
    expect(await verifying).toMatchObject({ equal: true, eventsReplayed: 2, watermark: slow[1]!.global_seq });
  });

  it('two verifications of one partition at once both succeed (they take the scratch lock in turn)', async () => {
    const partition = main(worlds[0]!);
    const results = await Promise.all([verifyPartition(projector.sql, memoLens, partition), verifyPartition(projector.sql, memoLens, partition)]);
    for (const r of results) expect(r).toMatchObject({ equal: true, eventsReplayed: 4 });
  });

  it('a partition never applied is verified at watermark 0, equal', async () => {
    const partition = main(newWorld());
    expect(await verifyPartition(projector.sql, memoLens, partition)).toMatchObject({ watermark: globalSeq(0), eventsReplayed: 0, equal: true });
  });
});

describe('the replay command', () => {
  it('prints a table and exits 0 when all are equal, 1 when one is not, 2 on bad usage', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const env = { PROJECTOR_DATABASE_URL: db.url, PROJECTOR_LOG_LEVEL: 'silent' };
      expect(await runReplayCli(memoLens, ['--all'], env)).toBe(0);
      const table = out.mock.calls.map((c) => String(c[0])).join('');
      expect(table).toMatch(/partition\s+watermark\s+events replayed\s+live hash\s+replay hash\s+equal/);
      expect(table).toContain(`${worlds[0]}/main`);
      // Checked against the live state as it is now, even with a hash recorded at this watermark.
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
      out.mockClear();
      expect(await runReplayCli(memoLens, ['--help'], env)).toBe(0);
      const help = out.mock.calls.map((c) => String(c[0])).join('');
      expect(help).toMatch(/without locking it/);
      expect(help).toMatch(/--rebuild[\s\S]*LOCKS the partition for the whole replay[\s\S]*nx run projector-rel:rebuild/);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
