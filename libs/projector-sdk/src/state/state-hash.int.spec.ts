import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Partition } from '../event/event.js';
import type { Tx } from '../lens/lens-types.js';
import type { Projector } from '../server/create-projector.js';
import { logEvents, makeEvent, newWorld, type TestEvent } from '../test-support/events.fixture.js';
import { testProjector } from '../test-support/projector.fixture.js';
import { createTestDatabase, useTestDatabase, type TestDatabase } from '../testing/index.js';
import { computeStateHash, hashSnapshot, snapshotText } from './state-hash.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Where two long texts part, with some context: a readable failure instead of a megabyte diff. */
function firstDifference(actual: string, expected: string) {
  if (actual === expected) return undefined;
  let at = 0;
  while (actual[at] === expected[at]) at++;
  return { at, actual: actual.slice(Math.max(0, at - 60), at + 60), expected: expected.slice(Math.max(0, at - 60), at + 60) };
}

const db = useTestDatabase({ prefix: 'sdk_state_hash' });
let projector: Projector;

beforeAll(async () => {
  projector = await testProjector(db.url);
});
afterAll(() => projector.close());

const inSnapshot = <T>(work: (tx: Tx) => Promise<T>) =>
  projector.sql.begin('isolation level repeatable read read only', work) as Promise<T>;
const textOf = (partition: Partition) => inSnapshot<string>((tx) => snapshotText(tx, projector.lens, partition));
const hashOf = (partition: Partition) => inSnapshot<string>((tx) => hashSnapshot(tx, projector.lens, partition));

describe('the snapshot document', () => {
  it('is the exact canonical JSON for a tiny partition: keys sorted, byte order, UTC microseconds, nulls, \\u escapes', async () => {
    const worldId = newWorld();
    const post = (event: TestEvent) => projector.app.inject({ method: 'POST', url: '/events', payload: event });
    const odd = 'été 😀 "q" \\ \n\t\u0001';
    const first = makeEvent(1, 'item.set', { id: 'B', value: odd, amount: 7 }, { worldId }, { occurredAt: '2026-11-01T12:00:00.123456+02:00' });
    expect((await post(first)).json()).toEqual({ status: 'processed', global_seq: 1 });
    const second = makeEvent(2, 'item.set', { id: 'a', value: '', amount: -3 }, { worldId }, { occurredAt: '2026-01-02T03:04:05Z' });
    expect((await post(second)).json()).toEqual({ status: 'processed', global_seq: 2 });
    await db.sql`INSERT INTO lens_memo.item (world_id, branch, item_id) VALUES (${worldId}, 'main', 'Z')`;
    // Rows of the same world on another branch belong to another partition.
    await db.sql`INSERT INTO lens_memo.item (world_id, branch, item_id, value) VALUES (${worldId}, 'other', 'A', 'x')`;

    const expected =
      '{"branch":"main","lens":"memo","tables":{"items":[' +
      '{"amount":7,"item_id":"B","set_at":"2026-11-01T10:00:00.123456Z","value":"\\u00e9t\\u00e9 \\ud83d\\ude00 \\"q\\" \\\\ \\n\\t\\u0001"},' +
      '{"amount":null,"item_id":"Z","set_at":null,"value":null},' +
      '{"amount":-3,"item_id":"a","set_at":"2026-01-02T03:04:05.000000Z","value":""}' +
      `]},"world_id":"${worldId}"}`;
    const partition = { worldId, branch: 'main' };
    expect(await textOf(partition)).toBe(expected);
    expect(await hashOf(partition)).toBe(sha256(expected));
    expect(await computeStateHash(projector.sql, projector.lens, partition)).toEqual({ watermark: 2, stateHash: sha256(expected) });
  });

  it('has a stable hash for an empty partition, and the branch is escaped like any string', async () => {
    const worldId = newWorld();
    for (const branch of ['main', 'zweig-ü']) {
      const expected = `{"branch":${JSON.stringify(branch).replace('ü', '\\u00fc')},"lens":"memo","tables":{"items":[]},"world_id":"${worldId}"}`;
      expect(await textOf({ worldId, branch })).toBe(expected);
      expect(await hashOf({ worldId, branch })).toBe(sha256(expected));
      expect(await hashOf({ worldId, branch })).toBe(sha256(expected));
    }
    expect(await hashOf({ worldId, branch: 'main' })).not.toBe(await hashOf({ worldId: newWorld(), branch: 'main' }));
  });

  it('streams a partition larger than one cursor page to the same hash as the whole document', async () => {
    const worldId = newWorld();
    const count = 2345; // more than two pages of CURSOR_ROWS (1000)
    const rows = Array.from({ length: count }, (_, i) => ({
      // Upper and lower case, so byte order (not the database's collation) decides.
      item_id: `${i % 2 ? 'K' : 'k'}${String(i).padStart(5, '0')}`,
      value: i % 7 === 0 ? null : `value ${i}`,
      amount: i % 5 === 0 ? null : i * 1000 - 1_000_000,
      set_at: i % 3 === 0 ? null : `2026-03-04T05:06:07.${String(i * 13).padStart(6, '0')}Z`,
    }));
    await db.sql`
      INSERT INTO lens_memo.item (world_id, branch, item_id, value, amount, set_at)
      SELECT ${worldId}, 'main', * FROM unnest(
        ${rows.map((r) => r.item_id)}::text[], ${rows.map((r) => r.value)}::text[],
        ${rows.map((r) => r.amount)}::int[], ${rows.map((r) => r.set_at)}::text[]::timestamptz[])`;

    const sorted = [...rows].sort((x, y) => (x.item_id < y.item_id ? -1 : 1));
    const expected =
      `{"branch":"main","lens":"memo","tables":{"items":[` +
      sorted.map((r) => JSON.stringify({ amount: r.amount, item_id: r.item_id, set_at: r.set_at, value: r.value })).join(',') +
      `]},"world_id":"${worldId}"}`;
    const partition = { worldId, branch: 'main' };
    const text = await textOf(partition);
    expect(JSON.parse(text).tables.items).toHaveLength(count);
    expect(firstDifference(text, expected)).toBeUndefined();
    expect(await hashOf(partition)).toBe(sha256(text));
  });
});

describe('the same events, delivered differently, give the same hash', () => {
  const worldId = newWorld();
  const events: TestEvent[] = [];
  for (let i = 0; i < 30; i++) {
    const seq = 10 + i * 2;
    const branch = i % 3 === 0 ? 'dev' : 'main';
    const occurredAt = `2026-05-${String(1 + (i % 28)).padStart(2, '0')}T08:00:00.${String(i * 37).padStart(6, '0')}+01:00`;
    events.push(
      i % 4 === 3
        ? makeEvent(seq, 'no.handler', { i }, { worldId, branch }, { occurredAt })
        : makeEvent(seq, 'item.set', { id: `k${i % 6}`, value: `v${i}`, ...(i % 2 ? { amount: i } : {}) }, { worldId, branch }, { occurredAt }),
    );
  }
  const last = (branch: string) => events.filter((e) => e.envelope.branch === branch).at(-1)!;

  const ways = ['single', 'batch', 'dup', 'gap'] as const;
  const dbs = {} as Record<(typeof ways)[number], TestDatabase>;
  const projectors = {} as Record<(typeof ways)[number], Projector>;
  beforeAll(async () => {
    // One database per way of delivery, made in parallel; small pools, as the server's connections are shared.
    await Promise.all(
      ways.map(async (way) => {
        dbs[way] = await createTestDatabase({ prefix: `sh_${way}`, max: 2 });
        projectors[way] = await testProjector(dbs[way].url, { PROJECTOR_DB_POOL_MAX: '3' });
      }),
    );
  });
  afterAll(async () => {
    await Promise.all(ways.map(async (way) => {
      await projectors[way]?.close();
      await dbs[way]?.drop();
    }));
  });

  const send = async (p: Projector, url: string, payload: object, statuses: string[]) => {
    const res = await p.app.inject({ method: 'POST', url, payload });
    expect(res.statusCode, res.body).toBe(200);
    expect(statuses).toContain(res.json().status);
  };

  it('single, batch, with duplicates, gap-filled from the log', async () => {
    const { single, batch, dup, gap } = projectors;
    for (const e of events) await send(single, '/events', e, ['processed', 'ignored']);
    for (let i = 0; i < events.length; i += 7) await send(batch, '/events/batch', { events: events.slice(i, i + 7) }, ['processed']);
    for (const [i, e] of events.entries()) {
      await send(dup, '/events', e, ['processed', 'ignored']);
      await send(dup, '/events', e, ['duplicate']);
      if (i > 3) await send(dup, '/events', events[i - 3]!, ['duplicate']);
    }
    await logEvents(dbs.gap.sql, events);
    for (const branch of ['main', 'dev']) await send(gap, '/events', last(branch), ['processed', 'ignored']);
    for (const e of events) await send(gap, '/events', e, ['duplicate']);

    for (const branch of ['main', 'dev']) {
      const url = `/state-hash?world_id=${worldId}&branch=${branch}`;
      const answers = await Promise.all(ways.map(async (way) => (await projectors[way].app.inject({ method: 'GET', url })).json()));
      expect(answers[0]).toEqual({
        world_id: worldId,
        branch,
        watermark: last(branch).global_seq,
        state_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      const empty = sha256(`{"branch":"${branch}","lens":"memo","tables":{"items":[]},"world_id":"${worldId}"}`);
      expect(answers[0].state_hash).not.toBe(empty);
      for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
    }
  });
});
