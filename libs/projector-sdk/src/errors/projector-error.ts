import { errorCatalogue, type ErrorCode } from './catalogue.js';

/** Extra fields the contract puts beside `error` and `message` (issues, watermark, index, ...). */
export type ErrorDetails = Record<string, unknown>;

/**
 * The one error type the HTTP layer turns into a contract answer. Anything else that reaches the
 * error handler is an `apply_failed`.
 */
export class ProjectorError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails;
  /** Seconds for the `Retry-After` header of a 503. */
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { details?: ErrorDetails; cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(message ?? errorCatalogue[code].message, { cause: options.cause });
    this.name = 'ProjectorError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.details = options.details ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The same error with more details (the batch adds `index` and `global_seq`). */
  withDetails(details: ErrorDetails): ProjectorError {
    return new ProjectorError(this.code, this.message, {
      details: { ...this.details, ...details },
      cause: this.cause,
      retryAfterSeconds: this.retryAfterSeconds,
    });
  }

  /** The JSON body of the answer. */
  toBody(): Record<string, unknown> {
    if (this.code === 'unauthorized' || this.code === 'payload_too_large') {
      return { error: this.code, ...this.details };
    }
    return { error: this.code, message: this.message, ...this.details };
  }
}

export const isProjectorError = (err: unknown): err is ProjectorError => err instanceof ProjectorError;
