import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing/index.js';
import { makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { partitionRows, testProjector } from '../testing/fixtures/projector.fixture.js';
import type { Projector } from '../server/create-projector.js';

const db = useTestDatabase({ prefix: 'sdk_retry' });
let projector: Projector;

beforeAll(async () => {
  projector = await testProjector(db.url, { PROJECTOR_ERROR_BACKOFF_SECONDS: '0.2' });
});
afterAll(() => projector.close());

/** Kills the projector's connection that is inside the slow handler, as a failover or an admin would. */
async function killSlowBackend(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    // Materialized first: PostgreSQL may otherwise call pg_terminate_backend before the other filters.
    const killed = await db.sql<{ pid: number }[]>`
      WITH victims AS MATERIALIZED (
        SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = ${projector.lens.serviceName}
          AND query LIKE '%pg_sleep%' AND state = 'active' AND pid <> pg_backend_pid()
      )
      SELECT pid FROM victims WHERE pg_terminate_backend(pid)`;
    if (killed.length > 0) return killed.length;
    await new Promise((r) => setTimeout(r, 20));
  }
  return 0;
}

describe('a connection killed mid-request (pg_terminate_backend)', () => {
  it('single event: retried within the request, applied once, nothing lost', async () => {
    const worldId = newWorld();
    const answer = projector.app.inject({
      method: 'POST',
      url: '/events',
      payload: makeEvent(10, 'item.slow', { seconds: 0.4 }, { worldId }),
    });
    expect(await killSlowBackend()).toBe(1);
    const res = await answer;
    expect(res.json()).toEqual({ status: 'processed', global_seq: 10 });
    expect(await partitionRows(projector, worldId)).toMatchObject({ watermark: 10, applied: [10] });
  });

  it('batch: retried as a whole, applied once', async () => {
    const worldId = newWorld();
    const answer = projector.app.inject({
      method: 'POST',
      url: '/events/batch',
      payload: {
        events: [
          makeEvent(20, 'item.set', { id: 'a', value: 'v' }, { worldId }),
          makeEvent(21, 'item.slow', { seconds: 0.4 }, { worldId }),
        ],
      },
    });
    expect(await killSlowBackend()).toBe(1);
    const res = await answer;
    expect(res.statusCode).toBe(200);
    expect(await partitionRows(projector, worldId)).toMatchObject({ watermark: 21, applied: [20, 21] });
  });

  it('gives up after PROJECTOR_MAX_RETRY_ATTEMPTS with 503 and Retry-After, nothing written', async () => {
    const impatient = await testProjector(db.url, { PROJECTOR_MAX_RETRY_ATTEMPTS: '0', PROJECTOR_ERROR_BACKOFF_SECONDS: '2' });
    try {
      const worldId = newWorld();
      const answer = impatient.app.inject({
        method: 'POST',
        url: '/events',
        payload: makeEvent(30, 'item.slow', { seconds: 0.4 }, { worldId }),
      });
      expect(await killSlowBackend()).toBe(1);
      const res = await answer;
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('2');
      expect(res.json()).toMatchObject({ error: 'unavailable', global_seq: 30 });
      expect(await partitionRows(impatient, worldId)).toEqual({ watermark: null, items: [], applied: [] });
    } finally {
      await impatient.close();
    }
  });
});
