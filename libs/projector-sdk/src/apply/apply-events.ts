import { ProjectorError } from '../errors/projector-error.js';
import { partitionKey, type GlobalSeq, type Partition, type ProjectorEvent } from '../event/event.js';
import type { Lens, Tx } from '../lens/lens-types.js';
import { validatePayload, type CheckedPayload } from './lens-payload.js';
import { holdPartition, type HeldOutcome } from './partition-hold.js';
import { advanceWatermarks, lockPartitions, readPartitionStates, type LoggedEvent, type PartitionState } from './partition-store.js';

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
   * Deliveries from the publisher: a blocked partition or a gap larger than `maxGapFill` events is
   * left to catch-up (partition-hold.ts). Catch-up and replay apply the log itself and leave it out.
   */
  readonly hold?: { readonly maxGapFill: number };
}

/**
 * Applies deliveries inside the caller's transaction: locks their partitions, then per partition
 * fills gaps from the log, skips duplicates, runs the handlers and advances the watermark once.
 * Throws a ProjectorError carrying the `index` of the delivery that failed; the caller rolls back.
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
    lens.projectorName,
    groups.map((g) => ({
      partition: g.partition,
      upTo: deliveries[g.indexes.at(-1)!]!.event.globalSeq,
      gapLimit: options.hold && options.hold.maxGapFill + 1,
    })),
    deliveries.map((d) => d.event.globalSeq),
  );
  const [, states] = await Promise.all([locked, reading]);

  const outcomes = new Array<Outcome>(deliveries.length);
  // Partitions are independent: their statements go out together on the transaction's connection
  // (postgres.js pipelines them), so a group of N partitions costs a few round trips, not N times as many.
  const pipelines = groups.map(() => new Pipeline());
  const settled = await Promise.allSettled(
    groups.map(({ partition, indexes }, i) =>
      applyPartition(tx, deliveries, partition, states.get(partitionKey(partition))!, indexes, options, outcomes, pipelines[i]!),
    ),
  );
  const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    // Statements already sent must settle before the transaction is rolled back.
    await Promise.all(pipelines.map((p) => p.settle()));
    throw rootCause(failures);
  }
  const moves = settled.flatMap((r, i) => {
    const to = (r as PromiseFulfilledResult<GlobalSeq | undefined>).value;
    return to === undefined ? [] : [{ partition: groups[i]!.partition, to }];
  });
  // The watermarks go out right behind the handlers' statements, not after their answers: a failure
  // among those aborts the transaction anyway, so the upsert and the answers share one round trip.
  const watermarks = advanceWatermarks(tx, lens.projectorName, moves);
  const drained = await Promise.allSettled([...pipelines.map((p) => p.drain()), watermarks]);
  const late = drained.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (late.length > 0) throw rootCause(late);
  return outcomes;
}

/**
 * Applies one partition's deliveries in seq order: gap fill, duplicates, handlers. Returns the new
 * watermark, or undefined when it does not move, once every statement is sent (`pipeline` holds
 * those not answered yet).
 */
async function applyPartition(
  tx: Tx,
  deliveries: readonly Delivery[],
  partition: Partition,
  state: PartitionState,
  indexes: readonly number[],
  options: ApplyOptions,
  outcomes: Outcome[],
  pipeline: Pipeline,
): Promise<GlobalSeq | undefined> {
  const { lens } = options;
  let watermark = state.watermark;
  let next = 0; // the next missing event of the log not yet applied
  try {
    if (options.hold) {
      const held = await holdPartition({
        tx,
        partition,
        state,
        deliveries: indexes.map((index) => ({ index, globalSeq: deliveries[index]!.event.globalSeq })),
        maxGapFill: options.hold.maxGapFill,
      });
      if (held) {
        for (const h of held) outcomes[h.index] = h.outcome;
        return undefined;
      }
    }
    for (const index of indexes) {
      const { event, checked } = deliveries[index]!;
      try {
        if (event.globalSeq <= watermark) {
          outcomes[index] = { status: 'duplicate', globalSeq: event.globalSeq, watermark };
          continue;
        }
        let filled = 0;
        for (; next < state.missing.length && state.missing[next]!.globalSeq < event.globalSeq; next++) {
          const logged = state.missing[next]!;
          if (logged.globalSeq <= watermark) continue;
          if (options.gapPolicy === 'reject') {
            throw new ProjectorError('out_of_order', `event ${logged.globalSeq} of this partition is not applied yet`, {
              details: { global_seq: event.globalSeq, watermark, missing_from: logged.globalSeq },
            });
          }
          await pipeline.run(logged.globalSeq, index, () => applyLogged(tx, lens, partition, logged));
          watermark = logged.globalSeq;
          filled++;
        }
        await pipeline.run(event.globalSeq, index, () => runHandler(tx, lens, event, checked));
        watermark = event.globalSeq;
        outcomes[index] = { status: checked.handled ? 'processed' : 'ignored', globalSeq: event.globalSeq, kind: event.kind, filled };
      } catch (err) {
        throw withIndex(err, index, event.globalSeq);
      }
    }
  } catch (err) {
    // Statements already sent must settle before the transaction is rolled back.
    await pipeline.settle();
    throw err;
  }
  return watermark > state.watermark ? watermark : undefined;
}

/**
 * The statements of one partition, in order. A `statement()` handler's query is sent at once and
 * not waited for; anything else first waits for every statement sent before it, so a handler that
 * reads what an earlier one wrote still sees it.
 */
class Pipeline {
  private readonly sent: Promise<unknown>[] = [];

  /** `step` returns a started query (pipelined), or a handler to start once all before it are done. */
  async run(seq: GlobalSeq, index: number, step: () => Step): Promise<void> {
    const result = step();
    if (result.pipelined) {
      const answered = result.done.catch((err: unknown) => Promise.reject(withIndex(err, index, seq)));
      // Observed here so that a failure answered before drain() is not an unhandled rejection;
      // drain() still sees it.
      answered.catch(() => undefined);
      this.sent.push(answered);
      return;
    }
    await this.drain();
    await result.start();
  }

  /** Waits for every statement sent, whatever their outcome. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.sent.splice(0));
  }

  /** Waits for every statement sent; the first failure in order is the one to report. */
  async drain(): Promise<void> {
    const settled = await Promise.allSettled(this.sent.splice(0));
    const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failures.length > 0) throw rootCause(failures);
  }
}

type Step = { pipelined: true; done: Promise<unknown> } | { pipelined: false; start: () => Promise<unknown> };

/**
 * Once one statement fails, PostgreSQL refuses every later one of the transaction with 25P02; the
 * failure worth reporting is the one that is not that echo.
 */
function rootCause(failures: unknown[]): unknown {
  return failures.find((err) => (err as { code?: unknown }).code !== '25P02') ?? failures[0];
}

function runHandler(tx: Tx, lens: Lens, event: ProjectorEvent, checked: CheckedPayload): Step {
  if (!checked.handled) return { pipelined: true, done: Promise.resolve() };
  const handler = lens.handlers[event.kind]!;
  const ctx = {
    sql: tx,
    payload: checked.payload as never,
    partition: event.partition,
    globalSeq: event.globalSeq,
    envelope: event.envelope,
    occurredAt: event.envelope.occurred_at ?? null,
  };
  if (handler.statement) {
    // then() now, not later: a postgres.js query is sent when it is first awaited, and the order
    // in which they are sent is the order PostgreSQL runs them in.
    const query = handler.statement(ctx);
    return { pipelined: true, done: new Promise((resolve, reject) => query.then(resolve, reject)) };
  }
  return { pipelined: false, start: () => handler.apply(ctx) };
}

/** An event read from the log goes through the same checks as a delivered one. */
function applyLogged(tx: Tx, lens: Lens, partition: Partition, logged: LoggedEvent): Step {
  const event: ProjectorEvent = { ...logged, partition };
  let checked: CheckedPayload;
  try {
    checked = validatePayload(lens, logged.kind, logged.envelope);
  } catch (err) {
    if (err instanceof ProjectorError) {
      throw new ProjectorError(err.code, `gap event ${logged.globalSeq} from the log: ${err.message}`, {
        details: { ...err.details, gap_global_seq: logged.globalSeq },
      });
    }
    throw err;
  }
  return runHandler(tx, lens, event, checked);
}

/** Names the delivery that failed; the first one named wins (a pipelined failure surfaces later). */
function withIndex(err: unknown, index: number, seq: GlobalSeq): unknown {
  if (err instanceof ProjectorError) return err.details.index === undefined ? err.withDetails({ index, global_seq: seq }) : err;
  if (err && typeof err === 'object' && !('deliveryIndex' in err)) Object.assign(err, { deliveryIndex: index, deliveryGlobalSeq: seq });
  return err;
}
