import { ProjectorError } from '../errors/projector-error.js';
import { envelopeSchema, type EnvelopeBody } from '../event/event-schema.js';
import type { Partition, ProjectorEvent } from '../event/event.js';
import { handlerOf } from '../lens/handler-of.js';
import type { Lens } from '../lens/lens-types.js';
import type { LoggedEvent } from './partition-store.js';

/** What `validatePayload` found: no handler (the event is ignored), or the handler's parsed payload. */
export type CheckedPayload = { handled: false } | { handled: true; payload: unknown };

/** Runs the lens's schema for the kind; a mismatch is `invalid_payload` with zod's issues. */
export function validatePayload(lens: Lens, kind: string, envelope: EnvelopeBody): CheckedPayload {
  const handler = handlerOf(lens, kind);
  if (!handler) return { handled: false };
  const parsed = handler.payload.safeParse(envelope.payload);
  if (!parsed.success) {
    throw new ProjectorError('invalid_payload', `payload of ${kind} does not match the lens ${lens.name}`, {
      details: { issues: parsed.error.issues },
    });
  }
  return { handled: true, payload: parsed.data };
}

/**
 * A logged event goes through the same checks as a delivered one: the log is written by the
 * gateway, and a row it got wrong (JSON null, a payload that is not an object) must fail as that
 * event's own `invalid_payload`, never as a crash.
 */
export function checkLogged(lens: Lens, partition: Partition, row: LoggedEvent): { event: ProjectorEvent; checked: CheckedPayload } {
  const envelope = envelopeSchema.safeParse(row.envelope);
  if (!envelope.success) {
    throw new ProjectorError('invalid_payload', `logged event ${row.globalSeq} is not a valid envelope`, {
      details: { issues: envelope.error.issues },
    });
  }
  const event: ProjectorEvent = { globalSeq: row.globalSeq, eventId: row.eventId, partition, kind: row.kind, envelope: envelope.data };
  return { event, checked: validatePayload(lens, row.kind, envelope.data) };
}
