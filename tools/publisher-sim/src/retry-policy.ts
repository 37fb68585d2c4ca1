/** What came back for one request: an HTTP answer, or no answer at all (status 0). */
export interface Answer {
  readonly status: number;
  /** The `Retry-After` header, when present. */
  readonly retryAfter?: string | undefined;
}

export type Decision =
  | { readonly kind: 'done' }
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'park'; readonly reason: string };

export interface RetryPolicy {
  /** First backoff; doubles per attempt. */
  readonly baseMs: number;
  readonly capMs: number;
  /** Attempts (the first included) before a retryable request is parked. */
  readonly maxAttempts: number;
}

export const defaultRetryPolicy: RetryPolicy = Object.freeze({ baseMs: 50, capMs: 5_000, maxAttempts: 20 });

/** contract.md: the publisher retries 5xx and 409 (and lost connections), and parks any other 4xx for a person. */
export function isRetryable(status: number): boolean {
  return status === 0 || status === 409 || status >= 500;
}

/**
 * The publisher's decision after attempt number `attempt` (1-based) got `answer`. Backoff is
 * exponential with jitter in [half, full] (`random` in [0, 1)), capped; a `Retry-After` in seconds
 * or as an HTTP date wins over it.
 */
export function decide(answer: Answer, attempt: number, policy: RetryPolicy = defaultRetryPolicy, random: () => number = Math.random, now = Date.now()): Decision {
  const { status } = answer;
  if (status >= 200 && status < 300) return { kind: 'done' };
  if (!isRetryable(status)) return { kind: 'park', reason: `HTTP ${status}` };
  if (attempt >= policy.maxAttempts) return { kind: 'park', reason: `gave up after ${attempt} attempts (last: ${status === 0 ? 'no answer' : `HTTP ${status}`})` };
  const told = retryAfterMs(answer.retryAfter, now);
  if (told !== undefined) return { kind: 'retry', delayMs: told };
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  return { kind: 'retry', delayMs: Math.round(exponential * (0.5 + random() / 2)) };
}

/** `Retry-After: <seconds>` or `Retry-After: <HTTP-date>` in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
