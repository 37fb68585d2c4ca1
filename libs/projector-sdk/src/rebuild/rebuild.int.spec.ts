import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { statement } from '../lens/define-lens.js';
import type { Lens } from '../lens/lens-types.js';
import type { Projector } from '../server/create-projector.js';
import { computeStateHash } from '../state/state-hash.js';
import { catchUp, logMany } from '../testing/fixtures/catchup.fixture.js';
import { logEvents, makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { memoLens } from '../testing/fixtures/memo-lens.fixture.js';
import { partitionRows, testProjector } from '../testing/fixtures/projector.fixture.js';
import { useTestDatabase } from '../testing/index.js';
import { dropLensSchema, schemaExists } from './lens-schemas.js';
import { readLiveVersion } from './rebuild-record.js';
import { runRebuild, type RebuildDeps, type RebuildReport } from './run-rebuild.js';

const db = useTestDatabase({ prefix: 'sdk_rebuild' });
let live: Projector;
let nextSeq = 1_000_000;
/** The first of `n` global_seqs nobody else uses. */
const seqBlock = (n: number) => ((nextSeq += n + 1), nextSeq - n);

beforeAll(async () => {
  live = await testProjector(db.url);
});
afterAll(async () => {
  await live.close();
});
// Each test starts from a live lens with no previous one kept.
beforeEach(async () => {
  await dropLensSchema(db.sql, 'lens_memo__previous');
});

const rebuild = (deps: Partial<RebuildDeps> = {}) =>
  runRebuild({ sql: live.sql, lens: live.lens, metrics: live.metrics, log: live.log, chunk: 50, ...deps });
const done = (report: RebuildReport) => {
  if (report.status === 'refused') throw new Error(report.reason);
  return report;
};
const settle = async () => {
  while ((await catchUp(live)).events > 0);
};
const post = (payload: object) => live.app.inject({ method: 'POST', url: '/events', payload });
const hashesOf = async (worlds: readonly string[]) =>
  Promise.all(worlds.map(async (worldId) => (await computeStateHash(live.sql, live.lens, { worldId, branch: 'main' })).stateHash));

describe('a rebuild beside the live lens', () => {
  it('builds every partition from the log, finds it equal, cuts over, and live goes on writing the new tables', async () => {
    const worlds = await logMany(db.sql, { partitions: 4, perPartition: 30, from: seqBlock(1000) });
    await settle();
    const before = await hashesOf(worlds);

    const report = done(await rebuild());
    expect(report).toMatchObject({ status: 'cut over', version: 1, fromVersion: 1, resumed: false, different: 0 });
    expect(report.equal).toBe(report.partitions);
    expect(report.events).toBeGreaterThanOrEqual(4 * 30);
    expect(report.cutoverMs).toBeLessThan(1000);
    expect(await schemaExists(db.sql, 'lens_memo__previous')).toBe(true);
    expect(await schemaExists(db.sql, 'lens_memo__build')).toBe(false);
    expect(await hashesOf(worlds)).toEqual(before);

    // The projector's own statements (prepared on the old tables) now reach the renamed ones.
    const event = makeEvent((nextSeq += 1000), 'item.put', { id: 'after', value: 'cutover' }, { worldId: worlds[0]! });
    await logEvents(db.sql, [event]);
    expect((await post(event)).json()).toMatchObject({ status: 'processed' });
    expect((await partitionRows(live, worlds[0]!)).items).toContainEqual({ item_id: 'after', value: 'cutover', amount: null });
    const [old] = await db.sql`SELECT count(*)::int AS n FROM lens_memo__previous.item WHERE item_id = 'after'`;
    expect(old!.n).toBe(0);
  });

  it('under live load: no live request waits a second, and every partition equals a model of its events', async () => {
    const worlds = Array.from({ length: 6 }, newWorld);
    const seqs = new Map(worlds.map((w) => [w, 0]));
    const model = new Map<string, Map<string, string>>(worlds.map((w) => [w, new Map()]));
    const write = async (worldId: string, n: number) => {
      const events = Array.from({ length: n }, () => {
        const id = `k${Math.floor(Math.random() * 20)}`;
        const value = `v${(nextSeq += 1)}`;
        model.get(worldId)!.set(id, value);
        seqs.set(worldId, nextSeq);
        return makeEvent(nextSeq, 'item.put', { id, value }, { worldId });
      });
      await logEvents(db.sql, events);
      return events;
    };
    for (const w of worlds) await write(w, 200);
    await settle();

    let stop = false;
    const latencies: number[] = [];
    const load = (async () => {
      while (!stop) {
        for (const w of worlds.slice(0, 3)) {
          const [event] = await write(w, 1);
          const t = performance.now();
          const res = await post(event!);
          latencies.push(performance.now() - t);
          expect(res.statusCode).toBe(200);
        }
      }
    })();
    const report = done(await rebuild({ chunk: 100 }));
    stop = true;
    await load;
    await settle();

    expect(report.status).toBe('cut over');
    expect(latencies.length).toBeGreaterThan(10);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    for (const w of worlds) {
      const rows = await partitionRows(live, w);
      expect(rows.watermark).toBe(seqs.get(w));
      const expected = [...model.get(w)!].map(([item_id, value]) => ({ item_id, value, amount: null })).sort((a, b) => (a.item_id < b.item_id ? -1 : 1));
      expect(rows.items).toEqual(expected);
    }
  });

  it('refuses to start while the previous lens is kept, and says how to drop it', async () => {
    await db.sql`CREATE SCHEMA lens_memo__previous`;
    const report = await rebuild();
    expect(report).toMatchObject({ status: 'refused', reason: expect.stringContaining('--drop-previous') });
  });

  it('at the same version, a live partition that differs from the log is reported and not cut over, unless accepted', async () => {
    const [worldId] = await logMany(db.sql, { partitions: 1, perPartition: 5, from: seqBlock(1000) });
    await settle();
    await db.sql`UPDATE lens_memo.item SET value = 'tampered' WHERE world_id = ${worldId!} AND item_id = 'k0'`;

    const refused = done(await rebuild());
    expect(refused).toMatchObject({ status: 'different', different: 1, firstDifferent: [{ worldId, branch: 'main' }] });
    expect(await schemaExists(db.sql, 'lens_memo__previous')).toBe(false);
    expect((await partitionRows(live, worldId!)).items[0]).toMatchObject({ item_id: 'k0', value: 'tampered' });

    const accepted = done(await rebuild({ acceptDifferences: true }));
    expect(accepted).toMatchObject({ status: 'cut over', resumed: true, different: 1 });
    expect((await partitionRows(live, worldId!)).items[0]).toMatchObject({ item_id: 'k0', value: 'v0' });
  });

  it('honours a recorded skip: the skipped event is not applied to the copy either', async () => {
    const worldId = newWorld();
    const events = [1, 2, 3].map((i) => makeEvent((nextSeq += 1), 'item.put', { id: `s${i}`, value: `v${i}` }, { worldId }));
    await logEvents(db.sql, events);
    await post(events[0]!);
    await db.sql`
      INSERT INTO event_core.projector_skips (projector_name, world_id, branch, global_seq, reason, decided_by)
      VALUES ('projector_memo', ${worldId}, 'main', ${events[1]!.global_seq}, 'test', 'operator')`;
    await db.sql`
      UPDATE event_core.projector_watermarks SET last_processed_seq = ${events[1]!.global_seq}
      WHERE projector_name = 'projector_memo' AND world_id = ${worldId}`;
    await post(events[2]!);
    expect((await partitionRows(live, worldId)).items.map((i) => i.item_id)).toEqual(['s1', 's3']);

    // A partition whose last event was skipped: the copy stands at live's watermark all the same.
    const lastSkipped = newWorld();
    const [kept, skipped] = [1, 2].map((i) => makeEvent((nextSeq += 1), 'item.put', { id: `t${i}`, value: `v${i}` }, { worldId: lastSkipped }));
    await logEvents(db.sql, [kept!, skipped!]);
    await post(kept!);
    await db.sql`
      INSERT INTO event_core.projector_skips (projector_name, world_id, branch, global_seq, reason, decided_by)
      VALUES ('projector_memo', ${lastSkipped}, 'main', ${skipped!.global_seq}, 'test', 'operator')`;
    await db.sql`
      UPDATE event_core.projector_watermarks SET last_processed_seq = ${skipped!.global_seq}
      WHERE projector_name = 'projector_memo' AND world_id = ${lastSkipped}`;

    expect(done(await rebuild())).toMatchObject({ status: 'cut over', different: 0 });
    expect((await partitionRows(live, worldId)).items.map((i) => i.item_id)).toEqual(['s1', 's3']);
    expect(await partitionRows(live, lastSkipped)).toMatchObject({ watermark: skipped!.global_seq, items: [{ item_id: 't1' }] });
  });

  it('a new lens version is built beside the old one; the partitions it changes are reported, not refused', async () => {
    const [changed, untouched] = [newWorld(), newWorld()];
    await logEvents(db.sql, [
      makeEvent((nextSeq += 1), 'item.put', { id: 'a', value: 'lower' }, { worldId: changed }),
      makeEvent((nextSeq += 1), 'item.set', { id: 'b', value: 'same' }, { worldId: untouched }),
    ]);
    await settle();
    // Version 2 writes item.put's value in upper case: only partitions with an item.put differ.
    const v2: Lens = {
      ...memoLens,
      version: 2,
      handlers: {
        ...memoLens.handlers,
        'item.put': statement(z.object({ id: z.string().min(1), value: z.string() }), ['item', 'applied'], ({ sql, tables: { item, applied }, payload, partition, globalSeq }) =>
          sql`
            WITH a AS (INSERT INTO ${applied} VALUES (${partition.worldId}, ${partition.branch}, ${globalSeq}, 'item.put'))
            INSERT INTO ${item} (world_id, branch, item_id, value) VALUES (${partition.worldId}, ${partition.branch}, ${payload.id}, upper(${payload.value}))
            ON CONFLICT (world_id, branch, item_id) DO UPDATE SET value = EXCLUDED.value`,
        ),
      },
    };
    const report = done(await runRebuild({ sql: live.sql, lens: v2, metrics: live.metrics, log: live.log }));
    expect(report).toMatchObject({ status: 'cut over', version: 2, fromVersion: 1 });
    expect(report.firstDifferent).toContainEqual({ worldId: changed, branch: 'main' });
    expect(report.firstDifferent).not.toContainEqual({ worldId: untouched, branch: 'main' });
    expect(await readLiveVersion(db.sql, v2)).toBe(2);
    expect((await partitionRows(live, changed)).items).toEqual([{ item_id: 'a', value: 'LOWER', amount: null }]);
    expect((await partitionRows(live, untouched)).items).toEqual([{ item_id: 'b', value: 'same', amount: null }]);
  });
});

describe('POST /rebuild and GET /rebuild', () => {
  it('starts one rebuild in the background, refuses a second while it runs, and reports it when done', async () => {
    await logMany(db.sql, { partitions: 3, perPartition: 40, from: seqBlock(1000) });
    await settle();
    const start = await live.app.inject({ method: 'POST', url: '/rebuild', payload: {} });
    expect(start.statusCode).toBe(202);
    expect(start.json()).toEqual({ status: 'started' });
    const again = await live.app.inject({ method: 'POST', url: '/rebuild', payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: 'rebuild_running' });

    let status;
    for (let i = 0; i < 200; i++) {
      status = (await live.app.inject({ method: 'GET', url: '/rebuild' })).json();
      if (!status.running) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // The version test before left version 2 live: this lens (version 1) differs where item.put wrote.
    expect(status).toMatchObject({ running: false, last: { status: 'cut over', version: 1, from_version: 2, failed: [] } });
    expect(status.last.equal + status.last.different).toBe(status.last.partitions);
    expect(status.last.equal).toBeGreaterThanOrEqual(3);
    expect((await live.metrics.rebuildRunning.get()).values[0]?.value).toBe(0);
  });
});

describe('a projector whose lens version differs from the live tables', () => {
  const v = (version: number): Lens => ({ ...memoLens, version });
  const waitForIdle = async (projector: Projector) => {
    for (let i = 0; i < 400 && projector.rebuilds.status().running; i++) await new Promise((r) => setTimeout(r, 25));
    return projector.rebuilds.status();
  };

  it('manual: keeps serving the live tables and builds nothing; auto: builds the new version and cuts over', async () => {
    const live = (await readLiveVersion(db.sql, memoLens))!;
    const manual = await testProjector(db.url, { PROJECTOR_LENS_UPGRADE: 'manual' }, v(live + 1));
    try {
      await manual.rebuilds.checkLensVersion();
      expect(manual.rebuilds.status()).toEqual({ running: false, progress: null, last: null });
      expect(await readLiveVersion(db.sql, memoLens)).toBe(live);
    } finally {
      await manual.close();
    }

    const auto = await testProjector(db.url, { PROJECTOR_LENS_UPGRADE: 'auto' }, v(live + 1));
    try {
      await auto.rebuilds.checkLensVersion();
      const status = await waitForIdle(auto);
      expect(status.last).toMatchObject({ status: 'cut over', version: live + 1, fromVersion: live });
      expect(await readLiveVersion(db.sql, memoLens)).toBe(live + 1);
      // Started again at the same version: nothing to build.
      await auto.rebuilds.checkLensVersion();
      expect(auto.rebuilds.status().running).toBe(false);
    } finally {
      await auto.close();
    }
  });
});
