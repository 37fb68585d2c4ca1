/**
 * Plans events into steps that one statement per kind can apply (docs/set-based-apply.md).
 *
 * An event declares the logical rows it touches (its keys, within its partition), or `null` when it
 * may touch anything of its partition (a `statement()` or `handler()` kind). Step numbers are
 * assigned in the events' order: an event goes one step after the last event of its partition that
 * shares a key with it, or after the last event of its partition that touches everything. So two
 * events that share a key are in different steps, in their order, and running the steps in order
 * runs every key's events in order; events of one step touch disjoint rows, so the order among them
 * does not matter. That is what makes the steps equal to one-by-one application.
 */
export interface PlanItem {
  /** The partition's key: events of different partitions never share a key. */
  readonly partition: string;
  /** The rows the event touches, or null for "anything of its partition". */
  readonly keys: readonly string[] | null;
}

/** The step of each item (0-based), aligned with `items`, which must be in apply order per partition. */
export function planSteps(items: readonly PlanItem[]): number[] {
  const partitions = new Map<string, { last: Map<string, number>; barrier: number; highest: number }>();
  return items.map(({ partition, keys }) => {
    let state = partitions.get(partition);
    if (!state) partitions.set(partition, (state = { last: new Map(), barrier: -1, highest: -1 }));
    if (keys === null) {
      const step = state.highest + 1;
      state.barrier = step;
      state.highest = step;
      return step;
    }
    let after = state.barrier;
    for (const key of keys) after = Math.max(after, state.last.get(key) ?? -1);
    const step = after + 1;
    for (const key of keys) state.last.set(key, step);
    state.highest = Math.max(state.highest, step);
    return step;
  });
}
