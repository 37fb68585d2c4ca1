import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isJsonObject, type JsonTree } from './json-tree.js';
import { JsonSyntaxError, parseLosslessJson, toPlain } from './lossless-json.js';
import { canonicalEnvelopeText, payloadHashOf } from './payload-hash.js';
import { pythonDumps } from './python-json.js';

// ---------------------------------------------------------------------------
// A value model richer than JS values: ints are exact bigints, floats are
// doubles, so one model can be written out in many equivalent spellings.

type Model =
  | { readonly t: 'null' }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'int'; readonly v: bigint }
  | { readonly t: 'float'; readonly v: number }
  | { readonly t: 'arr'; readonly items: readonly Model[] }
  | { readonly t: 'obj'; readonly entries: readonly (readonly [string, Model])[] };

// Full Unicode (astral included) plus the characters that hit escaping and
// ordering traps, lone surrogates among them.
const trapChar = fc.constantFrom(
  '\u0000', '\u001f', '\n', '\t', '"', '\\', '/', '\u007f', '\u0080', 'é', '\u2028',
  '\uE000', '\uFFFF', '\u{1F389}', '\u{10FFFF}', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'a', 'Z', '_',
);
const jsonString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: trapChar, maxLength: 6 }),
);

const leaf: fc.Arbitrary<Model> = fc.oneof(
  fc.constant<Model>({ t: 'null' }),
  fc.boolean().map((v): Model => ({ t: 'bool', v })),
  jsonString.map((v): Model => ({ t: 'str', v })),
  fc.oneof(fc.bigInt({ min: -1000n, max: 1000n }), fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n })).map(
    (v): Model => ({ t: 'int', v }),
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v): Model => ({ t: 'float', v })),
);

const { model } = fc.letrec<{ model: Model }>((tie) => ({
  model: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('model'), { maxLength: 4 }).map((items): Model => ({ t: 'arr', items })),
    fc
      .uniqueArray(fc.tuple(jsonString, tie('model')), { selector: ([key]) => key, maxLength: 5 })
      .map((entries): Model => ({ t: 'obj', entries })),
  ),
}));

const NOT_HASHED = ['received_at', 'payload_hash'];

/** An envelope object, with or without the two keys the hash ignores. */
const envelope = fc
  .record({
    entries: fc.uniqueArray(fc.tuple(jsonString, model), { selector: ([key]) => key, maxLength: 6 }),
    receivedAt: fc.option(model, { nil: undefined }),
    payloadHash: fc.option(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), { nil: undefined }),
  })
  .map(({ entries, receivedAt, payloadHash }) => {
    const kept = entries.filter(([key]) => !NOT_HASHED.includes(key));
    const extra: (readonly [string, Model])[] = [];
    if (receivedAt !== undefined) extra.push(['received_at', receivedAt]);
    if (payloadHash !== undefined) extra.push(['payload_hash', { t: 'str', v: payloadHash }]);
    return { hashed: { t: 'obj', entries: kept } as Model, full: { t: 'obj', entries: [...extra, ...kept] } as Model };
  });

// ---------------------------------------------------------------------------
// Writing a model as JSON text, in one of many equivalent styles.

interface Style {
  readonly indent: string | null;
  readonly afterColon: string;
  readonly afterComma: string;
  readonly escapeNonAscii: boolean;
  readonly escapeAllAscii: boolean;
  readonly escapeSlash: boolean;
  readonly upperHex: boolean;
  readonly floatSpelling: number;
  readonly shuffleSeed: number;
}

const whitespace = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r'), maxLength: 3 });
const style: fc.Arbitrary<Style> = fc.record({
  indent: fc.option(whitespace, { nil: null }),
  afterColon: whitespace,
  afterComma: whitespace,
  escapeNonAscii: fc.boolean(),
  escapeAllAscii: fc.boolean(),
  escapeSlash: fc.boolean(),
  upperHex: fc.boolean(),
  floatSpelling: fc.integer({ min: 0, max: 3 }),
  shuffleSeed: fc.integer(),
});
const COMPACT: Style = {
  indent: null,
  afterColon: '',
  afterComma: '',
  escapeNonAscii: false,
  escapeAllAscii: false,
  escapeSlash: false,
  upperHex: false,
  floatSpelling: 0,
  shuffleSeed: 0,
};

/** mulberry32: a tiny seeded PRNG so a style shuffles keys reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function writeString(s: string, st: Style): string {
  const hex = (c: number): string => {
    const h = c.toString(16).padStart(4, '0');
    return `\\u${st.upperHex ? h.toUpperCase() : h}`;
  };
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x2f && st.escapeSlash) out += '\\/';
    else if (c === 0x0a) out += st.escapeAllAscii ? hex(c) : '\\n';
    else if (c < 0x20) out += hex(c);
    else if (c < 0x7f) out += st.escapeAllAscii ? hex(c) : s[i];
    else out += st.escapeNonAscii ? hex(c) : s[i];
  }
  return `${out}"`;
}

function writeFloat(x: number, spelling: number): string {
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const abs = Math.abs(x);
  switch (spelling) {
    case 1:
      return sign + abs.toExponential();
    case 2:
      return sign + abs.toExponential(20).toUpperCase();
    case 3: {
      // Trailing zeros in the fraction change nothing in Python's float.
      const [mantissa, exponent] = abs.toExponential().split('e') as [string, string];
      return `${sign}${mantissa.includes('.') ? mantissa : `${mantissa}.`}000e${exponent}`;
    }
    default: {
      const text = String(abs);
      return sign + (/[.e]/.test(text) ? text : `${text}.0`);
    }
  }
}

function write(m: Model, st: Style, random: () => number, depth = 1): string {
  const newline = st.indent === null ? '' : `\n${st.indent.repeat(depth)}`;
  const close = st.indent === null ? '' : `\n${st.indent.repeat(depth - 1)}`;
  switch (m.t) {
    case 'null':
      return 'null';
    case 'bool':
      return String(m.v);
    case 'str':
      return writeString(m.v, st);
    case 'int':
      return m.v.toString();
    case 'float':
      return writeFloat(m.v, st.floatSpelling);
    case 'arr':
      if (m.items.length === 0) return '[]';
      return `[${m.items.map((item) => newline + write(item, st, random, depth + 1)).join(`,${st.afterComma}`)}${close}]`;
    case 'obj': {
      if (m.entries.length === 0) return '{}';
      const entries = [...m.entries];
      for (let i = entries.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [entries[i], entries[j]] = [entries[j] as (typeof entries)[number], entries[i] as (typeof entries)[number]];
      }
      const parts = entries.map(
        ([key, value]) => `${newline}${writeString(key, st)}:${st.afterColon}${write(value, st, random, depth + 1)}`,
      );
      return `{${parts.join(`,${st.afterComma}`)}${close}}`;
    }
  }
}

function writeBody(env: Model, st: Style): string {
  const body: Model = {
    t: 'obj',
    entries: [
      ['global_seq', { t: 'int', v: 42n }],
      ['event_id', { t: 'str', v: 'e-1' }],
      ['envelope', env],
      ['payload_hash', { t: 'str', v: '0'.repeat(64) }],
    ],
  };
  return write(body, st, prng(st.shuffleSeed));
}

function envelopeOf(body: string): JsonTree {
  const tree = parseLosslessJson(body);
  if (!isJsonObject(tree)) throw new Error('body is not an object');
  return tree.entries.get('envelope') ?? null;
}

// ---------------------------------------------------------------------------
// An independent, deliberately naive CPython json.dumps(sort_keys=True,
// separators=(',', ':')) for values that came out of JSON.parse(JSON.stringify(v)):
// walks code points instead of code units, compares code point arrays, and
// finds the shortest float digits by trying precisions one by one with exact
// BigInt distances.

function referenceString(s: string): string {
  const short: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
  const u = (unit: number): string => `\\u${unit.toString(16).padStart(4, '0')}`;
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (short[ch] !== undefined) out += short[ch];
    else if (cp >= 0x20 && cp <= 0x7e) out += ch;
    else if (cp > 0xffff) out += u(0xd800 + ((cp - 0x10000) >> 10)) + u(0xdc00 + ((cp - 0x10000) & 0x3ff));
    else out += u(cp);
  }
  return `${out}"`;
}

function referenceKeyOrder(a: string, b: string): number {
  const pa = Array.from(a, (ch) => ch.codePointAt(0) as number);
  const pb = Array.from(b, (ch) => ch.codePointAt(0) as number);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return (pa[i] as number) - (pb[i] as number);
  }
  return pa.length - pb.length;
}

/** |c × 10^k − x| scaled to an integer, exact: x is read as mantissa × 2^e from its bits. */
function exactDistance(c: bigint, k: number, x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const [m, e] = biased === 0 ? [fraction, -1074] : [fraction | (1n << 52n), biased - 1075];
  const s2 = Math.max(0, -e);
  const s10 = Math.max(0, -k);
  const scaledX = m * 2n ** BigInt(e + s2) * 10n ** BigInt(s10);
  const scaledC = c * 10n ** BigInt(k + s10) * 2n ** BigInt(s2);
  return scaledX > scaledC ? scaledX - scaledC : scaledC - scaledX;
}

/**
 * Shortest digits that round-trip, the closest to x among them, ties to an
 * even last digit (David Gay's mode 0, which CPython's repr uses). toPrecision
 * alone is not enough: it breaks ties upwards, e.g. 1138463280502146.25 ->
 * "...146.3" where Python says "...146.2".
 */
function referenceShortest(x: number): { digits: string; exp: number } {
  for (let p = 1; ; p++) {
    const [mantissa, expText] = x.toExponential(p - 1).split('e') as [string, string];
    const n = BigInt(mantissa.replace('.', ''));
    const k = Number(expText) - (p - 1); // value = n × 10^k
    const candidates = [n - 1n, n, n + 1n].filter((c) => c > 0n && Number(`${c}e${k}`) === x);
    if (candidates.length === 0) continue;
    candidates.sort((a, b) => {
      const da = exactDistance(a, k, x);
      const db = exactDistance(b, k, x);
      return da !== db ? (da < db ? -1 : 1) : Number(a % 2n) - Number(b % 2n);
    });
    const best = String(candidates[0]);
    const digits = best.replace(/0+$/, '');
    return { digits, exp: k + best.length - 1 };
  }
}

function referenceFloat(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const { digits, exp } = referenceShortest(Math.abs(x));
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${Math.abs(exp) < 10 ? '0' : ''}${Math.abs(exp)}`;
  }
  const padded = exp < 0 ? '0'.repeat(-exp) + digits : digits.padEnd(exp + 1, '0');
  const point = exp < 0 ? 1 : exp + 1;
  const frac = padded.slice(point);
  return `${sign}${padded.slice(0, point)}.${frac === '' ? '0' : frac}`;
}

function referenceDumps(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return referenceString(v);
  if (typeof v === 'number') {
    // JSON.stringify wrote integers below 1e21 without '.' or 'e': Python ints.
    return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : referenceFloat(v);
  }
  if (Array.isArray(v)) return `[${v.map(referenceDumps).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort(referenceKeyOrder);
  return `{${keys.map((k) => `${referenceString(k)}:${referenceDumps(o[k])}`).join(',')}}`;
}

// ---------------------------------------------------------------------------

describe('payload hash properties', () => {
  it('is the same however the body is written (whitespace, key order, escapes, float spelling)', () => {
    fc.assert(
      fc.property(envelope, style, style, ({ full }, a, b) => {
        const textA = canonicalEnvelopeText(envelopeOf(writeBody(full, a)));
        const textB = canonicalEnvelopeText(envelopeOf(writeBody(full, b)));
        expect(textA).toBe(textB);
        expect(payloadHashOf(envelopeOf(writeBody(full, a)))).toBe(payloadHashOf(envelopeOf(writeBody(full, b))));
      }),
      { numRuns: 300 },
    );
  });

  it('ignores received_at and payload_hash on the envelope', () => {
    fc.assert(
      fc.property(envelope, style, ({ full, hashed }, st) => {
        expect(payloadHashOf(envelopeOf(writeBody(full, st)))).toBe(payloadHashOf(envelopeOf(writeBody(hashed, COMPACT))));
      }),
      { numRuns: 200 },
    );
  });

  it('produces pure ASCII canonical text that is itself valid JSON with the same value', () => {
    fc.assert(
      fc.property(model, style, (m, st) => {
        const canonical = pythonDumps(parseLosslessJson(write(m, st, prng(st.shuffleSeed))));
        expect(canonical).toMatch(/^[\x20-\x7e]*$/);
        // Canonicalisation is idempotent.
        expect(pythonDumps(parseLosslessJson(canonical))).toBe(canonical);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with a naive reference implementation on JSON.stringify output', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), fc.jsonValue({ stringUnit: trapChar }), (v, w) => {
        for (const value of [v, w]) {
          const text = JSON.stringify(value);
          expect(pythonDumps(parseLosslessJson(text))).toBe(referenceDumps(JSON.parse(text)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reference float repr agrees on a double that sits exactly between two 17-digit decimals', () => {
    // CPython: repr(1138463280502146.25) == '1138463280502146.2'
    expect(referenceFloat(1138463280502146.25)).toBe('1138463280502146.2');
    expect(pythonDumps(parseLosslessJson('1138463280502146.25'))).toBe('1138463280502146.2');
  });

  it('reference float repr agrees on arbitrary doubles', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const lexeme = writeFloat(x, 1);
        expect(pythonDumps(parseLosslessJson(lexeme))).toBe(referenceFloat(x));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parser robustness properties', () => {
  const jsonish = fc.string({
    unit: fc.constantFrom(...'{}[],:"\\u0123456789-+.eEtruefalsn \n\t/x', '\uD800', '\u0000'),
    maxLength: 40,
  });

  /** Throws only JsonSyntaxError, and accepts exactly what JSON.parse accepts. */
  function checkAgainstNative(text: string): void {
    let native: { ok: true; value: unknown } | { ok: false };
    try {
      native = { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      native = { ok: false };
    }
    try {
      const tree = parseLosslessJson(text);
      expect(native.ok).toBe(true);
      if (native.ok) expect(toPlain(tree)).toStrictEqual(native.value);
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
      expect(native.ok).toBe(false);
      expect(error.position).toBeGreaterThanOrEqual(0);
      expect(error.position).toBeLessThanOrEqual(text.length);
    }
  }

  it('arbitrary strings', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), jsonish), checkAgainstNative), { numRuns: 3000 });
  });

  it('truncations and single-character edits of valid bodies', () => {
    fc.assert(
      fc.property(envelope, style, fc.nat(), fc.nat(), fc.string({ unit: 'binary', maxLength: 2 }), ({ full }, st, cut, at, insert) => {
        const body = writeBody(full, st);
        checkAgainstNative(body.slice(0, cut % (body.length + 1)));
        const i = at % (body.length + 1);
        checkAgainstNative(body.slice(0, i) + insert + body.slice(i + 1));
      }),
      { numRuns: 500 },
    );
  });
});
