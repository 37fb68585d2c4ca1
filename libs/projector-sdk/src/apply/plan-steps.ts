/**
 * Plans events into steps that one statement per kind can apply (docs/set-based-apply.md).
 *
 * An event declares the rows it touches within its partition: its `keys`, and the wider rows it lies
 * `within` (a tag lies within its note: it conflicts with a delete of the note, not with other tags
 * of it). `keys: null` means it may touch anything of its partition (a `statement()` or `handler()`
 * kind). Two events of a partition conflict when one's key is the other's key or `within`, or one of
 * them touches everything. Step numbers are given in the events' order: an event goes one step after
 * the latest earlier event it conflicts with. So events in conflict are in different steps, in their
 * order, and events of one step touch disjoint rows: running the steps in order equals running the
 * events one by one.
 */
export interface PlanItem {
  /** The partition's key: events of different partitions never conflict. */
  readonly partition: string;
  /** The rows the event touches, or null for "anything of its partition". */
  readonly keys: readonly string[] | null;
  /** Wider rows the event lies within: it conflicts with an event whose key one of them is. */
  readonly within?: readonly string[];
}

interface PartitionPlan {
  /** Per key, the step of the latest event that holds it as a key. */
  readonly held: Map<string, number>;
  /** Per key, the latest step of an event lying within it. */
  readonly inside: Map<string, number>;
  /** The step of the latest event that touches everything. */
  barrier: number;
  /** The latest step of any event. */
  highest: number;
}

/** The step of each item (0-based), aligned with `items`, which must be in apply order per partition. */
export function planSteps(items: readonly PlanItem[]): number[] {
  const partitions = new Map<string, PartitionPlan>();
  return items.map(({ partition, keys, within = [] }) => {
    let plan = partitions.get(partition);
    if (!plan) partitions.set(partition, (plan = { held: new Map(), inside: new Map(), barrier: -1, highest: -1 }));
    if (keys === null) {
      plan.barrier = plan.highest = plan.highest + 1;
      return plan.barrier;
    }
    let after = plan.barrier;
    for (const key of keys) after = Math.max(after, plan.held.get(key) ?? -1, plan.inside.get(key) ?? -1);
    for (const key of within) after = Math.max(after, plan.held.get(key) ?? -1);
    const step = after + 1;
    for (const key of keys) plan.held.set(key, step);
    for (const key of within) plan.inside.set(key, Math.max(step, plan.inside.get(key) ?? -1));
    plan.highest = Math.max(plan.highest, step);
    return step;
  });
}
