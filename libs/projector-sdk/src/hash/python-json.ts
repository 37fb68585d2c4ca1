import { sortByCodePoint } from './code-point-order.js';
import type { JsonTree } from './json-tree.js';
import { pythonFloatRepr } from './python-float.js';
import { pythonJsonString } from './python-string.js';

/**
 * CPython's `json.dumps(json.loads(text), sort_keys=True, separators=(',', ':'))`
 * given the lossless tree of `text`.
 */
export function pythonDumps(tree: JsonTree): string {
  if (tree === null) return 'null';
  if (typeof tree === 'boolean') return tree ? 'true' : 'false';
  if (typeof tree === 'string') return pythonJsonString(tree);
  switch (tree.kind) {
    case 'int':
      // Python ints are exact at any size; the grammar already forbids leading
      // zeros, so only `-0` (int('-0') == 0) changes.
      return tree.lexeme === '-0' ? '0' : tree.lexeme;
    case 'float':
      // Number() rounds exactly like Python's float(); 1e400 overflows to
      // Infinity in both.
      return pythonFloatRepr(Number(tree.lexeme));
    case 'array': {
      let out = '[';
      for (let i = 0; i < tree.items.length; i++) {
        if (i > 0) out += ',';
        out += pythonDumps(tree.items[i] ?? null);
      }
      return `${out}]`;
    }
    case 'object': {
      const keys = sortByCodePoint([...tree.entries.keys()]);
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        if (i > 0) out += ',';
        out += `${pythonJsonString(key)}:${pythonDumps(tree.entries.get(key) ?? null)}`;
      }
      return `${out}}`;
    }
  }
}

/**
 * The same text format for plain JS values (database rows for the state hash).
 * JS has one number type, so the int/float split is decided by value:
 * integral numbers print as Python ints, the rest as Python floats. Anything
 * JSON cannot carry faithfully throws instead of being silently dropped or
 * coerced (undefined, functions, Dates, Maps, non-finite numbers).
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return pythonJsonString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      return canonicalNumber(value);
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return canonicalArray(value);
      if (isPlainObject(value)) return canonicalObject(value);
      throw new TypeError(`canonicalJson: unsupported object (${Object.prototype.toString.call(value)})`);
    default:
      throw new TypeError(`canonicalJson: unsupported value of type ${typeof value}`);
  }
}

function canonicalNumber(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`canonicalJson: non-finite number ${n}`);
  if (!Number.isInteger(n)) return pythonFloatRepr(n);
  // String(1e21) is "1e+21"; BigInt gives every digit. String(-0) is "0".
  return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
}

function canonicalArray(values: readonly unknown[]): string {
  let out = '[';
  // Index loop, not for..of: a hole must reach canonicalJson as undefined and throw.
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += canonicalJson(values[i]);
  }
  return `${out}]`;
}

function canonicalObject(object: Record<string, unknown>): string {
  const keys = sortByCodePoint(Object.keys(object));
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) out += ',';
    out += `${pythonJsonString(key)}:${canonicalJson(object[key])}`;
  }
  return `${out}}`;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
