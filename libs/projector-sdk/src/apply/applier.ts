import type { Logger } from 'pino';
import type { ProjectorConfig } from '../config/config.js';
import type { Sql } from '../db/connect.js';
import { ProjectorError } from '../errors/projector-error.js';
import { partitionKey, type ProjectorEvent } from '../event/event.js';
import type { Lens, Tx } from '../lens/lens-types.js';
import type { ProjectorMetrics } from '../metrics/projector-metrics.js';
import { applyDeliveries, type Delivery, type Outcome } from './apply-events.js';
import { classifyError, toProjectorError } from './classify-error.js';
import { GroupCommitter, type GroupMember } from './group-commit.js';
import { lockPartitions } from './partition-store.js';
import { validatePayload } from './lens-payload.js';
import { backoffDelay, withRetries } from './with-retries.js';

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

interface Unit {
  /** One event's delivery: the group's outcomes line up with its members. */
  deliveries: [Delivery];
  attempt: number;
}

/**
 * The write path: checks payloads before any transaction, runs the apply in one transaction with
 * retries of transient failures, classes errors, and records metrics. Single events are gathered
 * into group commits (`PROJECTOR_GROUP_COMMIT_MS`), which is what lets one projector pass one
 * fsync per event.
 */
export function createApplier(deps: ApplierDeps): Applier {
  const { sql, lens, config, metrics, log } = deps;
  const options = { lens, gapPolicy: config.gapPolicy, hold: config.catchupIntervalMs > 0 ? { maxGapFill: config.catchupChunk } : undefined };
  const retryAfterSeconds = Math.max(1, Math.ceil(config.errorBackoffMs / 1000));
  let inflight = 0;

  const record = (deliveries: readonly Delivery[], outcomes: readonly Outcome[], startedAt: bigint) => {
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    outcomes.forEach((o, i) => {
      if (o.status !== 'processed' && o.status !== 'ignored') return;
      const { partition } = deliveries[i]!.event;
      metrics.eventsProcessed.inc({ projector: lens.projectorName, world_id: partition.worldId, branch: partition.branch, kind: o.kind });
      metrics.eventDuration.observe({ projector: lens.projectorName, kind: o.kind }, seconds);
    });
  };

  const fail = (err: unknown): ProjectorError => toProjectorError(err, retryAfterSeconds);

  const inTransaction = (work: (tx: Tx) => Promise<Outcome[]>) =>
    withRetries(() => sql.begin((tx) => work(tx)) as Promise<Outcome[]>, {
      maxRetries: config.maxRetryAttempts,
      maxBackoffMs: config.errorBackoffMs,
      onRetry: (err, attempt, delayMs) => log.warn({ err, attempt, delayMs }, 'transient database error, retrying'),
    });

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
  const applyEachInSavepoint = async (members: GroupMember<Unit, Outcome>[]): Promise<MemberResult[]> => {
    const results: MemberResult[] = [];
    try {
      await sql.begin(async (tx) => {
        const all = members.map((m) => m.input.deliveries[0].event.partition);
        await lockPartitions(tx, lens.projectorName, [...new Map(all.map((p) => [partitionKey(p), p])).values()]);
        for (const m of members) {
          try {
            const [outcome] = (await tx.savepoint((sp) => applyDeliveries(sp, m.input.deliveries, options))) as Outcome[];
            results.push({ ok: true, outcome: outcome! });
          } catch (err) {
            results.push({ ok: false, err });
          }
        }
      });
      return results;
    } catch (err) {
      // The commit itself failed: nobody's work is saved.
      return members.map(() => ({ ok: false, err }));
    }
  };

  /**
   * Runs a group as one transaction. If it fails, a lost connection or a deadlock failed everyone
   * alike (one attempt each); any other failure is someone's own, found with savepoints.
   */
  const runGroup = async (members: GroupMember<Unit, Outcome>[]) => {
    let results: MemberResult[];
    try {
      const all = members.map((m) => m.input.deliveries[0]);
      const outcomes = (await sql.begin((tx) => applyDeliveries(tx, all, options))) as Outcome[];
      results = outcomes.map((outcome) => ({ ok: true, outcome }));
    } catch (err) {
      results = classifyError(err) === 'transient' ? members.map(() => ({ ok: false, err })) : await applyEachInSavepoint(members);
    }
    members.forEach((m, i) => {
      const r = results[i]!;
      if (r.ok) m.resolve(r.outcome);
      else if (classifyError(r.err) === 'transient' && m.input.attempt < config.maxRetryAttempts) {
        const delay = backoffDelay(m.input.attempt, 50, config.errorBackoffMs);
        log.warn({ err: r.err, attempt: m.input.attempt + 1, delayMs: delay }, 'transient database error, retrying');
        setTimeout(() => {
          committer.submit({ ...m.input, attempt: m.input.attempt + 1 }).then(m.resolve, m.reject);
        }, delay);
      } else m.reject(r.err);
    });
  };

  const committer = new GroupCommitter<Unit, Outcome>({
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

    async applyOne(event) {
      const startedAt = process.hrtime.bigint();
      inflight++;
      try {
        const deliveries = check([event], false) as [Delivery];
        const outcome =
          config.groupCommitMs > 0
            ? await committer.submit({ deliveries, attempt: 0 })
            : (await inTransaction((tx) => applyDeliveries(tx, deliveries, options)))[0]!;
        record(deliveries, [outcome], startedAt);
        return outcome;
      } catch (err) {
        // A single event's answer names its global_seq, never a batch index (undefined is not sent).
        const error = fail(err).withDetails({ global_seq: event.globalSeq, index: undefined });
        const instead = await deps.onPoison?.(event, error);
        if (instead) return instead;
        throw error;
      } finally {
        inflight--;
      }
    },

    async applyBatch(events) {
      const startedAt = process.hrtime.bigint();
      inflight += events.length;
      try {
        const deliveries = check(events, true);
        const outcomes = await inTransaction((tx) => applyDeliveries(tx, deliveries, options));
        record(deliveries, outcomes, startedAt);
        return outcomes;
      } catch (err) {
        const error = fail(err);
        const at = err as { deliveryIndex?: number; deliveryGlobalSeq?: number };
        return Promise.reject(
          at.deliveryIndex === undefined ? error : error.withDetails({ index: at.deliveryIndex, global_seq: at.deliveryGlobalSeq }),
        );
      } finally {
        inflight -= events.length;
      }
    },
  };
}
