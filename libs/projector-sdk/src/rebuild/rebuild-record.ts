import type { Sql } from '../db/connect.js';
import type { Lens, Tx } from '../lens/lens-types.js';

/** A rebuild in progress, as recorded in `event_core.projector_rebuilds`. */
export interface RebuildRecord {
  /** The lens version being built. */
  readonly version: number;
  /** The version of the live tables when it started: a different one means differences are expected. */
  readonly fromVersion: number;
  readonly buildSchema: string;
  readonly startedAt: Date;
}

/** The version that built the live tables, or null before the projector's first start recorded it. */
export async function readLiveVersion(sql: Sql | Tx, lens: Lens): Promise<number | null> {
  const [row] = await sql<{ version: number }[]>`SELECT version FROM event_core.projector_lenses WHERE projector_name = ${lens.projectorName}`;
  return row?.version ?? null;
}

/**
 * The version that built the live tables, recorded as the lens's own when none is yet (the first
 * start: the live tables are then made by this code).
 */
export async function ensureLiveVersion(sql: Sql | Tx, lens: Lens): Promise<number> {
  const [row] = await sql<{ version: number }[]>`
    WITH added AS (
      INSERT INTO event_core.projector_lenses (projector_name, version) VALUES (${lens.projectorName}, ${lens.version})
      ON CONFLICT (projector_name) DO NOTHING
      RETURNING version
    )
    SELECT version FROM added
    UNION ALL
    SELECT version FROM event_core.projector_lenses WHERE projector_name = ${lens.projectorName}`;
  return row!.version;
}

/** Records the lens's version as the live tables' (a cutover made them). */
export async function recordLiveVersion(sql: Sql | Tx, lens: Lens): Promise<void> {
  await sql`
    INSERT INTO event_core.projector_lenses (projector_name, version) VALUES (${lens.projectorName}, ${lens.version})
    ON CONFLICT (projector_name) DO UPDATE SET version = EXCLUDED.version, built_at = now()`;
}

export async function readRebuild(sql: Sql | Tx, lens: Lens): Promise<RebuildRecord | null> {
  const [row] = await sql<{ version: number; from_version: number; build_schema: string; started_at: Date }[]>`
    SELECT version, from_version, build_schema, started_at FROM event_core.projector_rebuilds WHERE projector_name = ${lens.projectorName}`;
  return row ? { version: row.version, fromVersion: row.from_version, buildSchema: row.build_schema, startedAt: row.started_at } : null;
}

export async function recordRebuild(sql: Sql | Tx, lens: Lens, record: Omit<RebuildRecord, 'startedAt'>): Promise<void> {
  await sql`
    INSERT INTO event_core.projector_rebuilds (projector_name, version, from_version, build_schema)
    VALUES (${lens.projectorName}, ${record.version}, ${record.fromVersion}, ${record.buildSchema})
    ON CONFLICT (projector_name) DO UPDATE
      SET version = EXCLUDED.version, from_version = EXCLUDED.from_version, build_schema = EXCLUDED.build_schema,
          started_at = now(), updated_at = now()`;
}

export async function forgetRebuild(sql: Sql | Tx, lens: Lens): Promise<void> {
  await sql`DELETE FROM event_core.projector_rebuilds WHERE projector_name = ${lens.projectorName}`;
}
