/**
 * A lossless JSON value: what `JSON.parse` throws away is kept, because the
 * payload hash is computed by CPython over `json.loads` output, and Python
 * distinguishes `1` from `1.0` and keeps integers of any size.
 *
 * null, booleans and strings are already lossless as JS primitives, so they
 * stay primitives (fewer allocations on the hot path); numbers, arrays and
 * objects are tagged nodes.
 */
export type JsonTree = null | boolean | string | JsonInt | JsonFloat | JsonArray | JsonObject;

/** A number lexeme without `.`, `e` or `E`: Python turns it into an exact `int`. */
export interface JsonInt {
  readonly kind: 'int';
  readonly lexeme: string;
}

/** A number lexeme with `.`, `e` or `E`: Python turns it into a `float`. */
export interface JsonFloat {
  readonly kind: 'float';
  readonly lexeme: string;
}

export interface JsonArray {
  readonly kind: 'array';
  readonly items: readonly JsonTree[];
}

/**
 * Entries in first-seen key order with the last value of a duplicated key,
 * which is what both Python's dict and `JSON.parse` end up with. A Map, so a
 * key named `__proto__` is just a key.
 */
export interface JsonObject {
  readonly kind: 'object';
  readonly entries: ReadonlyMap<string, JsonTree>;
}

export function isJsonObject(tree: JsonTree): tree is JsonObject {
  return tree !== null && typeof tree === 'object' && tree.kind === 'object';
}
