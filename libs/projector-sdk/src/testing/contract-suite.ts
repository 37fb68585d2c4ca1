import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { qualifiedTable } from '../lens/lens-in.js';
import type { Lens } from '../lens/lens-types.js';
import { verifyPartition } from '../replay/verify-partition.js';
import { useTestProjector } from './test-projector.js';

/**
 * What every lens composed with the SDK must show, whatever its handlers: its schema is created once,
 * every table in it is in the snapshot (so the state hash covers every row a handler writes) and has
 * a primary key led by (world_id, branch) (a partition's rows are its own),
 * `/health` names it, a kind it does not handle is `ignored` and moves the watermark, a redelivery is
 * a `duplicate`, a bad body writes nothing, an empty partition has the hash of its empty document,
 * and a replay agrees with the live state. Lens libraries run it; the generator adds it to new lenses.
 */
export function describeProjectorContract(lens: Lens): void {
  describe(`${lens.serviceName} keeps the projector contract`, () => {
    const t = useTestProjector(lens, { prefix: `${lens.name.replaceAll('-', '_')}_contract` });
    const db = t.db;
    const post = (payload: object) => t.projector.app.inject({ method: 'POST', url: '/events', payload });

    it(`creates schema ${lens.schema} and every snapshot table once`, async () => {
      expect((await t.projector.migrate()).applied).toEqual([]);
      for (const { table } of Object.values(lens.snapshot)) {
        const [row] = await db.sql<{ exists: boolean }[]>`SELECT to_regclass(${qualifiedTable(lens, table)}) IS NOT NULL AS exists`;
        expect(row!.exists, table).toBe(true);
      }
    });

    it(`every table of ${lens.schema} is in the snapshot, so the state hash covers whatever a handler writes`, async () => {
      const tables = await db.sql<{ name: string }[]>`
        SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = ${lens.schema} ORDER BY table_name`;
      const inSnapshot = Object.values(lens.snapshot).map((s) => s.table);
      expect(tables.map((t) => t.name).sort()).toEqual([...new Set(inSnapshot)].sort());
    });

    it(`every table of ${lens.schema} has a primary key that starts with (world_id, branch)`, async () => {
      const keys = await db.sql<{ table: string; columns: string[] | null }[]>`
        SELECT c.relname AS table,
               (SELECT array_agg(a.attname::text ORDER BY k.ord)
                FROM pg_index i
                CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                WHERE i.indrelid = c.oid AND i.indisprimary) AS columns
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ${lens.schema} AND c.relkind IN ('r', 'p')
        ORDER BY c.relname`;
      for (const { table, columns } of keys) expect((columns ?? []).slice(0, 2), `${lens.schema}.${table}`).toEqual(['world_id', 'branch']);
    });

    it('GET /health names the service, the projector and the lens', async () => {
      const res = await t.projector.app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ service: lens.serviceName, status: 'healthy', projector_name: lens.projectorName, lens: lens.name });
    });

    it('GET /ready: migrated and reachable, so ready', async () => {
      const res = await t.projector.app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ service: lens.serviceName, status: 'ready', projector_name: lens.projectorName, lens: lens.name });
    });

    it('a kind without a handler is ignored and moves the watermark; its redelivery is a duplicate', async () => {
      const worldId = randomUUID();
      const event = { global_seq: 7, event_id: 'c-7', envelope: { world_id: worldId, branch: 'main', kind: 'contract.unknown-kind', payload: {} } };
      expect((await post(event)).json()).toEqual({ status: 'ignored', global_seq: 7 });
      expect((await post(event)).json()).toEqual({ status: 'duplicate', global_seq: 7, watermark: 7 });
      const hash = await t.projector.app.inject({ method: 'GET', url: `/state-hash?world_id=${worldId}&branch=main` });
      expect(hash.json()).toMatchObject({ world_id: worldId, branch: 'main', watermark: 7 });
    });

    it('a body that is not an event is invalid_event and writes nothing', async () => {
      const worldId = randomUUID();
      const res = await post({ global_seq: 0, event_id: '', envelope: { world_id: worldId } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_event');
      const [row] = await db.sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM event_core.projector_watermarks WHERE world_id = ${worldId}`;
      expect(row!.n).toBe(0);
    });

    it('an empty partition hashes to its empty canonical document, the same every time', async () => {
      const worldId = randomUUID();
      const tables = Object.keys(lens.snapshot).sort().map((name) => `"${name}":[]`).join(',');
      const document = `{"branch":"main","lens":"${lens.name}","tables":{${tables}},"world_id":"${worldId}"}`;
      const expected = createHash('sha256').update(document).digest('hex');
      for (let i = 0; i < 2; i++) {
        const res = await t.projector.app.inject({ method: 'GET', url: `/state-hash?world_id=${worldId}&branch=main` });
        expect(res.json()).toEqual({ world_id: worldId, branch: 'main', watermark: 0, state_hash: expected });
      }
    });

    it('a replay of a partition from the log agrees with the live state', async () => {
      const worldId = randomUUID();
      const envelope = { world_id: worldId, branch: 'main', kind: 'contract.unknown-kind', payload: {} };
      await db.sql`
        INSERT INTO event_core.event_log (global_seq, event_id, world_id, branch, kind, envelope)
        VALUES (9001, ${`c-9001-${worldId}`}, ${worldId}, 'main', ${envelope.kind}, ${db.sql.json(envelope)})`;
      expect((await post({ global_seq: 9001, event_id: `c-9001-${worldId}`, envelope })).json().status).toBe('ignored');
      const result = await verifyPartition(t.projector.sql, lens, { worldId, branch: 'main' });
      expect(result).toMatchObject({ equal: true, eventsReplayed: 1, watermark: 9001 });
    });
  });
}
