import { describe, expect, it } from 'vitest';
import { createLoopProgress, type BackgroundTask } from './loop-progress.js';

describe('loop progress', () => {
  const clock = () => {
    let ms = 1_000_000;
    return { now: () => ms, advance: (by: number) => (ms += by) };
  };

  it('a loop is stalled once it has not beaten for longer than its interval plus the grace, and not before', () => {
    const c = clock();
    const beats: [BackgroundTask, number][] = [];
    const progress = createLoopProgress((task, at) => beats.push([task, at]), c.now);
    progress.watch('catch-up', 2_000);
    progress.watch('lag-metrics', 30_000);
    expect(beats).toEqual([['catch-up', 1_000_000], ['lag-metrics', 1_000_000]]);
    c.advance(7_000);
    expect(progress.stalled(5_000)).toEqual([]);
    c.advance(1);
    expect(progress.stalled(5_000)).toEqual([{ task: 'catch-up', secondsSinceProgress: 7 }]);
    progress.beat('catch-up');
    expect(progress.stalled(5_000)).toEqual([]);
    expect(beats.at(-1)).toEqual(['catch-up', 1_007_001]);
    c.advance(40_000);
    expect(progress.stalled(5_000).map((s) => s.task)).toEqual(['catch-up', 'lag-metrics']);
  });

  it('beats of a loop not watched are ignored, and clear() forgets every loop', () => {
    const c = clock();
    const beats: BackgroundTask[] = [];
    const progress = createLoopProgress((task) => beats.push(task), c.now);
    progress.beat('health-check');
    expect(beats).toEqual([]);
    progress.watch('health-check', 0);
    c.advance(10);
    expect(progress.stalled(1)).toHaveLength(1);
    progress.clear();
    expect(progress.stalled(1)).toEqual([]);
  });
});
