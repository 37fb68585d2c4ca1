import { createHash } from 'node:crypto';
import type { Sql } from '../db/connect.js';
import { globalSeq, type GlobalSeq, type Partition } from '../event/event.js';
import { canonicalJson } from '../hash/index.js';
import type { Lens, Tx } from '../lens/lens-types.js';
import { canonicalRowText, snapshotQuery } from './snapshot-query.js';

/** sha256 hex of a partition's canonical snapshot. */
export type StateHash = string & { readonly __brand: 'StateHash' };

const CURSOR_ROWS = 1000;

/**
 * Writes the canonical JSON of a partition's snapshot, piece by piece, as the rows stream from a
 * cursor: `{"branch":…,"lens":…,"tables":{"<name>":[rows…],…},"world_id":…}` with keys sorted, so
 * memory stays flat however large the partition.
 */
export async function writeSnapshot(tx: Tx, lens: Lens, partition: Partition, write: (chunk: string) => void): Promise<void> {
  write(`{"branch":${canonicalJson(partition.branch)},"lens":${canonicalJson(lens.name)},"tables":{`);
  const names = Object.keys(lens.snapshot).sort();
  for (const [t, name] of names.entries()) {
    const table = lens.snapshot[name]!;
    write(`${t > 0 ? ',' : ''}${canonicalJson(name)}:[`);
    let first = true;
    const cursor = tx.unsafe(snapshotQuery(lens, table), [partition.worldId, partition.branch]).cursor(CURSOR_ROWS);
    for await (const rows of cursor) {
      for (const row of rows) {
        write(`${first ? '' : ','}${canonicalRowText(row, table)}`);
        first = false;
      }
    }
    write(']');
  }
  write(`},"world_id":${canonicalJson(partition.worldId)}}`);
}

/** The state hash of a partition as seen by `tx`. */
export async function hashSnapshot(tx: Tx, lens: Lens, partition: Partition): Promise<StateHash> {
  const hash = createHash('sha256');
  await writeSnapshot(tx, lens, partition, (chunk) => hash.update(chunk, 'utf8'));
  return hash.digest('hex') as StateHash;
}

/** The whole snapshot document in memory: for tests and small partitions only. */
export async function snapshotText(tx: Tx, lens: Lens, partition: Partition): Promise<string> {
  const parts: string[] = [];
  await writeSnapshot(tx, lens, partition, (chunk) => parts.push(chunk));
  return parts.join('');
}

export async function readWatermark(tx: Tx, projectorName: string, partition: Partition): Promise<GlobalSeq> {
  const [row] = await tx<{ seq: string }[]>`
    SELECT coalesce(max(last_processed_seq), 0)::text AS seq FROM event_core.projector_watermarks
    WHERE projector_name = ${projectorName} AND world_id = ${partition.worldId} AND branch = ${partition.branch}`;
  return globalSeq(Number(row!.seq));
}

export interface PartitionHash {
  readonly watermark: GlobalSeq;
  readonly stateHash: StateHash;
}

/** Watermark and state hash read in one snapshot, so the hash belongs to that watermark. */
export async function computeStateHash(sql: Sql, lens: Lens, partition: Partition): Promise<PartitionHash> {
  return (await sql.begin('isolation level repeatable read read only', async (tx) => ({
    watermark: await readWatermark(tx, lens.projectorName, partition),
    stateHash: await hashSnapshot(tx, lens, partition),
  }))) as PartitionHash;
}
