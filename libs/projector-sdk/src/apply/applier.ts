import type { Logger } from 'pino';
import type { ProjectorConfig } from '../config/config.js';
import type { Sql } from '../db/connect.js';
import { ProjectorError } from '../errors/projector-error.js';
import { partitionKey, type ProjectorEvent } from '../event/event.js';
import type { Lens } from '../lens/lens-types.js';
import { recordApplied, type ProjectorMetrics } from '../metrics/projector-metrics.js';
import { applyDeliveries, type ApplyOptions, type Delivery, type Outcome } from './apply-events.js';
import { classifyError, toProjectorError } from './classify-error.js';
import { GroupCommitter, type GroupMember } from './group-commit.js';
import { lockPartitions } from './partition-store.js';
import { validatePayload } from './lens-payload.js';
import { withRetries } from './with-retries.js';
import type { Context } from '@opentelemetry/api';
import { eventAttributes } from '../tracing/attributes.js';
import { annotate, currentContext, dbSpan, withSpan } from '../tracing/span.js';

export interface ApplierDeps {
  sql: Sql;
  lens: Lens;
  config: ProjectorConfig;
  metrics: ProjectorMetrics;
  log: Logger;
  /** The poison policy (issue 11): may turn a rejected event into an outcome (`skipped`). */
  onPoison?: (event: ProjectorEvent, error: ProjectorError) => Promise<Outcome | undefined>;
}

export interface Applier {
  /** One event; concurrent calls may share a commit, but each succeeds or fails alone. */
  applyOne(event: ProjectorEvent): Promise<Outcome>;
  /** All events in one transaction, all or nothing. Errors carry the failing `index`. */
  applyBatch(events: readonly ProjectorEvent[]): Promise<Outcome[]>;
  /** Requests waiting for a commit. */
  readonly queueDepth: number;
}

/**
 * The write path: checks payloads before any transaction, runs the apply in one transaction with
 * retries of transient failures, classes errors, and records metrics. Single events are gathered
 * into group commits (`PROJECTOR_GROUP_COMMIT_MS`), which is what lets one projector pass one
 * fsync per event.
 */
/** A single event waiting for its group, and the trace context it was submitted in (tracing on). */
interface Queued {
  readonly delivery: Delivery;
  readonly origin: Context | undefined;
}

export function createApplier(deps: ApplierDeps): Applier {
  const { sql, lens, config, metrics, log } = deps;
  const options = { lens, gapPolicy: config.gapPolicy, hold: config.catchupIntervalMs > 0 ? { maxGapFill: config.catchupChunk } : undefined };
  const retryAfterSeconds = Math.max(1, Math.ceil(config.errorBackoffMs / 1000));
  let inflight = 0;

  const record = (outcomes: readonly Outcome[], startedAt: bigint) => {
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    for (const o of outcomes) if (o.status === 'processed' || o.status === 'ignored') recordApplied(metrics, lens, o.kind, seconds);
  };

  const fail = (err: unknown): ProjectorError => toProjectorError(err, retryAfterSeconds);

  /** The one retry mechanism: a transient failure runs the whole attempt again (a transaction, or a turn in a group). */
  const retrying = <T>(attempt: () => Promise<T>) =>
    withRetries(attempt, {
      maxRetries: config.maxRetryAttempts,
      maxBackoffMs: config.errorBackoffMs,
      onRetry: (err, attempt, delayMs) => log.warn({ err, attempt, delayMs }, 'transient database error, retrying'),
    });

  // The span covers BEGIN to COMMIT: the commit's fsync is much of an event's time.
  const inTransaction = (deliveries: readonly Delivery[], blame: ApplyOptions['blame'] = 'exact') =>
    dbSpan('transaction', () => sql.begin((tx) => applyDeliveries(tx, deliveries, { ...options, blame })) as Promise<Outcome[]>);

  const check = (events: readonly ProjectorEvent[], withIndex: boolean): Delivery[] =>
    events.map((event, index) => {
      try {
        return { event, checked: validatePayload(lens, event.kind, event.envelope) };
      } catch (err) {
        throw withIndex && err instanceof ProjectorError ? err.withDetails({ index, global_seq: event.globalSeq }) : err;
      }
    });

  type MemberResult = { ok: true; outcome: Outcome } | { ok: false; err: unknown };

  /** The slow path of a group: one savepoint per member, so one member's failure stays its own. */
  const applyEachInSavepoint = async (members: GroupMember<Queued, Outcome>[]): Promise<MemberResult[]> => {
    const results: MemberResult[] = [];
    try {
      await dbSpan('transaction', () => sql.begin(async (tx) => {
        const all = members.map((m) => m.input.delivery.event.partition);
        // Every lock first, in the one fixed order, so that this group cannot deadlock with another.
        // Under a savepoint: should a member's data break the shared statement, each member takes
        // its own lock in its own savepoint below, and only that member fails.
        await tx
          .savepoint((sp) => lockPartitions(sp, lens.projectorName, [...new Map(all.map((p) => [partitionKey(p), p])).values()]))
          .catch((err: unknown) => {
            if (classifyError(err) === 'transient') throw err;
            log.warn({ err }, 'group lock statement failed; members lock one by one');
          });
        for (const m of members) {
          try {
            const [outcome] = (await tx.savepoint((sp) => applyDeliveries(sp, [m.input.delivery], options))) as Outcome[];
            results.push({ ok: true, outcome: outcome! });
          } catch (err) {
            results.push({ ok: false, err });
          }
        }
      }));
      return results;
    } catch (err) {
      // The commit itself failed: nobody's work is saved.
      return members.map(() => ({ ok: false, err }));
    }
  };

  /**
   * Runs a group as one transaction. If it fails, a lost connection or a deadlock failed everyone
   * alike (each member's `retrying` runs it again in a later group); any other failure is someone's
   * own, found with savepoints.
   */
  const runGroup = async (members: GroupMember<Queued, Outcome>[]) => {
    const size = members.length;
    for (const m of members) annotate(m.input.origin, { 'projector.group.size': size });
    // One commit serves every member: a child of the first one's apply span, linked to the others'.
    const origins = members.map((m) => m.input.origin);
    const results = await withSpan('projector.commit', { 'projector.group.size': size }, async () => {
      try {
        // 'first': should a shared statement fail, the savepoints below find whose event it was.
        const outcomes = await inTransaction(members.map((m) => m.input.delivery), 'first');
        return outcomes.map((outcome): MemberResult => ({ ok: true, outcome }));
      } catch (err) {
        return classifyError(err) === 'transient' ? members.map((): MemberResult => ({ ok: false, err })) : await applyEachInSavepoint(members);
      }
    }, { parent: origins[0], links: origins.slice(1) });
    members.forEach((m, i) => {
      const r = results[i]!;
      if (r.ok) m.resolve(r.outcome);
      else m.reject(r.err);
    });
  };

  const committer = new GroupCommitter<Queued, Outcome>({
    windowMs: config.groupCommitMs,
    maxGroupSize: 256,
    // One group commits while the next gathers; more in flight only makes each group smaller.
    maxConcurrentGroups: 2,
    run: runGroup,
  });

  return {
    get queueDepth() {
      return inflight;
    },

    applyOne: (event) =>
      withSpan('projector.apply', eventAttributes(event), async (span) => {
        const startedAt = process.hrtime.bigint();
        inflight++;
        try {
          const deliveries = check([event], false);
          const outcome = await retrying(async () =>
            config.groupCommitMs > 0 ? committer.submit({ delivery: deliveries[0]!, origin: currentContext() }) : (await inTransaction(deliveries))[0]!,
          );
          record([outcome], startedAt);
          span?.setAttribute('projector.outcome', outcome.status);
          return outcome;
        } catch (err) {
          // A single event's answer names its global_seq, never a batch index (undefined is not sent).
          const error = fail(err).withDetails({ global_seq: event.globalSeq, index: undefined });
          const instead = await deps.onPoison?.(event, error);
          span?.setAttribute('projector.outcome', instead?.status ?? error.code);
          if (instead) return instead;
          throw error;
        } finally {
          inflight--;
        }
      }),

    applyBatch: (events) =>
      withSpan('projector.apply', { 'projector.batch.size': events.length }, async (span) => {
        const startedAt = process.hrtime.bigint();
        inflight += events.length;
        try {
          const deliveries = check(events, true);
          const outcomes = await retrying(() => inTransaction(deliveries));
          record(outcomes, startedAt);
          span?.setAttribute('projector.outcome', 'processed');
          return outcomes;
        } catch (err) {
          const error = fail(err);
          span?.setAttribute('projector.outcome', error.code);
          throw error;
        } finally {
          inflight -= events.length;
        }
      }),
  };
}
