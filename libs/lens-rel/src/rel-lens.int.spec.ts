import { randomUUID } from 'node:crypto';
import { createProjector, parseConfig, type Projector } from '@projectors/projector-sdk';
import { createTestDatabase, useTestDatabase, type TestDatabase } from '@projectors/projector-sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relLens } from './rel-lens.js';

const openProjector = async (url: string): Promise<Projector> => {
  const projector = await createProjector({
    lens: relLens,
    config: parseConfig({ PROJECTOR_DATABASE_URL: url, PROJECTOR_LOG_LEVEL: 'silent' }),
  });
  await projector.migrate();
  return projector;
};

interface Event {
  global_seq: number;
  event_id: string;
  envelope: { world_id: string; branch: string; kind: string; payload: object; occurred_at?: string };
}

const event = (worldId: string, seq: number, kind: string, payload: object, occurredAt?: string): Event => ({
  global_seq: seq,
  event_id: `${worldId}/${seq}`,
  envelope: { world_id: worldId, branch: 'main', kind, payload, ...(occurredAt && { occurred_at: occurredAt }) },
});

const post = async (projector: Projector, url: string, payload: object) => {
  const res = await projector.app.inject({ method: 'POST', url, payload });
  return { status: res.statusCode, body: res.json() };
};

const stateHash = async (projector: Projector, worldId: string) =>
  (await projector.app.inject({ method: 'GET', url: `/state-hash?world_id=${worldId}&branch=main` })).json();

describe('migrations', () => {
  const db = useTestDatabase({ prefix: 'lens_rel_migrations' });
  let projector: Projector;

  beforeAll(async () => {
    projector = await openProjector(db.url);
  });

  afterAll(() => projector?.close());

  it('given a migrated database, when the primary keys are read, then each starts with (world_id, branch)', async () => {
    const keys = await db.sql`
      SELECT c.relname AS table, array_agg(a.attname::text ORDER BY k.ord) AS columns
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'lens_rel'
      CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
      WHERE i.indisprimary
      GROUP BY c.relname ORDER BY c.relname`;
    expect(keys).toEqual([
      { table: 'link', columns: ['world_id', 'branch', 'src_id', 'dst_id', 'link_type'] },
      { table: 'note', columns: ['world_id', 'branch', 'note_id'] },
      { table: 'note_tag', columns: ['world_id', 'branch', 'note_id', 'tag'] },
    ]);
  });

  it('given a migrated database, when its indexes are read, then links can be found by their dst end', async () => {
    const [index] = await db.sql`SELECT indexdef FROM pg_indexes WHERE schemaname = 'lens_rel' AND indexname = 'link_dst_idx'`;
    expect(index?.['indexdef']).toContain('(world_id, branch, dst_id)');
  });

  it('given a migrated database, when migrated again, then nothing is applied', async () => {
    expect(await projector.migrate()).toEqual({ applied: [] });
  });
});

describe('data the lens or the database rejects', () => {
  const db = useTestDatabase({ prefix: 'lens_rel_rejects' });
  let projector: Projector;

  beforeAll(async () => {
    projector = await openProjector(db.url);
  });

  afterAll(() => projector?.close());

  /** Every row the partition has, lens and watermark alike. */
  const written = async (worldId: string) => {
    const [row] = await db.sql`
      SELECT (SELECT count(*) FROM lens_rel.note WHERE world_id = ${worldId})
           + (SELECT count(*) FROM lens_rel.note_tag WHERE world_id = ${worldId})
           + (SELECT count(*) FROM lens_rel.link WHERE world_id = ${worldId})
           + (SELECT count(*) FROM event_core.projector_watermarks WHERE world_id = ${worldId}) AS n`;
    return Number(row?.['n']);
  };

  it.each([
    ['a payload time that is not a time', 'note.created', { id: 'n1', title: 'T', created_at: 'tomorrow' }],
    ['a payload time without offset', 'tag.added', { note_id: 'n1', tag: 't', applied_at: '2026-11-01T10:00:00' }],
    ['a payload time on a day that does not exist', 'link.added', { src_id: 'a', dst_id: 'b', created_at: '2026-02-30T10:00:00Z' }],
    ['an empty id', 'note.deleted', { id: '' }],
  ])('given %s, when posted, then 400 invalid_payload and nothing is written', async (_, kind, payload) => {
    const worldId = randomUUID();
    const answer = await post(projector, '/events', event(worldId, 1, kind, payload));
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_payload' } });
    expect(await written(worldId)).toBe(0);
  });

  it.each([
    ['a word PostgreSQL reads from its clock', 'now'],
    ['a time without offset (read in the server TimeZone)', '2026-11-01T10:00:00'],
  ])('given an occurred_at that is %s and no payload time, when posted, then 400 invalid_payload', async (_, occurredAt) => {
    const worldId = randomUUID();
    const answer = await post(projector, '/events', event(worldId, 1, 'note.created', { id: 'n1', title: 'T' }, occurredAt));
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_payload' } });
    expect(await written(worldId)).toBe(0);
  });

  it('given a bad occurred_at, when the payload has its own time, then the event is applied', async () => {
    const worldId = randomUUID();
    const payload = { id: 'n1', title: 'T', created_at: '2026-11-01T10:00:00Z' };
    expect((await post(projector, '/events', event(worldId, 1, 'note.created', payload, 'now'))).status).toBe(200);
  });

  it.each([
    ['a note title', 'note.created', { id: 'n1', title: 'a\u0000b' }],
    ['a note id', 'note.updated', { id: 'n\u0000', title: 'T' }],
    ['a tag', 'tag.added', { note_id: 'n1', tag: 'x\u0000' }],
    ['a link type', 'link.added', { src_id: 'a', dst_id: 'b', link_type: '\u0000' }],
  ])('given NUL in %s, when posted, then 400 invalid_event and nothing is written', async (_, kind, payload) => {
    const worldId = randomUUID();
    const answer = await post(projector, '/events', event(worldId, 1, kind, payload));
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_event' } });
    expect(await written(worldId)).toBe(0);
  });

  it('given NUL in the second event of a batch, when posted, then 400 names it and the first is not written either', async () => {
    const worldId = randomUUID();
    const answer = await post(projector, '/events/batch', {
      events: [event(worldId, 1, 'note.created', { id: 'n1', title: 'T' }), event(worldId, 2, 'tag.added', { note_id: 'n1', tag: '\u0000' })],
    });
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_event', index: 1 } });
    expect(await written(worldId)).toBe(0);
  });

  it('given a rejected event, when the corrected event comes with the same global_seq, then it is processed', async () => {
    const worldId = randomUUID();
    await post(projector, '/events', event(worldId, 1, 'note.created', { id: 'n1', title: '\u0000' }));
    const answer = await post(projector, '/events', event(worldId, 1, 'note.created', { id: 'n1', title: 'fixed' }));
    expect(answer).toEqual({ status: 200, body: { status: 'processed', global_seq: 1 } });
  });

  it('given a kind the lens does not know, when posted, then it is ignored and only the watermark moves', async () => {
    const worldId = randomUUID();
    const answer = await post(projector, '/events', event(worldId, 1, 'note.archived', { id: 'n1' }));
    expect(answer).toEqual({ status: 200, body: { status: 'ignored', global_seq: 1 } });
    expect(await written(worldId)).toBe(1);
  });
});

describe('state hash', () => {
  let single: TestDatabase;
  let batched: TestDatabase;
  let bySingle: Projector;
  let byBatch: Projector;

  beforeAll(async () => {
    [single, batched] = await Promise.all([createTestDatabase({ prefix: 'lens_rel_single' }), createTestDatabase({ prefix: 'lens_rel_batch' })]);
    [bySingle, byBatch] = await Promise.all([openProjector(single.url), openProjector(batched.url)]);
  });

  afterAll(async () => {
    await Promise.all([bySingle?.close(), byBatch?.close()]);
    await Promise.all([single?.drop(), batched?.drop()]);
  });

  /** Every kind, times from the payload, from occurred_at (in another offset) and from neither. */
  const history = (worldId: string): Event[] => {
    const at = (n: number) => `2026-11-0${n}T10:00:00.123456+02:00`;
    return [
      event(worldId, 1, 'note.created', { id: 'n1', title: 'One', body: 'é ☃ 𝄞', created_at: at(1) }),
      event(worldId, 2, 'note.created', { id: 'n2', title: 'Two' }, at(2)),
      event(worldId, 3, 'note.created', { id: 'N3', title: 'Three' }),
      event(worldId, 4, 'note.updated', { id: 'n1', body: null }, at(3)),
      event(worldId, 5, 'tag.added', { note_id: 'n1', tag: 'b' }, at(4)),
      event(worldId, 6, 'tag.added', { note_id: 'n1', tag: 'a', applied_at: at(5) }),
      event(worldId, 7, 'tag.added', { note_id: 'n2', tag: 'a' }),
      event(worldId, 8, 'link.added', { src_id: 'n1', dst_id: 'n2' }, at(6)),
      event(worldId, 9, 'link.added', { src_id: 'n2', dst_id: 'N3', link_type: 'cites' }),
      event(worldId, 10, 'tag.removed', { note_id: 'n2', tag: 'a' }),
      event(worldId, 11, 'note.deleted', { id: 'n2' }),
      event(worldId, 12, 'link.added', { src_id: 'n1', dst_id: 'N3' }),
      event(worldId, 13, 'link.removed', { src_id: 'n1', dst_id: 'N3' }),
      event(worldId, 14, 'note.created', { id: 'n4', title: 'Four' }, at(7)),
    ];
  };

  it('given the same events, when delivered one by one (with duplicates) or in batches, then both report the same hash', async () => {
    const worldId = randomUUID();
    const events = history(worldId);
    for (const e of events) expect((await post(bySingle, '/events', e)).status).toBe(200);
    for (const e of events.slice(3, 6)) expect((await post(bySingle, '/events', e)).body.status).toBe('duplicate');
    expect((await post(byBatch, '/events/batch', { events: events.slice(0, 5) })).status).toBe(200);
    expect((await post(byBatch, '/events/batch', { events: events.slice(3) })).status).toBe(200);

    const a = await stateHash(bySingle, worldId);
    const b = await stateHash(byBatch, worldId);
    expect(a).toEqual({ world_id: worldId, branch: 'main', watermark: 14, state_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(b).toEqual(a);
  });

  it('given a partition, when its hash is read twice, then it is the same; when rows change, it changes; when they change back, it is back', async () => {
    const worldId = randomUUID();
    await post(bySingle, '/events/batch', { events: history(worldId) });
    const first = await stateHash(bySingle, worldId);
    expect(await stateHash(bySingle, worldId)).toEqual(first);

    await post(bySingle, '/events', event(worldId, 15, 'tag.added', { note_id: 'n4', tag: 'new' }));
    const changed = await stateHash(bySingle, worldId);
    expect(changed.watermark).toBe(15);
    expect(changed.state_hash).not.toBe(first.state_hash);

    await post(bySingle, '/events', event(worldId, 16, 'tag.removed', { note_id: 'n4', tag: 'new' }));
    expect((await stateHash(bySingle, worldId)).state_hash).toBe(first.state_hash);
  });

  it('given an event that changes nothing, when applied, then the watermark moves and the hash does not', async () => {
    const worldId = randomUUID();
    await post(bySingle, '/events/batch', { events: history(worldId) });
    const before = await stateHash(bySingle, worldId);
    await post(bySingle, '/events', event(worldId, 15, 'note.updated', { id: 'ghost', title: 'T' }));
    expect(await stateHash(bySingle, worldId)).toEqual({ ...before, watermark: 15 });
  });

  it('given two partitions, when one changes, then the other keeps its hash', async () => {
    const [w1, w2] = [randomUUID(), randomUUID()];
    await post(bySingle, '/events/batch', { events: [...history(w1), ...history(w2)] });
    const before = await stateHash(bySingle, w2);
    await post(bySingle, '/events', event(w1, 15, 'note.deleted', { id: 'n1' }));
    expect(await stateHash(bySingle, w2)).toEqual(before);
  });
});
