import { partitionAttributes } from '../tracing/attributes.js';
import { withSpan } from '../tracing/span.js';
import type { Sql } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import type { Partition } from '../event/event.js';
import { lensIn } from '../lens/lens-in.js';
import type { Lens } from '../lens/lens-types.js';
import { hashSnapshot, type PartitionHash } from '../state/state-hash.js';
import { applyLog, clearPartition } from './apply-log.js';
import { latestRecordedHash, recordStateHash } from './recorded-hash.js';
import type { ReplayResult } from './replay-result.js';

export interface VerifyOptions {
  /** The live (watermark, hash) to check. Default: the latest recorded; if none is, one recorded now. */
  readonly against?: PartitionHash;
  /** Called after each page of events, for progress. */
  readonly onProgress?: (eventsReplayed: number) => void;
}

const scratches = new WeakMap<Lens, Lens>();

/**
 * The lens's scratch copy, `<schema>__verify` under `<projectorName>__verify`, honouring live's skips.
 * One object per lens, so its table identifiers are made once (tablesOf).
 */
export function scratchLens(lens: Lens): Lens {
  let scratch = scratches.get(lens);
  if (!scratch) {
    scratch = lensIn(lens, { schema: `${lens.schema}__verify`, projectorName: `${lens.projectorName}__verify` });
    scratches.set(lens, scratch);
  }
  return scratch;
}

const migrated = new WeakMap<Lens, WeakSet<Sql>>();

/**
 * Creates the scratch schema and tables once per pool and process: migrate() is idempotent but takes
 * the migration lock and costs about 15 ms when up to date (57 ms the first time), more than the
 * verification of a small partition.
 */
async function ensureScratch(sql: Sql, scratch: Lens): Promise<void> {
  let pools = migrated.get(scratch);
  if (pools?.has(sql)) return;
  await migrate(sql, scratch);
  if (!pools) migrated.set(scratch, (pools = new WeakSet()));
  pools.add(sql);
}

class Rollback extends Error {}

/**
 * Checks one partition's live state against the log without locking it: replays the partition's
 * logged events up to a recorded watermark W (less the skips recorded for the live projector) into
 * the scratch copy of the lens, inside one transaction that is rolled back, and compares that
 * copy's state hash with the live hash recorded at W. Live events of the partition go on meanwhile;
 * two verifications of one partition take the scratch copy's partition lock in turn.
 */
export function verifyPartition(sql: Sql, lens: Lens, partition: Partition, options: VerifyOptions = {}): Promise<ReplayResult> {
  return withSpan('projector.replay.partition', partitionAttributes(partition), async (span) => {
    const result = await verifyInScratch(sql, lens, partition, options);
    span?.setAttributes({ 'projector.events': result.eventsReplayed, 'projector.watermark': result.watermark, 'projector.replay.equal': result.equal });
    return result;
  });
}

async function verifyInScratch(sql: Sql, lens: Lens, partition: Partition, options: VerifyOptions): Promise<ReplayResult> {
  const live = options.against ?? (await latestRecordedHash(sql, lens, partition)) ?? (await recordStateHash(sql, lens, partition));
  const scratch = scratchLens(lens);
  await ensureScratch(sql, scratch);
  let result: ReplayResult | undefined;
  try {
    await sql.begin(async (tx) => {
      // Nothing is ever committed there; cleared anyway, so a stray commit cannot pass for the log.
      await clearPartition(tx, scratch, partition);
      const eventsReplayed = await applyLog(tx, scratch, partition, live.watermark, options.onProgress);
      const replayHash = await hashSnapshot(tx, scratch, partition);
      result = {
        partition,
        watermark: live.watermark,
        eventsReplayed,
        liveHash: live.stateHash,
        replayHash,
        equal: replayHash === live.stateHash,
        rebuilt: false,
      };
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return result!;
}
