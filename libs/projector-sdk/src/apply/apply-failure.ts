import type { GlobalSeq } from '../event/event.js';

/** Where in a delivery an apply failed. */
export interface FailurePosition {
  /** The delivery's position in its request (a batch's `index`). */
  readonly index: number;
  /** The delivered event's `global_seq`. */
  readonly globalSeq: GlobalSeq;
  /** Set when the failing event is a logged one that gap filling applied before the delivered one. */
  readonly gapGlobalSeq?: GlobalSeq;
}

/**
 * A failure of the apply path together with the event it belongs to. The SDK's own error: the
 * position is never written onto the driver's or a handler's error object. It is thrown, not
 * returned, because throwing is what rolls the transaction back; the applier turns it into the
 * contract's answer at once.
 */
export class ApplyFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly at: FailurePosition,
    /**
     * The failing statement applied several events at once (set-based), so `at` is only the first
     * of them: the apply path runs them again one by one to find the event really at fault.
     */
    readonly shared = false,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'ApplyFailure';
  }
}

/** The failure itself, without its position. */
export const causeOf = (err: unknown): unknown => (err instanceof ApplyFailure ? err.cause : err);

/** Ties a failure to the event it belongs to (or to the first of several); the first position given wins. */
export function failedAt(err: unknown, at: FailurePosition, shared = false): ApplyFailure {
  return err instanceof ApplyFailure ? err : new ApplyFailure(err, at, shared);
}
