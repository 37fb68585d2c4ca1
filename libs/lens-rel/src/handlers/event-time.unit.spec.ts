import { isProjectorError } from '@projectors/projector-sdk';
import { describe, expect, it } from 'vitest';
import { eventTime, rfc3339 } from './event-time.js';

describe('rfc3339', () => {
  it.each(['2026-11-01T10:00:00Z', '2026-11-01T10:00:00+00:00', '2026-11-01T12:00:00.1234567+02:00', '2026-11-01T05:00:00-05:00'])(
    'given %s, when parsed, then it is accepted',
    (time) => expect(rfc3339.safeParse(time).success).toBe(true),
  );

  it.each([
    ['no offset', '2026-11-01T10:00:00'],
    ['a space for T', '2026-11-01 10:00:00Z'],
    ['no seconds', '2026-11-01T10:00Z'],
    ['a day that does not exist', '2026-02-30T10:00:00Z'],
    ['a word PostgreSQL reads from the clock', 'now'],
    ['a date only', '2026-11-01'],
    ['an empty string', ''],
  ])('given %s, when parsed, then it is rejected', (_, time) => expect(rfc3339.safeParse(time).success).toBe(false));
});

describe('eventTime', () => {
  const occurredAt = '2026-11-01T10:00:00+00:00';

  it('given a payload time, when resolved, then the payload time wins over occurred_at', () => {
    expect(eventTime('2026-01-01T00:00:00Z', occurredAt)).toBe('2026-01-01T00:00:00Z');
  });

  it('given no payload time (absent or null), when resolved, then occurred_at is used', () => {
    expect(eventTime(undefined, occurredAt)).toBe(occurredAt);
    expect(eventTime(null, occurredAt)).toBe(occurredAt);
  });

  it('given neither, when resolved, then the time is null (never the clock)', () => {
    expect(eventTime(undefined, null)).toBeNull();
  });

  it('given an occurred_at that is not RFC 3339 with an offset, when it would be used, then it is invalid_payload', () => {
    for (const bad of ['now', '2026-11-01T10:00:00', 'yesterday']) {
      let thrown: unknown;
      try {
        eventTime(undefined, bad);
      } catch (err) {
        thrown = err;
      }
      expect(isProjectorError(thrown) && thrown.code).toBe('invalid_payload');
    }
  });

  it('given a bad occurred_at, when the payload has its own time, then occurred_at is not looked at', () => {
    expect(eventTime('2026-01-01T00:00:00Z', 'now')).toBe('2026-01-01T00:00:00Z');
  });
});
