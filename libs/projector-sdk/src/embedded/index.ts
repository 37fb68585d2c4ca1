export { startEmbeddedPostgres } from './embedded-postgres.js';
export type { EmbeddedPostgres, EmbeddedPostgresLogger, EmbeddedPostgresOptions } from './embedded-postgres.js';
