import type { Sql } from '../db/connect.js';
import type { Lens, Tx } from '../lens/lens-types.js';

export async function schemaExists(sql: Sql | Tx, schema: string): Promise<boolean> {
  const [row] = await sql<{ exists: boolean }[]>`SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ${schema}) AS exists`;
  return row!.exists;
}

/** Drops a schema of lens tables with its migration records (a finished build's previous lens). */
export async function dropLensSchema(sql: Sql | Tx, schema: string): Promise<void> {
  await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await sql`DELETE FROM event_core.schema_migrations WHERE scope = ${schema}`;
}

/** Drops a copy of a lens (`lensIn`): its schema, its migration records and its watermarks. */
export async function dropLensCopy(sql: Sql | Tx, copy: Lens): Promise<void> {
  await dropLensSchema(sql, copy.schema);
  await sql`DELETE FROM event_core.projector_watermarks WHERE projector_name = ${copy.projectorName}`;
}

/**
 * Renames schema `from` to `to`, migration records included. Tables, indexes and their rows move
 * with the schema; every statement naming `to.<table>` afterwards finds the renamed tables
 * (PostgreSQL invalidates cached plans when a schema changes).
 */
export async function renameLensSchema(tx: Tx, from: string, to: string): Promise<void> {
  await tx.unsafe(`ALTER SCHEMA "${from}" RENAME TO "${to}"`);
  await tx`UPDATE event_core.schema_migrations SET scope = ${to} WHERE scope = ${from}`;
}
