import type { Lens, TableRef, Tables, Tx } from './lens-types.js';

const SQL_NAME = /^[a-z_][a-z0-9_]*$/;

/** Where a copy of a lens lives: its schema and the name its watermarks and locks go under. */
export interface LensPlace {
  readonly schema: string;
  readonly projectorName: string;
}

/**
 * The same lens writing another schema (a rebuild's `lens_rel__build`, a verification's scratch):
 * the same handlers, snapshot and hash, its own watermarks and partition locks, and the recorded
 * skips of the live projector, which every replay and rebuild honours.
 */
export function lensIn(lens: Lens, place: LensPlace): Lens {
  for (const name of [place.schema, place.projectorName]) {
    if (!SQL_NAME.test(name)) throw new Error(`lensIn: ${JSON.stringify(name)} must be a lowercase identifier`);
  }
  return Object.freeze({ ...lens, schema: place.schema, projectorName: place.projectorName, decisionsOf: lens.decisionsOf });
}

const made = new WeakMap<Lens, Tables<string>>();

/**
 * The lens's tables as identifiers of its schema, made once per lens object. An identifier is a
 * value (postgres.js escapes it when made), so the transaction that first asks only lends its helper.
 */
export function tablesOf(sql: Tx, lens: Lens): Tables<string> {
  let tables = made.get(lens);
  if (!tables) {
    const refs: Record<string, TableRef> = {};
    for (const { table } of Object.values(lens.snapshot)) refs[table] = sql(`${lens.schema}.${table}`);
    tables = Object.freeze(refs);
    made.set(lens, tables);
  }
  return tables;
}

/** A snapshot table's qualified name for SQL text the SDK writes itself (quoted, like postgres.js does). */
export function qualifiedTable(lens: Lens, table: string): string {
  return `"${lens.schema}"."${table}"`;
}
