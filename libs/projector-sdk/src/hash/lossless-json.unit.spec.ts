import { describe, expect, it } from 'vitest';
import type { JsonTree } from './json-tree.js';
import { JsonSyntaxError, MAX_JSON_DEPTH, parseJsonBody, parseLosslessJson, toPlain } from './lossless-json.js';

const BODY =
  '{"global_seq": 7, "event_id": "e-1", "envelope": {"kind": "note.created", "payload": ' +
  '{"title": "caf\\u00e9 \u{1F389}", "n": [1, 2.50, -0, 1e400, 9007199254740993], "ok": true, "x": null}}, ' +
  '"payload_hash": "00"}';

function syntaxError(text: string): JsonSyntaxError {
  try {
    parseLosslessJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseLosslessJson: lossless tree', () => {
  it('keeps number lexemes and whether they are int or float lexemes', () => {
    const tree = parseLosslessJson('[0, -0, 10, 1.0, 2.50, 1e2, 1E+2, -3e-4, 9007199254740993, 1e400]');
    expect(tree).toEqual({
      kind: 'array',
      items: [
        { kind: 'int', lexeme: '0' },
        { kind: 'int', lexeme: '-0' },
        { kind: 'int', lexeme: '10' },
        { kind: 'float', lexeme: '1.0' },
        { kind: 'float', lexeme: '2.50' },
        { kind: 'float', lexeme: '1e2' },
        { kind: 'float', lexeme: '1E+2' },
        { kind: 'float', lexeme: '-3e-4' },
        { kind: 'int', lexeme: '9007199254740993' },
        { kind: 'float', lexeme: '1e400' },
      ],
    });
  });

  it('returns null, booleans and strings as primitives', () => {
    expect(parseLosslessJson(' null ')).toBeNull();
    expect(parseLosslessJson('true')).toBe(true);
    expect(parseLosslessJson('false')).toBe(false);
    expect(parseLosslessJson('"plain"')).toBe('plain');
  });

  it('decodes every escape', () => {
    expect(parseLosslessJson('"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u00E9 \\uD83C\\uDF89"')).toBe(
      '" \\ / \b \f \n \r \t é é \u{1F389}',
    );
  });

  it('accepts lone surrogates, as CPython does', () => {
    expect(parseLosslessJson('"a\\ud800b"')).toBe('a\uD800b');
    expect(parseLosslessJson('"\\udc00\\ud800"')).toBe('\uDC00\uD800');
  });

  it('keeps raw UTF-8 text, DEL and non-characters as they are', () => {
    expect(parseLosslessJson('"漢字 \u007f \uFFFF \u{1F600}"')).toBe('漢字 \u007f \uFFFF \u{1F600}');
  });

  it('keeps the last value of a duplicate key at the first key position', () => {
    const tree = parseLosslessJson('{"a": 1, "b": 2, "a": 3}');
    expect(tree).toEqual({
      kind: 'object',
      entries: new Map<string, JsonTree>([
        ['a', { kind: 'int', lexeme: '3' }],
        ['b', { kind: 'int', lexeme: '2' }],
      ]),
    });
  });

  it('accepts every JSON whitespace character and nothing else', () => {
    expect(parseLosslessJson(' \t\n\r[ \t\n\r1 \t\n\r] \t\n\r')).toEqual({
      kind: 'array',
      items: [{ kind: 'int', lexeme: '1' }],
    });
    expect(syntaxError('\u00a0[]').position).toBe(0);
    expect(syntaxError('\uFEFF[]').position).toBe(0);
  });

  it(`accepts nesting up to ${MAX_JSON_DEPTH} levels`, () => {
    const text = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(toPlain(parseLosslessJson(text))).toEqual(JSON.parse(text));
  });

  it('rejects deeper nesting with a JsonSyntaxError, never a stack overflow', () => {
    expect(syntaxError('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1)).reason).toMatch(/Nesting/);
    expect(syntaxError('{"a":'.repeat(200_000)).reason).toMatch(/Nesting/);
    expect(syntaxError('['.repeat(1_000_000)).position).toBe(MAX_JSON_DEPTH);
  });
});

describe('parseLosslessJson: rejects what RFC 8259 rejects', () => {
  // [text, position, message fragment]
  const invalid: readonly (readonly [string, number, string])[] = [
    ['', 0, 'Unexpected end of JSON input'],
    ['   ', 3, 'Unexpected end of JSON input'],
    ['[1,]', 3, "Unexpected ']' (U+005D), expected a JSON value"],
    ['{"a":1,}', 7, 'expected a string property name'],
    ['[1 2]', 3, "expected ',' or ']'"],
    ['{"a" 1}', 5, "expected ':'"],
    ['{"a":1 "b":2}', 7, "expected ',' or '}'"],
    ['{a:1}', 1, 'expected a string property name'],
    ["{'a':1}", 1, 'expected a string property name'],
    ['NaN', 0, 'expected a JSON value'],
    ['[Infinity]', 1, 'expected a JSON value'],
    ['-Infinity', 1, "expected a digit after '-'"],
    ['01', 0, 'Leading zeros'],
    ['-012', 1, 'Leading zeros'],
    ['1.', 2, 'expected a digit after the decimal point'],
    ['.5', 0, 'expected a JSON value'],
    ['1e', 2, 'expected a digit in the exponent'],
    ['1e+', 3, 'expected a digit in the exponent'],
    ['+1', 0, 'expected a JSON value'],
    ['0x10', 1, 'after the JSON value'],
    ['tru', 3, "Unexpected end of JSON input, expected 'true'"],
    ['nul', 3, "expected 'null'"],
    ['True', 0, 'expected a JSON value'],
    ['nulll', 4, 'after the JSON value'],
    ['{} {}', 3, 'after the JSON value'],
    ['"a"x', 3, 'after the JSON value'],
    ['"abc', 4, 'Unterminated string'],
    ['"a\tb"', 2, 'Unescaped control character U+0009'],
    ['"a\nb"', 2, 'Unescaped control character U+000A'],
    ['"\u0000"', 1, 'Unescaped control character U+0000'],
    ['"\\x41"', 1, "Invalid escape '\\x'"],
    ['"\\a"', 1, "Invalid escape '\\a'"],
    ["\"\\'\"", 1, "Invalid escape '\\''"],
    ['"\\u12G4"', 1, "Invalid '\\u' escape"],
    ['"\\u12"', 1, "Invalid '\\u' escape"],
    ['"\\', 2, 'Unterminated string'],
    ['"\\u00', 5, 'Unterminated string'],
    ['[', 1, 'Unexpected end of JSON input'],
    ['{"a":', 5, 'Unexpected end of JSON input'],
    ['{"a":1', 6, 'Unexpected end of JSON input'],
    [']', 0, 'expected a JSON value'],
    ['[1]]', 3, 'after the JSON value'],
    ['/* c */ 1', 0, 'expected a JSON value'],
  ];

  it.each(invalid)('rejects %j at position %i', (text, position, fragment) => {
    const error = syntaxError(text);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('JsonSyntaxError');
    expect(error.position).toBe(position);
    expect(error.message).toContain(fragment);
    expect(error.message).toContain(`at position ${position}`);
    // Same grammar as the native parser.
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('rejects every truncation of a valid body', () => {
    for (let end = 0; end < BODY.length; end++) {
      expect(() => parseLosslessJson(BODY.slice(0, end)), `prefix of length ${end}`).toThrow(JsonSyntaxError);
    }
  });
});

describe('toPlain', () => {
  const valid = [
    BODY,
    '0',
    '-0',
    '[-0.0, 0e0, 1e-400, -1e-400]',
    '[1e400, -1e400, 1.7976931348623159e308]',
    '[9007199254740993, 123456789012345678901234567890, -9223372036854775809]',
    '{"b": 1, "a": 2, "10": 3, "2": 4, "-1": 5}',
    '{"a": 1, "a": {"x": 2}, "b": [], "a": 3}',
    '"\\ud800 \\udfff \\uD83C\\uDF89 \u{1F389}"',
    '{"\\u0000": "\\u0000", "": ""}',
    '[[[[[]]]], {}, {"": {"": null}}]',
    '{"constructor": 1, "toString": 2, "hasOwnProperty": 3}',
  ];

  it.each(valid)('equals JSON.parse for %j', (text) => {
    expect(toPlain(parseLosslessJson(text))).toStrictEqual(JSON.parse(text));
  });

  it('keeps key order identical to JSON.parse (integer-like keys first, duplicates at first position)', () => {
    const text = '{"b": 1, "a": 2, "10": 3, "2": 4, "b": 5}';
    expect(Object.keys(toPlain(parseLosslessJson(text)) as object)).toEqual(Object.keys(JSON.parse(text) as object));
  });

  it('makes __proto__ an own property, never the prototype', () => {
    const text = '{"__proto__": {"polluted": true}, "a": 1}';
    const plain = toPlain(parseLosslessJson(text)) as Record<string, unknown>;
    const native = JSON.parse(text) as Record<string, unknown>;
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(plain, '__proto__')?.value).toEqual({ polluted: true });
    expect(Object.keys(plain)).toEqual(['__proto__', 'a']);
    expect((plain as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(plain)).toEqual(Object.keys(native));
    expect(Object.getOwnPropertyDescriptor(plain, '__proto__')).toEqual(
      Object.getOwnPropertyDescriptor(native, '__proto__'),
    );
  });

  it('rounds integers past 2^53 to the nearest double, like JSON.parse', () => {
    expect(toPlain(parseLosslessJson('9007199254740993'))).toBe(9007199254740992);
  });

  it('parseJsonBody gives both views in one call', () => {
    const { lossless, plain } = parseJsonBody(BODY);
    expect(lossless).toEqual(parseLosslessJson(BODY));
    expect(plain).toStrictEqual(toPlain(lossless));
    expect(() => parseJsonBody('{"a":1,}')).toThrow(JsonSyntaxError);
  });
});
