import type { RawConfig } from './config-schema.js';

export type SamplerName = RawConfig['OTEL_TRACES_SAMPLER'];

/** Where and how spans are exported; present only when tracing is on. */
export interface TracingConfig {
  /** The OTLP/HTTP traces URL, `/v1/traces` included. */
  readonly url: string;
  readonly protocol: 'http/protobuf' | 'http/json';
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly compression: 'gzip' | 'none';
  /** `OTEL_SERVICE_NAME`; unset, the app's service name. */
  readonly serviceName: string | undefined;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly sampler: SamplerName;
  /** The ratio of the `traceidratio` samplers (default 1). */
  readonly samplerRatio: number;
  readonly batch: {
    readonly scheduleDelayMs: number;
    readonly exportTimeoutMs: number;
    readonly maxQueueSize: number;
    readonly maxExportBatchSize: number;
  };
}

const DEFAULT_ENDPOINT = 'http://localhost:4318';

/**
 * Whether the `OTEL_*` variables turn tracing on, and with what. Off when `OTEL_SDK_DISABLED=true`
 * or `OTEL_TRACES_EXPORTER=none`; on when `OTEL_TRACES_EXPORTER=otlp`, or, with it unset, when an OTLP
 * endpoint is set. The spec's default exporter is `otlp`, which would have every projector send to
 * localhost:4318 unasked: here nothing is exported until something says where, or says `otlp`.
 */
export function tracingConfigOf(c: RawConfig): TracingConfig | undefined {
  if (c.OTEL_SDK_DISABLED) return undefined;
  const exporters = c.OTEL_TRACES_EXPORTER;
  const on = exporters ? exporters.includes('otlp') : Boolean(c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? c.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (!on) return undefined;
  // The signal's own endpoint is used as given; the generic one gets the signal's path (OTLP exporter spec).
  const url = c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${(c.OTEL_EXPORTER_OTLP_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/$/, '')}/v1/traces`;
  return Object.freeze({
    url,
    protocol: c.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? c.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    headers: Object.freeze({ ...c.OTEL_EXPORTER_OTLP_HEADERS, ...c.OTEL_EXPORTER_OTLP_TRACES_HEADERS }),
    timeoutMs: c.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? c.OTEL_EXPORTER_OTLP_TIMEOUT,
    compression: c.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION ?? c.OTEL_EXPORTER_OTLP_COMPRESSION ?? 'none',
    serviceName: c.OTEL_SERVICE_NAME,
    resourceAttributes: Object.freeze({ ...c.OTEL_RESOURCE_ATTRIBUTES }),
    sampler: c.OTEL_TRACES_SAMPLER,
    samplerRatio: c.OTEL_TRACES_SAMPLER_ARG ?? 1,
    batch: Object.freeze({
      scheduleDelayMs: c.OTEL_BSP_SCHEDULE_DELAY,
      exportTimeoutMs: c.OTEL_BSP_EXPORT_TIMEOUT,
      maxQueueSize: c.OTEL_BSP_MAX_QUEUE_SIZE,
      // The SDK's rule: a batch larger than the queue is the queue.
      maxExportBatchSize: Math.min(c.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, c.OTEL_BSP_MAX_QUEUE_SIZE),
    }),
  });
}
