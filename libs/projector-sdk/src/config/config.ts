import { configSchema } from './config-schema.js';
import { tracingConfigOf, type TracingConfig } from './tracing-config.js';

/** The parsed configuration: names in camelCase, seconds turned into milliseconds, frozen. */
export interface ProjectorConfig {
  /** A postgres:// URL, `embedded` (the development PostgreSQL), or unset (the app refuses to start). */
  readonly databaseUrl: string | undefined;
  /** Where the embedded PostgreSQL keeps its data with `PROJECTOR_DATABASE_URL=embedded`. */
  readonly dataDir: string | undefined;
  readonly port: number;
  readonly host: string;
  readonly authToken: string | undefined;
  readonly maxRetryAttempts: number;
  readonly errorBackoffMs: number;
  readonly stateHashIntervalMs: number;
  readonly metricsUpdateIntervalMs: number;
  readonly healthCheckIntervalMs: number;
  readonly dbPoolMax: number;
  readonly maxBatch: number;
  readonly bodyLimitBytes: number;
  readonly batchBodyLimitBytes: number;
  readonly gapPolicy: 'fill' | 'reject';
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Partitions the state-hash monitor replays from the log per run, to catch drift (0: none). */
  readonly replaySample: number;
  /** How long concurrent single-event requests wait to share one commit (0: no grouping). */
  readonly groupCommitMs: number;
  /** Time for a whole request (headers and body) to arrive; headers get at most 10 s of it. */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs: number;
  /** Open HTTP connections at most; unset: derived from the descriptor limit at start. */
  readonly maxConnections: number | undefined;
  /** How long opening one database connection may take. */
  readonly dbConnectTimeoutMs: number;
  /** Partitions that get series of their own in `/metrics`; the rest are counted, not labelled. */
  readonly metricsMaxPartitions: number;
  /** Pause between catch-up passes over the log (0: no catch-up). */
  readonly catchupIntervalMs: number;
  /** Events one catch-up transaction applies at most; a delivery with a larger gap is queued. */
  readonly catchupChunk: number;
  /** Events per rebuild transaction (PROJECTOR_REBUILD_CHUNK). */
  readonly rebuildChunk: number;
  /** A new lens version: build it beside the live one and cut over (`auto`), or log what to run (`manual`). */
  readonly lensUpgrade: 'auto' | 'manual';
  /** What an event the lens or the database rejects for good does to its partition. */
  readonly poisonPolicy: 'block' | 'skip';
  /** OpenTelemetry tracing from the `OTEL_*` variables; undefined: off (no OTel SDK is loaded). */
  readonly tracing: TracingConfig | undefined;
  /** A background loop is stalled (`/ready` 503) after its interval plus this long without progress. */
  readonly stallGraceMs: number;
}

// OTLP headers carry collectors' API keys.
const SECRETS = new Set(['PROJECTOR_DATABASE_URL', 'PROJECTOR_AUTH_TOKEN', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS']);

/** Thrown when a variable does not parse; `lines` has one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly lines: readonly string[]) {
    super(`invalid configuration:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment (or any record of strings) once: the `PROJECTOR_*` variables and the
 * `OTEL_*` ones of tracing. Values are trimmed, and empty ones count
 * as unset, so `PROJECTOR_AUTH_TOKEN=` in a compose file does not turn auth on with an empty token.
 */
export function parseConfig(env: Record<string, string | undefined>): ProjectorConfig {
  const relevant = Object.fromEntries(
    Object.entries(env)
      .filter(([key]) => key.startsWith('PROJECTOR_') || key.startsWith('OTEL_'))
      .map(([key, value]) => [key, value?.trim()] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'configuration');
      // Secrets are never echoed: a malformed URL may still carry a password.
      const shown = SECRETS.has(name) ? '<hidden>' : JSON.stringify(relevant[name] ?? '');
      return `${name}=${shown}: ${issue.message}`;
    });
    throw new ConfigError(lines);
  }
  const c = parsed.data;
  return Object.freeze({
    databaseUrl: c.PROJECTOR_DATABASE_URL,
    dataDir: c.PROJECTOR_DATA_DIR,
    port: c.PROJECTOR_PORT,
    host: c.PROJECTOR_HOST,
    authToken: c.PROJECTOR_AUTH_TOKEN,
    maxRetryAttempts: c.PROJECTOR_MAX_RETRY_ATTEMPTS,
    errorBackoffMs: c.PROJECTOR_ERROR_BACKOFF_SECONDS * 1000,
    stateHashIntervalMs: c.PROJECTOR_STATE_HASH_INTERVAL_S * 1000,
    metricsUpdateIntervalMs: c.PROJECTOR_METRICS_UPDATE_INTERVAL_S * 1000,
    healthCheckIntervalMs: c.PROJECTOR_HEALTH_CHECK_INTERVAL_S * 1000,
    dbPoolMax: c.PROJECTOR_DB_POOL_MAX,
    maxBatch: c.PROJECTOR_MAX_BATCH,
    bodyLimitBytes: c.PROJECTOR_BODY_LIMIT_BYTES,
    batchBodyLimitBytes: c.PROJECTOR_BODY_LIMIT_BYTES * 16,
    gapPolicy: c.PROJECTOR_GAP_POLICY,
    logLevel: c.PROJECTOR_LOG_LEVEL,
    groupCommitMs: c.PROJECTOR_GROUP_COMMIT_MS,
    replaySample: c.PROJECTOR_REPLAY_SAMPLE,
    requestTimeoutMs: c.PROJECTOR_REQUEST_TIMEOUT_S * 1000,
    keepAliveTimeoutMs: c.PROJECTOR_KEEP_ALIVE_TIMEOUT_S * 1000,
    maxConnections: c.PROJECTOR_MAX_CONNECTIONS,
    dbConnectTimeoutMs: c.PROJECTOR_DB_CONNECT_TIMEOUT_S * 1000,
    metricsMaxPartitions: c.PROJECTOR_METRICS_MAX_PARTITIONS,
    catchupIntervalMs: c.PROJECTOR_CATCHUP_INTERVAL_S * 1000,
    catchupChunk: c.PROJECTOR_CATCHUP_CHUNK,
    rebuildChunk: c.PROJECTOR_REBUILD_CHUNK,
    lensUpgrade: c.PROJECTOR_LENS_UPGRADE,
    poisonPolicy: c.PROJECTOR_POISON_POLICY,
    tracing: tracingConfigOf(c),
    stallGraceMs: c.PROJECTOR_STALL_SECONDS * 1000,
  });
}
