import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { parseJsonBody, payloadHashOf } from '../hash/index.js';

export interface TestEvent {
  global_seq: number;
  event_id: string;
  envelope: {
    world_id: string;
    branch: string;
    kind: string;
    payload: Record<string, unknown>;
    occurred_at?: string;
    [key: string]: unknown;
  };
  payload_hash?: string;
}

/** An event as the publisher would post it, with a correct payload_hash. */
export function makeEvent(
  seq: number,
  kind: string,
  payload: Record<string, unknown>,
  partition: { worldId: string; branch?: string },
  extra: { occurredAt?: string; withHash?: boolean } = {},
): TestEvent {
  const envelope = {
    world_id: partition.worldId,
    branch: partition.branch ?? 'main',
    kind,
    event_id: `ev-${seq}`,
    occurred_at: extra.occurredAt ?? '2026-11-01T10:00:00+00:00',
    payload,
  };
  const event: TestEvent = { global_seq: seq, event_id: `ev-${seq}`, envelope };
  if (extra.withHash !== false) event.payload_hash = payloadHashOf(parseJsonBody(JSON.stringify(envelope)).lossless);
  return event;
}

export const newWorld = (): string => randomUUID();

/** Writes events to the log, as the gateway does before the publisher pushes them. */
export async function logEvents(sql: postgres.Sql, events: readonly TestEvent[]): Promise<void> {
  for (const e of events) {
    await sql`
      INSERT INTO event_core.event_log (global_seq, event_id, world_id, branch, kind, envelope, payload_hash)
      VALUES (${e.global_seq}, ${e.event_id}, ${e.envelope.world_id}, ${e.envelope.branch}, ${e.envelope.kind},
              ${sql.json(e.envelope as never)}, ${e.payload_hash ?? null})`;
  }
}
