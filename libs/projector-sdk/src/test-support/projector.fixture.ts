import type { Lens } from '../lens/lens-types.js';
import type { Projector } from '../server/create-projector.js';
import { createTestProjector } from '../testing/test-projector.js';
import { memoLens } from './memo-lens.fixture.js';

/** A migrated projector of the memo lens (or `lens`) on the given database, not listening. */
export const testProjector = (url: string, env: Record<string, string> = {}, lens: Lens = memoLens): Promise<Projector> =>
  createTestProjector(lens, url, env);

/** What the database holds for a partition: the watermark and the rows, to check "nothing written". */
export async function partitionRows(projector: Projector, worldId: string, branch = 'main') {
  const { sql, lens } = projector;
  const [wm] = await sql<{ seq: string }[]>`
    SELECT last_processed_seq::text AS seq FROM event_core.projector_watermarks
    WHERE projector_name = ${lens.projectorName} AND world_id = ${worldId} AND branch = ${branch}`;
  const items = await sql`SELECT item_id, value, amount FROM lens_memo.item WHERE world_id = ${worldId} AND branch = ${branch} ORDER BY item_id`;
  const applied = await sql<{ seq: string }[]>`
    SELECT a.global_seq::text AS seq FROM lens_memo.applied a
    WHERE a.world_id = ${worldId} AND a.branch = ${branch} ORDER BY a.global_seq`;
  return { watermark: wm ? Number(wm.seq) : null, items: [...items], applied: applied.map((r) => Number(r.seq)) };
}
