import { z } from 'zod';

/**
 * What PostgreSQL cannot hold or index, checked before any of it reaches a statement.
 *
 * - NUL: `text` cannot hold U+0000 and `jsonb` refuses `\u0000`; sent anyway, the statement fails
 *   (and in a shared group commit, it would fail the statement every member shares).
 * - Lone surrogates: JavaScript strings may hold them, UTF-8 cannot; the driver would write U+FFFD,
 *   so `"\ud800"` and `"\udc00"` would become the same id.
 * - Length: an identifier is a key of every lens table (`(world_id, branch, ...)`), and a btree
 *   entry must fit in a third of a page (2,704 bytes); 256 UTF-8 bytes leaves room for the rest.
 */
export const MAX_IDENTIFIER_BYTES = 256;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// Any NUL or surrogate at all: almost no string has one, so this one scan is all most strings cost.
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const SUSPECT = /[\u0000\ud800-\udfff]/;

/** Why PostgreSQL could not store `text` as it is, or undefined when it can. */
export function unstorableText(text: string): string | undefined {
  if (!SUSPECT.test(text)) return undefined;
  if (text.includes('\u0000')) return 'contains NUL (U+0000), which PostgreSQL text and jsonb cannot hold';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate, which is not a Unicode character';
  return undefined;
}

/** Text PostgreSQL can store: no NUL, no lone surrogate. */
export const storableText = () =>
  z.string().superRefine((text, ctx) => {
    const why = unstorableText(text);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });

/** An identifier: non-empty storable text of at most `MAX_IDENTIFIER_BYTES` UTF-8 bytes. */
export const identifier = () =>
  storableText()
    .min(1)
    .refine((text) => Buffer.byteLength(text, 'utf8') <= MAX_IDENTIFIER_BYTES, {
      message: `must be at most ${MAX_IDENTIFIER_BYTES} bytes of UTF-8`,
    });

/**
 * Every string of a JSON value, keys included, checked with `unstorableText`; issues carry the path
 * to the bad string. Recursive: bodies nest at most 1,000 levels (the body parser refuses deeper).
 * One path array is shared and copied only for an issue: the common case allocates nothing.
 */
export function checkStorableJson(value: unknown, ctx: z.RefinementCtx): void {
  const path: (string | number)[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      const why = unstorableText(v);
      if (why) ctx.addIssue({ code: 'custom', path: [...path], message: why });
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        visit(v[i]);
        path.pop();
      }
    } else if (v !== null && typeof v === 'object') {
      for (const key in v) {
        if (!Object.hasOwn(v, key)) continue;
        path.push(key);
        const why = unstorableText(key);
        if (why) ctx.addIssue({ code: 'custom', path: [...path], message: `key ${why}` });
        visit((v as Record<string, unknown>)[key]);
        path.pop();
      }
    }
  };
  visit(value);
}
