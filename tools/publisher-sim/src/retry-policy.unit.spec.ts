import { describe, expect, it } from 'vitest';
import { decide, retryAfterMs, type RetryPolicy } from './retry-policy.js';

const policy: RetryPolicy = { baseMs: 100, capMs: 1_000, maxAttempts: 5 };
const mid = () => 0.5;

describe('decide', () => {
  it('is done on 2xx', () => {
    expect(decide({ status: 200 }, 1, policy, mid)).toEqual({ kind: 'done' });
  });

  it.each([500, 502, 503, 409, 0])('retries %i with exponential, capped backoff', (status) => {
    const delays = [1, 2, 3, 4].map((attempt) => decide({ status }, attempt, policy, () => 0.999_999));
    expect(delays.map((d) => (d.kind === 'retry' ? d.delayMs : -1))).toEqual([100, 200, 400, 800]);
    expect(decide({ status }, 4, { ...policy, capMs: 300, maxAttempts: 10 }, () => 0.999_999)).toEqual({ kind: 'retry', delayMs: 300 });
  });

  it('jitters between half and all of the backoff', () => {
    expect(decide({ status: 503 }, 3, policy, () => 0)).toEqual({ kind: 'retry', delayMs: 200 });
  });

  it('honours Retry-After, in seconds or as a date', () => {
    expect(decide({ status: 503, retryAfter: '2' }, 1, policy, mid)).toEqual({ kind: 'retry', delayMs: 2_000 });
    const now = Date.parse('2026-11-01T10:00:00Z');
    expect(decide({ status: 503, retryAfter: 'Sun, 01 Nov 2026 10:00:03 GMT' }, 1, policy, mid, now)).toEqual({ kind: 'retry', delayMs: 3_000 });
  });

  it.each([400, 401, 404, 413, 422])('parks %i at once', (status) => {
    expect(decide({ status }, 1, policy, mid)).toEqual({ kind: 'park', reason: `HTTP ${status}` });
  });

  it('parks a retryable request after maxAttempts', () => {
    const d = decide({ status: 503 }, 5, policy, mid);
    expect(d.kind).toBe('park');
    if (d.kind === 'park') expect(d.reason).toMatch(/gave up after 5 attempts/);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds, fractions and dates, and ignores junk', () => {
    expect(retryAfterMs('1')).toBe(1_000);
    expect(retryAfterMs('0.25')).toBe(250);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs('Sun, 01 Nov 2026 09:59:00 GMT', Date.parse('2026-11-01T10:00:00Z'))).toBe(0);
  });
});
