/** The background loops of a projector: the `task` label of their series. */
export type BackgroundTask = 'health-check' | 'lag-metrics' | 'state-hash-monitor' | 'catch-up';

export interface StalledLoop {
  readonly task: BackgroundTask;
  readonly secondsSinceProgress: number;
}

/**
 * When each background loop last got something done: a run finished, or one step of a long run
 * (a partition hashed, a catch-up transaction committed). A loop that fails every time, or hangs,
 * stops beating; `/ready` calls it stalled after its interval plus a grace.
 */
export interface LoopProgress {
  /** Starts watching a loop; its clock starts now. */
  watch(task: BackgroundTask, intervalMs: number): void;
  /** The loop got something done. */
  beat(task: BackgroundTask): void;
  /** The loops watched without progress for longer than their interval plus `graceMs`. */
  stalled(graceMs: number): StalledLoop[];
  /** Stops watching every loop (they were stopped). */
  clear(): void;
}

/** `onBeat` sees every beat (the last-progress gauge); `now` is the clock, replaced in tests. */
export function createLoopProgress(onBeat: (task: BackgroundTask, atMs: number) => void, now: () => number = Date.now): LoopProgress {
  const loops = new Map<BackgroundTask, { intervalMs: number; lastMs: number }>();
  const beat = (task: BackgroundTask) => {
    const loop = loops.get(task);
    if (!loop) return;
    loop.lastMs = now();
    onBeat(task, loop.lastMs);
  };
  return {
    watch(task, intervalMs) {
      loops.set(task, { intervalMs, lastMs: now() });
      beat(task);
    },
    beat,
    stalled(graceMs) {
      const at = now();
      return [...loops].flatMap(([task, { intervalMs, lastMs }]) =>
        at - lastMs > intervalMs + graceMs ? [{ task, secondsSinceProgress: Math.round((at - lastMs) / 100) / 10 }] : [],
      );
    },
    clear: () => loops.clear(),
  };
}
