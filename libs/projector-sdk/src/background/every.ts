import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';

export interface RepeatOptions {
  readonly name: string;
  readonly intervalMs: number;
  /** Wait after a failure before the next try. */
  readonly backoffMs: number;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly onError?: (err: unknown) => void;
}

/**
 * Runs `task` every interval until the signal aborts. A failure is logged and counted, then the
 * loop waits the backoff and goes on: a background task must never take the process down.
 */
export async function repeat(task: () => Promise<void>, options: RepeatOptions): Promise<void> {
  const { signal, log } = options;
  let wait = options.intervalMs;
  while (!signal.aborted) {
    try {
      await sleep(wait, undefined, { signal });
    } catch {
      return; // aborted while sleeping
    }
    try {
      await task();
      wait = options.intervalMs;
    } catch (err) {
      if (signal.aborted) return;
      options.onError?.(err);
      log.error({ err, task: options.name }, 'background task failed; backing off');
      wait = options.backoffMs;
    }
  }
}
