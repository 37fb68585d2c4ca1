import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from '@projectors/projector-sdk';
import { logRelEvents, type RelEvent } from '@projectors/lens-rel/testing';

const POLL_MS = 500;

/**
 * Waits until `event_core.event_log` exists. The projector creates it at start (the SDK's
 * migrations); the simulator does not, so it never races a projector over the schema.
 */
export async function waitForEventLog(sql: Sql, waitSeconds: number, onWaiting?: () => void): Promise<void> {
  const deadline = Date.now() + waitSeconds * 1000;
  let told = false;
  for (;;) {
    const [row] = await sql<{ found: boolean }[]>`SELECT to_regclass('event_core.event_log') IS NOT NULL AS found`;
    if (row?.found) return;
    if (Date.now() >= deadline) {
      throw new Error(`event_core.event_log does not exist after ${waitSeconds} s: start a projector on this database first`);
    }
    if (!told) onWaiting?.();
    told = true;
    await sleep(POLL_MS);
  }
}

export type LogWrite = { readonly kind: 'written'; readonly rows: number } | { readonly kind: 'already-there'; readonly rows: number };

/**
 * Writes the stream to the event log as the gateway would, before anything is pushed. The same
 * flags give the same events, so a rerun finds them already there and writes nothing; any other
 * event at one of their `global_seq`s is a clash the caller must solve with another `--start-seq`.
 */
export async function writeEventLog(sql: Sql, events: readonly RelEvent[]): Promise<LogWrite> {
  if (events.length === 0) return { kind: 'written', rows: 0 };
  const first = events[0]!.global_seq;
  const last = events[events.length - 1]!.global_seq;
  const seqs = events.map((e) => e.global_seq);
  const [found] = await sql<{ n: string; same: string }[]>`
    SELECT count(*)::text AS n,
           count(*) FILTER (WHERE l.event_id = s.event_id)::text AS same
    FROM event_core.event_log l
    JOIN unnest(${seqs}::bigint[], ${events.map((e) => e.event_id)}::text[]) AS s(global_seq, event_id) USING (global_seq)`;
  const n = Number(found!.n);
  if (n === 0) {
    await logRelEvents(sql, events);
    return { kind: 'written', rows: events.length };
  }
  if (n === events.length && Number(found!.same) === n) return { kind: 'already-there', rows: n };
  throw new Error(
    `event_core.event_log already holds ${n} other events with global_seq between ${first} and ${last}: ` +
      `give --start-seq above the log's highest global_seq`,
  );
}
