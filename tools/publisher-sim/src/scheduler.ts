/** The requests of one partition, in the order they must be delivered. */
export interface PartitionWork<R> {
  readonly key: string;
  readonly requests: readonly R[];
}

/**
 * Delivers every partition's requests in order with at most one request in flight per partition
 * and at most `concurrency` in flight overall. Partitions take turns (round robin), as a CDC
 * publisher reading the log in order would interleave them. `send` must settle only once the
 * request is finished for good (retried or parked): the partition's next request waits for it.
 * A rejection of `send` stops the run and is rethrown.
 */
export async function runPartitioned<R>(
  partitions: readonly PartitionWork<R>[],
  concurrency: number,
  send: (request: R, partitionKey: string) => Promise<void>,
): Promise<void> {
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be an integer >= 1');
  const ready = partitions.filter((p) => p.requests.length > 0).map((p) => ({ work: p, next: 0 }));
  let head = 0;
  let failed = false;

  // A worker exits when nothing is ready; every partition still pending is then held by another
  // worker, which puts it back and carries on: no partition is ever left without one.
  const worker = async (): Promise<void> => {
    while (!failed && head < ready.length) {
      const slot = ready[head++]!;
      try {
        await send(slot.work.requests[slot.next]!, slot.work.key);
      } catch (err) {
        failed = true;
        throw err;
      }
      slot.next++;
      if (slot.next < slot.work.requests.length) ready.push(slot);
    }
  };
  const workers = Array.from({ length: Math.min(concurrency, ready.length) }, worker);
  await Promise.all(workers);
}
