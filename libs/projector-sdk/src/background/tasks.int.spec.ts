import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Projector } from '../server/create-projector.js';
import { logEvents, makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { testProjector } from '../testing/fixtures/projector.fixture.js';
import { useTestDatabase } from '../testing/index.js';
import { recordStateHashes, updateLagMetrics, type MonitorDeps } from './tasks.js';

const db = useTestDatabase({ prefix: 'sdk_tasks' });
let projector: Projector;
let deps: MonitorDeps;

beforeAll(async () => {
  projector = await testProjector(db.url);
  deps = { sql: projector.sql, lens: projector.lens, config: projector.config, metrics: projector.metrics, log: projector.log };
});
afterAll(() => projector.close());

const post = async (seq: number, worldId: string, branch = 'main', kind = 'item.set') => {
  const res = await projector.app.inject({
    method: 'POST',
    url: '/events',
    payload: makeEvent(seq, kind, { id: `i${seq}`, value: `v${seq}` }, { worldId, branch }),
  });
  expect(res.statusCode, res.body).toBe(200);
};
const stateHash = async (worldId: string, branch = 'main') =>
  (await projector.app.inject({ method: 'GET', url: `/state-hash?world_id=${worldId}&branch=${branch}` })).json() as {
    watermark: number;
    state_hash: string;
  };
const gauge = async (metric: 'stateHash' | 'watermark' | 'lag', worldId: string, branch = 'main') =>
  (await projector.metrics[metric].get()).values.find((v) => v.labels.world_id === worldId && v.labels.branch === branch);

describe('recordStateHashes', () => {
  const [w1, w2] = [newWorld(), newWorld()];
  const partitions = [
    [w1, 'main'],
    [w1, 'dev'],
    [w2, 'main'],
  ] as const;

  it('writes one row per partition with its current watermark and hash, and sets the gauge', async () => {
    await post(10, w1);
    await post(11, w1);
    await post(12, w1, 'dev');
    await post(13, w2, 'main', 'no.handler');
    // Another projector's partition is not this one's to hash.
    await db.sql`
      INSERT INTO event_core.projector_watermarks (projector_name, world_id, branch, last_processed_seq, updated_at)
      VALUES ('projector_other', ${newWorld()}, 'main', 99, now())`;

    expect(await recordStateHashes(deps)).toBe(3);

    const rows = await db.sql<{ world_id: string; branch: string; global_seq: string; state_hash: string; computed_at: Date }[]>`
      SELECT world_id, branch, global_seq::text, state_hash, computed_at FROM event_core.projector_state_hashes
      ORDER BY world_id, branch`;
    expect(rows.every((r) => r.computed_at instanceof Date)).toBe(true);
    const expected = await Promise.all(
      partitions.map(async ([worldId, branch]) => {
        const current = await stateHash(worldId, branch);
        return { world_id: worldId, branch, global_seq: String(current.watermark), state_hash: current.state_hash };
      }),
    );
    expect(rows.map(({ computed_at: _, ...r }) => r)).toEqual(
      expect.arrayContaining(expected),
    );
    expect(rows).toHaveLength(3);
    expect(expected.map((e) => e.global_seq).sort()).toEqual(['11', '12', '13']);

    for (const [worldId, branch] of partitions) {
      const { state_hash } = await stateHash(worldId, branch);
      const value = (await gauge('stateHash', worldId, branch))?.value;
      expect(value).toBe(Number(BigInt(`0x${state_hash.slice(0, 13)}`)));
      expect(Number.isSafeInteger(value)).toBe(true);
    }
  });

  it('records a partition again only when its watermark moved', async () => {
    const countRows = async () => (await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM event_core.projector_state_hashes`)[0]!.n;
    const before = await countRows();
    await recordStateHashes(deps);
    expect(await countRows()).toBe(before);

    await post(14, w1);
    await recordStateHashes(deps);
    expect(await countRows()).toBe(before + 1);
    const [latest] = await db.sql<{ global_seq: string; state_hash: string }[]>`
      SELECT global_seq::text, state_hash FROM event_core.projector_state_hashes
      WHERE world_id = ${w1} AND branch = 'main' ORDER BY global_seq DESC LIMIT 1`;
    const current = await stateHash(w1);
    expect(latest).toEqual({ global_seq: '14', state_hash: current.state_hash });
    expect((await gauge('stateHash', w1))?.value).toBe(Number(BigInt(`0x${current.state_hash.slice(0, 13)}`)));
  });
});

describe('updateLagMetrics', () => {
  it('sets the watermark and the age of the oldest unapplied logged event; 0 once caught up', async () => {
    const behind = newWorld();
    const caughtUp = newWorld();
    await post(100, behind);
    await post(200, caughtUp);
    const pending = [101, 102].map((seq) => makeEvent(seq, 'item.set', { id: `i${seq}`, value: 'v' }, { worldId: behind }));
    // An applied event in the log, however old, is no lag.
    const applied = makeEvent(199, 'item.set', { id: 'old', value: 'v' }, { worldId: caughtUp });
    await logEvents(db.sql, [...pending, applied]);
    await db.sql`UPDATE event_core.event_log SET received_at = now() - interval '90 seconds' WHERE global_seq IN (101, 199)`;
    await db.sql`UPDATE event_core.event_log SET received_at = now() - interval '5 seconds' WHERE global_seq = 102`;

    await updateLagMetrics(deps);
    expect((await gauge('watermark', behind))?.value).toBe(100);
    const lag = (await gauge('lag', behind))!.value;
    expect(lag).toBeGreaterThanOrEqual(90);
    expect(lag).toBeLessThan(150);
    expect((await gauge('watermark', caughtUp))?.value).toBe(200);
    expect((await gauge('lag', caughtUp))?.value).toBe(0);
    expect((await gauge('lag', behind))?.labels).toEqual({ projector: 'projector_memo', world_id: behind, branch: 'main' });

    // Delivering the last one fills the gap from the log: caught up.
    await projector.app.inject({ method: 'POST', url: '/events', payload: pending[1]! });
    await updateLagMetrics(deps);
    expect((await gauge('watermark', behind))?.value).toBe(102);
    expect((await gauge('lag', behind))?.value).toBe(0);
  });
});
