import { describe, expect, it } from 'vitest';
import { configSchema } from './config-schema.js';
import { ConfigError, parseConfig } from './config.js';

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('parseConfig: defaults', () => {
  it("match the contract's table when nothing is set", () => {
    expect(parseConfig({})).toMatchObject({
      databaseUrl: undefined,
      dataDir: undefined,
      port: 8000,
      host: '0.0.0.0',
      authToken: undefined,
      maxRetryAttempts: 3,
      errorBackoffMs: 5_000,
      stateHashIntervalMs: 300_000,
      metricsUpdateIntervalMs: 30_000,
      healthCheckIntervalMs: 30_000,
      dbPoolMax: 10,
      maxBatch: 1000,
      bodyLimitBytes: 1_048_576,
      batchBodyLimitBytes: 16 * 1_048_576,
      logLevel: 'info',
      // "by default applies those first" (gap filling)
      gapPolicy: 'fill',
    });
    expect(parseConfig({}).databaseUrl).toBeUndefined();
    expect(parseConfig({}).authToken).toBeUndefined();
  });

  it('ignores variables that are not PROJECTOR_*', () => {
    expect(parseConfig({ PORT: 'abc', HOST: '', DATABASE_URL: 'nonsense' })).toEqual(parseConfig({}));
  });

  it('is frozen', () => {
    const config = parseConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => Object.assign(config, { port: 1 })).toThrow(TypeError);
  });
});

describe('parseConfig: values', () => {
  it('parses every variable and turns seconds into milliseconds', () => {
    const config = parseConfig({
      PROJECTOR_DATABASE_URL: 'postgresql://u:p@db:5433/events',
      PROJECTOR_DATA_DIR: '/var/lib/projector',
      PROJECTOR_PORT: '9001',
      PROJECTOR_HOST: '127.0.0.1',
      PROJECTOR_AUTH_TOKEN: 's3cret',
      PROJECTOR_MAX_RETRY_ATTEMPTS: '0',
      PROJECTOR_ERROR_BACKOFF_SECONDS: '0.25',
      PROJECTOR_STATE_HASH_INTERVAL_S: '60',
      PROJECTOR_METRICS_UPDATE_INTERVAL_S: '1.5',
      PROJECTOR_HEALTH_CHECK_INTERVAL_S: '2',
      PROJECTOR_DB_POOL_MAX: '4',
      PROJECTOR_MAX_BATCH: '50',
      PROJECTOR_BODY_LIMIT_BYTES: '2048',
      PROJECTOR_GAP_POLICY: 'reject',
      PROJECTOR_LOG_LEVEL: 'debug',
      PROJECTOR_GROUP_COMMIT_MS: '0',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgresql://u:p@db:5433/events',
      dataDir: '/var/lib/projector',
      port: 9001,
      host: '127.0.0.1',
      authToken: 's3cret',
      maxRetryAttempts: 0,
      errorBackoffMs: 250,
      stateHashIntervalMs: 60_000,
      metricsUpdateIntervalMs: 1_500,
      healthCheckIntervalMs: 2_000,
      dbPoolMax: 4,
      maxBatch: 50,
      bodyLimitBytes: 2048,
      batchBodyLimitBytes: 16 * 2048,
      gapPolicy: 'reject',
      logLevel: 'debug',
      groupCommitMs: 0,
    });
  });

  it('accepts port 0 (any free port) and both postgres URL schemes', () => {
    expect(parseConfig({ PROJECTOR_PORT: '0' }).port).toBe(0);
    expect(parseConfig({ PROJECTOR_DATABASE_URL: 'postgres://x@h/db' }).databaseUrl).toBe('postgres://x@h/db');
  });

  it('takes `embedded` (the development PostgreSQL) for a database URL, and nothing like it', () => {
    expect(parseConfig({ PROJECTOR_DATABASE_URL: 'embedded' }).databaseUrl).toBe('embedded');
    expect(() => parseConfig({ PROJECTOR_DATABASE_URL: 'embedded-ish' })).toThrow(/PROJECTOR_DATABASE_URL=<hidden>: .*or embedded/);
  });

  it('counts empty strings as unset: defaults apply and auth stays off', () => {
    const names = Object.keys(configSchema.shape);
    expect(names).toContain('PROJECTOR_AUTH_TOKEN');
    const config = parseConfig(Object.fromEntries(names.map((n) => [n, ''])));
    expect(config).toEqual(parseConfig({}));
    expect(config.authToken).toBeUndefined();
    expect(config.databaseUrl).toBeUndefined();
  });
});

describe('parseConfig: bad values', () => {
  it('numbers are plain decimals: hex, exponents and signs are refused, blanks count as unset', () => {
    for (const value of ['0x10', '1e1', '+5', '-1', '5 5']) {
      expect(configErrorOf({ PROJECTOR_PORT: value }).lines[0], value).toMatch(/^PROJECTOR_PORT=.*plain decimal number/);
    }
    expect(parseConfig({ PROJECTOR_PORT: '   ', PROJECTOR_MAX_RETRY_ATTEMPTS: ' ' })).toMatchObject({ port: 8000, maxRetryAttempts: 3 });
    expect(parseConfig({ PROJECTOR_PORT: ' 8080 ' }).port).toBe(8080);
  });

  it('several bad variables give one ConfigError with one line per variable, naming it and what it must be', () => {
    const bad = {
      PROJECTOR_PORT: 'abc',
      PROJECTOR_MAX_BATCH: '0',
      PROJECTOR_LOG_LEVEL: 'loud',
      PROJECTOR_DATABASE_URL: 'mysql://db/x',
      PROJECTOR_ERROR_BACKOFF_SECONDS: '-1',
      PROJECTOR_GAP_POLICY: 'skip',
      PROJECTOR_DB_POOL_MAX: '2.5',
    };
    const error = configErrorOf({ ...bad, PROJECTOR_HOST: 'fine.example', PROJECTOR_AUTH_TOKEN: 'fine' });
    expect(error.lines).toHaveLength(Object.keys(bad).length);
    for (const [name, value] of Object.entries(bad)) {
      const mine = error.lines.filter((line) => line.startsWith(`${name}=`));
      expect(mine, name).toHaveLength(1);
      // The value is echoed so the operator sees what was read; a URL may carry a password, so not that one.
      if (name !== 'PROJECTOR_DATABASE_URL') expect(mine[0], name).toContain(JSON.stringify(value));
    }
    const lineOf = (name: string) => error.lines.find((line) => line.startsWith(`${name}=`))!;
    expect(lineOf('PROJECTOR_PORT')).toMatch(/plain decimal number/);
    expect(lineOf('PROJECTOR_MAX_BATCH')).toMatch(/>=\s*1/);
    expect(lineOf('PROJECTOR_LOG_LEVEL')).toMatch(/"info"/);
    expect(lineOf('PROJECTOR_DATABASE_URL')).toMatch(/must be a postgres:\/\//);
    expect(lineOf('PROJECTOR_ERROR_BACKOFF_SECONDS')).toMatch(/plain decimal number/);
    expect(lineOf('PROJECTOR_GAP_POLICY')).toMatch(/"fill"\|"reject"/);
    expect(lineOf('PROJECTOR_DB_POOL_MAX')).toMatch(/expected int/);
    // The message lists every line, so the process can print it as is.
    expect(error.message.split('\n').slice(1)).toEqual(error.lines);
    expect(error.name).toBe('ConfigError');
  });

  it('never echoes a secret, even a malformed one', () => {
    const error = configErrorOf({ PROJECTOR_DATABASE_URL: 'mysql://admin:hunter2@db/x' });
    expect(error.lines).toHaveLength(1);
    expect(error.lines[0]).toMatch(/^PROJECTOR_DATABASE_URL=/);
    expect(error.message).not.toContain('hunter2');
  });

  it.each([
    ['PROJECTOR_PORT', '65536'],
    ['PROJECTOR_PORT', '-1'],
    ['PROJECTOR_PORT', '80.5'],
    ['PROJECTOR_MAX_RETRY_ATTEMPTS', '-1'],
    ['PROJECTOR_STATE_HASH_INTERVAL_S', '0'],
    ['PROJECTOR_STATE_HASH_INTERVAL_S', 'Infinity'],
    ['PROJECTOR_METRICS_UPDATE_INTERVAL_S', 'soon'],
    ['PROJECTOR_HEALTH_CHECK_INTERVAL_S', '-5'],
    ['PROJECTOR_BODY_LIMIT_BYTES', '0'],
    ['PROJECTOR_GROUP_COMMIT_MS', '5000'],
    ['PROJECTOR_REQUEST_TIMEOUT_S', '0'],
    ['PROJECTOR_MAX_CONNECTIONS', '0'],
    ['PROJECTOR_METRICS_MAX_PARTITIONS', '-1'],
  ])('%s=%s is refused with a line naming it', (name, value) => {
    const error = configErrorOf({ [name]: value });
    expect(error.lines).toHaveLength(1);
    expect(error.lines[0]).toMatch(new RegExp(`^${name}=${JSON.stringify(value)}: \\S`));
  });
});

describe('parseConfig: limits (contract.md, "Limits")', () => {
  it('have their defaults in milliseconds; the connection limit is left to the descriptor limit', () => {
    expect(parseConfig({})).toMatchObject({
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 72_000,
      maxConnections: undefined,
      dbConnectTimeoutMs: 3_000,
      metricsMaxPartitions: 1000,
    });
    expect(parseConfig({ PROJECTOR_MAX_CONNECTIONS: '50', PROJECTOR_REQUEST_TIMEOUT_S: '1.5' })).toMatchObject({ maxConnections: 50, requestTimeoutMs: 1500 });
  });

  it('a database URL with a bad percent-encoding is the one-line config error, not a URIError', () => {
    for (const url of ['postgres://u:p%zz@h/db', 'postgres://u:%C0%80@h/db', 'postgres://u@h/db?password=50%']) {
      const error = configErrorOf({ PROJECTOR_DATABASE_URL: url });
      expect(error.lines).toEqual([expect.stringMatching(/^PROJECTOR_DATABASE_URL=<hidden>: .*percent-encoding/)]);
    }
  });
});
