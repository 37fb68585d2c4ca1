import { applyDeliveries, type Delivery } from '../apply/apply-events.js';
import { checkLogged } from '../apply/lens-payload.js';
import { globalSeq, type GlobalSeq, type Partition } from '../event/event.js';
import { qualifiedTable } from '../lens/lens-in.js';
import type { Lens, Tx } from '../lens/lens-types.js';

const PAGE = 500;

/** Empties the partition's rows of `lens` and sets its watermark back to 0, inside the caller's transaction. */
export async function clearPartition(tx: Tx, lens: Lens, partition: Partition): Promise<void> {
  for (const table of Object.values(lens.snapshot)) {
    await tx.unsafe(`DELETE FROM ${qualifiedTable(lens, table.table)} WHERE world_id = $1 AND branch = $2`, [partition.worldId, partition.branch]);
  }
  await tx`
    UPDATE event_core.projector_watermarks SET last_processed_seq = 0
    WHERE projector_name = ${lens.projectorName} AND world_id = ${partition.worldId} AND branch = ${partition.branch}`;
}

/**
 * Applies the partition's log up to `upTo` to `lens` (the live lens, or a copy made by `lensIn`),
 * through the apply path, less the events `lens.decisionsOf` recorded as skipped. Reads page by page
 * (keyset on global_seq). Pages, not a cursor: a suspended cursor portal blocks every other query of
 * the transaction, and applying a page needs those queries. Returns the number of events applied.
 */
export async function applyLog(
  tx: Tx,
  lens: Lens,
  partition: Partition,
  upTo: GlobalSeq,
  onProgress?: (n: number) => void,
): Promise<number> {
  let replayed = 0;
  let after = 0;
  for (;;) {
    const rows = await tx<{ seq: string; event_id: string; kind: string; envelope: unknown }[]>`
      SELECT e.global_seq::text AS seq, e.event_id, e.kind, e.envelope FROM event_core.event_log e
      WHERE e.world_id = ${partition.worldId} AND e.branch = ${partition.branch}
        AND e.global_seq > ${after} AND e.global_seq <= ${upTo}
        -- Skips are decisions recorded as data (policy or operator): replay makes the same ones.
        AND NOT EXISTS (
          SELECT 1 FROM event_core.projector_skips s
          WHERE s.projector_name = ${lens.decisionsOf} AND s.world_id = e.world_id AND s.branch = e.branch AND s.global_seq = e.global_seq
        )
      ORDER BY e.global_seq
      LIMIT ${PAGE}`;
    if (rows.length === 0) return replayed;
    const deliveries: Delivery[] = rows.map((r) =>
      checkLogged(lens, partition, { globalSeq: globalSeq(Number(r.seq)), eventId: r.event_id, kind: r.kind, envelope: r.envelope }),
    );
    // The log is complete by construction here, so the gap check finds nothing to fill.
    await applyDeliveries(tx, deliveries, { lens, gapPolicy: 'fill' });
    replayed += deliveries.length;
    after = deliveries.at(-1)!.event.globalSeq;
    onProgress?.(replayed);
  }
}
