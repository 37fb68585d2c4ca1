/**
 * Python sorts str keys by code point; `Array.prototype.sort` and `<` compare
 * UTF-16 code units. They disagree only when the first difference involves a
 * surrogate, e.g. '\u{1F389}' (units D83C DF89) > '\uE000' in Python but < in
 * JS.
 */

const SURROGATE = /[\uD800-\uDFFF]/;

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  const ca = a.charCodeAt(i);
  const cb = b.charCodeAt(i);
  if (ca < 0xd800 && cb < 0xd800) return ca - cb;
  // If the common prefix ends in a high surrogate that pairs with a low one
  // here, the differing code point starts one unit earlier.
  if (i > 0 && isHighSurrogate(a.charCodeAt(i - 1)) && (isLowSurrogate(ca) || isLowSurrogate(cb))) i--;
  // codePointAt decodes a proper pair and returns a lone surrogate as itself,
  // which is exactly the code point a Python str holds.
  return (a.codePointAt(i) ?? 0) - (b.codePointAt(i) ?? 0);
}

/** Sorts in place, by code point. */
export function sortByCodePoint(keys: string[]): string[] {
  // Native code-unit order is right (and fastest) unless a surrogate is involved.
  return keys.some((k) => SURROGATE.test(k)) ? keys.sort(compareCodePoints) : keys.sort();
}
