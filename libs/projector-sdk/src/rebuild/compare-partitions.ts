import type { Sql } from '../db/connect.js';
import type { GlobalSeq, Partition } from '../event/event.js';
import type { Lens, Tx } from '../lens/lens-types.js';
import { hashSnapshot, readWatermark, type StateHash } from '../state/state-hash.js';

/** One partition of the live lens and of its copy, compared at one watermark. */
export type Comparison =
  | { readonly partition: Partition; readonly watermark: GlobalSeq; readonly equal: boolean; readonly liveHash: StateHash; readonly buildHash: StateHash }
  /** The two watermarks differed (live moved on): compare again once the copy has caught up. */
  | { readonly partition: Partition; readonly moved: true };

/**
 * Compares a partition of the live lens with the same partition of its copy, in one snapshot
 * (repeatable read): both watermarks and both hashes are read as of one moment, and nothing is
 * locked, so live applies go on.
 */
export async function comparePartition(sql: Sql, live: Lens, copy: Lens, partition: Partition): Promise<Comparison> {
  return (await sql.begin('isolation level repeatable read read only', (tx) => compareIn(tx, live, copy, partition))) as Comparison;
}

/** The same comparison inside the caller's transaction (the cutover's, which holds the lens). */
export async function compareIn(tx: Tx, live: Lens, copy: Lens, partition: Partition): Promise<Comparison> {
  const [a, b] = await Promise.all([readWatermark(tx, live.projectorName, partition), readWatermark(tx, copy.projectorName, partition)]);
  if (a !== b) return { partition, moved: true };
  const liveHash = await hashSnapshot(tx, live, partition);
  const buildHash = await hashSnapshot(tx, copy, partition);
  return { partition, watermark: a, equal: liveHash === buildHash, liveHash, buildHash };
}
