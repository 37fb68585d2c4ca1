import { ProjectorError } from '../errors/projector-error.js';

export type ErrorClass = 'permanent-data' | 'transient' | 'unexpected';

// postgres.js reports a lost or unusable connection with these codes instead of a SQLSTATE.
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '53300', '55P03']);

/**
 * Sorts a database failure: data PostgreSQL rejects for good (classes 22 and 23) is the caller's
 * fault and retrying cannot help; serialization failures, deadlocks and lost connections pass if
 * tried again; anything else is a bug or an outage we do not understand.
 */
export function classifyError(err: unknown): ErrorClass {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'unexpected';
  if (CONNECTION_CODES.has(code)) return 'transient';
  if (/^[0-9A-Z]{5}$/.test(code)) {
    if (code.startsWith('22') || code.startsWith('23')) return 'permanent-data';
    if (code.startsWith('08') || TRANSIENT_SQLSTATES.has(code)) return 'transient';
  }
  return 'unexpected';
}

/** Turns any failure of an apply into the contract's error; ProjectorErrors pass through. */
export function toProjectorError(err: unknown, retryAfterSeconds: number): ProjectorError {
  if (err instanceof ProjectorError) return err;
  const message = err instanceof Error ? err.message : String(err);
  switch (classifyError(err)) {
    case 'permanent-data':
      return new ProjectorError('invalid_payload', `the database rejected the data: ${message}`, { cause: err });
    case 'transient':
      return new ProjectorError('unavailable', `database unavailable: ${message}`, { cause: err, retryAfterSeconds });
    default:
      return new ProjectorError('apply_failed', message, { cause: err });
  }
}
