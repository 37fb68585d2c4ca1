import { describe, expect, it } from 'vitest';
import { linkAddedPayload, linkRemovedPayload } from './link-handlers.js';

describe('link.added payload', () => {
  it('given no link_type, when parsed, then it is related', () => {
    expect(linkAddedPayload.parse({ src_id: 'a', dst_id: 'b' })).toEqual({ src_id: 'a', dst_id: 'b', link_type: 'related' });
  });

  it('given a link_type and created_at, when parsed, then they are kept', () => {
    const payload = { src_id: 'a', dst_id: 'b', link_type: 'cites', created_at: '2026-11-01T10:00:00Z' };
    expect(linkAddedPayload.parse(payload)).toEqual(payload);
  });

  it.each([
    ['no src_id', { dst_id: 'b' }],
    ['an empty dst_id', { src_id: 'a', dst_id: '' }],
    ['an empty link_type', { src_id: 'a', dst_id: 'b', link_type: '' }],
    ['a null link_type', { src_id: 'a', dst_id: 'b', link_type: null }],
    ['a bad created_at', { src_id: 'a', dst_id: 'b', created_at: '2026-11-01' }],
  ])('given %s, when parsed, then it is rejected', (_, payload) => {
    expect(linkAddedPayload.safeParse(payload).success).toBe(false);
  });
});

describe('link.removed payload', () => {
  it('given no link_type, when parsed, then it is related', () => {
    expect(linkRemovedPayload.parse({ src_id: 'a', dst_id: 'b' }).link_type).toBe('related');
  });

  it('given no dst_id, when parsed, then it is rejected', () => {
    expect(linkRemovedPayload.safeParse({ src_id: 'a' }).success).toBe(false);
  });
});
