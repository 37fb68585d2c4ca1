import { ProjectorError } from '../errors/projector-error.js';
import { ApplyFailure, causeOf } from './apply-failure.js';

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
 * SQLSTATE classes of data that can never be stored, however often it is tried: 22 data exception
 * (a bad timestamp, a number out of range), 23 integrity constraint violation, 54 program limit
 * exceeded (54000: an index row too large for a btree; too many columns or arguments).
 */
const PERMANENT_DATA_CLASSES = ['22', '23', '54'];

/**
 * Sorts a database failure: data PostgreSQL rejects for good is the caller's fault and retrying
 * cannot help; serialization failures, deadlocks and lost connections pass if tried again; anything
 * else is a bug or an outage we do not understand.
 */
export function classifyError(err: unknown): ErrorClass {
  const code = (causeOf(err) as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'unexpected';
  if (CONNECTION_CODES.has(code)) return 'transient';
  if (/^[0-9A-Z]{5}$/.test(code)) {
    if (PERMANENT_DATA_CLASSES.includes(code.slice(0, 2))) return 'permanent-data';
    if (code.startsWith('08') || TRANSIENT_SQLSTATES.has(code)) return 'transient';
  }
  return 'unexpected';
}

/**
 * Turns any failure of an apply into the contract's error; ProjectorErrors pass through. A failure
 * tied to an event names it (`index`, `global_seq`, and `gap_global_seq` when the event that failed
 * is a logged one applied to fill a gap), unless it is an outage that is nobody's fault.
 */
export function toProjectorError(err: unknown, retryAfterSeconds: number): ProjectorError {
  if (err instanceof ApplyFailure) return positioned(toProjectorError(err.cause, retryAfterSeconds), err);
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

function positioned(error: ProjectorError, { at }: ApplyFailure): ProjectorError {
  if (error.code === 'unavailable') return error;
  const position = { index: at.index, global_seq: at.globalSeq };
  if (at.gapGlobalSeq === undefined) return error.withDetails(position);
  return new ProjectorError(error.code, `gap event ${at.gapGlobalSeq} from the log: ${error.message}`, {
    details: { ...error.details, ...position, gap_global_seq: at.gapGlobalSeq },
    cause: error.cause,
    retryAfterSeconds: error.retryAfterSeconds,
  });
}
