import { z } from 'zod';

// Plain decimal text only: Number() would also take '0x10', '1e1' or ' ' (as 0).
const decimal = (check: z.ZodNumber) =>
  z.string().regex(/^\d+(\.\d+)?$/, 'must be a plain decimal number').transform(Number).pipe(check);
// postgres.js decodes the URL's parts with decodeURIComponent, which throws a URIError at connect.
const decodes = (url: string) => {
  try {
    decodeURIComponent(url);
    return true;
  } catch {
    return false;
  }
};
const seconds = (fallback: number) => decimal(z.number().positive()).default(fallback);
const count = (fallback: number, min = 1) => decimal(z.number().int().min(min)).default(fallback);
const url = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
// OTLP/HTTP only: the gRPC exporter is not shipped (its dependencies would triple the SDK's size).
const otlpProtocol = z.enum(['http/protobuf', 'http/json'], { error: 'must be http/protobuf or http/json (grpc is not supported)' });
// The spec's `key=value,key=value` lists (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES); values percent-decoded.
const keyValues = z
  .string()
  .refine((text) => text.split(',').every((pair) => /^[^=]+=.*$/.test(pair.trim()) && decodes(pair)), 'must be a comma-separated list of key=value (values percent-encoded)')
  .transform((text) =>
    Object.fromEntries(
      text.split(',').map((pair) => {
        const at = pair.indexOf('=');
        return [pair.slice(0, at).trim(), decodeURIComponent(pair.slice(at + 1).trim())];
      }),
    ),
  );
const exporters = z
  .string()
  .transform((text) => text.split(',').map((name) => name.trim().toLowerCase()))
  .refine((names) => names.every((name) => name === 'otlp' || name === 'none'), 'must be otlp or none (no other trace exporter is shipped)');
const millis = (fallback: number) => decimal(z.number().int().min(0)).default(fallback);

/**
 * The projector's whole configuration, read from `PROJECTOR_*` variables: one schema with defaults
 * and units, parsed once at start (see contract.md, "Configuration").
 */
export const configSchema = z.object({
  PROJECTOR_DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|embedded$)/, 'must be a postgres:// or postgresql:// URL, or embedded (development)')
    .refine(decodes, 'has a bad percent-encoding (each % must start an escape of UTF-8 bytes, e.g. %40 for @)')
    .optional(),
  PROJECTOR_DATA_DIR: z.string().min(1).optional(),
  PROJECTOR_PORT: decimal(z.number().int().min(0).max(65535)).default(8000),
  PROJECTOR_HOST: z.string().min(1).default('0.0.0.0'),
  PROJECTOR_AUTH_TOKEN: z.string().min(1).optional(),
  PROJECTOR_MAX_RETRY_ATTEMPTS: count(3, 0),
  PROJECTOR_ERROR_BACKOFF_SECONDS: seconds(5),
  PROJECTOR_STATE_HASH_INTERVAL_S: seconds(300),
  PROJECTOR_METRICS_UPDATE_INTERVAL_S: seconds(30),
  PROJECTOR_HEALTH_CHECK_INTERVAL_S: seconds(30),
  PROJECTOR_DB_POOL_MAX: count(10),
  PROJECTOR_MAX_BATCH: count(1000),
  PROJECTOR_BODY_LIMIT_BYTES: count(1_048_576),
  PROJECTOR_GAP_POLICY: z.enum(['fill', 'reject']).default('fill'),
  PROJECTOR_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PROJECTOR_REPLAY_SAMPLE: count(1, 0),
  PROJECTOR_GROUP_COMMIT_MS: decimal(z.number().min(0).max(1000)).default(2),
  // Limits of what one client can hold (contract.md, "Limits").
  PROJECTOR_REQUEST_TIMEOUT_S: seconds(30),
  PROJECTOR_KEEP_ALIVE_TIMEOUT_S: seconds(72),
  PROJECTOR_MAX_CONNECTIONS: decimal(z.number().int().min(1)).optional(),
  PROJECTOR_DB_CONNECT_TIMEOUT_S: seconds(3),
  PROJECTOR_METRICS_MAX_PARTITIONS: count(1000, 0),
  PROJECTOR_CATCHUP_INTERVAL_S: decimal(z.number().min(0)).default(2),
  PROJECTOR_CATCHUP_CHUNK: count(500),
  PROJECTOR_POISON_POLICY: z.enum(['block', 'skip']).default('block'),
  // Issue 13: events per rebuild transaction, and what a projector does when its lens version is new.
  PROJECTOR_REBUILD_CHUNK: count(5000),
  PROJECTOR_LENS_UPGRADE: z.enum(['auto', 'manual']).default('auto'),
  // OpenTelemetry tracing, by the spec's own variable names (contract.md, "Tracing"); read here like
  // every other setting and handed to the OTel SDK as explicit options.
  OTEL_SDK_DISABLED: z.string().transform((v) => v.toLowerCase() === 'true').default(false),
  OTEL_TRACES_EXPORTER: exporters.optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol.optional(),
  OTEL_EXPORTER_OTLP_HEADERS: keyValues.optional(),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValues.optional(),
  OTEL_EXPORTER_OTLP_TIMEOUT: millis(10_000),
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: millis(10_000).optional(),
  OTEL_EXPORTER_OTLP_COMPRESSION: z.enum(['gzip', 'none']).optional(),
  OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: z.enum(['gzip', 'none']).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_RESOURCE_ATTRIBUTES: keyValues.optional(),
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: decimal(z.number().min(0).max(1)).optional(),
  OTEL_BSP_SCHEDULE_DELAY: millis(5_000),
  OTEL_BSP_EXPORT_TIMEOUT: millis(30_000),
  OTEL_BSP_MAX_QUEUE_SIZE: count(2_048),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: count(512),
  // A background loop without progress for its interval plus this long makes /ready answer 503.
  PROJECTOR_STALL_SECONDS: seconds(300),
});

export type RawConfig = z.infer<typeof configSchema>;
