import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../testing/index.js';
import { logEvents, makeEvent, newWorld } from '../../testing/fixtures/events.fixture.js';
import { partitionRows, testProjector } from '../../testing/fixtures/projector.fixture.js';
import type { Projector } from '../../server/create-projector.js';

const db = useTestDatabase({ prefix: 'sdk_events' });
let projector: Projector;

beforeAll(async () => {
  projector = await testProjector(db.url);
});
afterAll(() => projector.close());

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  projector.app.inject({ method: 'POST', url: '/events', payload: payload as object, headers });

describe('POST /events: every answer of the contract', () => {
  it('200 processed: lens rows and watermark are written', async () => {
    const worldId = newWorld();
    const res = await post(makeEvent(10, 'item.set', { id: 'a', value: 'one' }, { worldId }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'processed', global_seq: 10 });
    const rows = await partitionRows(projector, worldId);
    expect(rows.watermark).toBe(10);
    expect(rows.items).toEqual([{ item_id: 'a', value: 'one', amount: null }]);
  });

  it('200 duplicate: a seq at or below the watermark writes nothing', async () => {
    const worldId = newWorld();
    await post(makeEvent(20, 'item.set', { id: 'a', value: 'first' }, { worldId }));
    const before = await partitionRows(projector, worldId);
    for (const seq of [20, 15]) {
      const res = await post(makeEvent(seq, 'item.set', { id: 'a', value: 'again' }, { worldId }));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'duplicate', global_seq: seq, watermark: 20 });
    }
    expect(await partitionRows(projector, worldId)).toEqual(before);
  });

  it('200 ignored: a kind without a handler moves only the watermark', async () => {
    const worldId = newWorld();
    const res = await post(makeEvent(30, 'unknown.kind', { anything: true }, { worldId }));
    expect(res.json()).toEqual({ status: 'ignored', global_seq: 30 });
    const rows = await partitionRows(projector, worldId);
    expect(rows).toEqual({ watermark: 30, items: [], applied: [] });
  });

  describe('400 invalid_event, nothing written', () => {
    const worldId = newWorld();
    const good = () => makeEvent(40, 'item.set', { id: 'a', value: 'v' }, { worldId });
    const cases: [string, () => unknown][] = [
      ['missing global_seq', () => ({ ...good(), global_seq: undefined })],
      ['global_seq 0', () => ({ ...good(), global_seq: 0 })],
      ['global_seq beyond 2^53', () => ({ ...good(), global_seq: 2 ** 53 + 2 })],
      ['global_seq as a string', () => ({ ...good(), global_seq: '40' })],
      ['empty event_id', () => ({ ...good(), event_id: '' })],
      ['world_id not a UUID', () => ({ ...good(), envelope: { ...good().envelope, world_id: 'w1' } })],
      ['empty branch', () => ({ ...good(), envelope: { ...good().envelope, branch: '' } })],
      ['payload not an object', () => ({ ...good(), envelope: { ...good().envelope, payload: [1] } })],
      ['payload_hash not hex', () => ({ ...good(), payload_hash: 'XYZ' })],
      ['an array body', () => [good()]],
    ];
    it.each(cases)('%s', async (_name, body) => {
      const res = await post(body());
      expect(res.statusCode).toBe(400);
      const answer = res.json();
      expect(answer.error).toBe('invalid_event');
      expect(answer.issues.length).toBeGreaterThan(0);
      expect(answer.issues[0]).toHaveProperty('path');
      expect(await partitionRows(projector, worldId)).toEqual({ watermark: null, items: [], applied: [] });
    });

    it('a body that is not JSON comes out in the same shape', async () => {
      const res = await projector.app.inject({
        method: 'POST',
        url: '/events',
        payload: '{"global_seq": 1,',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_event', issues: [] });
      expect(res.json().message).toMatch(/not valid JSON/);
    });

    it('a body that is not declared JSON is refused the same way', async () => {
      const res = await projector.app.inject({ method: 'POST', url: '/events', payload: 'hello', headers: { 'content-type': 'text/plain' } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_event');
    });
  });

  it('400 payload_hash_mismatch: nothing written; the right hash passes', async () => {
    const worldId = newWorld();
    const event = makeEvent(50, 'item.set', { id: 'a', value: 'v' }, { worldId });
    const tampered = { ...event, envelope: { ...event.envelope, payload: { id: 'a', value: 'w' } } };
    const res = await post(tampered);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('payload_hash_mismatch');
    expect(await partitionRows(projector, worldId)).toEqual({ watermark: null, items: [], applied: [] });
    expect((await post(event)).json()).toEqual({ status: 'processed', global_seq: 50 });
  });

  it('the hash ignores received_at and is computed from the body as sent (floats stay floats)', async () => {
    const worldId = newWorld();
    const event = makeEvent(55, 'unknown.kind', { x: 1.5 }, { worldId });
    const body = JSON.stringify({ ...event, envelope: { ...event.envelope, received_at: '2026-11-02T00:00:00Z' } });
    const asFloat = body.replace('"x":1.5', '"x":1.50');
    const res = await projector.app.inject({ method: 'POST', url: '/events', payload: asFloat, headers: { 'content-type': 'application/json' } });
    expect(res.json()).toEqual({ status: 'ignored', global_seq: 55 });
    const asInt = body.replace('"x":1.5', '"x":1').replace('"global_seq":55', '"global_seq":56');
    const mismatch = await projector.app.inject({ method: 'POST', url: '/events', payload: asInt, headers: { 'content-type': 'application/json' } });
    expect(mismatch.json().error).toBe('payload_hash_mismatch');
  });

  describe('400 invalid_payload, nothing written', () => {
    it.each([
      ['the lens schema rejects the payload', { id: 'a' }],
      ['the database rejects an id too large for its btree index (54000)', { id: randomBytes(1500).toString('hex'), value: 'v' }],
      ['the database rejects an integer out of range', { id: 'a', value: 'v', amount: 2 ** 40 }],
    ])('%s', async (_name, payload) => {
      const worldId = newWorld();
      const res = await post(makeEvent(60, 'item.set', payload, { worldId }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_payload', global_seq: 60 });
      expect(await partitionRows(projector, worldId)).toEqual({ watermark: null, items: [], applied: [] });
    });

    it('a bad occurred_at the database cannot read', async () => {
      const worldId = newWorld();
      const res = await post(makeEvent(61, 'item.set', { id: 'a', value: 'v' }, { worldId }, { occurredAt: '2026-13-45T99:00:00Z' }));
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_payload');
      expect(await partitionRows(projector, worldId)).toEqual({ watermark: null, items: [], applied: [] });
    });
  });

  it('500 apply_failed: a handler bug rolls everything back', async () => {
    const worldId = newWorld();
    const res = await post(makeEvent(70, 'item.crash', {}, { worldId }));
    expect(res.statusCode).toBe(500);
    // The handler's own message is for the log line; the answer names the request instead.
    const requestId = res.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json()).toEqual({ error: 'apply_failed', message: expect.not.stringContaining('handler bug'), global_seq: 70, request_id: requestId });
    expect(await partitionRows(projector, worldId)).toEqual({ watermark: null, items: [], applied: [] });
  });

  it('413 payload_too_large', async () => {
    const worldId = newWorld();
    const res = await post(makeEvent(80, 'item.set', { id: 'a', value: 'x'.repeat(1_100_000) }, { worldId }));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'payload_too_large' });
    expect(await partitionRows(projector, worldId)).toEqual({ watermark: null, items: [], applied: [] });
  });

  it('404 for an unknown route, in the same JSON shape', async () => {
    const res = await projector.app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('not_found');
  });
});

describe('gap filling', () => {
  it('applies logged events between the watermark and N first, in order; their delivery is then a duplicate', async () => {
    const worldId = newWorld();
    const events = [101, 103, 107, 110].map((seq) => makeEvent(seq, 'item.set', { id: `i${seq}`, value: `${seq}` }, { worldId }));
    await logEvents(db.sql, events);
    const res = await post(events[3]);
    expect(res.json()).toEqual({ status: 'processed', global_seq: 110 });
    const rows = await partitionRows(projector, worldId);
    expect(rows.applied).toEqual([101, 103, 107, 110]);
    expect(rows.watermark).toBe(110);
    expect((await post(events[1])).json()).toEqual({ status: 'duplicate', global_seq: 103, watermark: 110 });
  });

  it('409 out_of_order with PROJECTOR_GAP_POLICY=reject, nothing written', async () => {
    const rejecting = await testProjector(db.url, { PROJECTOR_GAP_POLICY: 'reject' });
    try {
      const worldId = newWorld();
      const events = [201, 205].map((seq) => makeEvent(seq, 'item.set', { id: `i${seq}`, value: 'v' }, { worldId }));
      await logEvents(db.sql, events);
      const res = await rejecting.app.inject({ method: 'POST', url: '/events', payload: events[1] });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: 'out_of_order', global_seq: 205, watermark: 0, missing_from: 201 });
      expect(await partitionRows(projector, worldId)).toEqual({ watermark: null, items: [], applied: [] });
      expect((await rejecting.app.inject({ method: 'POST', url: '/events', payload: events[0] })).json().status).toBe('processed');
      expect((await rejecting.app.inject({ method: 'POST', url: '/events', payload: events[1] })).json().status).toBe('processed');
    } finally {
      await rejecting.close();
    }
  });
});

describe('401 unauthorized when PROJECTOR_AUTH_TOKEN is set', () => {
  it('refuses a missing or wrong token and writes nothing; accepts the right one', async () => {
    const secured = await testProjector(db.url, { PROJECTOR_AUTH_TOKEN: 's3cret' });
    try {
      const worldId = newWorld();
      const event = makeEvent(300, 'item.set', { id: 'a', value: 'v' }, { worldId });
      const send = (headers: Record<string, string>) =>
        secured.app.inject({ method: 'POST', url: '/events', payload: event, headers });
      const refused: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: 's3cret' }];
      for (const headers of refused) {
        const res = await send(headers);
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ error: 'unauthorized' });
      }
      expect(await partitionRows(secured, worldId)).toEqual({ watermark: null, items: [], applied: [] });
      expect((await send({ authorization: 'Bearer s3cret' })).json().status).toBe('processed');
      expect((await secured.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      // Refused before the body is read: even a body that is not JSON gets 401, not 400.
      const early = await secured.app.inject({ method: 'POST', url: '/events', payload: '{', headers: { 'content-type': 'application/json' } });
      expect(early.statusCode).toBe(401);
    } finally {
      await secured.close();
    }
  });
});
