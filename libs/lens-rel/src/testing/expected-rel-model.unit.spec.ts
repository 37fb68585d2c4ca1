import { describe, expect, it } from 'vitest';
import { byBytes, expectedRelModel, utcMicros, type ModelEvent } from './expected-rel-model.js';

const W = '0e5c1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b';
const OCCURRED = '2026-11-03T11:00:00+01:00';
let seq = 0;
const ev = (kind: string, payload: Record<string, unknown>, occurredAt: string | null = OCCURRED, branch = 'main'): ModelEvent => ({
  global_seq: ++seq,
  envelope: { world_id: W, branch, kind, payload, occurred_at: occurredAt },
});
const only = (events: ModelEvent[]) => expectedRelModel(events)[0]!;

describe('utcMicros', () => {
  it.each([
    ['2026-11-01T12:00:00+02:00', '2026-11-01T10:00:00.000000Z'],
    ['2026-11-01T10:00:00.5Z', '2026-11-01T10:00:00.500000Z'],
    ['2026-03-01T01:15:00.123456+05:45', '2026-02-28T19:30:00.123456Z'],
    ['2026-12-31T20:00:00-05:00', '2027-01-01T01:00:00.000000Z'],
    ['2026-11-01T12:00:00.1234567+02:00', '2026-11-01T10:00:00.123457Z'],
  ])('given %s, then it is %s', (time, utc) => expect(utcMicros(time)).toBe(utc));

  it('given null, then null; given no offset, then it throws', () => {
    expect(utcMicros(null)).toBeNull();
    expect(() => utcMicros('2026-11-01T10:00:00')).toThrow(/RFC 3339/);
  });
});

describe('expectedRelModel', () => {
  it('given creates, then a second create of an id changes nothing, times fall back to occurred_at, else null', () => {
    const m = only([
      ev('note.created', { id: 'a', title: 'A', body: 'x', created_at: '2026-11-01T10:00:00Z' }),
      ev('note.created', { id: 'a', title: 'A2' }),
      ev('note.created', { id: 'b', title: 'B', created_at: null }),
      ev('note.created', { id: 'c', title: 'C' }, null),
    ]);
    expect(m.notes).toEqual([
      { note_id: 'a', title: 'A', body: 'x', created_at: '2026-11-01T10:00:00.000000Z', updated_at: '2026-11-01T10:00:00.000000Z' },
      { note_id: 'b', title: 'B', body: null, created_at: '2026-11-03T10:00:00.000000Z', updated_at: '2026-11-03T10:00:00.000000Z' },
      { note_id: 'c', title: 'C', body: null, created_at: null, updated_at: null },
    ]);
    expect(m.watermark).toBe(seq);
  });

  it('given updates, then only given fields change, body null clears, updated_at always moves, a ghost stays absent', () => {
    const m = only([
      ev('note.created', { id: 'a', title: 'A', body: 'x', created_at: '2026-11-01T10:00:00Z' }),
      ev('note.updated', { id: 'a', body: 'y', updated_at: '2026-11-02T10:00:00Z' }),
      ev('note.updated', { id: 'a', title: 'A2' }),
      ev('note.updated', { id: 'a', body: null }, null),
      ev('note.updated', { id: 'ghost', title: 'G' }),
    ]);
    expect(m.notes).toEqual([{ note_id: 'a', title: 'A2', body: null, created_at: '2026-11-01T10:00:00.000000Z', updated_at: null }]);
  });

  it('given a delete, then the note, its tags and links at either end go, other rows stay', () => {
    const m = only([
      ev('note.created', { id: 'a', title: 'A' }),
      ev('note.created', { id: 'b', title: 'B' }),
      ev('tag.added', { note_id: 'a', tag: 't' }),
      ev('tag.added', { note_id: 'b', tag: 't' }),
      ev('link.added', { src_id: 'a', dst_id: 'b' }),
      ev('link.added', { src_id: 'b', dst_id: 'a', link_type: 'cites' }),
      ev('link.added', { src_id: 'b', dst_id: 'c' }),
      ev('note.deleted', { id: 'a' }),
    ]);
    expect(m.notes.map((n) => n.note_id)).toEqual(['b']);
    expect(m.tags.map((t) => t.note_id)).toEqual(['b']);
    expect(m.links.map((l) => [l.src_id, l.dst_id])).toEqual([['b', 'c']]);
  });

  it('given tags and links added twice, then the first time stays; link_type defaults to related, also on remove', () => {
    const m = only([
      ev('tag.added', { note_id: 'a', tag: 't', applied_at: '2026-01-01T00:00:00Z' }),
      ev('tag.added', { note_id: 'a', tag: 't', applied_at: '2026-02-01T00:00:00Z' }),
      ev('tag.added', { note_id: 'a', tag: 'u' }),
      ev('tag.removed', { note_id: 'a', tag: 'u' }),
      ev('link.added', { src_id: 'a', dst_id: 'b', created_at: '2026-01-01T00:00:00Z' }),
      ev('link.added', { src_id: 'a', dst_id: 'b', link_type: 'related' }),
      ev('link.added', { src_id: 'a', dst_id: 'b', link_type: 'cites' }),
      ev('link.removed', { src_id: 'a', dst_id: 'b' }),
    ]);
    expect(m.tags).toEqual([{ note_id: 'a', tag: 't', applied_at: '2026-01-01T00:00:00.000000Z' }]);
    expect(m.links).toEqual([{ src_id: 'a', dst_id: 'b', link_type: 'cites', created_at: '2026-11-03T10:00:00.000000Z' }]);
  });

  it('given events out of order and redelivered, then they count once, in global_seq order, per partition', () => {
    const a = ev('note.created', { id: 'a', title: 'first' });
    const b = ev('note.updated', { id: 'a', title: 'second' });
    const other = ev('note.created', { id: 'z', title: 'Z' }, OCCURRED, 'draft');
    const model = expectedRelModel([b, other, a, b, a]);
    expect(model.map((p) => [p.branch, p.watermark])).toEqual([
      ['draft', other.global_seq],
      ['main', b.global_seq],
    ]);
    expect(model[1]!.notes[0]!.title).toBe('second');
  });

  it('orders text by byte, as COLLATE "C" does', () => {
    expect(['b', 'B', 'é', '😀', '\uffee', 'a'].sort(byBytes)).toEqual(['B', 'a', 'b', 'é', '\uffee', '😀']);
  });
});
