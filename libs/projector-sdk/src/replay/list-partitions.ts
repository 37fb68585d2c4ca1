import type { Sql } from '../db/connect.js';
import type { Partition } from '../event/event.js';
import type { Lens, Tx } from '../lens/lens-types.js';

/**
 * The partitions this projector has a watermark for, in (world_id, branch) order: all of them, or
 * the page of `limit` after `after` (keyset).
 */
export async function listPartitions(sql: Sql | Tx, lens: Lens, page?: { after: Partition | undefined; limit: number }): Promise<Partition[]> {
  const rows = await sql<{ world_id: string; branch: string }[]>`
    SELECT world_id::text, branch FROM event_core.projector_watermarks
    WHERE projector_name = ${lens.projectorName}
      ${page?.after ? sql`AND (world_id, branch) > (${page.after.worldId}::uuid, ${page.after.branch})` : sql``}
    ORDER BY world_id, branch
    ${page ? sql`LIMIT ${page.limit}` : sql``}`;
  return rows.map((r) => ({ worldId: r.world_id, branch: r.branch }));
}
