import postgres from 'postgres';

const MAX_RECONNECT_DELAY_S = 0.5;

export type Sql = postgres.Sql<Record<string, unknown>>;

export interface ConnectOptions {
  max: number;
  /** Name shown in pg_stat_activity, so an operator can tell projectors apart. */
  applicationName: string;
  /** Seconds to open one connection (default 10); past it the query fails with CONNECT_TIMEOUT (transient). */
  connectTimeoutSeconds?: number;
}

/** The one place connection options are resolved (porsager/postgres style). */
export function connectDatabase(url: string, options: ConnectOptions): Sql {
  return postgres(url, {
    max: options.max,
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    // Seconds before a connection that failed is opened again. postgres.js's own backoff grows with
    // every failure of the pool up to 20 s, and queries handed to that connection wait it out: when
    // PostgreSQL refused connections for a while (53300, a restart), requests hung for 35 s. Our
    // retries (with-retries.ts) already space the attempts, so this stays short.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, MAX_RECONNECT_DELAY_S) * (0.5 + Math.random() / 2),
    idle_timeout: 60,
    // NOTICEs ("relation already exists, skipping" from migrations) are not worth a log line.
    onnotice: () => undefined,
    connection: { application_name: options.applicationName },
  });
}
