import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Lens } from '../lens/lens-types.js';
import { partitionSeries } from './partition-series.js';

/**
 * The contract's Prometheus series (contract.md, "Reading"), on a registry of the projector's own
 * so that two projectors in one process (as in the tests) never share counters. Every series carries
 * a `projector` label, set where it is recorded. Their number is bounded whatever clients send:
 * `kind` takes the lens's own kinds only (see `kindLabel`), and at most `maxPartitions` partitions
 * get series of their own (see `partitionSeries`).
 */
export function createProjectorMetrics(maxPartitions: number) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const eventsProcessed = new Counter({
    name: 'projector_events_processed_total',
    help: 'Events applied (processed or ignored) by the projector',
    labelNames: ['projector', 'kind'] as const,
    registers: [registry],
  });
  const eventsFailed = new Counter({
    name: 'projector_events_failed_total',
    help: 'Events answered with an error, by error code',
    labelNames: ['projector', 'reason'] as const,
    registers: [registry],
  });
  const eventDuration = new Histogram({
    name: 'projector_event_duration_seconds',
    help: 'Time from receiving an event to its commit',
    labelNames: ['projector', 'kind'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const watermark = new Gauge({
    name: 'projector_watermark',
    help: 'global_seq of the last event applied in the partition',
    labelNames: ['projector', 'world_id', 'branch'] as const,
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'projector_lag_seconds',
    help: 'Age in seconds of the oldest logged event of the partition not applied yet (0 when caught up)',
    labelNames: ['projector', 'world_id', 'branch'] as const,
    registers: [registry],
  });
  const stateHash = new Gauge({
    name: 'projector_state_hash',
    help: "First 13 hex digits of the partition's state hash, as a number",
    labelNames: ['projector', 'world_id', 'branch'] as const,
    registers: [registry],
  });
  const replayMismatch = new Counter({
    name: 'projector_replay_mismatch_total',
    help: 'Partitions whose replayed state hash differed from the live one',
    labelNames: ['projector'] as const,
    registers: [registry],
  });
  const backgroundErrors = new Counter({
    name: 'projector_background_errors_total',
    help: 'Failures of background tasks, by task',
    labelNames: ['projector', 'task'] as const,
    registers: [registry],
  });
  const databaseUp = new Gauge({
    name: 'projector_database_up',
    help: '1 when the last background ping of the database succeeded, else 0',
    labelNames: ['projector'] as const,
    registers: [registry],
  });
  // Catch-up from the log and poison events.
  const catchupEvents = new Counter({
    name: 'projector_catchup_events_total',
    help: 'Events applied by catch-up from the log (not brought by a delivery)',
    labelNames: ['projector'] as const,
    registers: [registry],
  });
  // Rebuilds (rebuild/): a copy of the lens built beside the live one.
  const rebuildEvents = new Counter({
    name: 'projector_rebuild_events_total',
    help: 'Events applied from the log into a rebuild of the lens',
    labelNames: ['projector'] as const,
    registers: [registry],
  });
  const rebuildRunning = new Gauge({
    name: 'projector_rebuild_running',
    help: '1 while this process builds a new copy of the lens, else 0',
    labelNames: ['projector'] as const,
    registers: [registry],
  });
  const rebuildPartitions = new Gauge({
    name: 'projector_rebuild_partitions',
    help: "Partitions of the last rebuild's comparison with live, by result (equal, different)",
    labelNames: ['projector', 'result'] as const,
    registers: [registry],
  });
  const lagEvents = new Gauge({
    name: 'projector_lag_events',
    help: 'Logged events of the partition past its watermark (every partition of the log, with a watermark or not)',
    labelNames: ['projector', 'world_id', 'branch'] as const,
    registers: [registry],
  });
  const partitionsBlocked = new Gauge({
    name: 'projector_partitions_blocked',
    help: 'Partitions parked at a poison event',
    labelNames: ['projector'] as const,
    registers: [registry],
  });
  const eventsSkipped = new Counter({
    name: 'projector_events_skipped_total',
    help: 'Events skipped, by the poison policy or an operator',
    labelNames: ['projector', 'decided_by'] as const,
    registers: [registry],
  });
  const lagMax = new Gauge({
    name: 'projector_lag_max_seconds',
    help: 'The largest projector_lag_seconds over all partitions, with or without series of their own',
    labelNames: ['projector'] as const,
    registers: [registry],
  });
  const partitionsUntracked = new Gauge({
    name: 'projector_metrics_partitions_untracked',
    help: 'Partitions without per-partition series, over PROJECTOR_METRICS_MAX_PARTITIONS',
    labelNames: ['projector'] as const,
    registers: [registry],
  });
  const connectionsDropped = new Counter({
    name: 'projector_http_connections_dropped_total',
    help: 'HTTP connections closed at once because PROJECTOR_MAX_CONNECTIONS were open',
    labelNames: ['projector'] as const,
    registers: [registry],
  });
  // The two an alert needs that the others cannot give: a loop that stops getting anything done
  // (a hung query, a pass stuck) shows no error, and a 503 rate wants every answer as its denominator.
  const backgroundProgress = new Gauge({
    name: 'projector_background_last_progress_timestamp_seconds',
    help: 'Unix time of the last progress of a background loop (a run done, or one step of a long one), by task',
    labelNames: ['projector', 'task'] as const,
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'projector_http_requests_total',
    help: 'HTTP requests answered, by route (method and path template, or unmatched) and status code',
    labelNames: ['projector', 'route', 'status'] as const,
    registers: [registry],
  });
  return {
    registry,
    backgroundProgress,
    httpRequests,
    databaseUp,
    eventsProcessed,
    eventsFailed,
    eventDuration,
    watermark,
    lag,
    lagMax,
    lagEvents,
    stateHash,
    replayMismatch,
    backgroundErrors,
    partitionsUntracked,
    connectionsDropped,
    catchupEvents,
    rebuildEvents,
    rebuildRunning,
    rebuildPartitions,
    partitionsBlocked,
    eventsSkipped,
    partitions: partitionSeries(maxPartitions),
  };
}

export type ProjectorMetrics = ReturnType<typeof createProjectorMetrics>;

/** Kinds outside the lens's own handlers share this label value. */
export const OTHER_KIND = 'other';

/** The `kind` label of an event: one of the lens's own kinds, else `other` (any string a client sends is not a label). */
export const kindLabel = (lens: Lens, kind: string): string => (Object.hasOwn(lens.handlers, kind) ? kind : OTHER_KIND);

/** Records one delivered event answered `processed` or `ignored`, with the time it took. */
export function recordApplied(metrics: ProjectorMetrics, lens: Lens, kind: string, seconds: number): void {
  const labels = { projector: lens.projectorName, kind: kindLabel(lens, kind) };
  metrics.eventsProcessed.inc(labels);
  metrics.eventDuration.observe(labels, seconds);
}

/** The gauge value of a hash: its first 13 hex digits (52 bits) fit a double exactly. */
export const hashGaugeValue = (hash: string): number => Number.parseInt(hash.slice(0, 13), 16);
