import postgres from 'postgres';

export type Sql = postgres.Sql<Record<string, unknown>>;

export interface ConnectOptions {
  max: number;
  /** Name shown in pg_stat_activity, so an operator can tell projectors apart. */
  applicationName: string;
}

/** The one place connection options are resolved (porsager/postgres style). */
export function connectDatabase(url: string, options: ConnectOptions): Sql {
  return postgres(url, {
    max: options.max,
    connect_timeout: 10,
    idle_timeout: 60,
    // NOTICEs ("relation already exists, skipping" from migrations) are not worth a log line.
    onnotice: () => undefined,
    connection: { application_name: options.applicationName },
  });
}
