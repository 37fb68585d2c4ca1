import { ProjectorError } from '../errors/projector-error.js';
import type { GlobalSeq, Partition } from '../event/event.js';
import type { Tx } from '../lens/lens-types.js';
import type { PartitionState } from './partition-store.js';

/** A delivery not applied now but left to catch-up, which will apply it from the log. */
export type HeldOutcome =
  | { readonly status: 'queued'; readonly globalSeq: GlobalSeq; readonly watermark: GlobalSeq }
  | { readonly status: 'blocked'; readonly globalSeq: GlobalSeq; readonly blockedAt: GlobalSeq };

export interface HoldRequest {
  readonly tx: Tx;
  readonly partition: Partition;
  readonly state: PartitionState;
  /** The partition's deliveries, in seq order, with their index in the request. */
  readonly deliveries: readonly { readonly index: number; readonly globalSeq: GlobalSeq }[];
  /** Gap events a delivery may fill in its own transaction; more is catch-up's work. */
  readonly maxGapFill: number;
}

export type Held = { readonly index: number; readonly outcome: HeldOutcome | { status: 'duplicate'; globalSeq: GlobalSeq; watermark: GlobalSeq } };

/**
 * Decides whether a partition's deliveries wait for catch-up: the partition is blocked at a poison
 * event, or its gap is larger than one chunk (so no request holds a transaction over a large gap).
 * Returns undefined when they are applied as usual. A held delivery that is in the log is answered
 * `queued` or `blocked` (catch-up applies it); one that is not is refused, for the publisher to retry.
 */
export async function holdPartition(request: HoldRequest): Promise<Held[] | undefined> {
  const { tx, partition, state, deliveries } = request;
  const { watermark } = state;
  const pending = deliveries.filter((d) => d.globalSeq > watermark);
  // Events before the block apply as usual: only those at or past it wait for the operator.
  const blocked = state.blockedAt !== null && pending.some((d) => d.globalSeq >= state.blockedAt!) ? state.blockedAt : null;
  if (blocked === null && state.missing.length <= request.maxGapFill) return undefined;
  const logged = new Set(
    pending.length === 0
      ? []
      : (
          await tx<{ seq: string }[]>`
            SELECT global_seq::text AS seq FROM event_core.event_log
            WHERE world_id = ${partition.worldId} AND branch = ${partition.branch}
              AND global_seq = ANY(${pending.map((d) => d.globalSeq as number)}::bigint[])`
        ).map((r) => Number(r.seq)),
  );
  return deliveries.map(({ index, globalSeq }): Held => {
    if (globalSeq <= watermark) return { index, outcome: { status: 'duplicate', globalSeq, watermark } };
    const at = { index, global_seq: globalSeq };
    if (blocked !== null) {
      if (logged.has(globalSeq)) return { index, outcome: { status: 'blocked', globalSeq, blockedAt: blocked } };
      throw new ProjectorError('partition_blocked', `the partition is blocked at event ${blocked}`, { details: { ...at, blocked_at: blocked } });
    }
    if (logged.has(globalSeq)) return { index, outcome: { status: 'queued', globalSeq, watermark } };
    throw new ProjectorError('out_of_order', `more than ${request.maxGapFill} events of this partition are not applied yet; catch-up is applying them`, {
      details: { ...at, watermark, missing_from: state.missing[0]!.globalSeq, catching_up: true },
    });
  });
}
