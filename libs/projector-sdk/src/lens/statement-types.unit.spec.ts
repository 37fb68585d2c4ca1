import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { statement } from './define-lens.js';

/**
 * `statement()` takes a builder that returns the pending query itself. The lines marked
 * `@ts-expect-error` are compiled by the `typecheck` target: were the misuse accepted, the marker
 * itself would fail the build.
 */
describe('statement() is typed against misuse', () => {
  const payload = z.object({ id: z.string() });

  it('accepts a builder that returns sql`...` unawaited', () => {
    const h = statement(payload, ({ sql, payload: p }) => sql`SELECT ${p.id}`);
    expect(h.statement).toBeTypeOf('function');
  });

  it('refuses an async builder and a builder that returns a plain Promise', () => {
    // @ts-expect-error an async builder returns a Promise, not the pending query
    const asyncBuilder = statement(payload, async ({ sql, payload: p }) => sql`SELECT ${p.id}`);
    // @ts-expect-error a Promise is not a statement
    const promiseBuilder = statement(payload, () => Promise.resolve());
    expect([asyncBuilder, promiseBuilder].every((h) => typeof h.statement === 'function')).toBe(true);
  });
});
