import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../config/config.js';
import { migrationScopes } from '../../db/migrate.js';
import { createProjector, type Projector } from '../../server/create-projector.js';
import { makeEvent, newWorld } from '../../testing/fixtures/events.fixture.js';
import { memoLens } from '../../testing/fixtures/memo-lens.fixture.js';
import { useTestDatabase } from '../../testing/index.js';
import { testProjector } from '../../testing/fixtures/projector.fixture.js';
import type { ServerDeps } from '../server-deps.js';
import { healthRoute } from './health.js';
import { readyRoute } from './ready.js';
import { liveAnswerSchema, notReadyAnswerSchema, readyAnswerSchema } from '../answers.js';

const db = useTestDatabase({ prefix: 'sdk_ready' });
const get = async (p: Projector, url: string) => {
  const res = await p.app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() };
};

describe('GET /ready: migrations', () => {
  const empty = useTestDatabase({ prefix: 'sdk_ready_empty' });
  let projector: Projector;
  beforeAll(async () => {
    projector = await createProjector({ lens: memoLens, config: parseConfig({ PROJECTOR_DATABASE_URL: empty.url, PROJECTOR_LOG_LEVEL: 'silent' }) });
  });
  afterAll(() => projector?.close());

  it('503 with every migration pending on a database never migrated, then 200 once migrate() ran', async () => {
    const before = await get(projector, '/ready');
    expect(before.status).toBe(503);
    const all = migrationScopes(memoLens).flatMap(([scope, ms]) => ms.map((m) => `${scope}/${m.id}`));
    expect(notReadyAnswerSchema.parse(before.body).reasons).toEqual([{ check: 'migrations', message: expect.any(String), pending: all }]);
    await projector.migrate();
    expect(readyAnswerSchema.parse((await get(projector, '/ready')).body).status).toBe('ready');
  });

  it('503 naming the one migration missing when a migration record is gone', async () => {
    const [last] = memoLens.migrations.slice(-1);
    await empty.sql`DELETE FROM event_core.schema_migrations WHERE scope = ${memoLens.schema} AND id = ${last!.id}`;
    const { status, body } = await get(projector, '/ready');
    expect(status).toBe(503);
    expect(body.reasons).toEqual([{ check: 'migrations', message: '1 migrations not applied', pending: [`${memoLens.schema}/${last!.id}`] }]);
    await empty.sql`INSERT INTO event_core.schema_migrations (scope, id) VALUES (${memoLens.schema}, ${last!.id})`;
    expect((await get(projector, '/ready')).status).toBe(200);
  });
});

describe('GET /ready and /health while shutting down', () => {
  // Fastify's inject refuses once close() has begun, and over HTTP the window between the flag and the
  // listener closing is a few microseconds: the two routes are mounted on an app of their own whose
  // `isClosing` says yes (build-server passes the flag its preClose hook sets).
  let projector: Projector;
  let app: FastifyInstance;
  beforeAll(async () => {
    projector = await testProjector(db.url);
    app = Fastify();
    // As build-server does: the schemas are zod's, and document the answers.
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));
    const deps = { lens: projector.lens, sql: projector.sql, config: projector.config, progress: projector.progress } as ServerDeps;
    readyRoute(app, deps, () => true);
    healthRoute(app, deps, () => true);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await projector?.close();
  });

  it('/ready answers 503 shutting_down, /health 200 with shutting_down: true', async () => {
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(notReadyAnswerSchema.parse(ready.json()).reasons).toEqual([{ check: 'shutting_down', message: 'the process is shutting down' }]);
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(liveAnswerSchema.parse(health.json()).shutting_down).toBe(true);
  });
});

describe('GET /ready: a background loop stalled', () => {
  let projector: Projector;
  beforeAll(async () => {
    projector = await createProjector({
      lens: memoLens,
      config: parseConfig({
        PROJECTOR_DATABASE_URL: db.url,
        PROJECTOR_PORT: '0',
        PROJECTOR_HOST: '127.0.0.1',
        PROJECTOR_LOG_LEVEL: 'silent',
        PROJECTOR_STATE_HASH_INTERVAL_S: '0.1',
        PROJECTOR_METRICS_UPDATE_INTERVAL_S: '0.1',
        PROJECTOR_HEALTH_CHECK_INTERVAL_S: '0.1',
        PROJECTOR_STALL_SECONDS: '0.5',
      }),
    });
    await projector.start();
  });
  afterAll(() => projector?.close());

  const progressOf = async (task: string) =>
    (await projector.metrics.backgroundProgress.get()).values.find((v) => v.labels.task === task)!.value;

  it('the state-hash monitor hung on a locked lens table: 503 stalled for it alone, its gauge stops; ready again once it moves', async () => {
    expect((await projector.app.inject({ method: 'POST', url: '/events', payload: makeEvent(1, 'item.set', { id: 'a', value: 'v' }, { worldId: newWorld() }) })).statusCode).toBe(200);
    await vi.waitFor(async () => expect((await get(projector, '/ready')).status).toBe(200));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = db.sql.begin(async (tx) => {
      await tx.unsafe(`LOCK TABLE ${memoLens.schema}.item IN ACCESS EXCLUSIVE MODE`);
      locked();
      await released;
    });
    try {
      await isLocked;
      const stalled = await vi.waitFor(
        async () => {
          const { status, body } = await get(projector, '/ready');
          expect(status).toBe(503);
          return notReadyAnswerSchema.parse(body);
        },
        { timeout: 5_000, interval: 50 },
      );
      expect(stalled.reasons).toEqual([
        { check: 'stalled', task: 'state-hash-monitor', seconds_since_progress: expect.any(Number), message: expect.stringContaining('state-hash-monitor') },
      ]);
      const hung = await progressOf('state-hash-monitor');
      const pinged = await progressOf('health-check');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await progressOf('state-hash-monitor')).toBe(hung);
      expect(await progressOf('health-check')).toBeGreaterThan(pinged);
    } finally {
      release();
      await holder;
    }
    await vi.waitFor(async () => expect((await get(projector, '/ready')).status).toBe(200), { timeout: 5_000, interval: 50 });
  });
});
