import type postgres from 'postgres';

/** An event as the publisher posts it: what the gateway writes to the log. */
export interface StreamEvent {
  readonly global_seq: number;
  readonly event_id: string;
  /** The envelope; fields beyond these are logged as they are. */
  readonly envelope: { readonly world_id: string; readonly branch: string; readonly kind: string };
  readonly payload_hash?: string | null;
}

const ROWS_PER_STATEMENT = 500;

/**
 * Writes events to `event_core.event_log` as the gateway does before the publisher pushes them (gap
 * filling, catch-up and replay read them there), several hundred rows per statement. The schema must
 * exist: migrate a projector on the database first.
 */
export async function logEvents<E extends StreamEvent>(sql: postgres.Sql, events: readonly E[]): Promise<void> {
  for (let start = 0; start < events.length; start += ROWS_PER_STATEMENT) {
    const rows = events.slice(start, start + ROWS_PER_STATEMENT).map((e) => ({
      global_seq: e.global_seq,
      event_id: e.event_id,
      world_id: e.envelope.world_id,
      branch: e.envelope.branch,
      kind: e.envelope.kind,
      envelope: sql.json(e.envelope as never),
      payload_hash: e.payload_hash ?? null,
    }));
    await sql`INSERT INTO event_core.event_log ${sql(rows, 'global_seq', 'event_id', 'world_id', 'branch', 'kind', 'envelope', 'payload_hash')}`;
  }
}
