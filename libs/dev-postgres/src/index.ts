/**
 * @projectors/dev-postgres: development only (tag `type:dev`). An embedded PostgreSQL for `nx serve`,
 * the tests, the bench and the CLIs, that works as root from any folder; the dev database every dev
 * command finds; the workspace's one free-port helper. No app's production dependencies include it.
 */
export { startEmbeddedPostgres, maskedClusterUrl } from './embedded-postgres.js';
export type { EmbeddedPostgres, EmbeddedPostgresLogger, EmbeddedPostgresOptions } from './embedded-postgres.js';
export { devDataDir, findDevDatabase, workspaceRoot, type FoundDevDatabase } from './dev-database.js';
export { createFreshDatabase, type FreshDatabase } from './fresh-database.js';
export { freePort, isListening, isPortFree } from './free-port.js';
export { waitForReady } from './wait-ready.js';
export { STAGE_ROOT } from './staging.js';
