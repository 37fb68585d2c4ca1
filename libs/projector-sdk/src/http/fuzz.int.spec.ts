import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Projector } from '../server/create-projector.js';
import { makeEvent, newWorld, type TestEvent } from '../testing/fixtures/events.fixture.js';
import { testProjector } from '../testing/fixtures/projector.fixture.js';
import { useTestDatabase } from '../testing/index.js';

// A database of its own: after every property nothing at all may have been written to it.
const db = useTestDatabase({ prefix: 'sdk_fuzz' });
let projector: Projector;

beforeAll(async () => {
  projector = await testProjector(db.url);
});
afterAll(() => projector.close());

const RUNS = 200;
const ROUTES = ['/events', '/events/batch'] as const;
const ANSWERED_ERRORS = new Set(['invalid_event', 'payload_hash_mismatch', 'invalid_payload', 'payload_too_large']);

const send = (url: string, body: string | Buffer) =>
  projector.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/json' } });

/** The request was refused the contract's way: a 4xx in the JSON shape, never a 500. Returns the error code. */
async function expectRefused(url: string, body: string | Buffer): Promise<string> {
  const res = await send(url, body);
  const where = `${url} ${String(body).slice(0, 300)} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
  expect(res.statusCode, where).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, where).toBeLessThan(500);
  const { error } = res.json();
  expect(ANSWERED_ERRORS.has(error), where).toBe(true);
  return error;
}

async function expectNothingWritten(): Promise<void> {
  const [counts] = await db.sql<{ watermarks: number; items: number; applied: number }[]>`
    SELECT (SELECT count(*)::int FROM event_core.projector_watermarks) AS watermarks,
           (SELECT count(*)::int FROM lens_memo.item) AS items,
           (SELECT count(*)::int FROM lens_memo.applied) AS applied`;
  expect(counts).toEqual({ watermarks: 0, items: 0, applied: 0 });
}

const worldId = newWorld();
const valid = (seq = 1): TestEvent =>
  makeEvent(seq, 'item.set', { id: 'a', value: 'grüße ✓', amount: 3 }, { worldId }, { occurredAt: '2026-11-01T10:00:00.5+01:00' });

/** Both routes' bodies for one event-shaped value. */
const bodiesOf = (event: unknown) => [
  ['/events', JSON.stringify(event)],
  ['/events/batch', JSON.stringify({ events: [event] })],
  // A good event beside the bad one: all or nothing, so still nothing.
  ['/events/batch', JSON.stringify({ events: [valid(1), event] })],
] as const;

describe('random bodies never get a 500 and never write', () => {
  it('arbitrary JSON values, bare and as a batch', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        for (const url of ROUTES) await expectRefused(url, JSON.stringify(value));
        await expectRefused('/events/batch', JSON.stringify({ events: Array.isArray(value) ? value : [value] }));
      }),
      { numRuns: RUNS },
    );
    await expectNothingWritten();
  });

  it('random strings, as text and as raw bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          // Mostly JSON punctuation: strings that get further into the parser before they fail.
          fc.string({ unit: fc.constantFrom(...'{}[]":,\\1e-. nul') }),
        ),
        fc.uint8Array({ maxLength: 64 }),
        async (text, bytes) => {
          for (const url of ROUTES) {
            await expectRefused(url, text);
            await expectRefused(url, Buffer.from(bytes));
          }
        },
      ),
      { numRuns: RUNS },
    );
    await expectNothingWritten();
  });

  it('every truncation of a valid body, cut at every byte (mid-UTF-8 too)', async () => {
    for (const [url, body] of bodiesOf(valid(1)).slice(0, 2)) {
      const bytes = Buffer.from(body, 'utf8');
      expect(bytes.length).toBeGreaterThan(body.length); // the body holds multi-byte characters
      for (let length = 0; length < bytes.length; length++) await expectRefused(url, bytes.subarray(0, length));
    }
    await expectNothingWritten();
  });

  it('valid events with a field replaced by random JSON or removed', async () => {
    const base = valid(2);
    type Mutation = { path: readonly string[]; value: unknown } | { path: readonly string[]; remove: true };

    // Replacements that would still be a valid value are left out: the event would then be good.
    const notPositiveSafeInt = fc.jsonValue().filter((v) => !(Number.isSafeInteger(v) && (v as number) >= 1));
    const notNonEmptyString = fc.jsonValue().filter((v) => !(typeof v === 'string' && v.length > 0));
    const notAHash = fc.jsonValue().filter((v) => v !== null && !(typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)));
    // Inside the envelope any change is caught by the payload hash, so any different value will do.
    const envelopePaths = [
      ['envelope'],
      ...['world_id', 'branch', 'kind', 'payload', 'occurred_at', 'event_id', 'extra'].map((k) => ['envelope', k]),
      ...['id', 'value', 'amount', 'extra'].map((k) => ['envelope', 'payload', k]),
    ];
    // Removing payload_hash, or a field that is not there, would leave a good event.
    const removable = [['global_seq'], ['event_id'], ...envelopePaths.filter((p) => p.at(-1) !== 'extra')];
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      notPositiveSafeInt.map((value) => ({ path: ['global_seq'], value })),
      notNonEmptyString.map((value) => ({ path: ['event_id'], value })),
      notAHash.map((value) => ({ path: ['payload_hash'], value })),
      fc.record({ path: fc.constantFrom(...envelopePaths), value: fc.jsonValue() }),
      fc.record({ path: fc.constantFrom(...removable), remove: fc.constant(true as const) }),
    );

    const apply = (m: Mutation): unknown => {
      const event = structuredClone(base) as unknown as Record<string, unknown>;
      let node = event;
      for (const key of m.path.slice(0, -1)) node = node[key] as Record<string, unknown>;
      const last = m.path.at(-1)!;
      if ('remove' in m) delete node[last];
      else node[last] = m.value;
      return event;
    };

    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        mutation.filter((m) => JSON.stringify(apply(m)) !== JSON.stringify(base)),
        async (m) => {
          for (const [url, body] of bodiesOf(apply(m))) seen.add(await expectRefused(url, body));
        },
      ),
      { numRuns: RUNS },
    );
    await expectNothingWritten();
    // Both gates were reached: the schema, and behind it the payload hash.
    expect([...seen].sort()).toEqual(['invalid_event', 'payload_hash_mismatch']);
  });

  it('nesting far too deep, at the top and inside a payload', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const body = JSON.stringify(valid(4));
    for (const url of ROUTES) {
      expect(await expectRefused(url, deep(200_000))).toBe('invalid_event');
      expect(await expectRefused(url, body.replace('"payload":{', `"payload":{"deep":${deep(5_000)},`))).toBe('invalid_event');
    }
    await expectNothingWritten();
  });

  it('the unmutated event is accepted: the properties above test refusals, not a broken fixture', async () => {
    const res = await send('/events', JSON.stringify(valid(3)));
    expect(res.json()).toEqual({ status: 'processed', global_seq: 3 });
    await db.sql`DELETE FROM event_core.projector_watermarks`;
    await db.sql`DELETE FROM lens_memo.item`;
    await db.sql`DELETE FROM lens_memo.applied`;
  });
});
