import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Projector } from '../server/create-projector.js';
import { catchUp } from '../testing/fixtures/catchup.fixture.js';
import { logEvents, makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { testProjector } from '../testing/fixtures/projector.fixture.js';
import { startOtlpReceiver, useTestDatabase, type OtlpReceiver, type ReceivedSpan } from '../testing/index.js';
import { verifyPartition } from '../replay/verify-partition.js';
import { tracingOn } from './span.js';

const db = useTestDatabase({ prefix: 'sdk_tracing' });
let receiver: OtlpReceiver;
let projector: Projector;

beforeAll(async () => {
  receiver = await startOtlpReceiver({ keep: true });
  projector = await testProjector(db.url, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '20',
    OTEL_SERVICE_NAME: 'memo-traced',
    // Catch-up is driven by the test (catchUp), not by a background loop.
    PROJECTOR_CATCHUP_INTERVAL_S: '0',
  });
});
afterAll(async () => {
  await projector?.close();
  await receiver?.close();
});

const traceparent = () => {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, header: `00-${traceId}-${parentId}-01` };
};
const ofTrace = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);
const named = (spans: readonly ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
/** Whether `span` sits below `ancestor` in `spans`. */
const below = (spans: readonly ReceivedSpan[], span: ReceivedSpan, ancestor: ReceivedSpan): boolean => {
  for (let at = span; at.parentSpanId; ) {
    if (at.parentSpanId === ancestor.spanId) return true;
    const parent = spans.find((s) => s.spanId === at.parentSpanId);
    if (!parent) return false;
    at = parent;
  }
  return false;
};

describe('tracing, configured by OTEL_* variables, exported over OTLP/HTTP', () => {
  it('continues the traceparent of POST /events into the request, the apply and its SQL', async () => {
    expect(tracingOn()).toBe(true);
    const worldId = newWorld();
    const { traceId, parentId, header } = traceparent();
    const res = await projector.app.inject({ method: 'POST', url: '/events', payload: makeEvent(10, 'item.put', { id: 'a', value: 'one' }, { worldId }), headers: { traceparent: header } });
    expect(res.json()).toEqual({ status: 'processed', global_seq: 10 });

    await receiver.waitFor(() => ofTrace(traceId).some((s) => s.name === 'POST /events'));
    const spans = ofTrace(traceId);
    const [request] = named(spans, 'POST /events');
    expect(request).toMatchObject({ parentSpanId: parentId, kind: 2, attributes: { 'http.route': '/events', 'http.response.status_code': 200 } });
    expect(request!.resource).toMatchObject({ 'service.name': 'memo-traced', 'projector.name': projector.lens.projectorName });

    const [apply] = named(spans, 'projector.apply');
    expect(apply).toMatchObject({
      parentSpanId: request!.spanId,
      attributes: {
        'projector.partition.world_id': worldId,
        'projector.partition.branch': 'main',
        'projector.global_seq': 10,
        'projector.kind': 'item.put',
        'projector.outcome': 'processed',
        'projector.group.size': 1,
      },
    });
    const [commit] = named(spans, 'projector.commit');
    expect(commit).toMatchObject({ parentSpanId: apply!.spanId, attributes: { 'projector.group.size': 1 } });

    const db = spans.filter((s) => s.attributes['db.system.name'] === 'postgresql');
    expect(db.map((s) => s.name)).toEqual(expect.arrayContaining(['pg transaction', 'pg lock_partitions', 'pg read_partition_states', 'pg apply item.put', 'pg advance_watermarks']));
    for (const s of db) expect(below(spans, s, apply!), s.name).toBe(true);
    const [statement] = named(spans, 'pg apply item.put');
    expect(statement).toMatchObject({ kind: 3, attributes: { 'db.operation.name': 'apply', 'projector.events': 1 } });
    expect(statement!.attributes['db.query.text']).toMatch(/INSERT INTO \S+ \(world_id, branch, item_id, value\)/);
    // Parameterised: the values are never in a span.
    expect(statement!.attributes['db.query.text']).not.toContain('one');
  });

  it('one commit serves concurrent events: each apply span has the group size, the commit links them all', async () => {
    const worldId = newWorld();
    const sent = [20, 21, 22].map((seq) => ({ seq, ...traceparent() }));
    await Promise.all(
      sent.map(({ seq, header }) =>
        projector.app.inject({ method: 'POST', url: '/events', payload: makeEvent(seq, 'item.put', { id: `i${seq}`, value: 'v' }, { worldId: seq === 20 ? worldId : newWorld() }), headers: { traceparent: header } }),
      ),
    );
    await receiver.waitFor(() => sent.every(({ traceId }) => ofTrace(traceId).some((s) => s.name === 'projector.apply')));
    const applies = sent.map(({ traceId }) => named(ofTrace(traceId), 'projector.apply')[0]!);
    const sizes = applies.map((a) => a.attributes['projector.group.size'] as number);
    const commits = sent.flatMap(({ traceId }) => named(ofTrace(traceId), 'projector.commit'));
    // However the three fell into groups, every apply is a commit's child or one of its links.
    for (const apply of applies) {
      const commit = commits.find((c) => c.parentSpanId === apply.spanId || c.links.some((l) => l.spanId === apply.spanId));
      expect(commit, `the commit of ${apply.attributes['projector.global_seq']}`).toBeDefined();
      expect(commit!.attributes['projector.group.size']).toBe(apply.attributes['projector.group.size']);
      expect(commit!.links).toHaveLength((commit!.attributes['projector.group.size'] as number) - 1);
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3);
  });

  it('the batch route: one apply span with the batch size, a failure marked with its code', async () => {
    const worldId = newWorld();
    const { traceId, header } = traceparent();
    const events = [30, 31].map((seq) => makeEvent(seq, 'item.put', { id: `b${seq}`, value: 'v' }, { worldId }));
    expect((await projector.app.inject({ method: 'POST', url: '/events/batch', payload: { events }, headers: { traceparent: header } })).statusCode).toBe(200);
    const bad = traceparent();
    const crash = await projector.app.inject({ method: 'POST', url: '/events', payload: makeEvent(40, 'item.crash', {}, { worldId: newWorld() }), headers: { traceparent: bad.header } });
    expect(crash.statusCode).toBe(500);

    await receiver.waitFor(() => ofTrace(traceId).some((s) => s.name === 'POST /events/batch') && ofTrace(bad.traceId).some((s) => s.name === 'POST /events'));
    expect(named(ofTrace(traceId), 'projector.apply')[0]).toMatchObject({ attributes: { 'projector.batch.size': 2, 'projector.outcome': 'processed' } });
    const failed = ofTrace(bad.traceId);
    expect(named(failed, 'projector.apply')[0]).toMatchObject({ statusCode: 2, attributes: { 'projector.outcome': 'apply_failed', 'error.type': 'apply_failed' } });
    expect(named(failed, 'POST /events')[0]).toMatchObject({ statusCode: 2, attributes: { 'http.response.status_code': 500 } });
  });

  it('a catch-up pass and a replay get spans of their own, with their SQL below them', async () => {
    const worldId = newWorld();
    await logEvents(db.sql, [50, 51, 52].map((seq) => makeEvent(seq, 'item.put', { id: `c${seq}`, value: 'v' }, { worldId })));
    const report = await catchUp(projector);
    expect(report.events).toBeGreaterThanOrEqual(3);
    await verifyPartition(projector.sql, projector.lens, { worldId, branch: 'main' });

    await receiver.waitFor((spans) => spans.some((s) => s.name === 'projector.replay.partition' && s.attributes['projector.partition.world_id'] === worldId));
    const pass = receiver.spans.find((s) => s.name === 'projector.catchup.pass' && (s.attributes['projector.events'] as number) >= 3)!;
    expect(pass).toMatchObject({ parentSpanId: '', attributes: { 'projector.partitions_done': expect.any(Number) } });
    const passSpans = ofTrace(pass.traceId);
    const chunk = named(passSpans, 'projector.catchup.chunk').find((c) => (c.attributes['projector.events'] as number) > 0)!;
    expect(chunk.parentSpanId).toBe(pass.spanId);
    expect(named(passSpans, 'pg apply item.put').some((s) => below(passSpans, s, chunk))).toBe(true);

    const replay = receiver.spans.find((s) => s.name === 'projector.replay.partition' && s.attributes['projector.partition.world_id'] === worldId)!;
    expect(replay.attributes).toMatchObject({ 'projector.events': 3, 'projector.replay.equal': true });
    expect(ofTrace(replay.traceId).some((s) => s.name === 'pg apply item.put' && below(ofTrace(replay.traceId), s, replay))).toBe(true);
  });

  it('probes and scrapes are not traced', async () => {
    const before = receiver.spans.length;
    await projector.app.inject({ method: 'GET', url: '/health' });
    await projector.app.inject({ method: 'GET', url: '/metrics' });
    const { traceId, header } = traceparent();
    await projector.app.inject({ method: 'GET', url: '/state-hash', headers: { traceparent: header } });
    await receiver.waitFor(() => ofTrace(traceId).length > 0);
    expect(receiver.spans.slice(before).filter((s) => s.attributes['http.route'] === '/health' || s.attributes['http.route'] === '/metrics')).toEqual([]);
  });
});
