import { partitionKey, type ProjectorEvent } from '../event/event.js';
import { handlerOf } from '../lens/handler-of.js';
import { tablesOf } from '../lens/lens-in.js';
import type { EventContext, EventHandler, Lens, PendingStatement, SetForm, Tx } from '../lens/lens-types.js';
import { causeOf, failedAt, type FailurePosition } from './apply-failure.js';
import { planSteps } from './plan-steps.js';
import { dbSpan, queryText } from '../tracing/span.js';

/** An event to run a handler for, in apply order within its partition, and whom a failure names. */
export interface WorkItem {
  readonly event: ProjectorEvent;
  /** The lens's parsed payload. */
  readonly payload: unknown;
  readonly at: FailurePosition;
}

/** `set`: many events per statement (docs/set-based-apply.md); `one-by-one`: one event per step. */
export type PlanMode = 'set' | 'one-by-one';

interface Prepared {
  readonly at: FailurePosition;
  readonly handler: EventHandler;
  readonly event: EventContext<unknown>;
  /** The set-based form's row, when the kind has that form. */
  readonly row?: unknown;
}

export interface Plan {
  /** The lens (and so the schema) the plan writes. */
  readonly lens: Lens;
  readonly steps: readonly (readonly Prepared[])[];
  /** Some statement applies more than one event: a failure of it does not name its event. */
  readonly shared: boolean;
}

/**
 * Plans work items into steps: each event's keys and row are made here (a lens refusal is that
 * event's own failure), then `planSteps` orders them. Nothing is sent.
 */
export function planWork(lens: Lens, items: readonly WorkItem[], mode: PlanMode): Plan {
  const prepared = items.map((item): Prepared & { keys: readonly string[] | null; within?: readonly string[] } => {
    const handler = handlerOf(lens, item.event.kind)!;
    const event: EventContext<unknown> = {
      payload: item.payload,
      partition: item.event.partition,
      globalSeq: item.event.globalSeq,
      envelope: item.event.envelope,
      occurredAt: item.event.envelope.occurred_at ?? null,
    };
    if (!handler.set) return { at: item.at, handler, event, keys: null };
    try {
      const { keys, within, row } = handler.set;
      return { at: item.at, handler, event, keys: keys(event), within: within?.(event), row: row(event) };
    } catch (err) {
      throw failedAt(err, item.at);
    }
  });
  const numbers = mode === 'set' ? planSteps(prepared.map((p) => ({ partition: partitionKey(p.event.partition), keys: p.keys, within: p.within }))) : prepared.map((_, i) => i);
  const steps: Prepared[][] = [];
  prepared.forEach((p, i) => (steps[numbers[i]!] ??= []).push(p));
  return { lens, steps, shared: steps.some(hasSharedStatement) };
}

/** Whether a set-based kind has several events in the step (its one statement then applies them all). */
function hasSharedStatement(step: readonly Prepared[]): boolean {
  const seen = new Set<SetForm<unknown, unknown>>();
  for (const { handler } of step) {
    if (!handler.set) continue;
    if (seen.has(handler.set)) return true;
    seen.add(handler.set);
  }
  return false;
}

/**
 * Sends a plan on `sql`, step after step: per step one statement per set-based kind, one per
 * `statement()` event, all without waiting for answers (PostgreSQL runs them in the order sent);
 * a `handler()` event first waits for every answer before it. Returns what is still unanswered.
 */
export async function sendPlan(sql: Tx, plan: Plan): Promise<Sent> {
  const sent = new Sent();
  try {
    await sendSteps(sql, plan, sent);
  } catch (err) {
    // Statements already sent must settle before the transaction is rolled back.
    await sent.settle();
    throw err;
  }
  return sent;
}

async function sendSteps(sql: Tx, plan: Plan, sent: Sent): Promise<void> {
  const tables = tablesOf(sql, plan.lens);
  for (const step of plan.steps) {
    const sets = new Map<SetForm<unknown, unknown>, Prepared[]>();
    const handlers: Prepared[] = [];
    for (const p of step) {
      if (p.handler.set) {
        const same = sets.get(p.handler.set) ?? [];
        if (same.length === 0) sets.set(p.handler.set, same);
        same.push(p);
      }
      else if (p.handler.statement) sent.send(p.event.envelope.kind, [p.at], () => p.handler.statement!({ sql, tables, ...p.event }));
      else handlers.push(p);
    }
    for (const [form, ps] of sets) sent.send(ps[0]!.event.envelope.kind, ps.map((p) => p.at), () => form.apply(sql, ps.map((p) => p.row), tables));
    for (const p of handlers) {
      await sent.drain();
      await dbSpan('handler', () => p.handler.apply({ sql, tables, ...p.event }), () => ({ kind: p.event.envelope.kind })).catch((err: unknown) =>
        Promise.reject(failedAt(err, p.at)),
      );
    }
  }
}

/** Statements sent and not answered yet, each tied to the events it applies. */
export class Sent {
  private readonly pending: Promise<unknown>[] = [];

  /** Sends the statement `build` makes for events of `kind`, applying the events at `ats`. */
  send(kind: string, ats: readonly FailurePosition[], build: () => PendingStatement): void {
    const shared = ats.length > 1;
    let query: PendingStatement;
    try {
      query = build();
    } catch (err) {
      throw failedAt(err, ats[0]!, shared);
    }
    // then() now, not later: a postgres.js query is sent when it is first awaited, and the order
    // in which they are sent is the order PostgreSQL runs them in.
    // The span runs from the send to the answer: statements sent back to back overlap, as they do.
    const answered = dbSpan(
      'apply',
      () => new Promise((resolve, reject) => query.then(resolve, reject)),
      () => ({ kind, events: ats.length, text: queryText(query) }),
    ).catch((err: unknown) => Promise.reject(failedAt(err, ats[0]!, shared)));
    // Observed here so that a failure answered before drain() is not an unhandled rejection.
    answered.catch(() => undefined);
    this.pending.push(answered);
  }

  /** Adds a promise of the caller's own (the watermark upsert) to wait for with the rest. */
  add(promise: Promise<unknown>): void {
    promise.catch(() => undefined);
    this.pending.push(promise);
  }

  /** Waits for every statement sent, whatever their outcome. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.pending.splice(0));
  }

  /** Waits for every statement sent; the first failure in order is the one to report. */
  async drain(): Promise<void> {
    const settled = await Promise.allSettled(this.pending.splice(0));
    const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failures.length > 0) throw rootCause(failures);
  }
}

/**
 * Once one statement fails, PostgreSQL refuses every later one of the transaction with 25P02; the
 * failure worth reporting is the one that is not that echo.
 */
export function rootCause(failures: unknown[]): unknown {
  return failures.find((err) => (causeOf(err) as { code?: unknown } | null)?.code !== '25P02') ?? failures[0];
}
