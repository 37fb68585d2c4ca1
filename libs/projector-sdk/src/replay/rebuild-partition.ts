import type { Sql } from '../db/connect.js';
import type { Partition } from '../event/event.js';
import type { Lens } from '../lens/lens-types.js';
import { lockPartitions } from '../apply/partition-store.js';
import { hashSnapshot, readWatermark } from '../state/state-hash.js';
import { applyLog, clearPartition } from './apply-log.js';
import type { ReplayResult } from './replay-result.js';

export interface RebuildOptions {
  /** Called after each page of events, for progress. */
  readonly onProgress?: (eventsReplayed: number) => void;
}

/**
 * Repairs one partition in place (`replay --rebuild`): in one transaction holding the live
 * partition's lock, hashes the live rows, deletes them, applies the log up to the watermark (less the
 * recorded skips) and commits. Live events of the partition wait for the whole of it, so this is for
 * a partition known to differ; the whole lens is rebuilt without downtime by `rebuild` (rebuild/).
 * Readers keep seeing the old rows until the commit (MVCC); other partitions are untouched.
 */
export async function rebuildPartition(sql: Sql, lens: Lens, partition: Partition, options: RebuildOptions = {}): Promise<ReplayResult> {
  return (await sql.begin(async (tx) => {
    await lockPartitions(tx, lens.projectorName, [partition]);
    const watermark = await readWatermark(tx, lens.projectorName, partition);
    const liveHash = await hashSnapshot(tx, lens, partition);
    await clearPartition(tx, lens, partition);
    const eventsReplayed = await applyLog(tx, lens, partition, watermark, options.onProgress);
    const replayHash = await hashSnapshot(tx, lens, partition);
    return { partition, watermark, eventsReplayed, liveHash, replayHash, equal: replayHash === liveHash, rebuilt: true };
  })) as ReplayResult;
}
