import { describe, expect, it } from 'vitest';
import { relLens } from './index.js';

describe('relLens', () => {
  it('given the definition, when made, then it names the rel lens, its schema and its projector', () => {
    expect(relLens).toMatchObject({ name: 'rel', schema: 'lens_rel', projectorName: 'projector_rel', serviceName: 'projector-rel' });
  });

  it('given the contract, when the handlers are listed, then they are exactly the seven relational kinds', () => {
    expect(Object.keys(relLens.handlers).sort()).toEqual([
      'link.added',
      'link.removed',
      'note.created',
      'note.deleted',
      'note.updated',
      'tag.added',
      'tag.removed',
    ]);
  });

  it('given the snapshot, when listed, then it covers the three tables in primary-key order', () => {
    expect(Object.fromEntries(Object.entries(relLens.snapshot).map(([name, t]) => [name, [t.table, t.orderBy]]))).toEqual({
      notes: ['note', ['note_id']],
      tags: ['note_tag', ['note_id', 'tag']],
      links: ['link', ['src_id', 'dst_id', 'link_type']],
    });
  });
});
