import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runPartitioned, type PartitionWork } from './scheduler.js';

/** Partitions named p0… with `sizes[i]` requests each, numbered in order. */
const work = (sizes: number[]): PartitionWork<number>[] => sizes.map((n, i) => ({ key: `p${i}`, requests: Array.from({ length: n }, (_, j) => j) }));

/** A fake sender that records concurrency and order, and takes a pseudo-random while. */
function recorder() {
  const inFlight = new Set<string>();
  let now = 0;
  let peak = 0;
  const order = new Map<string, number[]>();
  let seed = 7;
  const send = async (request: number, key: string) => {
    expect(inFlight.has(key), `two requests of ${key} in flight`).toBe(false);
    inFlight.add(key);
    now++;
    peak = Math.max(peak, now);
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    await sleep(seed % 4);
    order.set(key, [...(order.get(key) ?? []), request]);
    inFlight.delete(key);
    now--;
  };
  return { send, order, peak: () => peak };
}

describe('runPartitioned', () => {
  it('keeps one request in flight per partition, in order, and uses the whole concurrency', async () => {
    const r = recorder();
    const partitions = work([20, 5, 1, 13, 8, 8, 30, 2]);
    await runPartitioned(partitions, 4, r.send);
    for (const p of partitions) expect(r.order.get(p.key)).toEqual(p.requests);
    expect(r.peak()).toBe(4);
  });

  it('never has more in flight than there are partitions', async () => {
    const r = recorder();
    await runPartitioned(work([10, 10]), 32, r.send);
    expect(r.peak()).toBe(2);
  });

  it('keeps the concurrency while partitions run out one by one', async () => {
    // With 3 workers, a long partition must not end up alone while two others still wait.
    const inFlight: number[] = [];
    let now = 0;
    await runPartitioned(work([1, 1, 1, 50, 50, 50]), 3, async () => {
      now++;
      inFlight.push(now);
      await sleep(1);
      now--;
    });
    expect(inFlight.slice(3, 150).every((n) => n === 3)).toBe(true);
  });

  it('takes partitions in turns', async () => {
    const seen: string[] = [];
    await runPartitioned(work([3, 3]), 1, async (request, key) => {
      seen.push(`${key}:${request}`);
    });
    expect(seen).toEqual(['p0:0', 'p1:0', 'p0:1', 'p1:1', 'p0:2', 'p1:2']);
  });

  it('does nothing for no work, and rethrows a failing send', async () => {
    await runPartitioned([], 4, async () => expect.fail('no send expected'));
    await expect(runPartitioned(work([3]), 1, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
