import type { Sql } from '../db/connect.js';
import type { Partition } from '../event/event.js';
import type { Lens } from '../lens/lens-types.js';

/** Every partition this projector has a watermark for, in a stable order. */
export async function listPartitions(sql: Sql, lens: Lens): Promise<Partition[]> {
  const rows = await sql<{ world_id: string; branch: string }[]>`
    SELECT world_id::text, branch FROM event_core.projector_watermarks WHERE projector_name = ${lens.projectorName}
    ORDER BY world_id, branch`;
  return rows.map((r) => ({ worldId: r.world_id, branch: r.branch }));
}
