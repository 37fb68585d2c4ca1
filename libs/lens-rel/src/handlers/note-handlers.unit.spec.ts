import { describe, expect, it } from 'vitest';
import { noteCreatedPayload, noteDeletedPayload, noteUpdatedPayload } from './note-handlers.js';

describe('note.created payload', () => {
  it('given id, title, body and created_at, when parsed, then all are kept', () => {
    const payload = { id: 'n1', title: 'T', body: 'B', created_at: '2026-11-01T10:00:00Z' };
    expect(noteCreatedPayload.parse(payload)).toEqual(payload);
  });

  it('given only id and title, when parsed, then it is accepted', () => {
    expect(noteCreatedPayload.parse({ id: 'n1', title: 'T' })).toEqual({ id: 'n1', title: 'T' });
  });

  it('given an empty title or a null body, when parsed, then they are accepted', () => {
    expect(noteCreatedPayload.safeParse({ id: 'n1', title: '' }).success).toBe(true);
    expect(noteCreatedPayload.parse({ id: 'n1', title: 'T', body: null }).body).toBeNull();
  });

  it('given fields the lens does not know, when parsed, then they are dropped', () => {
    expect(noteCreatedPayload.parse({ id: 'n1', title: 'T', author: 'x' })).toEqual({ id: 'n1', title: 'T' });
  });

  it.each([
    ['no id', { title: 'T' }],
    ['an empty id', { id: '', title: 'T' }],
    ['a numeric id', { id: 1, title: 'T' }],
    ['no title', { id: 'n1' }],
    ['a null title', { id: 'n1', title: null }],
    ['a numeric body', { id: 'n1', title: 'T', body: 3 }],
    ['a created_at without offset', { id: 'n1', title: 'T', created_at: '2026-11-01T10:00:00' }],
    ['a created_at that is not a time', { id: 'n1', title: 'T', created_at: 'yesterday' }],
  ])('given %s, when parsed, then it is rejected', (_, payload) => {
    expect(noteCreatedPayload.safeParse(payload).success).toBe(false);
  });
});

describe('note.updated payload', () => {
  it('given only an id, when parsed, then nothing else is set (absent stays absent)', () => {
    const parsed = noteUpdatedPayload.parse({ id: 'n1' });
    expect(parsed).toEqual({ id: 'n1' });
    expect('body' in parsed).toBe(false);
  });

  it('given a null body, when parsed, then it is kept as null (the body is cleared)', () => {
    expect(noteUpdatedPayload.parse({ id: 'n1', body: null })).toEqual({ id: 'n1', body: null });
  });

  it.each([
    ['no id', { title: 'T' }],
    ['a null title', { id: 'n1', title: null }],
    ['a bad updated_at', { id: 'n1', updated_at: '2026-13-01T00:00:00Z' }],
  ])('given %s, when parsed, then it is rejected', (_, payload) => {
    expect(noteUpdatedPayload.safeParse(payload).success).toBe(false);
  });
});

describe('note.deleted payload', () => {
  it('given an id, when parsed, then it is accepted', () => {
    expect(noteDeletedPayload.parse({ id: 'n1' })).toEqual({ id: 'n1' });
  });

  it('given no id or an empty one, when parsed, then it is rejected', () => {
    expect(noteDeletedPayload.safeParse({}).success).toBe(false);
    expect(noteDeletedPayload.safeParse({ id: '' }).success).toBe(false);
  });
});
