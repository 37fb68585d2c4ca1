import type { Sql } from '@projectors/projector-sdk';
import { cpuSeconds, peakRssMb, resetPeakRss } from '../proc-stats.js';
import type { ProjectorProcess } from '../projector-process.js';
import { runPublisher } from '../run-publisher.js';
import type { ScenarioResult } from './scenario-result.js';

export interface PushScenario {
  readonly id: string;
  readonly label: string;
  readonly events: number;
  readonly worlds: number;
  readonly branches: number;
  readonly concurrency: number;
  /** 0: single events. */
  readonly batch: number;
  /** A seed of its own gives the scenario worlds of its own: nothing it sends is a duplicate. */
  readonly seed: number;
  /** False: the stream is pushed without being written to the log first (the echo ceiling). */
  readonly log?: boolean;
}

export interface PushContext {
  readonly root: string;
  readonly sql: Sql;
  readonly databaseUrl: string;
  readonly projector: ProjectorProcess;
}

/** The next free `global_seq` of the event log, so each scenario's stream follows the ones before. */
export async function nextGlobalSeq(sql: Sql): Promise<number> {
  const [row] = await sql<{ next: string }[]>`SELECT (coalesce(max(global_seq), 0) + 1)::text AS next FROM event_core.event_log`;
  return Number(row!.next);
}

/** Pushes a fresh stream through the publisher simulator and measures the projector meanwhile. */
export async function pushScenario(ctx: PushContext, scenario: PushScenario): Promise<ScenarioResult> {
  const { pid } = ctx.projector;
  // Not logged (the echo), it follows nothing: the log may not even exist yet.
  const startSeq = scenario.log === false ? 1 : await nextGlobalSeq(ctx.sql);
  const peakReset = resetPeakRss(pid);
  const cpuBefore = cpuSeconds(pid);
  const summary = await runPublisher(ctx.root, {
    url: ctx.projector.url,
    databaseUrl: scenario.log === false ? undefined : ctx.databaseUrl,
    events: scenario.events,
    worlds: scenario.worlds,
    branches: scenario.branches,
    seed: scenario.seed,
    startSeq,
    concurrency: scenario.concurrency,
    batch: scenario.batch,
  });
  const cpuAfter = cpuSeconds(pid);
  const cpu = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  // The projector idles while the simulator generates and logs the stream: CPU over push seconds.
  return {
    id: scenario.id,
    label: scenario.label,
    unit: 'events',
    count: summary.delivered,
    seconds: summary.seconds,
    rate: summary.eventsPerSecond,
    latencyMs: { p50: summary.latencyMs.p50, p95: summary.latencyMs.p95, p99: summary.latencyMs.p99 },
    errors: summary.errors + summary.parked,
    projector: {
      cpuSeconds: cpu === undefined ? null : round2(cpu),
      cpuPercentOfCore: cpu === undefined || summary.seconds <= 0 ? null : Math.round((100 * cpu) / summary.seconds),
      cpuMicrosPerEvent: cpu === undefined || summary.delivered === 0 ? null : Math.round((cpu * 1e6) / summary.delivered),
      peakRssMb: peakRssMb(pid) ?? null,
      peakRssOfScenario: peakReset,
    },
    detail: {
      events: scenario.events,
      worlds: scenario.worlds,
      branches: scenario.branches,
      partitions: summary.partitions,
      concurrency: scenario.concurrency,
      batch: scenario.batch,
      seed: scenario.seed,
      firstSeq: summary.stream.firstSeq,
      lastSeq: summary.stream.lastSeq,
      requests: summary.requests,
      eventsPerRequest: summary.requests > 0 ? round2(summary.delivered / summary.requests) : 0,
      latencyMs: summary.latencyMs,
      retries: summary.retries,
      parked: summary.parked,
      answers: summary.answers,
      outcomes: summary.outcomes,
    },
  };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
