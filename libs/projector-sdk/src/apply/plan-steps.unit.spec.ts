import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planSteps, type PlanItem } from './plan-steps.js';

const item = (partition: string, keys: string[] | null, within?: string[]): PlanItem => ({ partition, keys, within });

describe('planSteps', () => {
  it('events of distinct keys share the first step; a same-key chain takes one step per event', () => {
    expect(planSteps([item('p', ['a']), item('p', ['b']), item('p', ['a']), item('p', ['c']), item('p', ['a'])])).toEqual([0, 0, 1, 0, 2]);
  });

  it('an event of several keys waits for each of them', () => {
    expect(planSteps([item('p', ['a']), item('p', ['a']), item('p', ['b']), item('p', ['a', 'b'])])).toEqual([0, 1, 0, 2]);
  });

  it('a barrier (keys null) comes after everything of its partition before it, and everything after comes after it', () => {
    expect(planSteps([item('p', ['a']), item('p', ['a']), item('p', null), item('p', ['b']), item('q', ['b'])])).toEqual([0, 1, 2, 3, 0]);
  });

  it('partitions never share a key', () => {
    expect(planSteps([item('p', ['a']), item('q', ['a']), item('p', ['a']), item('q', ['a'])])).toEqual([0, 0, 1, 1]);
  });

  it('events within one wider row share a step; a holder of that row comes after them, and they after it', () => {
    // tag a of note n, tag b of note n, delete of note n, tag a of note n again
    const plan = planSteps([item('p', ['t:n:a'], ['n']), item('p', ['t:n:b'], ['n']), item('p', ['n']), item('p', ['t:n:a'], ['n']), item('p', ['t:m:a'], ['m'])]);
    expect(plan).toEqual([0, 0, 1, 2, 0]);
  });

  it('property: conflicting pairs of a partition (a shared key, a key the other lies within, a barrier) keep their order in strictly increasing steps', () => {
    const arbItems = fc.array(
      fc.record({
        partition: fc.constantFrom('p', 'q', 'r'),
        keys: fc.option(fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1, maxLength: 3 }), { freq: 8 }),
        within: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 2 }),
      }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(arbItems, (items) => {
        const steps = planSteps(items);
        for (let j = 0; j < items.length; j++) {
          for (let i = 0; i < j; i++) {
            const [a, b] = [items[i]!, items[j]!];
            if (a.partition !== b.partition) continue;
            const conflict =
              a.keys === null ||
              b.keys === null ||
              a.keys.some((k) => b.keys!.includes(k) || b.within.includes(k)) ||
              b.keys.some((k) => a.within.includes(k));
            if (conflict && !(steps[i]! < steps[j]!)) return false;
          }
        }
        return steps.every((s) => s >= 0);
      }),
      { numRuns: 500 },
    );
  });
});
