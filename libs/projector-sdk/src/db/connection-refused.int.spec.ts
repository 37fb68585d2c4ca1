import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Projector } from '../server/create-projector.js';
import { makeEvent, newWorld } from '../test-support/events.fixture.js';
import { testProjector } from '../test-support/projector.fixture.js';
import { useTestDatabase } from '../testing/index.js';

const db = useTestDatabase({ prefix: 'sdk_conn_refused' });
// CONNECTION LIMIT does not bind a superuser: the projector connects as a role of its own.
const role = `conn_refused_${process.pid}`;
let projector: Projector;

const roleUrl = () => {
  const url = new URL(db.url);
  url.username = role;
  url.password = '';
  return url.toString();
};
const post = (seq: number, worldId: string) =>
  projector.app.inject({ method: 'POST', url: '/events', payload: makeEvent(seq, 'item.set', { id: 'a', value: `v${seq}` }, { worldId }) });
/** Posts and measures how long the answer took. */
const timed = async (seq: number, worldId: string) => {
  const started = Date.now();
  const res = await post(seq, worldId);
  return { res, ms: Date.now() - started };
};
const dropRoleBackends = () =>
  db.sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${role}`;

beforeAll(async () => {
  await db.sql.unsafe(`CREATE ROLE ${role} LOGIN`);
  await db.sql.unsafe(`ALTER DATABASE ${db.name} OWNER TO ${role}`);
  projector = await testProjector(roleUrl(), { PROJECTOR_DB_POOL_MAX: '2', PROJECTOR_ERROR_BACKOFF_SECONDS: '1', PROJECTOR_DB_CONNECT_TIMEOUT_S: '2' });
});
afterAll(async () => {
  await projector?.close();
  await dropRoleBackends();
  await db.sql.unsafe(`REASSIGN OWNED BY ${role} TO postgres`);
  await db.sql.unsafe(`DROP ROLE IF EXISTS ${role}`);
});

describe('PostgreSQL refusing connections (53300)', () => {
  it('requests get 503 with Retry-After within a few seconds, and are served again once there is room', async () => {
    const worldId = newWorld();
    expect((await post(1, worldId)).statusCode).toBe(200);

    await db.sql.unsafe(`ALTER ROLE ${role} CONNECTION LIMIT 0`);
    await dropRoleBackends();
    const refused = await Promise.all([2, 3, 4, 5].map((seq) => timed(seq, newWorld())));
    for (const { res, ms } of refused) {
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json()).toMatchObject({ error: 'unavailable' });
      expect(res.headers['retry-after']).toBe('1');
      expect(ms).toBeLessThan(3_000);
    }
    const health = await projector.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);

    await db.sql.unsafe(`ALTER ROLE ${role} CONNECTION LIMIT -1`);
    const { res, ms } = await timed(2, worldId);
    expect(res.json()).toEqual({ status: 'processed', global_seq: 2 });
    expect(ms).toBeLessThan(3_000);
  });
});
