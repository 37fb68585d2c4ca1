import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordStateHashes, updateLagMetrics } from '../../background/tasks.js';
import { parseConfig } from '../../config/config.js';
import { createProjector, type Projector } from '../../server/create-projector.js';
import { makeEvent, newWorld } from '../../testing/fixtures/events.fixture.js';
import { memoLens } from '../../testing/fixtures/memo-lens.fixture.js';
import { parsePrometheusText, sampleValue } from '../../testing/prometheus-text.js';
import { testProjector } from '../../testing/fixtures/projector.fixture.js';
import { useTestDatabase } from '../../testing/index.js';

const db = useTestDatabase({ prefix: 'sdk_read' });
let projector: Projector;

beforeAll(async () => {
  projector = await testProjector(db.url);
});
afterAll(() => projector.close());

const post = (p: Projector, payload: object, url = '/events') => p.app.inject({ method: 'POST', url, payload });
const get = (p: Projector, url: string, headers: Record<string, string> = {}) => p.app.inject({ method: 'GET', url, headers });

describe('GET /health and GET /ready', () => {
  it("/ready: 200 with the contract's fields; watermark_count counts this projector's partitions only", async () => {
    const before = (await get(projector, '/ready')).json().watermark_count as number;
    const [w1, w2] = [newWorld(), newWorld()];
    for (const [seq, worldId, branch] of [[1, w1, 'main'], [2, w1, 'feature'], [3, w2, 'main'], [4, w2, 'main']] as const) {
      expect((await post(projector, makeEvent(seq, 'item.set', { id: 'a', value: 'v' }, { worldId, branch }))).statusCode).toBe(200);
    }
    await db.sql`
      INSERT INTO event_core.projector_watermarks (projector_name, world_id, branch, last_processed_seq, updated_at)
      VALUES ('projector_other', ${newWorld()}, 'main', 9, now())`;

    const res = await get(projector, '/ready');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({
      service: 'projector-memo',
      status: 'ready',
      projector_name: 'projector_memo',
      lens: 'memo',
      watermark_count: before + 3,
      blocked_partitions: 0,
    });
  });

  it("/health: 200 with the process's own view (no database: see the unreachable one below)", async () => {
    const res = await get(projector, '/health');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      service: 'projector-memo',
      status: 'healthy',
      projector_name: 'projector_memo',
      lens: 'memo',
      uptime_seconds: expect.any(Number),
      shutting_down: false,
      catching_up: false,
      catchup: { partitions_behind: 0, events_applied: 0, last_pass_at: null },
    });
    expect(body.uptime_seconds).toBeGreaterThan(0);
  });
});

describe('a projector whose database cannot be reached', () => {
  let down: Projector;
  beforeAll(async () => {
    // createProjector does not connect eagerly, so this succeeds with nothing listening on port 1.
    down = await createProjector({
      lens: memoLens,
      config: parseConfig({
        PROJECTOR_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x',
        PROJECTOR_MAX_RETRY_ATTEMPTS: '1',
        PROJECTOR_ERROR_BACKOFF_SECONDS: '0.05',
        PROJECTOR_LOG_LEVEL: 'silent',
      }),
    });
  });
  afterAll(() => down?.close());

  it('GET /ready: 503 not_ready with the database as the reason, still naming the projector; /health stays 200', async () => {
    const res = await get(down, '/ready');
    expect(res.statusCode).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const body = res.json();
    expect(body).toMatchObject({ service: 'projector-memo', status: 'not_ready', projector_name: 'projector_memo', lens: 'memo' });
    expect(body.reasons).toEqual([{ check: 'database', message: expect.stringMatching(/./) }]);
    expect(body).not.toHaveProperty('watermark_count');
    // Liveness: restarting the process would not bring the database back.
    expect((await get(down, '/health')).statusCode).toBe(200);
  });

  it('POST /events and /events/batch: 503 unavailable with Retry-After; nothing else breaks', async () => {
    const worldId = newWorld();
    const event = makeEvent(1, 'item.set', { id: 'a', value: 'v' }, { worldId });
    for (const [url, payload] of [['/events', event], ['/events/batch', { events: [event] }]] as const) {
      const res = await post(down, payload, url);
      expect(res.statusCode, url).toBe(503);
      expect(res.json(), url).toMatchObject({ error: 'unavailable' });
      expect(res.json().message, url).toEqual(expect.any(String));
      expect(Number(res.headers['retry-after']), url).toBeGreaterThanOrEqual(1);
    }
    // What needs no database keeps answering.
    const invalid = await post(down, { ...event, global_seq: 0 });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error).toBe('invalid_event');
    const metrics = await get(down, '/metrics');
    expect(metrics.statusCode).toBe(200);
    const families = parsePrometheusText(metrics.body);
    expect(sampleValue(families, 'projector_events_failed_total', { projector: 'projector_memo', reason: 'unavailable' })).toBe(2);
    // Every refused write counts, also those refused before the database is asked.
    expect(sampleValue(families, 'projector_events_failed_total', { projector: 'projector_memo', reason: 'invalid_event' })).toBe(1);
    expect((await get(down, '/openapi.json')).statusCode).toBe(200);
    expect((await get(down, '/ready')).statusCode).toBe(503);
  });

  it('read routes that need the database answer 503 unavailable, not 500', async () => {
    for (const url of [`/state-hash?world_id=${newWorld()}&branch=main`]) {
      const res = await get(down, url);
      expect(res.statusCode, url).toBe(503);
      expect(res.json().error, url).toBe('unavailable');
      expect(Number(res.headers['retry-after']), url).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('GET /metrics', () => {
  let fresh: Projector;
  const worldId = newWorld();
  const labels = { projector: 'projector_memo', world_id: worldId, branch: 'main' };

  beforeAll(async () => {
    // Its own projector, so its own registry: the counters below count exactly what this block sent.
    fresh = await testProjector(db.url);
    expect((await post(fresh, makeEvent(10, 'item.set', { id: 'm', value: 'v' }, { worldId }))).json().status).toBe('processed');
    expect((await post(fresh, makeEvent(11, 'item.set', { id: 'm' }, { worldId }))).json().error).toBe('invalid_payload');
    expect((await post(fresh, makeEvent(12, 'no.handler', {}, { worldId }))).json().status).toBe('ignored');
    // An unapplied event in the log, an hour old, so the lag gauge has something to say.
    await db.sql`
      INSERT INTO event_core.event_log (global_seq, event_id, world_id, branch, kind, envelope, received_at)
      VALUES (13, 'ev-13', ${worldId}, 'main', 'item.set', '{}'::jsonb, now() - interval '1 hour')`;
    const deps = { sql: fresh.sql, lens: fresh.lens, config: fresh.config, metrics: fresh.metrics, log: fresh.log };
    await updateLagMetrics(deps);
    await recordStateHashes(deps);
  });
  afterAll(() => fresh?.close());

  it('is valid Prometheus text with every series the contract names, with the right labels', async () => {
    const res = await get(fresh, '/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(res.body);

    const types = Object.fromEntries([...families.values()].map((f) => [f.name, f.type]));
    expect(types).toMatchObject({
      projector_events_processed_total: 'counter',
      projector_events_failed_total: 'counter',
      projector_event_duration_seconds: 'histogram',
      projector_watermark: 'gauge',
      projector_lag_seconds: 'gauge',
      projector_state_hash: 'gauge',
      // The process defaults.
      process_cpu_user_seconds_total: 'counter',
      process_resident_memory_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
    });
    for (const family of families.values()) expect(family.help, family.name).toBeTruthy();

    const processed = families.get('projector_events_processed_total')!.samples;
    expect(processed.map((s) => [s.labels, s.value])).toEqual(
      expect.arrayContaining([
        [{ projector: 'projector_memo', kind: 'item.set' }, 1],
        // Not a kind of the lens: one shared label value, whatever the client sent.
        [{ projector: 'projector_memo', kind: 'other' }, 1],
      ]),
    );
    expect(processed).toHaveLength(2);
    expect(families.get('projector_events_failed_total')!.samples.map((s) => [s.labels, s.value])).toEqual([
      [{ projector: 'projector_memo', reason: 'invalid_payload' }, 1],
    ]);
    const duration = { projector: 'projector_memo', kind: 'item.set' };
    expect(sampleValue(families, 'projector_event_duration_seconds_count', duration)).toBe(1);
    expect(sampleValue(families, 'projector_event_duration_seconds_bucket', { ...duration, le: '+Inf' })).toBe(1);
    expect(sampleValue(families, 'projector_event_duration_seconds_sum', duration)).toBeGreaterThan(0);

    expect(sampleValue(families, 'projector_watermark', labels)).toBe(12);
    expect(sampleValue(families, 'projector_lag_seconds', labels)).toBeGreaterThanOrEqual(3590);
    const { state_hash } = (await get(fresh, `/state-hash?world_id=${worldId}&branch=main`)).json();
    expect(sampleValue(families, 'projector_state_hash', labels)).toBe(Number(BigInt(`0x${state_hash.slice(0, 13)}`)));
  });

  it.runIf(hasPromtool())('passes promtool check metrics', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'metrics-'));
    try {
      const file = path.join(dir, 'metrics.txt');
      await writeFile(file, (await get(fresh, '/metrics')).body);
      const run = promisify(execFile);
      const result = await run('sh', ['-c', `promtool check metrics < "${file}"`]).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => err,
      );
      // Exit 3 is lint problems only (1 would be a parse error). prom-client's own default gauges
      // nodejs_active_*_total break the "_total only on counters" rule, and are not ours to rename:
      // any other complaint fails.
      const problems = result.stderr.split('\n').filter(Boolean);
      expect([0, 3], result.stderr).toContain(result.code);
      expect(problems.filter((line) => !/^nodejs_active_\w+_total non-counter metrics should not have "_total" suffix$/.test(line))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("Accept: application/json gives the contract's JSON view", async () => {
    const res = await get(fresh, '/metrics', { accept: 'application/json' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['last_activity', 'lens', 'projector_name', 'watermark_count', 'watermarks']);
    expect(body).toMatchObject({ projector_name: 'projector_memo', lens: 'memo' });
    expect(body.watermark_count).toBe(body.watermarks.length);
    const [row] = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM event_core.projector_watermarks WHERE projector_name = 'projector_memo'`;
    expect(body.watermark_count).toBe(row!.n);
    const mine = body.watermarks.find((w: { world_id: string }) => w.world_id === worldId);
    expect(mine).toEqual({ world_id: worldId, branch: 'main', last_processed_seq: 12, updated_at: expect.any(String) });
    expect(new Date(mine.updated_at).toISOString()).toBe(mine.updated_at);
    const latest = Math.max(...body.watermarks.map((w: { updated_at: string }) => Date.parse(w.updated_at)));
    expect(Date.parse(body.last_activity)).toBe(latest);
  });
});

describe('GET /state-hash', () => {
  const stateHash = (worldId: string, branch = 'main') => get(projector, `/state-hash?world_id=${worldId}&branch=${branch}`);

  it('gives world_id, branch, watermark and state_hash; changes with the rows, not with a duplicate', async () => {
    const worldId = newWorld();
    const empty = await stateHash(worldId);
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual({ world_id: worldId, branch: 'main', watermark: 0, state_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const first = makeEvent(100, 'item.set', { id: 'a', value: 'one' }, { worldId });
    await post(projector, first);
    const afterFirst = (await stateHash(worldId)).json();
    expect(afterFirst.watermark).toBe(100);
    expect(afterFirst.state_hash).not.toBe(empty.json().state_hash);

    expect((await post(projector, first)).json().status).toBe('duplicate');
    expect((await stateHash(worldId)).json()).toEqual(afterFirst);

    // An ignored kind moves the watermark, but the rows, and so the hash, stay.
    await post(projector, makeEvent(101, 'no.handler', {}, { worldId }));
    expect((await stateHash(worldId)).json()).toEqual({ ...afterFirst, watermark: 101 });

    await post(projector, makeEvent(102, 'item.set', { id: 'a', value: 'two' }, { worldId }));
    const afterChange = (await stateHash(worldId)).json();
    expect(afterChange.watermark).toBe(102);
    expect(afterChange.state_hash).not.toBe(afterFirst.state_hash);

    // Another branch of the same world is another partition.
    expect((await stateHash(worldId, 'other')).json()).toMatchObject({ branch: 'other', watermark: 0 });
  });

  it('reads an upper-case world_id as the same partition', async () => {
    const worldId = newWorld();
    await post(projector, makeEvent(200, 'item.set', { id: 'a', value: 'v' }, { worldId }));
    const lower = (await stateHash(worldId)).json();
    expect((await stateHash(worldId.toUpperCase())).json()).toEqual(lower);
  });

  it.each([
    ['no query', ''],
    ['world_id missing', '?branch=main'],
    ['branch missing', `?world_id=${newWorld()}`],
    ['empty branch', `?world_id=${newWorld()}&branch=`],
    ['world_id not a UUID', '?world_id=w1&branch=main'],
  ])('400 for a bad query: %s', async (_name, query) => {
    const res = await get(projector, `/state-hash${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  });
});

describe('API documentation', () => {
  it('GET /openapi.json is an OpenAPI 3 document with /events and /events/batch', async () => {
    const res = await get(projector, '/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: 'projector-memo', version: expect.any(String) });
    expect(doc.paths['/events']).toHaveProperty('post');
    expect(doc.paths['/events/batch']).toHaveProperty('post');
    expect(doc.paths['/events'].post.requestBody.content['application/json'].schema).toBeTypeOf('object');
    expect(Object.keys(doc.paths['/events'].post.responses)).toEqual(expect.arrayContaining(['200', '400', '503']));
  });

  it('GET /docs answers, directly or through a redirect to the UI', async () => {
    let res = await get(projector, '/docs');
    for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 3; hops++) {
      const next = new URL(res.headers.location as string, 'http://localhost/docs');
      res = await get(projector, `${next.pathname}${next.search}`);
    }
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toMatch(/swagger/i);
  });
});

function hasPromtool(): boolean {
  return (process.env['PATH'] ?? '').split(path.delimiter).some((dir) => {
    try {
      return statSync(path.join(dir, 'promtool')).isFile();
    } catch {
      return false;
    }
  });
}
