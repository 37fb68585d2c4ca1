/**
 * A string literal exactly as CPython's `json.dumps(..., ensure_ascii=True)`
 * writes it (`c_encode_basestring_ascii`).
 *
 * CPython walks code points and splits astral ones into a surrogate pair,
 * while lone surrogates come out as themselves; walking UTF-16 code units
 * gives byte-identical output in every case, so no code point decoding here.
 */

// Only these seven get short escapes; notably `/` is left alone and DEL
// (0x7f) is escaped as \u007f because it lies outside ' '..'~'.
const SHORT_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x22, '\\"'],
  [0x5c, '\\\\'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
]);

function escapeCodeUnit(c: number): string {
  // Lowercase hex: CPython's table is "0123456789abcdef".
  return SHORT_ESCAPES.get(c) ?? `\\u${c.toString(16).padStart(4, '0')}`;
}

// Any code unit that needs escaping. One native scan of the whole string lets
// the common all-printable-ASCII case skip the per-unit loop.
const NEEDS_ESCAPE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;

export function pythonJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  let chunkStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) continue;
    // Unchanged runs are copied as one slice, not char by char.
    out += s.slice(chunkStart, i) + escapeCodeUnit(c);
    chunkStart = i + 1;
  }
  return `${out}${s.slice(chunkStart)}"`;
}
