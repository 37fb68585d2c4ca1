import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { handler, setStatement, statement } from './define-lens.js';

/**
 * `statement()` takes a builder that returns the pending query itself. The lines marked
 * `@ts-expect-error` are compiled by the `typecheck` target: were the misuse accepted, the marker
 * itself would fail the build.
 */
describe('statement() is typed against misuse', () => {
  const payload = z.object({ id: z.string() });

  it('accepts a builder that returns sql`...` unawaited', () => {
    const h = statement(payload, [], ({ sql, payload: p }) => sql`SELECT ${p.id}`);
    expect(h.statement).toBeTypeOf('function');
  });

  it('refuses an async builder and a builder that returns a plain Promise', () => {
    // @ts-expect-error an async builder returns a Promise, not the pending query
    const asyncBuilder = statement(payload, [], async ({ sql, payload: p }) => sql`SELECT ${p.id}`);
    // @ts-expect-error a Promise is not a statement
    const promiseBuilder = statement(payload, [], () => Promise.resolve());
    expect([asyncBuilder, promiseBuilder].every((h) => typeof h.statement === 'function')).toBe(true);
  });
});

/** A handler finds in `tables` exactly the tables it declared: another name does not compile. */
describe('tables are typed by what a handler declares', () => {
  const payload = z.object({ id: z.string() });

  it('gives each form its declared tables and refuses an undeclared one', () => {
    const one = statement(payload, ['note'], ({ sql, tables }) => sql`DELETE FROM ${tables.note}`);
    // @ts-expect-error `link` was not declared
    const other = statement(payload, ['note'], ({ sql, tables }) => sql`DELETE FROM ${tables.link}`);
    const set = setStatement(payload, {
      tables: ['note', 'link'],
      keys: ({ payload: p }) => [p.id],
      row: ({ payload: p }) => p.id,
      apply: (sql, rows, { note, link }) => sql`DELETE FROM ${note} USING ${link} WHERE ${rows.length} > 0`,
    });
    // @ts-expect-error `tag` was not declared
    const bad = setStatement(payload, { tables: ['note'], keys: () => [], row: () => 1, apply: (sql, _rows, { tag }) => sql`SELECT ${tag}` });
    const plain = handler(payload, ['note'], async ({ tables }) => {
      expect(tables.note).toBeDefined();
    });
    expect([one, other, set, bad, plain].map((h) => h.tables)).toEqual([['note'], ['note'], ['note', 'link'], ['note'], ['note']]);
  });
});
