import { applyChunkIn } from '../catchup/catchup-chunk.js';
import { PARTITIONS_PER_TX, SCAN_PAGE } from '../catchup/catchup-pass.js';
import { scanBehind } from '../catchup/catchup-scan.js';
import { lockLens } from '../apply/partition-store.js';
import type { Sql } from '../db/connect.js';
import { partitionKey, type Partition } from '../event/event.js';
import type { Lens, Tx } from '../lens/lens-types.js';
import { compareIn } from './compare-partitions.js';
import { renameLensSchema } from './lens-schemas.js';
import { previousSchemaOf } from './rebuild-places.js';
import { forgetRebuild, recordLiveVersion } from './rebuild-record.js';

/** How long the cutover waits for applies in flight to finish before it gives up (and is tried again). */
const LOCK_TIMEOUT = '10s';

export interface CutoverRequest {
  readonly sql: Sql;
  readonly lens: Lens;
  readonly copy: Lens;
  readonly fromVersion: number;
  readonly chunk: number;
  /** Partitions not compared yet (live moved on while they were): compared here. */
  readonly moved: readonly Partition[];
  /** Cut over even if a partition compared here differs (a version change, or an accepted repair). */
  readonly acceptDifferences: boolean;
}

export type CutoverOutcome =
  | { readonly ok: true; readonly ms: number; readonly events: number; readonly equal: number; readonly different: Partition[] }
  | { readonly ok: false; readonly different: Partition[] };

class Refused extends Error {
  constructor(readonly different: Partition[]) {
    super('partitions differ');
  }
}

/**
 * The one short transaction of a rebuild: takes the lens lock exclusive (it waits for the applies in
 * flight; new ones wait for its commit), applies to the copy what live applied since the last pass,
 * compares the partitions that moved, and renames the schemas: live becomes `__previous`, the copy
 * becomes live. Processes serving the lens go on with their next statement on the renamed tables.
 */
export async function cutOver(request: CutoverRequest): Promise<CutoverOutcome> {
  const { sql, lens, copy } = request;
  try {
    return (await sql.begin(async (tx) => {
      await tx.unsafe(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      await lockLens(tx, lens.projectorName);
      const locked = Date.now();
      const { events, touched } = await catchUpCopy(tx, request);
      const check = new Map([...request.moved, ...touched].map((p) => [partitionKey(p), p]));
      let equal = 0;
      const different: Partition[] = [];
      for (const partition of check.values()) {
        const c = await compareIn(tx, lens, copy, partition);
        if ('moved' in c) throw new Error(`cutover: ${partitionKey(partition)} is still behind live under the lens lock`);
        if (c.equal) equal++;
        else different.push(partition);
      }
      if (different.length > 0 && !request.acceptDifferences) throw new Refused(different);
      await renameLensSchema(tx, lens.schema, previousSchemaOf(lens));
      await renameLensSchema(tx, copy.schema, lens.schema);
      await tx`DELETE FROM event_core.projector_watermarks WHERE projector_name = ${copy.projectorName}`;
      await recordLiveVersion(tx, lens);
      // Hashes recorded of another version's tables are no reference for this one's.
      if (request.fromVersion !== lens.version) await tx`DELETE FROM event_core.projector_state_hashes WHERE projector_name = ${lens.projectorName}`;
      await forgetRebuild(tx, lens);
      return { ok: true, ms: Date.now() - locked, events, equal, different };
    })) as CutoverOutcome;
  } catch (err) {
    if (err instanceof Refused) return { ok: false, different: err.different };
    throw err;
  }
}

/** Applies to the copy, inside the cutover, every event live holds and the copy does not yet. */
async function catchUpCopy(tx: Tx, request: CutoverRequest): Promise<{ events: number; touched: Partition[] }> {
  const { lens, copy, chunk } = request;
  const touched = new Map<string, Partition>();
  let events = 0;
  let stuck = -1;
  for (;;) {
    const behind = await scanBehind(tx, { projectorName: copy.projectorName, follow: lens.projectorName }, undefined, SCAN_PAGE);
    if (behind.length === 0) return { events, touched: [...touched.values()] };
    // Each round moves every partition behind (nothing else writes under the lens lock): a round
    // that leaves as many behind and applied nothing would repeat forever while holding the lens.
    if (behind.length === stuck) throw new Error(`cutover: ${behind.length} partitions of the copy do not catch up with live`);
    const before = events;
    for (let i = 0; i < behind.length; i += PARTITIONS_PER_TX) {
      const partitions = behind.slice(i, i + PARTITIONS_PER_TX).map((b) => b.partition);
      const result = await applyChunkIn(tx, copy, { partitions, chunk, stops: new Map(), follow: lens.projectorName });
      if (!result.ok) throw result.cause;
      const [failed] = result.outcome.failed;
      if (failed) throw failed.error;
      events += result.outcome.events;
      for (const p of partitions) touched.set(partitionKey(p), p);
    }
    stuck = events === before ? behind.length : -1;
  }
}
