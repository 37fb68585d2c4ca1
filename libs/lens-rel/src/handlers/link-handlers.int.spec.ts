import { partitionSender, useTestProjector } from '@projectors/projector-sdk/testing';
import { describe, expect, it } from 'vitest';
import { relLens } from '../rel-lens.js';

const t = useTestProjector(relLens, { prefix: 'lens_rel_links' });

/** A fresh partition per test: tests share the database but never each other's rows. */
function world() {
  const { worldId, send } = partitionSender(t.projector);
  const links = () =>
    t.db.sql.unsafe(
      `SELECT src_id, dst_id, link_type, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at
       FROM lens_rel.link WHERE world_id = $1 ORDER BY src_id, dst_id, link_type`,
      [worldId],
    );
  return { send, links };
}

const T1 = '2026-11-01T10:00:00.000000Z';
const T2 = '2026-11-02T10:00:00.000000Z';

describe('link.added', () => {
  it('given no link_type, when a link is added, then it is related and holds created_at', async () => {
    const w = world();
    expect(await w.send('link.added', { src_id: 'a', dst_id: 'b', created_at: T1 })).toEqual({
      status: 200,
      body: { status: 'processed', global_seq: 1 },
    });
    expect(await w.links()).toEqual([{ src_id: 'a', dst_id: 'b', link_type: 'related', created_at: T1 }]);
  });

  it('given one pair of notes, when linked with two types, then there are two links', async () => {
    const w = world();
    await w.send('link.added', { src_id: 'a', dst_id: 'b' });
    await w.send('link.added', { src_id: 'a', dst_id: 'b', link_type: 'cites' });
    expect((await w.links()).map((l) => l['link_type'])).toEqual(['cites', 'related']);
  });

  it('given a link a->b, when b->a is added, then both directions are kept', async () => {
    const w = world();
    await w.send('link.added', { src_id: 'a', dst_id: 'b' });
    await w.send('link.added', { src_id: 'b', dst_id: 'a' });
    expect(await w.links()).toHaveLength(2);
  });

  it('given no created_at in the payload, when added, then created_at comes from occurred_at, else is null', async () => {
    const w = world();
    await w.send('link.added', { src_id: 'a', dst_id: 'b' }, '2026-11-02T05:00:00-05:00');
    await w.send('link.added', { src_id: 'a', dst_id: 'c' });
    expect((await w.links()).map((l) => l['created_at'])).toEqual([T2, null]);
  });

  it('given a link, when added again, then nothing changes (the first created_at stays)', async () => {
    const w = world();
    await w.send('link.added', { src_id: 'a', dst_id: 'b', created_at: T1 });
    expect((await w.send('link.added', { src_id: 'a', dst_id: 'b', link_type: 'related', created_at: T2 })).status).toBe(200);
    expect(await w.links()).toEqual([{ src_id: 'a', dst_id: 'b', link_type: 'related', created_at: T1 }]);
  });
});

describe('link.removed', () => {
  it('given a related and a cites link, when removed without a type, then only the related one goes', async () => {
    const w = world();
    await w.send('link.added', { src_id: 'a', dst_id: 'b' });
    await w.send('link.added', { src_id: 'a', dst_id: 'b', link_type: 'cites' });
    await w.send('link.removed', { src_id: 'a', dst_id: 'b' });
    expect((await w.links()).map((l) => l['link_type'])).toEqual(['cites']);
  });

  it('given a typed link, when removed with its type, then it goes and the reverse link stays', async () => {
    const w = world();
    await w.send('link.added', { src_id: 'a', dst_id: 'b', link_type: 'cites' });
    await w.send('link.added', { src_id: 'b', dst_id: 'a', link_type: 'cites' });
    await w.send('link.removed', { src_id: 'a', dst_id: 'b', link_type: 'cites' });
    expect(await w.links()).toEqual([{ src_id: 'b', dst_id: 'a', link_type: 'cites', created_at: null }]);
  });

  it('given no such link, when removed, then nothing changes but the event counts as processed', async () => {
    const w = world();
    await w.send('link.added', { src_id: 'a', dst_id: 'b' });
    expect((await w.send('link.removed', { src_id: 'a', dst_id: 'b', link_type: 'cites' })).body).toEqual({
      status: 'processed',
      global_seq: 2,
    });
    expect(await w.links()).toHaveLength(1);
  });
});
