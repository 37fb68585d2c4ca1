import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareCodePoints } from './code-point-order.js';
import { parseLosslessJson } from './lossless-json.js';
import { pythonFloatRepr } from './python-float.js';
import { canonicalJson, pythonDumps } from './python-json.js';

// Every expected string below was produced by CPython 3.11:
//   python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1]), sort_keys=True, separators=(",",":")))' TEXT
const dumps = (text: string): string => pythonDumps(parseLosslessJson(text));

interface Fixture {
  readonly python: string;
  readonly cases: readonly (readonly [string, string])[];
}
const loadFixture = (name: string): Fixture =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Fixture;

describe('pythonDumps: strings (ensure_ascii)', () => {
  it('escapes control characters, DEL and everything above ~ as lowercase \\uXXXX', () => {
    expect(dumps('"\\u0000\\u0001\\u001f\\u007f\\u0080\\u00E9\\u2028\\uFFFF"')).toBe(
      '"\\u0000\\u0001\\u001f\\u007f\\u0080\\u00e9\\u2028\\uffff"',
    );
  });

  it('escapes a raw DEL (0x7f), which is ASCII but outside the printable range', () => {
    expect(dumps('"a\u007fb"')).toBe('"a\\u007fb"');
  });

  it('uses the seven short escapes for quote, backslash, \\n \\r \\t \\b \\f', () => {
    expect(dumps('"\\"\\\\\\n\\r\\t\\b\\f"')).toBe('"\\"\\\\\\n\\r\\t\\b\\f"');
  });

  it('does not escape "/" (and unescapes "\\/")', () => {
    expect(dumps('"a/b\\/c"')).toBe('"a/b/c"');
  });

  it('writes raw astral characters as a lowercase surrogate pair', () => {
    expect(dumps('"party \u{1F389}"')).toBe('"party \\ud83c\\udf89"');
  });

  it('writes an escaped surrogate pair the same way as the raw character', () => {
    expect(dumps('"party \\uD83C\\uDF89"')).toBe('"party \\ud83c\\udf89"');
  });

  it('keeps lone surrogates as \\udXXX', () => {
    expect(dumps('"\\udfff x \\ud800"')).toBe('"\\udfff x \\ud800"');
    expect(dumps('"\\uDBFF"')).toBe('"\\udbff"');
  });

  it('escapes raw UTF-8 text (latin-1, CJK, emoji) like its \\u spelling', () => {
    expect(dumps('"café 漢 😀"')).toBe('"caf\\u00e9 \\u6f22 \\ud83d\\ude00"');
    expect(dumps('"caf\\u00e9 \\u6f22 \\ud83d\\ude00"')).toBe('"caf\\u00e9 \\u6f22 \\ud83d\\ude00"');
  });
});

describe('pythonDumps: key order', () => {
  it('sorts keys by code point, so an astral key comes after a U+E000 key', () => {
    // Array.prototype.sort would put "\ud83c\udf89" (units D83C..) before "\ue000".
    expect(dumps('{"\u{1F389}":2,"\uE000":1}')).toBe('{"\\ue000":1,"\\ud83c\\udf89":2}');
  });

  it('applies code point order after a shared prefix too', () => {
    expect(dumps('{"a\u{1F389}":2,"a":3,"a\uE000":1}')).toBe('{"a":3,"a\\ue000":1,"a\\ud83c\\udf89":2}');
  });

  it('sorts ASCII keys by byte (uppercase before underscore before lowercase) and non-ASCII last', () => {
    expect(dumps('{"b":1,"a":2,"B":3,"_":4,"é":5,"":6}')).toBe('{"":6,"B":3,"_":4,"a":2,"b":1,"\\u00e9":5}');
  });

  it('sorts nested objects and leaves array order alone', () => {
    expect(dumps('{"z":{"b":[1,{"d":0,"c":1}]},"a":[]}')).toBe('{"a":[],"z":{"b":[1,{"c":1,"d":0}]}}');
  });

  it('keeps the last value of a duplicated key', () => {
    expect(dumps('{"a":1,"b":0,"a":2}')).toBe('{"a":2,"b":0}');
  });

  it('compareCodePoints treats a lone high surrogate as its own code point', () => {
    // Python: "\ud83c\ue000" < "\U0001f389" because 0xD83C < 0x1F389.
    expect(compareCodePoints('\uD83C\uE000', '\u{1F389}')).toBeLessThan(0);
    expect(compareCodePoints('\uD83C', '\u{1F389}')).toBeLessThan(0);
    expect(compareCodePoints('\uD800', '\uE000')).toBeLessThan(0);
    expect(compareCodePoints('\u{10000}', '\uFFFF')).toBeGreaterThan(0);
    expect(compareCodePoints('abc', 'abc')).toBe(0);
  });
});

describe('pythonDumps: integers', () => {
  it('keeps integers beyond 2^53 exact', () => {
    expect(dumps('9007199254740993')).toBe('9007199254740993');
    expect(dumps('[123456789012345678901234567890,-9223372036854775809]')).toBe(
      '[123456789012345678901234567890,-9223372036854775809]',
    );
  });

  it('turns -0 into 0 (Python int)', () => {
    expect(dumps('-0')).toBe('0');
    expect(dumps('[-0,0]')).toBe('[0,0]');
  });
});

describe('pythonDumps: floats', () => {
  it('writes -0.0 with its sign', () => {
    expect(dumps('-0.0')).toBe('-0.0');
  });

  it('uses exponent form from 1e16 and below 1e-4, with a two-digit signed exponent', () => {
    expect(dumps('[1e16,1e15,1e-4,1e-5,1.5e300,2.5e-7]')).toBe(
      '[1e+16,1000000000000000.0,0.0001,1e-05,1.5e+300,2.5e-07]',
    );
  });

  it('adds .0 to integral positional floats', () => {
    expect(dumps('[1.0,100.0,1E+2,123456789012345.0]')).toBe('[1.0,100.0,100.0,123456789012345.0]');
  });

  it('writes overflowing floats as Infinity / -Infinity, as CPython does', () => {
    expect(dumps('[1e400,-1e400]')).toBe('[Infinity,-Infinity]');
  });

  // prettier-ignore
  const table: readonly (readonly [string, string])[] = [
    ['1.0', '1.0'], ['1e16', '1e+16'], ['1e15', '1000000000000000.0'], ['1E+2', '100.0'],
    ['0.1', '0.1'], ['1e-4', '0.0001'], ['1e-5', '1e-05'], ['0.00001', '1e-05'],
    ['123e-7', '1.23e-05'], ['5e-324', '5e-324'], ['1.7976931348623157e308', '1.7976931348623157e+308'],
    ['-0.0', '-0.0'], ['0e0', '0.0'], ['2.50', '2.5'], ['1e22', '1e+22'], ['1e21', '1e+21'],
    ['9007199254740993.0', '9007199254740992.0'], ['1e400', 'Infinity'], ['-1e400', '-Infinity'],
    ['1e-400', '0.0'], ['0.0001', '0.0001'], ['0.00009999', '9.999e-05'],
    ['9999999999999998.0', '9999999999999998.0'], ['1e17', '1e+17'], ['1.5e300', '1.5e+300'],
    ['2.5e-7', '2.5e-07'], ['100.0', '100.0'], ['123456789012345.0', '123456789012345.0'],
    ['1234567890123456.0', '1234567890123456.0'], ['12345678901234567.0', '1.2345678901234568e+16'],
    ['-2.5', '-2.5'], ['0.30000000000000004', '0.30000000000000004'], ['0.1e1', '1.0'],
    ['1E-02', '0.01'], ['1.23e-5', '1.23e-05'], ['-1.5E+10', '-15000000000.0'],
    ['2.2250738585072014e-308', '2.2250738585072014e-308'], ['1.7976931348623159e308', 'Infinity'],
    ['123.456e2', '12345.6'], ['-0e-5', '-0.0'], ['9.999999999999999e15', '1e+16'], ['1e-7', '1e-07'],
  ];
  it.each(table)('float lexeme %s -> %s', (lexeme, expected) => {
    expect(dumps(lexeme)).toBe(expected);
  });

  it('matches CPython on every case of fixtures/float-repr.json', () => {
    const { cases } = loadFixture('float-repr.json');
    expect(cases.length).toBeGreaterThan(1000);
    const mismatches = cases.filter(([lexeme, expected]) => dumps(lexeme) !== expected);
    expect(mismatches).toEqual([]);
  });
});

describe('pythonDumps: literals and documents', () => {
  it('writes true, false, null', () => {
    expect(dumps(' [ true , false , null ] ')).toBe('[true,false,null]');
  });

  it('matches CPython on every document of fixtures/python-dumps.json (random styles and traps)', () => {
    const { cases } = loadFixture('python-dumps.json');
    expect(cases.length).toBeGreaterThan(200);
    const mismatches = cases.filter(([text, expected]) => dumps(text) !== expected);
    expect(mismatches).toEqual([]);
  });
});

describe('canonicalJson (plain JS values)', () => {
  it('sorts keys by code point and escapes like pythonDumps', () => {
    expect(canonicalJson({ '\u{1F389}': 2, '\uE000': 1, b: 'é\u007f/', a: [null, true, false] })).toBe(
      '{"a":[null,true,false],"b":"\\u00e9\\u007f/","\\ue000":1,"\\ud83c\\udf89":2}',
    );
  });

  it('writes integral numbers as ints (no .0), every digit even past 1e21', () => {
    expect(canonicalJson([1, -0, 1e21, 2 ** 53 + 2, -42])).toBe('[1,0,1000000000000000000000,9007199254740994,-42]');
  });

  it('writes bigint as exact digits', () => {
    expect(canonicalJson(123456789012345678901234567890n)).toBe('123456789012345678901234567890');
  });

  it('writes non-integral numbers as Python floats', () => {
    expect(canonicalJson([0.1, 1e-5, 2.5e-7, 1.5e-300, -2.5])).toBe('[0.1,1e-05,2.5e-07,1.5e-300,-2.5]');
  });

  it('throws on non-finite numbers', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson(Infinity)).toThrow(TypeError);
    expect(() => canonicalJson({ a: -Infinity })).toThrow(TypeError);
  });

  it('throws on values JSON cannot carry instead of dropping them', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson({ a: undefined })).toThrow(TypeError);
    const withHole = [1, 2, 3];
    delete withHole[1];
    expect(() => canonicalJson(withHole)).toThrow(TypeError);
    expect(() => canonicalJson(new Date(0))).toThrow(TypeError);
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
  });

  it('accepts null-prototype objects and an own __proto__ key', () => {
    const row = Object.create(null) as Record<string, unknown>;
    row['b'] = 1;
    Object.defineProperty(row, '__proto__', { value: 2, enumerable: true });
    expect(canonicalJson(row)).toBe('{"__proto__":2,"b":1}');
  });

  it('agrees with pythonDumps on the same document', () => {
    const text = '{"z":[1,2.5,"x\\ud800"],"a":{"\\u00e9":null,"k":true}}';
    expect(canonicalJson(JSON.parse(text))).toBe(dumps(text));
  });

  it('pythonFloatRepr is the shared formatter', () => {
    expect(pythonFloatRepr(1e16)).toBe('1e+16');
    expect(pythonFloatRepr(-0)).toBe('-0.0');
    expect(pythonFloatRepr(Number.NaN)).toBe('NaN');
  });
});
