import { ProjectorError } from '../errors/projector-error.js';
import { partitionKey, type GlobalSeq, type Partition, type ProjectorEvent } from '../event/event.js';
import type { Lens, Tx } from '../lens/lens-types.js';
import { ApplyFailure, failedAt } from './apply-failure.js';
import { classifyError } from './classify-error.js';
import { checkLogged, type CheckedPayload } from './lens-payload.js';
import { advanceWatermarks, lockPartitions, readPartitionStates, type PartitionState } from './partition-store.js';
import { planWork, sendPlan, type Plan, type WorkItem } from './run-plan.js';
import { holdPartition, type HeldOutcome } from './partition-hold.js';

/** One event of a delivery, already checked against the contract and the lens. */
export interface Delivery {
  readonly event: ProjectorEvent;
  readonly checked: CheckedPayload;
}

export type Outcome =
  | { readonly status: 'processed' | 'ignored'; readonly globalSeq: GlobalSeq; readonly kind: string; readonly filled: number }
  | { readonly status: 'duplicate'; readonly globalSeq: GlobalSeq; readonly watermark: GlobalSeq }
  | HeldOutcome
  | { readonly status: 'skipped'; readonly globalSeq: GlobalSeq; readonly error: { readonly code: string; readonly message: string } };

export interface ApplyOptions {
  readonly lens: Lens;
  readonly gapPolicy: 'fill' | 'reject';
  /**
   * What a failing statement that applied several events is answered with. `exact` (the default):
   * the work runs under a savepoint, and after such a failure again one event per statement, so
   * that the answer names the event at fault. `first`: the first of them is named (a group commit,
   * which then isolates each member in a savepoint of its own anyway).
   */
  readonly blame?: 'exact' | 'first';
  /**
   * Deliveries from the publisher: a blocked partition or a gap larger than `maxGapFill` events is
   * left to catch-up (partition-hold.ts). Catch-up and replay apply the log itself and leave it out.
   */
  readonly hold?: { readonly maxGapFill: number };
}

/**
 * Applies deliveries inside the caller's transaction: locks their partitions, then per partition
 * fills gaps from the log and skips duplicates, runs the handlers of every partition set-based
 * (run-plan.ts: one statement per kind per step) and advances each watermark once.
 * A failure of an event is thrown as an ApplyFailure naming the delivery (and the logged gap event,
 * if that is the one that failed); the caller rolls back.
 */
export async function applyDeliveries(tx: Tx, deliveries: readonly Delivery[], options: ApplyOptions): Promise<Outcome[]> {
  const { lens } = options;
  const byPartition = new Map<string, { partition: Partition; indexes: number[] }>();
  deliveries.forEach((d, index) => {
    const key = partitionKey(d.event.partition);
    const group = byPartition.get(key) ?? { partition: d.event.partition, indexes: [] };
    group.indexes.push(index);
    byPartition.set(key, group);
  });
  const groups = [...byPartition.values()];
  for (const g of groups) {
    // In seq order: a batch already is (checked before), and concurrent requests grouped into one
    // commit may come in any order; applying them sorted is what one-at-a-time delivery would do.
    g.indexes.sort((a, b) => deliveries[a]!.event.globalSeq - deliveries[b]!.event.globalSeq);
  }
  // Sent back to back without waiting: PostgreSQL runs them in order, so the read starts after
  // every lock is granted, and the pair costs one round trip.
  const locked = lockPartitions(tx, lens.projectorName, groups.map((g) => g.partition));
  const reading = readPartitionStates(
    tx,
    lens,
    groups.map((g) => ({
      partition: g.partition,
      upTo: deliveries[g.indexes.at(-1)!]!.event.globalSeq,
      gapLimit: options.hold && options.hold.maxGapFill + 1,
    })),
    deliveries.map((d) => d.event.globalSeq),
  );
  const [, states] = await Promise.all([locked, reading]);

  const outcomes = new Array<Outcome>(deliveries.length);
  // A blocked partition, or a gap over one catch-up chunk: its deliveries are left to catch-up.
  const { hold } = options;
  const held = hold
    ? await Promise.all(
        groups.map(({ partition, indexes }) =>
          holdPartition({
            tx,
            partition,
            state: states.get(partitionKey(partition))!,
            deliveries: indexes.map((index) => ({ index, globalSeq: deliveries[index]!.event.globalSeq })),
            maxGapFill: hold.maxGapFill,
          }),
        ),
      )
    : [];
  const work: WorkItem[] = [];
  const moves = groups.flatMap(({ partition, indexes }, i) => {
    const holding = held[i];
    if (holding) {
      for (const h of holding) outcomes[h.index] = h.outcome;
      return [];
    }
    const to = collectPartition(deliveries, indexes, states.get(partitionKey(partition))!, options, outcomes, work);
    return to === undefined ? [] : [{ partition, to }];
  });

  const run = async (sql: Tx, plan: Plan) => {
    const sent = await sendPlan(sql, plan);
    // The watermarks go out right behind the handlers' statements, not after their answers: a failure
    // among those aborts the transaction anyway, so the upsert and the answers share one round trip.
    sent.add(advanceWatermarks(sql, lens.projectorName, moves));
    await sent.drain();
  };
  const plan = planWork(lens, work, 'set');
  if (!plan.shared || options.blame === 'first') {
    await run(tx, plan);
    return outcomes;
  }
  try {
    await tx.savepoint((sp) => run(sp, plan));
  } catch (err) {
    if (!(err instanceof ApplyFailure && err.shared) || classifyError(err) === 'transient') throw err;
    // A statement of many events failed: the same work, one event per statement, names the one.
    await run(tx, planWork(lens, work, 'one-by-one'));
  }
  return outcomes;
}

/**
 * One partition's deliveries in seq order: duplicates answered, gaps filled from the log (or refused
 * under `reject`), handled events added to `work`. Returns the new watermark, or undefined when it
 * does not move. Sends nothing.
 */
function collectPartition(
  deliveries: readonly Delivery[],
  indexes: readonly number[],
  state: PartitionState,
  options: ApplyOptions,
  outcomes: Outcome[],
  work: WorkItem[],
): GlobalSeq | undefined {
  const { lens } = options;
  let watermark = state.watermark;
  let next = 0; // the next missing event of the log not yet applied
  for (const index of indexes) {
    const { event, checked } = deliveries[index]!;
    if (event.globalSeq <= watermark) {
      outcomes[index] = { status: 'duplicate', globalSeq: event.globalSeq, watermark };
      continue;
    }
    let filled = 0;
    for (; next < state.missing.length && state.missing[next]!.globalSeq < event.globalSeq; next++) {
      const logged = state.missing[next]!;
      if (logged.globalSeq <= watermark) continue;
      const at = { index, globalSeq: event.globalSeq, gapGlobalSeq: logged.globalSeq };
      if (options.gapPolicy === 'reject') {
        throw failedAt(
          new ProjectorError('out_of_order', `event ${logged.globalSeq} of this partition is not applied yet`, {
            details: { global_seq: event.globalSeq, watermark, missing_from: logged.globalSeq },
          }),
          { index, globalSeq: event.globalSeq },
        );
      }
      let gap;
      try {
        gap = checkLogged(lens, event.partition, logged);
      } catch (err) {
        throw failedAt(err, at);
      }
      addWork(work, gap.event, gap.checked, at);
      watermark = logged.globalSeq;
      filled++;
    }
    addWork(work, event, checked, { index, globalSeq: event.globalSeq });
    watermark = event.globalSeq;
    outcomes[index] = { status: checked.handled ? 'processed' : 'ignored', globalSeq: event.globalSeq, kind: event.kind, filled };
  }
  return watermark > state.watermark ? watermark : undefined;
}

function addWork(work: WorkItem[], event: ProjectorEvent, checked: CheckedPayload, at: WorkItem['at']): void {
  if (checked.handled) work.push({ event, payload: checked.payload, at });
}
