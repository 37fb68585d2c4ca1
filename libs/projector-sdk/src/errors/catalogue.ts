/**
 * Every error a projector answers with, in one place: a stable code (the contract's `error` field),
 * the HTTP status, and what it means for the caller. Only this file decides statuses.
 */
export const errorCatalogue = {
  invalid_event: { status: 400, message: 'The body is not JSON, or not the shape of an event.' },
  payload_hash_mismatch: { status: 400, message: 'payload_hash does not match the envelope.' },
  invalid_payload: { status: 400, message: 'The payload was rejected for good by the lens or the database.' },
  unauthorized: { status: 401, message: 'Missing or wrong bearer token.' },
  not_found: { status: 404, message: 'No such route.' },
  out_of_order: { status: 409, message: 'An earlier event of this partition is not applied yet.' },
  partition_blocked: { status: 409, message: 'The partition is blocked at a poison event; retry after an operator unblocks it.' },
  rebuild_running: { status: 409, message: 'A rebuild of this lens is running already (GET /rebuild shows it).' },
  not_blocked_at: { status: 409, message: 'The partition is not blocked at that event (see blocked_at).' },
  payload_too_large: { status: 413, message: 'The body is over the size limit.' },
  unsupported_media_type: { status: 415, message: 'The body is declared in a charset other than UTF-8.' },
  apply_failed: { status: 500, message: 'An unexpected failure; nothing was written. The log line with this request_id says more.' },
  unavailable: { status: 503, message: 'The projector cannot apply events right now; retry later.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;
