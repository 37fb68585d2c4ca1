import { partitionSender, useTestProjector } from '@projectors/projector-sdk/testing';
import { describe, expect, it } from 'vitest';
import { relLens } from '../rel-lens.js';

const t = useTestProjector(relLens, { prefix: 'lens_rel_notes' });

/** A fresh partition per test: tests share the database but never each other's rows. */
function world() {
  const { worldId, send } = partitionSender(t.projector);
  const UTC = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
  const notes = () =>
    t.db.sql.unsafe(
      `SELECT note_id, title, body, to_char(created_at AT TIME ZONE 'UTC', ${UTC}) AS created_at,
              to_char(updated_at AT TIME ZONE 'UTC', ${UTC}) AS updated_at
       FROM lens_rel.note WHERE world_id = $1 ORDER BY note_id`,
      [worldId],
    );
  const tags = () => t.db.sql`SELECT note_id, tag FROM lens_rel.note_tag WHERE world_id = ${worldId} ORDER BY note_id, tag`;
  const links = () =>
    t.db.sql`SELECT src_id, dst_id, link_type FROM lens_rel.link WHERE world_id = ${worldId} ORDER BY src_id, dst_id, link_type`;
  return { send, notes, tags, links };
}

const T1 = '2026-11-01T10:00:00.000000Z';
const T2 = '2026-11-02T10:00:00.000000Z';
const OCCURRED = '2026-11-03T10:00:00.000000Z';

describe('note.created', () => {
  it('given no note, when created with every field, then the note holds them and updated_at = created_at', async () => {
    const w = world();
    expect(await w.send('note.created', { id: 'n1', title: 'Title', body: 'Body', created_at: T1 })).toEqual({
      status: 200,
      body: { status: 'processed', global_seq: 1 },
    });
    expect(await w.notes()).toEqual([{ note_id: 'n1', title: 'Title', body: 'Body', created_at: T1, updated_at: T1 }]);
  });

  it('given a created_at with an offset and nanoseconds, when created, then it is kept in UTC to the microsecond', async () => {
    const w = world();
    await w.send('note.created', { id: 'n1', title: 'T', created_at: '2026-11-01T12:00:00.1234567+02:00' });
    expect((await w.notes())[0]).toMatchObject({ created_at: '2026-11-01T10:00:00.123457Z', body: null });
  });

  it('given no created_at in the payload, when created, then both times come from occurred_at', async () => {
    const w = world();
    await w.send('note.created', { id: 'n1', title: 'T' }, '2026-11-03T11:00:00+01:00');
    expect((await w.notes())[0]).toMatchObject({ created_at: OCCURRED, updated_at: OCCURRED });
  });

  it('given neither a created_at nor an occurred_at, when created, then both times are null', async () => {
    const w = world();
    await w.send('note.created', { id: 'n1', title: 'T', body: null });
    expect(await w.notes()).toEqual([{ note_id: 'n1', title: 'T', body: null, created_at: null, updated_at: null }]);
  });

  it('given a note, when created again with the same id, then nothing changes', async () => {
    const w = world();
    await w.send('note.created', { id: 'n1', title: 'First', body: 'one', created_at: T1 });
    expect((await w.send('note.created', { id: 'n1', title: 'Second', created_at: T2 })).body).toEqual({
      status: 'processed',
      global_seq: 2,
    });
    expect(await w.notes()).toEqual([{ note_id: 'n1', title: 'First', body: 'one', created_at: T1, updated_at: T1 }]);
  });
});

describe('note.updated', () => {
  it('given a note, when updated with only a title, then the title and updated_at change and the body stays', async () => {
    const w = world();
    await w.send('note.created', { id: 'n1', title: 'Old', body: 'Body', created_at: T1 });
    await w.send('note.updated', { id: 'n1', title: 'New', updated_at: T2 });
    expect(await w.notes()).toEqual([{ note_id: 'n1', title: 'New', body: 'Body', created_at: T1, updated_at: T2 }]);
  });

  it('given a note, when updated with only a body, then the title stays', async () => {
    const w = world();
    await w.send('note.created', { id: 'n1', title: 'Title', body: 'Old', created_at: T1 });
    await w.send('note.updated', { id: 'n1', body: 'New', updated_at: T2 });
    expect((await w.notes())[0]).toMatchObject({ title: 'Title', body: 'New', updated_at: T2 });
  });

  it('given a note with a body, when updated with body null, then the body is cleared', async () => {
    const w = world();
    await w.send('note.created', { id: 'n1', title: 'Title', body: 'Body', created_at: T1 });
    await w.send('note.updated', { id: 'n1', body: null, updated_at: T2 });
    expect((await w.notes())[0]).toMatchObject({ title: 'Title', body: null });
  });

  it('given no updated_at in the payload, when updated, then updated_at comes from occurred_at', async () => {
    const w = world();
    await w.send('note.created', { id: 'n1', title: 'T', created_at: T1 });
    await w.send('note.updated', { id: 'n1', title: 'U' }, OCCURRED);
    expect((await w.notes())[0]).toMatchObject({ created_at: T1, updated_at: OCCURRED });
  });

  it('given neither an updated_at nor an occurred_at, when updated, then updated_at is null', async () => {
    const w = world();
    await w.send('note.created', { id: 'n1', title: 'T', created_at: T1 });
    await w.send('note.updated', { id: 'n1', title: 'U' });
    expect((await w.notes())[0]).toMatchObject({ title: 'U', created_at: T1, updated_at: null });
  });

  it('given no such note, when updated, then nothing is written but the event counts as processed', async () => {
    const w = world();
    expect((await w.send('note.updated', { id: 'ghost', title: 'T', updated_at: T2 })).body).toEqual({
      status: 'processed',
      global_seq: 1,
    });
    expect(await w.notes()).toEqual([]);
  });
});

describe('note.deleted', () => {
  it('given a note with tags and links at both ends, when deleted, then they all go and nothing else does', async () => {
    const w = world();
    await w.send('note.created', { id: 'n1', title: 'one' });
    await w.send('note.created', { id: 'n2', title: 'two' });
    await w.send('tag.added', { note_id: 'n1', tag: 'a' });
    await w.send('tag.added', { note_id: 'n1', tag: 'b' });
    await w.send('tag.added', { note_id: 'n2', tag: 'a' });
    await w.send('link.added', { src_id: 'n1', dst_id: 'n2' });
    await w.send('link.added', { src_id: 'n2', dst_id: 'n1', link_type: 'cites' });
    await w.send('link.added', { src_id: 'n1', dst_id: 'n1' });
    await w.send('link.added', { src_id: 'n2', dst_id: 'n3' });

    expect((await w.send('note.deleted', { id: 'n1' })).body).toEqual({ status: 'processed', global_seq: 10 });

    expect((await w.notes()).map((n) => n['note_id'])).toEqual(['n2']);
    expect(await w.tags()).toEqual([{ note_id: 'n2', tag: 'a' }]);
    expect(await w.links()).toEqual([{ src_id: 'n2', dst_id: 'n3', link_type: 'related' }]);
  });

  it('given no such note, when deleted, then nothing changes', async () => {
    const w = world();
    await w.send('note.created', { id: 'n1', title: 'one' });
    expect((await w.send('note.deleted', { id: 'ghost' })).status).toBe(200);
    expect(await w.notes()).toHaveLength(1);
  });

  it('given a deleted note, when created again, then it exists anew', async () => {
    const w = world();
    await w.send('note.created', { id: 'n1', title: 'first', created_at: T1 });
    await w.send('note.deleted', { id: 'n1' });
    await w.send('note.created', { id: 'n1', title: 'second', created_at: T2 });
    expect(await w.notes()).toEqual([{ note_id: 'n1', title: 'second', body: null, created_at: T2, updated_at: T2 }]);
  });
});
