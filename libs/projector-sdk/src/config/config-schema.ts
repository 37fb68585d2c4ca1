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
  // A background loop without progress for its interval plus this long makes /ready answer 503.
  PROJECTOR_STALL_SECONDS: seconds(300),
});

export type RawConfig = z.infer<typeof configSchema>;
