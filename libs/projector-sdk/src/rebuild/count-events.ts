import type { Sql } from '../db/connect.js';
import type { Lens } from '../lens/lens-types.js';

/**
 * How many logged events the live lens holds, and how many of those the copy holds already (a
 * resumed rebuild), for the progress bar: each partition's log counted up to each watermark by the
 * log's index (recorded skips are counted too, so the figures are upper bounds by that few).
 */
export async function countEvents(sql: Sql, live: Lens, copy: Lens): Promise<{ live: number; done: number }> {
  const [row] = await sql<{ live: string; done: string }[]>`
    SELECT coalesce(sum((SELECT count(*) FROM event_core.event_log e
                         WHERE e.world_id = w.world_id AND e.branch = w.branch AND e.global_seq <= w.last_processed_seq)), 0)::text AS live,
           coalesce(sum((SELECT count(*) FROM event_core.event_log e
                         WHERE e.world_id = w.world_id AND e.branch = w.branch AND e.global_seq <= c.last_processed_seq)), 0)::text AS done
    FROM event_core.projector_watermarks w
    LEFT JOIN event_core.projector_watermarks c ON c.projector_name = ${copy.projectorName} AND c.world_id = w.world_id AND c.branch = w.branch
    WHERE w.projector_name = ${live.projectorName}`;
  return { live: Number(row!.live), done: Number(row!.done) };
}
