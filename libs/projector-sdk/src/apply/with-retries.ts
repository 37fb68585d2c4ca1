import { classifyError } from './classify-error.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Cap of one backoff delay. */
  maxBackoffMs: number;
  baseBackoffMs?: number;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with equal jitter (between half and all of the step): spreads out retries of many requests that failed together. */
function backoffDelay(attempt: number, baseMs: number, capMs: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** Runs `work` again while it fails with a transient database error, up to the policy's limit. */
export async function withRetries<T>(work: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= policy.maxRetries || classifyError(err) !== 'transient') throw err;
      const delay = backoffDelay(attempt, policy.baseBackoffMs ?? 50, policy.maxBackoffMs);
      policy.onRetry?.(err, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
