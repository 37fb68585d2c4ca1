import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Sql } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import type { Partition } from '../event/event.js';
import { defineLens } from '../lens/define-lens.js';
import type { Tx } from '../lens/lens-types.js';
import type { Projector } from '../server/create-projector.js';
import { logEvents, makeEvent, newWorld, type TestEvent } from '../testing/fixtures/events.fixture.js';
import { testProjector } from '../testing/fixtures/projector.fixture.js';
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

/**
 * A lens of its own for the document tests, so the expected text does not move when the shared memo
 * fixture grows a table, and so every column kind of a snapshot (text, integer, bigint beyond 2^53,
 * boolean, timestamptz, jsonb) and the order of tables and of composite keys are covered.
 */
const shapesLens = defineLens({
  name: 'shapes',
  migrations: [
    {
      id: '0001_shapes',
      sql: `
        CREATE TABLE thing (
          world_id uuid NOT NULL, branch text NOT NULL, thing_id text NOT NULL,
          label text, n integer, big bigint, flag boolean, at timestamptz, doc jsonb,
          PRIMARY KEY (world_id, branch, thing_id)
        );
        CREATE TABLE edge (
          world_id uuid NOT NULL, branch text NOT NULL, src text NOT NULL, dst text NOT NULL,
          PRIMARY KEY (world_id, branch, src, dst)
        );`,
    },
  ],
  handlers: {},
  snapshot: {
    things: {
      table: 'thing',
      columns: { thing_id: 'text', label: 'text', n: 'integer', big: 'bigint', flag: 'boolean', at: 'timestamptz', doc: 'jsonb' },
      orderBy: ['thing_id'],
    },
    edges: { table: 'edge', columns: { src: 'text', dst: 'text' }, orderBy: ['src', 'dst'] },
  },
});

const db = useTestDatabase({ prefix: 'sdk_state_hash' });
let sql: Sql;

beforeAll(async () => {
  sql = connectDatabase(db.url, { max: 2, applicationName: 'state-hash-spec' });
  await migrate(sql, shapesLens);
});
afterAll(() => sql?.end({ timeout: 5 }));

const inSnapshot = <T>(work: (tx: Tx) => Promise<T>) => sql.begin('isolation level repeatable read read only', work) as Promise<T>;
const textOf = (partition: Partition) => inSnapshot<string>((tx) => snapshotText(tx, shapesLens, partition));
const hashOf = (partition: Partition) => inSnapshot<string>((tx) => hashSnapshot(tx, shapesLens, partition));

interface Thing {
  thing_id: string;
  label: string | null;
  n: number | null;
  big: string | null;
  flag: boolean | null;
  at: string | null;
  doc: string | null;
}

async function insertThings(worldId: string, branch: string, things: Thing[]): Promise<void> {
  const column = <K extends keyof Thing>(key: K) => things.map((t) => t[key]);
  // Everything but text and int goes in as text: PostgreSQL parses it, and nothing is rounded on the way.
  await sql`
    INSERT INTO lens_shapes.thing (world_id, branch, thing_id, label, n, big, flag, at, doc)
    SELECT ${worldId}, ${branch}, * FROM unnest(
      ${column('thing_id')}::text[], ${column('label')}::text[], ${column('n')}::int[],
      ${column('big')}::text[]::bigint[], ${column('flag').map((f) => (f === null ? null : String(f)))}::text[]::bool[],
      ${column('at')}::text[]::timestamptz[], ${column('doc')}::text[]::jsonb[])`;
}

describe('the snapshot document', () => {
  it('is the exact canonical JSON for a tiny partition: keys sorted, byte order, UTC microseconds, nulls, \\u escapes', async () => {
    const worldId = newWorld();
    const none = { label: null, n: null, big: null, flag: null, at: null, doc: null };
    await insertThings(worldId, 'main', [
      {
        thing_id: 'B',
        label: 'été 😀 "q" \\ \n\t\u0001',
        n: 7,
        big: '9007199254740993',
        flag: true,
        at: '2026-11-01T12:00:00.123456+02:00',
        doc: '{"b": [1, 2.5, "é"], "a": null}',
      },
      { thing_id: 'Z', ...none },
      { thing_id: 'a', label: '', n: -3, big: '-1', flag: false, at: '2026-01-02T03:04:05Z', doc: '[]' },
    ]);
    await sql`INSERT INTO lens_shapes.edge VALUES (${worldId}, 'main', 'a', 'b'), (${worldId}, 'main', 'a', 'B'), (${worldId}, 'main', 'A', 'z')`;
    // Rows of the same world on another branch belong to another partition.
    await insertThings(worldId, 'other', [{ thing_id: 'A', ...none }]);

    const expected =
      '{"branch":"main","lens":"shapes","tables":{' +
      '"edges":[{"dst":"z","src":"A"},{"dst":"B","src":"a"},{"dst":"b","src":"a"}],' +
      '"things":[' +
      '{"at":"2026-11-01T10:00:00.123456Z","big":9007199254740993,"doc":{"a":null,"b":[1,2.5,"\\u00e9"]},"flag":true,' +
      '"label":"\\u00e9t\\u00e9 \\ud83d\\ude00 \\"q\\" \\\\ \\n\\t\\u0001","n":7,"thing_id":"B"},' +
      '{"at":null,"big":null,"doc":null,"flag":null,"label":null,"n":null,"thing_id":"Z"},' +
      '{"at":"2026-01-02T03:04:05.000000Z","big":-1,"doc":[],"flag":false,"label":"","n":-3,"thing_id":"a"}' +
      `]},"world_id":"${worldId}"}`;
    const partition = { worldId, branch: 'main' };
    expect(await textOf(partition)).toBe(expected);
    expect(await hashOf(partition)).toBe(sha256(expected));
    // No watermark row: the hash belongs to watermark 0.
    expect(await computeStateHash(sql, shapesLens, partition)).toEqual({ watermark: 0, stateHash: sha256(expected) });
  });

  it('keeps jsonb exact: integers beyond 2^53 and float spellings are not rounded into one hash', async () => {
    const none = { label: null, n: null, big: null, flag: null, at: null };
    const docs = ['{"n": 9007199254740993, "x": 1.0}', '{"n": 9007199254740992, "x": 1.0}', '{"n": 9007199254740993, "x": 1}'];
    const partitions = docs.map(() => ({ worldId: newWorld(), branch: 'main' }));
    for (const [i, doc] of docs.entries()) await insertThings(partitions[i]!.worldId, 'main', [{ thing_id: 't', ...none, doc }]);
    expect(await textOf(partitions[0]!)).toContain('"doc":{"n":9007199254740993,"x":1.0}');
    const hashes = await Promise.all(partitions.map(hashOf));
    expect(new Set(hashes).size).toBe(3);
  });

  it('has a stable hash for an empty partition, and the branch is escaped like any string', async () => {
    const worldId = newWorld();
    for (const [branch, written] of [['main', '"main"'], ['zweig-ü', '"zweig-\\u00fc"']] as const) {
      const expected = `{"branch":${written},"lens":"shapes","tables":{"edges":[],"things":[]},"world_id":"${worldId}"}`;
      expect(await textOf({ worldId, branch })).toBe(expected);
      expect(await hashOf({ worldId, branch })).toBe(sha256(expected));
      expect(await hashOf({ worldId, branch })).toBe(sha256(expected));
    }
    expect(await hashOf({ worldId, branch: 'main' })).not.toBe(await hashOf({ worldId: newWorld(), branch: 'main' }));
  });

  it('streams a partition larger than one cursor page to the same hash as the whole document', async () => {
    const worldId = newWorld();
    const count = 2345; // more than two pages of CURSOR_ROWS (1000)
    const things: Thing[] = Array.from({ length: count }, (_, i) => ({
      // Upper and lower case, so byte order (not the database's collation) decides.
      thing_id: `${i % 2 ? 'K' : 'k'}${String(i).padStart(5, '0')}`,
      label: i % 7 === 0 ? null : `label ${i}`,
      n: i % 5 === 0 ? null : i * 1000 - 1_000_000,
      big: i % 4 === 0 ? null : (BigInt(i) * 10n ** 15n + 1n).toString(),
      flag: i % 6 === 0 ? null : i % 2 === 0,
      at: i % 3 === 0 ? null : `2026-03-04T05:06:07.${String(i * 13).padStart(6, '0')}Z`,
      doc: i % 8 === 0 ? null : `{"i": ${i}, "even": ${i % 2 === 0}}`,
    }));
    await insertThings(worldId, 'main', things);

    const str = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));
    const row = (t: Thing) =>
      `{"at":${str(t.at)},"big":${t.big ?? 'null'},"doc":${t.doc === null ? 'null' : `{"even":${Number(t.thing_id.slice(1)) % 2 === 0},"i":${Number(t.thing_id.slice(1))}}`},` +
      `"flag":${t.flag ?? 'null'},"label":${str(t.label)},"n":${t.n ?? 'null'},"thing_id":${str(t.thing_id)}}`;
    const sorted = [...things].sort((x, y) => (x.thing_id < y.thing_id ? -1 : 1));
    const expected = `{"branch":"main","lens":"shapes","tables":{"edges":[],"things":[${sorted.map(row).join(',')}]},"world_id":"${worldId}"}`;
    const partition = { worldId, branch: 'main' };
    const text = await textOf(partition);
    expect(JSON.parse(text).tables.things).toHaveLength(count);
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
  const itemKeys = new Set(events.filter((e) => e.envelope.kind === 'item.set').map((e) => `${e.envelope.branch}/${String(e.envelope.payload.id)}`));

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
      for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
    }
    // The hashes compared above are of partitions with rows, not of empty ones.
    for (const way of ways) {
      const [row] = await dbs[way].sql<{ n: number }[]>`SELECT count(*)::int AS n FROM lens_memo.item WHERE world_id = ${worldId}`;
      expect(row!.n, way).toBe(itemKeys.size);
    }
  });
});
