import { afterAll, describe, expect, it } from 'vitest';
import { memoLens } from '../testing/fixtures/memo-lens.fixture.js';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { connectDatabase, type Sql } from './connect.js';
import { eventCoreMigrations } from './event-core-schema.js';
import { migrate } from './migrate.js';

const everyMigration = [
  ...eventCoreMigrations.map((m) => `event_core/${m.id}`),
  ...memoLens.migrations.map((m) => `${memoLens.schema}/${m.id}`),
].sort();

const opened: { db: TestDatabase; pools: Sql[] }[] = [];
afterAll(async () => {
  for (const { db, pools } of opened) {
    await Promise.all(pools.map((p) => p.end({ timeout: 5 })));
    await db.drop();
  }
});

async function freshDatabase(prefix: string, poolCount = 1) {
  const db = await createTestDatabase({ prefix, max: 2 });
  const pools = Array.from({ length: poolCount }, () => connectDatabase(db.url, { max: 2, applicationName: prefix }));
  opened.push({ db, pools });
  return { db, pools };
}

const recorded = async (sql: TestDatabase['sql']) =>
  (await sql<{ key: string }[]>`SELECT scope || '/' || id AS key FROM event_core.schema_migrations ORDER BY 1`).map((r) => r.key);

describe('migrate()', () => {
  it('five at once from five pools on one fresh database: all succeed, each migration applied exactly once', async () => {
    const { db, pools } = await freshDatabase('sdk_migrate_race', 5);
    const reports = await Promise.all(pools.map((sql) => migrate(sql, memoLens)));

    const applied = reports.flatMap((r) => r.applied).sort();
    expect(applied).toEqual(everyMigration);
    // The advisory lock makes one caller do all the work and the others find it done.
    expect(reports.filter((r) => r.applied.length > 0)).toHaveLength(1);
    expect(await recorded(db.sql)).toEqual(everyMigration);
    const tables = await db.sql<{ name: string }[]>`
      SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
      WHERE table_schema IN ('event_core', 'lens_memo') ORDER BY 1`;
    expect(tables.map((t) => t.name)).toEqual([
      'event_core.event_log',
      'event_core.projector_lenses',
      'event_core.projector_partition_blocks',
      'event_core.projector_rebuilds',
      'event_core.projector_skips',
      'event_core.projector_state_hashes',
      'event_core.projector_watermarks',
      'event_core.schema_migrations',
      'lens_memo.applied',
      'lens_memo.item',
    ]);

    const again = await Promise.all(pools.map((sql) => migrate(sql, memoLens)));
    expect(again.map((r) => r.applied)).toEqual([[], [], [], [], []]);
    expect(await recorded(db.sql)).toEqual(everyMigration);
  });

  it('keeps an event log that was there before, rows and all', async () => {
    const { db, pools } = await freshDatabase('sdk_migrate_keep');
    await db.sql`CREATE SCHEMA event_core`;
    // The gateway's table, with a column of its own the SDK does not know about.
    await db.sql`
      CREATE TABLE event_core.event_log (
        global_seq bigint PRIMARY KEY, event_id text UNIQUE NOT NULL, world_id uuid NOT NULL,
        branch text NOT NULL, kind text NOT NULL, envelope jsonb NOT NULL, payload_hash text,
        received_at timestamptz NOT NULL DEFAULT now(), gateway_note text)`;
    await db.sql`
      INSERT INTO event_core.event_log (global_seq, event_id, world_id, branch, kind, envelope, received_at, gateway_note)
      VALUES (7, 'ev-7', '5f0c2a4e-1111-4a4a-8888-000000000007', 'main', 'note.created', '{"payload":{"id":"n1"}}',
              '2026-11-01T10:00:00Z', 'kept')`;

    const report = await migrate(pools[0]!, memoLens);
    expect(report.applied.sort()).toEqual(everyMigration);

    const rows = await db.sql`SELECT global_seq::int, event_id, kind, envelope, received_at, gateway_note FROM event_core.event_log`;
    expect([...rows]).toEqual([
      {
        global_seq: 7,
        event_id: 'ev-7',
        kind: 'note.created',
        envelope: { payload: { id: 'n1' } },
        received_at: new Date('2026-11-01T10:00:00Z'),
        gateway_note: 'kept',
      },
    ]);
    // What was missing is there now.
    const [watermarks] = await db.sql<{ t: string | null }[]>`SELECT to_regclass('event_core.projector_watermarks')::text AS t`;
    expect(watermarks!.t).toBe('event_core.projector_watermarks');
    expect((await migrate(pools[0]!, memoLens)).applied).toEqual([]);
    expect(await db.sql`SELECT count(*)::int AS n FROM event_core.event_log`).toEqual([{ n: 1 }]);
  });
});
