import { ProjectorError } from '../errors/projector-error.js';
import { globalSeq, partitionKey, type GlobalSeq, type Partition, type ProjectorEvent } from '../event/event.js';
import type { Lens, Tx } from '../lens/lens-types.js';
import { validatePayload, type CheckedPayload } from './lens-payload.js';
import { advanceWatermark, lockPartitions, readPartitionState, type LoggedEvent } from './partition-store.js';

/** One event of a delivery, already checked against the contract and the lens. */
export interface Delivery {
  readonly event: ProjectorEvent;
  readonly checked: CheckedPayload;
}

export type Outcome =
  | { readonly status: 'processed' | 'ignored'; readonly globalSeq: GlobalSeq; readonly kind: string; readonly filled: number }
  | { readonly status: 'duplicate'; readonly globalSeq: GlobalSeq; readonly watermark: GlobalSeq };

export interface ApplyOptions {
  readonly lens: Lens;
  readonly gapPolicy: 'fill' | 'reject';
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
  await lockPartitions(tx, lens.projectorName, [...byPartition.values()].map((g) => g.partition));

  const outcomes = new Array<Outcome>(deliveries.length);
  for (const { partition, indexes } of byPartition.values()) {
    // In seq order: a batch already is (checked before), and concurrent requests grouped into one
    // commit may come in any order; applying them sorted is what one-at-a-time delivery would do.
    indexes.sort((a, b) => deliveries[a]!.event.globalSeq - deliveries[b]!.event.globalSeq);
    const seqs = indexes.map((i) => deliveries[i]!.event.globalSeq);
    const upTo = globalSeq(Math.max(...seqs));
    const state = await readPartitionState(tx, lens.projectorName, partition, upTo, seqs);
    let watermark = state.watermark;
    let next = 0; // the next missing event of the log not yet applied
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
          await applyLogged(tx, lens, partition, logged);
          watermark = logged.globalSeq;
          filled++;
        }
        await runHandler(tx, lens, event, checked);
        watermark = event.globalSeq;
        outcomes[index] = { status: checked.handled ? 'processed' : 'ignored', globalSeq: event.globalSeq, kind: event.kind, filled };
      } catch (err) {
        throw withIndex(err, index, event.globalSeq);
      }
    }
    if (watermark > state.watermark) await advanceWatermark(tx, lens.projectorName, partition, watermark);
  }
  return outcomes;
}

async function runHandler(tx: Tx, lens: Lens, event: ProjectorEvent, checked: CheckedPayload): Promise<void> {
  if (!checked.handled) return;
  const handler = lens.handlers[event.kind]!;
  await handler.apply({
    sql: tx,
    payload: checked.payload as never,
    partition: event.partition,
    globalSeq: event.globalSeq,
    envelope: event.envelope,
    occurredAt: event.envelope.occurred_at ?? null,
  });
}

/** An event read from the log goes through the same checks as a delivered one. */
async function applyLogged(tx: Tx, lens: Lens, partition: Partition, logged: LoggedEvent): Promise<void> {
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
  await runHandler(tx, lens, event, checked);
}

function withIndex(err: unknown, index: number, seq: GlobalSeq): unknown {
  if (err instanceof ProjectorError) return err.withDetails({ index, global_seq: seq });
  if (err && typeof err === 'object') Object.assign(err, { deliveryIndex: index, deliveryGlobalSeq: seq });
  return err;
}
