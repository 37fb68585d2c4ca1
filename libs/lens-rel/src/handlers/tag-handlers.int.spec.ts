import { partitionSender, useTestProjector } from '@projectors/projector-sdk/testing';
import { describe, expect, it } from 'vitest';
import { relLens } from '../rel-lens.js';

const t = useTestProjector(relLens, { prefix: 'lens_rel_tags' });

/** A fresh partition per test: tests share the database but never each other's rows. */
function world() {
  const { worldId, send } = partitionSender(t.projector);
  const tags = () =>
    t.db.sql.unsafe(
      `SELECT note_id, tag, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS applied_at
       FROM lens_rel.note_tag WHERE world_id = $1 ORDER BY note_id, tag`,
      [worldId],
    );
  return { send, tags };
}

const T1 = '2026-11-01T10:00:00.000000Z';
const T2 = '2026-11-02T10:00:00.000000Z';

describe('tag.added', () => {
  it('given a note, when a tag is added with applied_at, then the tag row holds it', async () => {
    const w = world();
    await w.send('note.created', { id: 'n1', title: 'T' });
    expect(await w.send('tag.added', { note_id: 'n1', tag: 'red', applied_at: '2026-11-01T11:00:00+01:00' })).toEqual({
      status: 200,
      body: { status: 'processed', global_seq: 2 },
    });
    expect(await w.tags()).toEqual([{ note_id: 'n1', tag: 'red', applied_at: T1 }]);
  });

  it('given no note n1, when a tag is added to it, then the tag is still kept', async () => {
    const w = world();
    await w.send('tag.added', { note_id: 'n1', tag: 'red' });
    expect(await w.tags()).toEqual([{ note_id: 'n1', tag: 'red', applied_at: null }]);
  });

  it('given no applied_at in the payload, when added, then applied_at comes from occurred_at', async () => {
    const w = world();
    await w.send('tag.added', { note_id: 'n1', tag: 'red' }, T2);
    expect(await w.tags()).toEqual([{ note_id: 'n1', tag: 'red', applied_at: T2 }]);
  });

  it('given a tag, when added again, then nothing changes (the first applied_at stays)', async () => {
    const w = world();
    await w.send('tag.added', { note_id: 'n1', tag: 'red', applied_at: T1 });
    expect((await w.send('tag.added', { note_id: 'n1', tag: 'red', applied_at: T2 })).body).toEqual({
      status: 'processed',
      global_seq: 2,
    });
    expect(await w.tags()).toEqual([{ note_id: 'n1', tag: 'red', applied_at: T1 }]);
  });

  it('given tags that differ only by case or note, when added, then each is its own row', async () => {
    const w = world();
    await w.send('tag.added', { note_id: 'n1', tag: 'red' });
    await w.send('tag.added', { note_id: 'n1', tag: 'Red' });
    await w.send('tag.added', { note_id: 'n2', tag: 'red' });
    expect(await w.tags()).toHaveLength(3);
  });
});

describe('tag.removed', () => {
  it('given two tags on a note, when one is removed, then only that one goes', async () => {
    const w = world();
    await w.send('tag.added', { note_id: 'n1', tag: 'red' });
    await w.send('tag.added', { note_id: 'n1', tag: 'blue' });
    await w.send('tag.added', { note_id: 'n2', tag: 'red' });
    await w.send('tag.removed', { note_id: 'n1', tag: 'red' });
    expect((await w.tags()).map((t) => [t['note_id'], t['tag']])).toEqual([
      ['n1', 'blue'],
      ['n2', 'red'],
    ]);
  });

  it('given no such tag, when removed, then nothing changes but the event counts as processed', async () => {
    const w = world();
    await w.send('tag.added', { note_id: 'n1', tag: 'red' });
    expect((await w.send('tag.removed', { note_id: 'n1', tag: 'green' })).body).toEqual({ status: 'processed', global_seq: 2 });
    expect(await w.tags()).toHaveLength(1);
  });

  it('given a removed tag, when added again, then it is back with the new time', async () => {
    const w = world();
    await w.send('tag.added', { note_id: 'n1', tag: 'red', applied_at: T1 });
    await w.send('tag.removed', { note_id: 'n1', tag: 'red' });
    await w.send('tag.added', { note_id: 'n1', tag: 'red', applied_at: T2 });
    expect(await w.tags()).toEqual([{ note_id: 'n1', tag: 'red', applied_at: T2 }]);
  });
});
