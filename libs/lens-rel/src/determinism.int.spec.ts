import { createProjector, listPartitions, parseConfig, replayPartition, type Projector } from '@projectors/projector-sdk';
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

/** Each way of delivering returns the statuses it got, for the test to check. */
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

  'every third event, the gaps filled from the log, then all again': async (p) => {
    const statuses: Status[] = [];
    const lastSent = new Map<string, number>();
    for (const [i, e] of events.entries()) {
      if (i % 3 !== 0) continue;
      statuses.push(await post(p, e));
      lastSent.set(`${e.envelope.world_id}/${e.envelope.branch}`, e.global_seq);
    }
    const first = statuses.length;
    for (const e of events) statuses.push(await post(p, e));
    // The second pass finds applied (filled or sent) everything up to each partition's last sent event.
    const tail = events.filter((e) => e.global_seq > (lastSent.get(`${e.envelope.world_id}/${e.envelope.branch}`) ?? 0)).length;
    return { statuses, expected: { processed: first + tail, duplicate: events.length - tail } };
  },

  'partitions in parallel, each in order': async (p) => {
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

const hashes = new Map<string, string[]>();
const databases: TestDatabase[] = [];
afterAll(() => Promise.all(databases.map((db) => db.drop())));

describe('the rel lens, fed one stream of 3,000 events over 4 worlds x 2 branches', () => {
  it('gives a model with rows to compare, in every partition', () => {
    expect(model).toHaveLength(8);
    for (const p of model) expect(p.notes.length * p.tags.length * p.links.length).toBeGreaterThan(0);
  });

  // Each delivery has its own database, so they run side by side.
  it.concurrent.each(Object.keys(deliveries))('delivered %s: the rows are the model, replay agrees', async (name) => {
    const db = await createTestDatabase({ prefix: 'lens_rel_det', max: 1 });
    databases.push(db);
    // Durability is not under test: without a WAL flush per commit, 15,000 commits take seconds, not minutes.
    await db.sql.unsafe(`ALTER DATABASE ${db.name} SET synchronous_commit = off`);
    const projector = await createProjector({
      lens: relLens,
      config: parseConfig({ PROJECTOR_DATABASE_URL: db.url, PROJECTOR_LOG_LEVEL: 'silent', PROJECTOR_DB_POOL_MAX: '4' }),
    });
    try {
      await projector.migrate();
      await logRelEvents(projector.sql, events);

      const { statuses, expected } = await deliveries[name]!(projector);
      expect(count(statuses)).toEqual(expected);

      expect(await listPartitions(projector.sql, relLens)).toHaveLength(model.length);
      const partitionHashes: string[] = [];
      for (const [i, expectedRows] of model.entries()) {
        const { world_id, branch } = expectedRows;
        expect(await readRelPartition(projector.sql, { world_id, branch })).toEqual(expectedRows);
        const res = await projector.app.inject({ method: 'GET', url: '/state-hash', query: { world_id, branch } });
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(body).toMatchObject({ world_id, branch, watermark: expectedRows.watermark });
        partitionHashes.push(body.state_hash);
        const replay = await replayPartition(projector.sql, relLens, { worldId: world_id, branch });
        expect(replay).toMatchObject({ equal: true, eventsReplayed: byPartition[i]!.length, liveHash: body.state_hash });
      }
      hashes.set(name, partitionHashes);
    } finally {
      await projector.close();
    }
  }, 60_000);

  it('gives the same state hash per partition, however delivered', () => {
    expect([...hashes.keys()]).toEqual(Object.keys(deliveries));
    const [first, ...others] = [...hashes.values()];
    expect(new Set(first).size).toBe(model.length);
    for (const other of others) expect(other).toEqual(first);
  });
});
