import type { Sql } from '@projectors/projector-sdk';
import type { RelEvent } from './rel-stream.js';

const ROWS_PER_STATEMENT = 500;

/**
 * Writes events to `event_core.event_log` as the gateway does before the publisher pushes them
 * (the projector's gap filling and replay read them there), several hundred rows per statement.
 * The schema must exist: migrate a projector on the database first.
 */
export async function logRelEvents(sql: Sql, events: readonly RelEvent[], rowsPerStatement = ROWS_PER_STATEMENT): Promise<void> {
  for (let start = 0; start < events.length; start += rowsPerStatement) {
    const rows = events.slice(start, start + rowsPerStatement).map((e) => ({
      global_seq: e.global_seq,
      event_id: e.event_id,
      world_id: e.envelope.world_id,
      branch: e.envelope.branch,
      kind: e.envelope.kind,
      envelope: sql.json(e.envelope as never),
      payload_hash: e.payload_hash,
    }));
    await sql`
      INSERT INTO event_core.event_log ${sql(rows, 'global_seq', 'event_id', 'world_id', 'branch', 'kind', 'envelope', 'payload_hash')}`;
  }
}
