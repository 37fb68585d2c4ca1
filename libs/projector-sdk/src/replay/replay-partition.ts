import type { Sql } from '../db/connect.js';
import { globalSeq, type GlobalSeq, type Partition } from '../event/event.js';
import type { Lens, Tx } from '../lens/lens-types.js';
import { applyDeliveries, type Delivery } from '../apply/apply-events.js';
import { checkLogged } from '../apply/lens-payload.js';
import { lockPartitions } from '../apply/partition-store.js';
import { qualifiedTable } from '../lens/lens-in.js';
import { hashSnapshot, readWatermark, type StateHash } from '../state/state-hash.js';
import { partitionAttributes } from '../tracing/attributes.js';
import { withSpan } from '../tracing/span.js';

export interface ReplayResult {
  readonly partition: Partition;
  readonly watermark: GlobalSeq;
  readonly eventsReplayed: number;
  readonly liveHash: StateHash;
  readonly replayHash: StateHash;
  readonly equal: boolean;
  /** True when the live rows were replaced by the replayed ones. */
  readonly rebuilt: boolean;
}

export interface ReplayOptions {
  /** Replace the live rows with the replayed ones (the repair), in the same transaction. */
  readonly rebuild?: boolean;
  /** Called after each chunk of events, for progress. */
  readonly onProgress?: (eventsReplayed: number) => void;
}

const PAGE = 500;

class Rollback extends Error {}

/**
 * Replays one partition from `event_core.event_log` up to its live watermark (less the events
 * recorded in `event_core.projector_skips`), through the same
 * apply path as live events, and compares the state hashes. It runs in one transaction holding the
 * partition's lock: the live rows are deleted, the log is applied from watermark 0, the hash taken,
 * and then everything is rolled back (or committed, with `rebuild`). Readers keep seeing the live
 * rows meanwhile (MVCC); live events of this partition wait; other partitions are untouched.
 */
export function replayPartition(sql: Sql, lens: Lens, partition: Partition, options: ReplayOptions = {}): Promise<ReplayResult> {
  return withSpan('projector.replay.partition', partitionAttributes(partition), async (span) => {
    const result = await replayInTransaction(sql, lens, partition, options);
    span?.setAttributes({ 'projector.events': result.eventsReplayed, 'projector.watermark': result.watermark, 'projector.replay.equal': result.equal, 'projector.replay.rebuilt': result.rebuilt });
    return result;
  });
}

async function replayInTransaction(sql: Sql, lens: Lens, partition: Partition, options: ReplayOptions): Promise<ReplayResult> {
  let result: ReplayResult | undefined;
  try {
    await sql.begin(async (tx) => {
      await lockPartitions(tx, lens.projectorName, [partition]);
      const watermark = await readWatermark(tx, lens.projectorName, partition);
      const liveHash = await hashSnapshot(tx, lens, partition);
      await clearPartition(tx, lens, partition);
      const eventsReplayed = await applyLog(tx, lens, partition, watermark, options.onProgress);
      const replayHash = await hashSnapshot(tx, lens, partition);
      const equal = replayHash === liveHash;
      result = { partition, watermark, eventsReplayed, liveHash, replayHash, equal, rebuilt: Boolean(options.rebuild) };
      if (!options.rebuild) throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return result!;
}

/** Empties the partition's lens rows and sets its watermark back to 0, inside the replay transaction. */
async function clearPartition(tx: Tx, lens: Lens, partition: Partition): Promise<void> {
  for (const table of Object.values(lens.snapshot)) {
    await tx.unsafe(`DELETE FROM ${qualifiedTable(lens, table.table)} WHERE world_id = $1 AND branch = $2`, [partition.worldId, partition.branch]);
  }
  await tx`
    UPDATE event_core.projector_watermarks SET last_processed_seq = 0
    WHERE projector_name = ${lens.projectorName} AND world_id = ${partition.worldId} AND branch = ${partition.branch}`;
}

/**
 * Reads the partition's log up to `watermark` page by page (keyset on global_seq) and applies each
 * page. Pages, not a cursor: a suspended cursor portal blocks every other query of the transaction,
 * and applying a page needs those queries.
 */
async function applyLog(
  tx: Tx,
  lens: Lens,
  partition: Partition,
  watermark: GlobalSeq,
  onProgress?: (n: number) => void,
): Promise<number> {
  let replayed = 0;
  let after = 0;
  for (;;) {
    const rows = await tx<{ seq: string; event_id: string; kind: string; envelope: unknown }[]>`
      SELECT e.global_seq::text AS seq, e.event_id, e.kind, e.envelope FROM event_core.event_log e
      WHERE e.world_id = ${partition.worldId} AND e.branch = ${partition.branch}
        AND e.global_seq > ${after} AND e.global_seq <= ${watermark}
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

/** Every partition this projector has a watermark for, in a stable order. */
export async function listPartitions(sql: Sql, lens: Lens): Promise<Partition[]> {
  const rows = await sql<{ world_id: string; branch: string }[]>`
    SELECT world_id::text, branch FROM event_core.projector_watermarks WHERE projector_name = ${lens.projectorName}
    ORDER BY world_id, branch`;
  return rows.map((r) => ({ worldId: r.world_id, branch: r.branch }));
}
