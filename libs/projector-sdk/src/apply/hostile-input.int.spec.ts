import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectorError } from '../errors/projector-error.js';
import { defineLens, statement } from '../lens/define-lens.js';
import type { Projector } from '../server/create-projector.js';
import { logEvents, makeEvent, newWorld, type TestEvent } from '../testing/fixtures/events.fixture.js';
import { partitionRows, testProjector } from '../testing/fixtures/projector.fixture.js';
import { useTestDatabase } from '../testing/index.js';

/**
 * Input a hostile or unlucky client sends, and rows of the log the gateway got wrong: each is
 * refused as its own event's fault (400, with the event named), never a 500, never an innocent
 * event failed beside it.
 */
const db = useTestDatabase({ prefix: 'sdk_hostile' });
let projector: Projector;

beforeAll(async () => {
  projector = await testProjector(db.url);
});
afterAll(() => projector.close());

const post = (event: object) => projector.app.inject({ method: 'POST', url: '/events', payload: event });
const postBatch = (events: object[]) => projector.app.inject({ method: 'POST', url: '/events/batch', payload: { events } });
const withEnvelope = (event: TestEvent, fields: Record<string, unknown>) => ({
  ...event,
  payload_hash: undefined,
  envelope: { ...event.envelope, ...fields },
});
const nothingWritten = { watermark: null, items: [], applied: [] };
/** global_seq is unique in the whole log: each test that logs events takes seqs of its own. */
let lastSeq = 10_000;
const seqs = (n: number) => Array.from({ length: n }, () => ++lastSeq);

describe('group commit: a bad neighbour fails only itself', () => {
  it.each([
    ['NUL in its branch (refused by the schema)', (e: TestEvent) => withEnvelope(e, { branch: 'a\u0000b' }), 'invalid_event'],
    ['an id too large for a btree (refused by PostgreSQL, 54000)', (e: TestEvent) => withEnvelope(e, { payload: { id: randomBytes(1500).toString('hex'), value: 'v' } }), 'invalid_payload'],
    ['an integer out of range (refused by PostgreSQL, 22003)', (e: TestEvent) => withEnvelope(e, { payload: { id: 'a', value: 'v', amount: 2 ** 40 } }), 'invalid_payload'],
  ])('%s: 29 valid events sent with it are all processed, five rounds', async (_name, spoil, error) => {
    for (let round = 0; round < 5; round++) {
      const worlds = Array.from({ length: 30 }, newWorld);
      const events = worlds.map((worldId, i) => {
        const event = makeEvent(1, 'item.set', { id: 'a', value: String(i) }, { worldId });
        return i === 7 ? spoil(event) : event;
      });
      const answers = await Promise.all(events.map(post));
      answers.forEach((res, i: number) => {
        if (i === 7) expect(res.json()).toMatchObject({ error });
        else expect(res.json()).toEqual({ status: 'processed', global_seq: 1 });
      });
      expect(await partitionRows(projector, worlds[7]!)).toEqual(nothingWritten);
      expect((await partitionRows(projector, worlds[0]!)).watermark).toBe(1);
    }
  });
});

describe('the envelope holds only what PostgreSQL can store and index: 400 invalid_event, nothing written', () => {
  const lone = ['\ud800', '\udc00', 'a\ud83d', '\ude00b'];
  it.each<[string, Record<string, unknown>]>([
    ...lone.map((s): [string, Record<string, unknown>] => [`a lone surrogate ${JSON.stringify(s)} in branch`, { branch: s }]),
    ...lone.map((s): [string, Record<string, unknown>] => [`a lone surrogate ${JSON.stringify(s)} in a payload id`, { payload: { id: s, value: 'v' } }]),
    ['NUL in kind', { kind: 'item.set\u0000' }],
    ['NUL in a payload key', { payload: { id: 'a', value: 'v', 'k\u0000': 1 } }],
    ['NUL deep in an extra envelope field', { meta: [{ deep: ['x\u0000'] }] }],
    ['a 3,000-byte branch', { branch: 'b'.repeat(3000) }],
    ['a 257-byte kind', { kind: 'k'.repeat(257) }],
    ['a branch of 65 four-byte characters (260 bytes)', { branch: '😀'.repeat(65) }],
  ])('%s', async (_name, fields) => {
    const worldId = newWorld();
    const res = await post(withEnvelope(makeEvent(1, 'item.set', { id: 'a', value: 'v' }, { worldId }), fields));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_event');
    expect(res.json().issues.length).toBeGreaterThan(0);
    expect(await partitionRows(projector, worldId, typeof fields.branch === 'string' ? fields.branch.replaceAll('\u0000', '') : 'main')).toEqual(nothingWritten);
  });

  it('a valid surrogate pair, and an identifier of exactly 256 bytes, are accepted', async () => {
    const worldId = newWorld();
    const branch = `${'😀'.repeat(63)}abcd`; // 63 * 4 + 4 = 256 bytes
    const res = await post(makeEvent(1, 'item.set', { id: '😀', value: 'v' }, { worldId, branch }));
    expect(res.json()).toEqual({ status: 'processed', global_seq: 1 });
    expect((await partitionRows(projector, worldId, branch)).items).toEqual([{ item_id: '😀', value: 'v', amount: null }]);
  });

  it('ids "\\ud800" and "\\udc00" never become the same row', async () => {
    const worldId = newWorld();
    for (const [seq, id] of [[1, '\ud800'], [2, '\udc00']] as const) {
      expect((await post(withEnvelope(makeEvent(seq, 'item.set', { id, value: 'v' }, { worldId }), {}))).statusCode).toBe(400);
    }
    expect(await partitionRows(projector, worldId)).toEqual(nothingWritten);
  });

  it('in a batch, the refusal names the index of the bad event', async () => {
    const worldId = newWorld();
    const res = await postBatch([
      makeEvent(1, 'item.set', { id: 'a', value: 'v' }, { worldId }),
      withEnvelope(makeEvent(2, 'item.set', { id: 'b', value: 'v' }, { worldId }), { payload: { id: 'b\u0000', value: 'v' } }),
    ]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_event', index: 1 });
    expect(await partitionRows(projector, worldId)).toEqual(nothingWritten);
  });
});

describe('kinds named like what every object inherits are kinds without a handler', () => {
  const inherited = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

  it('delivered one by one: 200 ignored, the watermark moves', async () => {
    const worldId = newWorld();
    for (const [i, kind] of inherited.entries()) {
      const res = await post(makeEvent(i + 1, kind, {}, { worldId }));
      expect(res.json()).toEqual({ status: 'ignored', global_seq: i + 1 });
    }
    expect((await partitionRows(projector, worldId)).watermark).toBe(inherited.length);
  });

  it('in a batch and filled from the log: ignored, never a 500', async () => {
    const worldId = newWorld();
    const [first, ...rest] = seqs(inherited.length + 1) as [number, ...number[]];
    const events = inherited.map((kind, i) => makeEvent(first + i, kind, {}, { worldId }));
    const batch = await postBatch(events.slice(0, 3));
    expect(batch.json().results.map((r: { status: string }) => r.status)).toEqual(['ignored', 'ignored', 'ignored']);
    await logEvents(db.sql, events.slice(3));
    const lastSeq = rest.at(-1)!;
    expect((await post(makeEvent(lastSeq, 'item.set', { id: 'a', value: 'v' }, { worldId }))).json()).toEqual({ status: 'processed', global_seq: lastSeq });
    expect((await partitionRows(projector, worldId)).applied).toEqual([lastSeq]);
  });
});

describe('a logged gap event that fails is named as the one that failed (gap_global_seq), never the delivered one', () => {
  /** A log row as the gateway might have got it wrong: any JSON as the envelope. */
  const logRaw = (seq: number, worldId: string, envelope: unknown) => db.sql`
    INSERT INTO event_core.event_log (global_seq, event_id, world_id, branch, kind, envelope)
    VALUES (${seq}, ${`raw-${seq}`}, ${worldId}, 'main', 'item.set', ${JSON.stringify(envelope)}::jsonb)`;

  /** Logs a spoilt event of a new partition, then delivers a valid one right after it. */
  const deliverAfterLogged = async (target: Projector, bad: (e: TestEvent) => object) => {
    const worldId = newWorld();
    const [gap, delivered] = seqs(2) as [number, number];
    await logRaw(gap, worldId, (bad(makeEvent(gap, 'item.set', { id: 'a', value: 'v' }, { worldId })) as TestEvent).envelope);
    const res = await target.app.inject({ method: 'POST', url: '/events', payload: makeEvent(delivered, 'item.put', { id: 'b', value: 'v' }, { worldId }) });
    return { res, worldId, gap, delivered };
  };

  it.each([
    ['a time PostgreSQL rejects (year 0000)', (e: TestEvent) => withEnvelope(e, { occurred_at: '0000-01-01T00:00:00+00:00' })],
    ['a payload the lens schema rejects', (e: TestEvent) => withEnvelope(e, { payload: { id: 'a' } })],
    ['an integer out of range', (e: TestEvent) => withEnvelope(e, { payload: { id: 'a', value: 'v', amount: 2 ** 40 } })],
  ])('%s: 400 invalid_payload with gap_global_seq, nothing written', async (_name, bad) => {
    const { res, worldId, gap, delivered } = await deliverAfterLogged(projector, bad);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_payload', global_seq: delivered, gap_global_seq: gap });
    expect(res.json().message).toMatch(new RegExp(`^gap event ${gap} from the log`));
    expect(await partitionRows(projector, worldId)).toEqual(nothingWritten);
  });

  it('a logged envelope that is JSON null, or not an envelope: 400 with gap_global_seq, not a 500', async () => {
    for (const envelope of [null, 'text', { kind: 'item.set' }, { world_id: newWorld(), branch: 'main', kind: 'item.set', payload: [] }]) {
      const worldId = newWorld();
      const [gap, delivered] = seqs(2) as [number, number];
      await logRaw(gap, worldId, envelope);
      const res = await post(makeEvent(delivered, 'item.set', { id: 'a', value: 'v' }, { worldId }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_payload', global_seq: delivered, gap_global_seq: gap });
      expect(await partitionRows(projector, worldId)).toEqual(nothingWritten);
    }
  });

  it('in a batch: index and global_seq of the delivery, gap_global_seq of the logged event', async () => {
    const worldId = newWorld();
    const events = seqs(3).map((seq) => makeEvent(seq, 'item.set', { id: `i${seq}`, value: 'v' }, { worldId }));
    await logEvents(db.sql, [{ ...events[1]!, envelope: { ...events[1]!.envelope, payload: { id: 'x' } } }]);
    const res = await postBatch([events[0]!, events[2]!]);
    expect(res.json()).toMatchObject({ error: 'invalid_payload', index: 1, global_seq: events[2]!.global_seq, gap_global_seq: events[1]!.global_seq });
  });

  it('a statement() handler that refuses synchronously is blamed on the logged event too', async () => {
    const strictLens = defineLens({
      name: 'strict',
      migrations: [{ id: '0001', sql: 'CREATE TABLE t (world_id uuid, branch text, n int, PRIMARY KEY (world_id, branch, n))' }],
      handlers: {
        'n.put': statement(z.object({ n: z.number().int() }), ['t'], ({ sql, tables, payload, partition }) => {
          if (payload.n < 0) throw new ProjectorError('invalid_payload', 'negative n');
          return sql`INSERT INTO ${tables.t} VALUES (${partition.worldId}, ${partition.branch}, ${payload.n})`;
        }),
      },
      snapshot: { t: { table: 't', columns: { n: 'integer' }, orderBy: ['n'] } },
    });
    const strict = await testProjector(db.url, {}, strictLens);
    try {
      const worldId = newWorld();
      const [gap, delivered] = seqs(2) as [number, number];
      await logEvents(db.sql, [makeEvent(gap, 'n.put', { n: -1 }, { worldId })]);
      const res = await strict.app.inject({ method: 'POST', url: '/events', payload: makeEvent(delivered, 'n.put', { n: 2 }, { worldId }) });
      expect(res.json()).toMatchObject({ error: 'invalid_payload', global_seq: delivered, gap_global_seq: gap, message: `gap event ${gap} from the log: negative n` });
    } finally {
      await strict.close();
    }
  });
});
