import type { Sql } from '../db/connect.js';
import { globalSeq, type Partition } from '../event/event.js';
import type { Lens } from '../lens/lens-types.js';
import { computeStateHash, type PartitionHash, type StateHash } from '../state/state-hash.js';

/**
 * Hashes the partition's live state as it is now (a read-only snapshot, no lock) and records it in
 * `event_core.projector_state_hashes`; the first hash recorded for a watermark is kept. Returns the
 * hash just computed.
 */
export async function recordStateHash(sql: Sql, lens: Lens, partition: Partition): Promise<PartitionHash> {
  const hash = await computeStateHash(sql, lens, partition);
  await sql`
    INSERT INTO event_core.projector_state_hashes (projector_name, world_id, branch, global_seq, state_hash)
    VALUES (${lens.projectorName}, ${partition.worldId}, ${partition.branch}, ${hash.watermark}, ${hash.stateHash})
    ON CONFLICT DO NOTHING`;
  return hash;
}

/** The partition's latest recorded (watermark, state hash), or undefined when none is. */
export async function latestRecordedHash(sql: Sql, lens: Lens, partition: Partition): Promise<PartitionHash | undefined> {
  const [row] = await sql<{ seq: string; state_hash: string }[]>`
    SELECT global_seq::text AS seq, state_hash FROM event_core.projector_state_hashes
    WHERE projector_name = ${lens.projectorName} AND world_id = ${partition.worldId} AND branch = ${partition.branch}
    ORDER BY global_seq DESC LIMIT 1`;
  return row && { watermark: globalSeq(Number(row.seq)), stateHash: row.state_hash as StateHash };
}
