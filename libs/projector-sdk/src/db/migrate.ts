import type { Lens, Migration } from '../lens/lens-types.js';
import type { Sql } from './connect.js';
import { eventCoreMigrations } from './event-core-schema.js';

// Any fixed key works; it only has to differ from the partition locks (which use two-int keys).
const MIGRATION_LOCK_KEY = 7_310_552_901;

export interface MigrationReport {
  applied: string[];
}

/** What `migrate` applies, in order: each scope, its migrations, and the schema it creates (if any). */
export const migrationScopes = (lens: Lens): [scope: string, migrations: readonly Migration[], schema: string | null][] => [
  ['event_core', eventCoreMigrations, null],
  [lens.schema, lens.migrations, lens.schema],
];

/**
 * Brings `event_core` and the lens schema up to date in one transaction under an advisory lock, so
 * several processes starting at once apply each migration exactly once and none sees half a schema.
 * A lens's migrations name its tables unqualified and run with `search_path` set to `lens.schema`
 * alone: the same migrations build the live schema, a rebuild's (`lensIn`) or a scratch one.
 */
export async function migrate(sql: Sql, lens: Lens): Promise<MigrationReport> {
  const applied: string[] = [];
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
    await tx`CREATE SCHEMA IF NOT EXISTS event_core`;
    await tx`
      CREATE TABLE IF NOT EXISTS event_core.schema_migrations (
        scope      text NOT NULL,
        id         text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, id)
      )`;
    for (const [scope, migrations, schema] of migrationScopes(lens)) {
      if (schema) {
        await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        await tx`SELECT set_config('search_path', ${`"${schema}"`}, true)`;
      }
      const done = new Set(
        (await tx<{ id: string }[]>`SELECT id FROM event_core.schema_migrations WHERE scope = ${scope}`).map((r) => r.id),
      );
      for (const m of migrations) {
        if (done.has(m.id)) continue;
        await tx.unsafe(m.sql);
        await tx`INSERT INTO event_core.schema_migrations (scope, id) VALUES (${scope}, ${m.id})`;
        applied.push(`${scope}/${m.id}`);
      }
    }
  });
  return { applied };
}
