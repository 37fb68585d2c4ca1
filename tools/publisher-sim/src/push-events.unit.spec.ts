import { describe, expect, it } from 'vitest';
import type { HttpAnswer, Transport } from './http-transport.js';
import { partitionRequests, pushEvents, type SimEvent } from './push-events.js';

const W1 = '00000000-0000-4000-8000-000000000001';
const W2 = '00000000-0000-4000-8000-000000000002';
const event = (seq: number, world = W1, branch = 'main'): SimEvent => ({
  global_seq: seq,
  event_id: `e-${seq}`,
  envelope: { world_id: world, branch, kind: 'note.created', payload: { id: `n${seq}`, title: 't' } } as SimEvent['envelope'],
});

type Handler = (url: string, path: string, body: unknown) => HttpAnswer;

/** A fake projector: every request is recorded, `handle` answers. */
function fakeTransports(handle: Handler) {
  const calls: { url: string; path: string; body: unknown }[] = [];
  const transportFor = (url: string): Transport => ({
    post: async (path, body) => {
      const parsed: unknown = JSON.parse(body);
      calls.push({ url, path, body: parsed });
      await Promise.resolve();
      return handle(url, path, parsed);
    },
    close: async () => undefined,
  });
  return { calls, transportFor };
}

const ok = (status = 'processed'): HttpAnswer => ({ status: 200, body: JSON.stringify({ status, global_seq: 0 }) });
const noSleep = async () => undefined;

describe('partitionRequests', () => {
  it('groups by partition in order of first appearance and cuts batches', () => {
    const events = [event(1), event(2, W2), event(3), event(4, W1, 'draft'), event(5), event(6, W2)];
    const work = partitionRequests(events, 2);
    expect(work.map((w) => [w.key, w.requests.map((r) => r.map((e) => e.global_seq))])).toEqual([
      [`${W1}/main`, [[1, 3], [5]]],
      [`${W2}/main`, [[2, 6]]],
      [`${W1}/draft`, [[4]]],
    ]);
  });
});

describe('pushEvents', () => {
  it('posts single events to every URL and counts outcomes', async () => {
    const { calls, transportFor } = fakeTransports((_url, _path, body) => ok((body as SimEvent).global_seq === 2 ? 'duplicate' : 'processed'));
    const s = await pushEvents({ events: [event(1), event(2), event(3, W2)], urls: ['http://a', 'http://b'], concurrency: 8, batch: 0, transportFor, sleep: noSleep });
    expect(calls.filter((c) => c.url === 'http://a').map((c) => (c.body as SimEvent).global_seq).sort()).toEqual([1, 2, 3]);
    expect(calls.filter((c) => c.url === 'http://b')).toHaveLength(3);
    expect(calls.every((c) => c.path === '/events')).toBe(true);
    expect(s).toMatchObject({ events: 3, delivered: 6, requests: 6, retries: 0, parked: 0, errors: 0, partitions: 2, outcomes: { processed: 4, duplicate: 2 } });
    expect(s.perUrl.map((u) => u.delivered)).toEqual([3, 3]);
  });

  it('retries 503 and 409 and a lost connection, honouring Retry-After', async () => {
    const answers: HttpAnswer[] = [
      { status: 503, retryAfter: '1', body: '{"error":"unavailable"}' },
      { status: 409, body: '{"error":"out_of_order"}' },
      { status: 0, body: 'no answer' },
    ];
    const slept: number[] = [];
    const transportFor = (): Transport => ({
      post: async () => {
        const next = answers.shift();
        if (next?.status === 0) throw new Error('ECONNRESET');
        return next ?? ok();
      },
      close: async () => undefined,
    });
    const s = await pushEvents({ events: [event(1)], urls: ['http://a'], concurrency: 1, batch: 0, transportFor, sleep: async (ms) => void slept.push(ms), random: () => 0 });
    expect(slept[0]).toBe(1_000);
    expect(slept).toHaveLength(3);
    expect(s).toMatchObject({ delivered: 1, requests: 4, retries: 3, parked: 0, errors: 3, answers: { '0': 1, '200': 1, '409': 1, '503': 1 } });
  });

  it('parks a 4xx and goes on with the partition', async () => {
    const { calls, transportFor } = fakeTransports((_u, _p, body) =>
      (body as SimEvent).global_seq === 2 ? { status: 400, body: '{"error":"invalid_payload","message":"no"}' } : ok(),
    );
    const s = await pushEvents({ events: [event(1), event(2), event(3)], urls: ['http://a'], concurrency: 1, batch: 0, transportFor, sleep: noSleep });
    expect(calls).toHaveLength(3);
    expect(s).toMatchObject({ delivered: 2, parked: 1, retries: 0 });
    expect(s.parkedEvents[0]).toMatchObject({ global_seq: 2, status: 400, reason: 'HTTP 400 invalid_payload' });
  });

  it('parks the one event a batch answer names and sends the others again', async () => {
    const { calls, transportFor } = fakeTransports((_u, _p, body) => {
      const events = (body as { events: SimEvent[] }).events;
      const bad = events.findIndex((e) => e.global_seq === 3);
      if (bad >= 0) return { status: 400, body: JSON.stringify({ error: 'invalid_payload', index: bad, global_seq: 3 }) };
      return { status: 200, body: JSON.stringify({ status: 'processed', results: events.map((e) => ({ global_seq: e.global_seq, status: 'processed' })) }) };
    });
    const s = await pushEvents({ events: [1, 2, 3, 4, 5].map((n) => event(n)), urls: ['http://a'], concurrency: 2, batch: 4, transportFor, sleep: noSleep });
    expect(calls.map((c) => [c.path, (c.body as { events: SimEvent[] }).events.map((e) => e.global_seq)])).toEqual([
      ['/events/batch', [1, 2, 3, 4]],
      ['/events/batch', [1, 2, 4]],
      ['/events/batch', [5]],
    ]);
    expect(s).toMatchObject({ delivered: 4, parked: 1, requests: 3, outcomes: { processed: 4 } });
  });

  it('parks a whole batch when the answer names no event', async () => {
    const { transportFor } = fakeTransports(() => ({ status: 413, body: '{"error":"payload_too_large"}' }));
    const s = await pushEvents({ events: [1, 2, 3].map((n) => event(n)), urls: ['http://a'], concurrency: 1, batch: 10, transportFor, sleep: noSleep });
    expect(s).toMatchObject({ delivered: 0, parked: 3, requests: 1 });
  });

  it('parks after maxAttempts of retryable answers', async () => {
    const { calls, transportFor } = fakeTransports(() => ({ status: 500, body: '{"error":"apply_failed"}' }));
    const s = await pushEvents({
      events: [event(1)], urls: ['http://a'], concurrency: 1, batch: 0, transportFor, sleep: noSleep,
      policy: { baseMs: 1, capMs: 1, maxAttempts: 3 },
    });
    expect(calls).toHaveLength(3);
    expect(s).toMatchObject({ parked: 1, retries: 2 });
    expect(s.parkedEvents[0]!.reason).toMatch(/gave up after 3 attempts/);
  });
});
