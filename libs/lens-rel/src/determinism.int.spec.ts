import {
  createProjector,
  listPartitions,
  parseConfig,
  verifyPartition,
  type Projector,
  type ReplayResult,
} from '@projectors/projector-sdk';
import { createTestDatabase, type TestDatabase } from '@projectors/projector-sdk/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { relLens } from './rel-lens.js';
import { expectedRelModel, generateRelStream, logRelEvents, mulberry32, readRelPartition, type RelEvent } from './testing/index.js';

/**
 * One realistic stream, delivered to fresh databases in every way the publisher may deliver it:
 * the lens rows, the state hash and a replay from the log must come out the same each time, and
 * equal to an independent in-memory model.
 */
const events = generateRelStream({ seed: 20261101, events: 3000, worlds: 4, branches: 2 });
const model = expectedRelModel(events);
const byPartition = model.map((p) => events.filter((e) => e.envelope.world_id === p.world_id && e.envelope.branch === p.branch));

type Status = 'processed' | 'duplicate' | 'ignored';
type Counts = Partial<Record<Status, number>>;

async function post(projector: Projector, event: RelEvent): Promise<Status> {
  const res = await projector.app.inject({ method: 'POST', url: '/events', payload: event });
  if (res.statusCode !== 200) throw new Error(`event ${event.global_seq}: ${res.statusCode} ${res.body}`);
  return res.json().status;
}

async function postBatch(projector: Projector, batch: readonly RelEvent[]): Promise<Status[]> {
  const res = await projector.app.inject({ method: 'POST', url: '/events/batch', payload: { events: batch } });
  if (res.statusCode !== 200) throw new Error(`batch from ${batch[0]!.global_seq}: ${res.statusCode} ${res.body}`);
  return res.json().results.map((r: { status: Status }) => r.status);
}

const count = (statuses: readonly Status[]): Counts =>
  statuses.reduce<Counts>((c, s) => ({ ...c, [s]: (c[s] ?? 0) + 1 }), {});

/**
 * Each way of delivering returns the statuses it got, for the test to check. Group commit (the
 * default) gathers concurrent requests into one transaction; a sequential sender only waits out
 * its window, so the sequential deliveries go without it (`PROJECTOR_GROUP_COMMIT_MS=0`, one
 * transaction per request) and the parallel one with it: both write paths are covered.
 */
const GROUP_COMMIT = 'partitions in parallel, each in order';
const deliveries: Record<string, (p: Projector) => Promise<{ statuses: Status[]; expected: Counts }>> = {
  'singly, in order': async (p) => {
    const statuses: Status[] = [];
    for (const e of events) statuses.push(await post(p, e));
    return { statuses, expected: { processed: events.length } };
  },

  'in batches of 1 to 250': async (p) => {
    const rng = mulberry32(1);
    const statuses: Status[] = [];
    for (let i = 0; i < events.length; ) {
      const size = rng.int(1, 250);
      statuses.push(...(await postBatch(p, events.slice(i, i + size))));
      i += size;
    }
    return { statuses, expected: { processed: events.length } };
  },

  'singly, every 7th again later, some batches again': async (p) => {
    const rng = mulberry32(2);
    const later = new Map<number, RelEvent[]>();
    const statuses: Status[] = [];
    let repeated = 0;
    for (const [i, e] of events.entries()) {
      statuses.push(await post(p, e));
      if (i % 7 === 0) {
        const at = i + rng.int(1, 40);
        later.set(at, [...(later.get(at) ?? []), e]);
      }
      for (const again of later.get(i) ?? []) statuses.push(await post(p, again));
      later.delete(i);
      if (i % 400 === 399) {
        const batch = events.slice(i - rng.int(1, 100), i + 1);
        statuses.push(...(await postBatch(p, batch)));
        repeated += batch.length;
      }
    }
    for (const rest of later.values()) for (const again of rest) statuses.push(await post(p, again));
    return { statuses, expected: { processed: events.length, duplicate: Math.ceil(events.length / 7) + repeated } };
  },

  'every third event singly, the gaps filled from the log, then all again in batches': async (p) => {
    const statuses: Status[] = [];
    const lastSent = new Map<string, number>();
    for (const [i, e] of events.entries()) {
      if (i % 3 !== 0) continue;
      statuses.push(await post(p, e));
      lastSent.set(`${e.envelope.world_id}/${e.envelope.branch}`, e.global_seq);
    }
    const first = statuses.length;
    for (let i = 0; i < events.length; i += 300) statuses.push(...(await postBatch(p, events.slice(i, i + 300))));
    // The second pass finds applied (filled or sent) everything up to each partition's last sent event.
    const tail = events.filter((e) => e.global_seq > (lastSent.get(`${e.envelope.world_id}/${e.envelope.branch}`) ?? 0)).length;
    return { statuses, expected: { processed: first + tail, duplicate: events.length - tail } };
  },

  [GROUP_COMMIT]: async (p) => {
    const statuses = await Promise.all(
      byPartition.map(async (partitionEvents) => {
        const out: Status[] = [];
        for (const e of partitionEvents) out.push(await post(p, e));
        return out;
      }),
    );
    return { statuses: statuses.flat(), expected: { processed: events.length } };
  },
};

interface Fed {
  readonly projector: Projector;
  /** Per partition, in the order of `model`; complete once the delivery passed its checks. */
  readonly hashes: string[];
  done: boolean;
}

const fed = new Map<string, Fed>();
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all([...fed.values()].map((f) => f.projector.close()));
  await Promise.all(databases.map((db) => db.drop()));
});

/** A replay that does not finish is reported as such, not left to hang the file. */
async function replayWithin(projector: Projector, worldId: string, branch: string, ms: number): Promise<ReplayResult | 'timed out'> {
  const replay = verifyPartition(projector.sql, relLens, { worldId, branch });
  replay.catch(() => undefined); // settles (rejected) only when the pool is closed at the end
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms)));
  try {
    return await Promise.race([replay, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the rel lens, fed one stream of 3,000 events over 4 worlds x 2 branches', () => {
  it('gives a model with rows to compare, in every partition', () => {
    expect(model).toHaveLength(8);
    for (const p of model) expect(p.notes.length * p.tags.length * p.links.length).toBeGreaterThan(0);
  });

  // Each delivery has its own database, so they run side by side.
  it.concurrent.each(Object.keys(deliveries))('delivered %s: the rows are the model', async (name) => {
    const db = await createTestDatabase({ prefix: 'lens_rel_det', max: 1 });
    databases.push(db);
    // Durability is not under test: without a WAL flush per commit, 15,000 commits take seconds, not minutes.
    await db.sql.unsafe(`ALTER DATABASE ${db.name} SET synchronous_commit = off`);
    const projector = await createProjector({
      lens: relLens,
      config: parseConfig({
        PROJECTOR_DATABASE_URL: db.url,
        PROJECTOR_LOG_LEVEL: 'silent',
        PROJECTOR_DB_POOL_MAX: '4',
        ...(name !== GROUP_COMMIT && { PROJECTOR_GROUP_COMMIT_MS: '0' }),
      }),
    });
    const hashes: string[] = [];
    const state: Fed = { projector, hashes, done: false };
    fed.set(name, state);
    await projector.migrate();
    await logRelEvents(projector.sql, events);

    const { statuses, expected } = await deliveries[name]!(projector);
    expect(count(statuses)).toEqual(expected);

    expect(await listPartitions(projector.sql, relLens)).toHaveLength(model.length);
    for (const expectedRows of model) {
      const { world_id, branch } = expectedRows;
      expect(await readRelPartition(projector.sql, { world_id, branch })).toEqual(expectedRows);
      const res = await projector.app.inject({ method: 'GET', url: '/state-hash', query: { world_id, branch } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ world_id, branch, watermark: expectedRows.watermark });
      hashes.push(res.json().state_hash);
    }
    state.done = true;
  }, 120_000);

  it('gives the same state hash per partition, however delivered', () => {
    const all = Object.keys(deliveries).map((name) => (fed.get(name)?.done ? fed.get(name)!.hashes : []));
    expect(new Set(all[0]).size).toBe(model.length);
    for (const hashes of all.slice(1)) expect(hashes).toEqual(all[0]);
  });

  it('replays every partition of every database from the log to the same hash', async () => {
    const outcomes = await Promise.all(
      [...fed.entries()].map(async ([name, { projector, hashes, done }]) => {
        const lines: string[] = [];
        if (!done) return [`${name}: not fed`];
        for (const [i, { world_id, branch }] of model.entries()) {
          const logged = byPartition[i]!.length;
          const result = await replayWithin(projector, world_id, branch, 15_000);
          if (result === 'timed out') {
            lines.push(`${name}: ${world_id}/${branch} (${logged} events): verifyPartition did not finish in 15 s`);
            break; // its transaction holds a connection and the partition's lock until the pool closes
          }
          if (!result.equal || result.eventsReplayed !== logged || result.liveHash !== hashes[i]) {
            lines.push(`${name}: ${world_id}/${branch}: equal=${result.equal}, replayed ${result.eventsReplayed} of ${logged}`);
          }
        }
        return lines;
      }),
    );
    expect(outcomes.flat()).toEqual([]);
  }, 60_000);
});
