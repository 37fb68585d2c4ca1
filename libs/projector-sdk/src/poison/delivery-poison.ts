import type { Outcome } from '../apply/apply-events.js';
import type { ProjectorError } from '../errors/projector-error.js';
import { globalSeq, type ProjectorEvent } from '../event/event.js';
import { onFailedEvent, type PoisonDeps } from './on-failed-event.js';

/**
 * The poison policy for a delivered event answered `invalid_payload`. The event at fault (the
 * delivered one, or a gap event named by `gap_global_seq`) is parked or skipped only when it is in
 * the log: an event the log does not hold cannot be caught up later, so it stays a plain 400.
 * Returns the `skipped` outcome when the delivered event itself was skipped, else undefined (the
 * caller answers the error as before).
 */
export async function onPoisonDelivery(deps: PoisonDeps, event: ProjectorEvent, error: ProjectorError): Promise<Outcome | undefined> {
  if (error.code !== 'invalid_payload') return undefined;
  const gap = error.details.gap_global_seq;
  const seq = typeof gap === 'number' ? globalSeq(gap) : event.globalSeq;
  const { partition } = event;
  const [logged] = await deps.sql`
    SELECT 1 FROM event_core.event_log WHERE global_seq = ${seq} AND world_id = ${partition.worldId} AND branch = ${partition.branch}`;
  if (!logged) return undefined;
  const { action } = await onFailedEvent(deps, { partition, globalSeq: seq, error, poison: true });
  if (action !== 'skipped' || seq !== event.globalSeq) return undefined;
  return { status: 'skipped', globalSeq: seq, error: { code: error.code, message: error.message } };
}
