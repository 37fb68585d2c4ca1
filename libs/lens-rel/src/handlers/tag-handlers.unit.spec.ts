import { describe, expect, it } from 'vitest';
import { tagAddedPayload, tagRemovedPayload } from './tag-handlers.js';

describe('tag.added payload', () => {
  it('given note_id, tag and applied_at, when parsed, then all are kept', () => {
    const payload = { note_id: 'n1', tag: 'red', applied_at: '2026-11-01T10:00:00+01:00' };
    expect(tagAddedPayload.parse(payload)).toEqual(payload);
  });

  it('given no applied_at, when parsed, then it is accepted', () => {
    expect(tagAddedPayload.safeParse({ note_id: 'n1', tag: 'red' }).success).toBe(true);
  });

  it.each([
    ['no note_id', { tag: 'red' }],
    ['an empty tag', { note_id: 'n1', tag: '' }],
    ['a bad applied_at', { note_id: 'n1', tag: 'red', applied_at: 'now' }],
  ])('given %s, when parsed, then it is rejected', (_, payload) => {
    expect(tagAddedPayload.safeParse(payload).success).toBe(false);
  });
});

describe('tag.removed payload', () => {
  it('given note_id and tag, when parsed, then it is accepted', () => {
    expect(tagRemovedPayload.parse({ note_id: 'n1', tag: 'red' })).toEqual({ note_id: 'n1', tag: 'red' });
  });

  it('given no tag, when parsed, then it is rejected', () => {
    expect(tagRemovedPayload.safeParse({ note_id: 'n1' }).success).toBe(false);
  });
});
