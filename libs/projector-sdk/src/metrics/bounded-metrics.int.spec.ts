import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordStateHashes, updateLagMetrics } from '../background/tasks.js';
import type { Projector } from '../server/create-projector.js';
import { makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { memoLens } from '../testing/fixtures/memo-lens.fixture.js';
import { parsePrometheusText } from '../testing/prometheus-text.js';
import { testProjector } from '../testing/fixtures/projector.fixture.js';
import { useTestDatabase } from '../testing/index.js';
import { kindLabel } from './projector-metrics.js';

const db = useTestDatabase({ prefix: 'sdk_bounded_metrics' });
const MAX_PARTITIONS = 5;
let projector: Projector;

beforeAll(async () => {
  projector = await testProjector(db.url, { PROJECTOR_BODY_LIMIT_BYTES: '1100000', PROJECTOR_METRICS_MAX_PARTITIONS: String(MAX_PARTITIONS) });
});
afterAll(() => projector.close());

const scrape = async () => {
  const res = await projector.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  return { size: res.body.length, families: parsePrometheusText(res.body) };
};

describe('metrics of bounded cardinality', () => {
  it('kind is a label only for the lens\'s own kinds, inherited names included', () => {
    expect(kindLabel(memoLens, 'item.set')).toBe('item.set');
    for (const kind of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'x'.repeat(1000)]) expect(kindLabel(memoLens, kind)).toBe('other');
  });

  it('40 events with 1 MB kinds: /metrics stays 200 and small, the kinds counted as one value', async () => {
    const worldId = newWorld();
    let ignored = 0;
    for (let seq = 1; seq <= 40; seq++) {
      const kind = `${'k'.repeat(1_000_000)}${seq}`;
      const res = await projector.app.inject({ method: 'POST', url: '/events', payload: makeEvent(seq, kind, {}, { worldId }) });
      // However the envelope's length rules change, a kind is either refused or counted as `other`.
      expect([200, 400]).toContain(res.statusCode);
      if (res.statusCode === 200) ignored++;
    }
    const { size, families } = await scrape();
    expect(size).toBeLessThan(100_000);
    const processed = families.get('projector_events_processed_total')?.samples ?? [];
    expect(processed.filter((s) => s.labels.kind === 'other').map((s) => s.value)).toEqual(ignored ? [ignored] : []);
    for (const family of families.values()) for (const sample of family.samples) for (const value of Object.values(sample.labels)) expect(value.length).toBeLessThan(200);
  });

  it(`many partitions: at most ${MAX_PARTITIONS} get series of their own, the rest are counted`, async () => {
    const partitions = Array.from({ length: 20 }, (_, i) => ({ world_id: randomUUID(), branch: `b${i}`, seq: i + 1 }));
    for (const p of partitions) {
      await db.sql`
        INSERT INTO event_core.projector_watermarks (projector_name, world_id, branch, last_processed_seq, updated_at)
        VALUES (${memoLens.projectorName}, ${p.world_id}, ${p.branch}, ${p.seq}, now())`;
    }
    await db.sql`
      INSERT INTO event_core.event_log (global_seq, event_id, world_id, branch, kind, envelope, received_at)
      VALUES (1000, 'lagging', ${partitions[19]!.world_id}, 'b19', 'item.set', '{}'::jsonb, now() - interval '1 hour')`;
    const deps = { sql: projector.sql, lens: projector.lens, config: projector.config, metrics: projector.metrics, log: projector.log };
    for (let run = 0; run < 2; run++) {
      await updateLagMetrics(deps);
      await recordStateHashes(deps, run);
    }
    const { families } = await scrape();
    const total = (await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM event_core.projector_watermarks`)[0]!.n;
    expect(total).toBeGreaterThan(MAX_PARTITIONS);
    for (const name of ['projector_watermark', 'projector_lag_seconds', 'projector_state_hash']) {
      expect(families.get(name)!.samples.length, name).toBe(MAX_PARTITIONS);
    }
    expect(families.get('projector_metrics_partitions_untracked')!.samples[0]!.value).toBe(total - MAX_PARTITIONS);
    // The lagging partition may have no series of its own; the maximum still sees it.
    expect(families.get('projector_lag_max_seconds')!.samples[0]!.value).toBeGreaterThanOrEqual(3590);
  });
});
