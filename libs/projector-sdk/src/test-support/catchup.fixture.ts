import type postgres from 'postgres';
import { catchupDeps } from '../catchup/catchup-deps.js';
import { catchUpPass, type PassReport } from '../catchup/catchup-pass.js';
import type { CatchupStatus } from '../catchup/catchup-status.js';
import type { Projector } from '../server/create-projector.js';

/** One catch-up pass of a (not started) test projector, with the projector's own policy, metrics and status. */
export function catchUp(projector: Projector, status: CatchupStatus = projector.catchup): Promise<PassReport> {
  const { sql, lens, config, metrics, log } = projector;
  return catchUpPass(catchupDeps({ sql, lens, config, metrics, log, catchup: status }));
}

/**
 * Logs `perPartition` item.set events in each of `partitions` new partitions in one statement,
 * global_seq from `from` on, partitions interleaved as a busy log is.
 */
export async function logMany(sql: postgres.Sql, options: { partitions: number; perPartition: number; from: number }): Promise<string[]> {
  const rows = await sql<{ world_id: string }[]>`
    WITH p AS (SELECT gen_random_uuid() AS world_id, n FROM generate_series(0, ${options.partitions - 1}) n),
    ins AS (
      INSERT INTO event_core.event_log (global_seq, event_id, world_id, branch, kind, envelope)
      SELECT ${options.from} + i * ${options.partitions} + p.n, 'bulk-' || (${options.from} + i * ${options.partitions} + p.n), p.world_id, 'main', 'item.set',
             jsonb_build_object('world_id', p.world_id, 'branch', 'main', 'kind', 'item.set',
                                'payload', jsonb_build_object('id', 'k' || i, 'value', 'v' || i))
      FROM p, generate_series(0, ${options.perPartition - 1}) i
    )
    SELECT world_id::text FROM p ORDER BY n`;
  return rows.map((r) => r.world_id);
}
