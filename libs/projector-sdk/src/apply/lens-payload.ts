import { ProjectorError } from '../errors/projector-error.js';
import type { EnvelopeBody } from '../event/event-schema.js';
import type { Lens } from '../lens/lens-types.js';

/** What `validatePayload` found: no handler (the event is ignored), or the handler's parsed payload. */
export type CheckedPayload = { handled: false } | { handled: true; payload: unknown };

/** Runs the lens's schema for the kind; a mismatch is `invalid_payload` with zod's issues. */
export function validatePayload(lens: Lens, kind: string, envelope: EnvelopeBody): CheckedPayload {
  const handler = lens.handlers[kind];
  if (!handler) return { handled: false };
  const parsed = handler.payload.safeParse(envelope.payload);
  if (!parsed.success) {
    throw new ProjectorError('invalid_payload', `payload of ${kind} does not match the lens ${lens.name}`, {
      details: { issues: parsed.error.issues },
    });
  }
  return { handled: true, payload: parsed.data };
}
