/**
 * @projectors/projector-sdk: everything a projector needs but its lens. A lens author writes a
 * `defineLens({...})` object; `runProjector(lens, process.env)` does the rest.
 */
export { defineLens, handler, lensIn, setStatement, statement, type LensPlace } from './lens/index.js';
export type { ColumnKind, EventContext, EventHandler, HandlerContext, Lens, LensDefinition, Migration, PendingStatement, SetForm, SnapshotTable, TableRef, Tables, Tx } from './lens/index.js';

export { parseConfig, ConfigError, type ProjectorConfig } from './config/index.js';
export { errorCatalogue, ProjectorError, isProjectorError, type ErrorCode } from './errors/index.js';
export { globalSeq, partitionKey, type GlobalSeq, type Partition, type ProjectorEvent } from './event/index.js';
export { eventBodySchema, envelopeSchema, type EnvelopeBody, type EventBody } from './event/index.js';
export { identifier, storableText, MAX_IDENTIFIER_BYTES } from './event/index.js';

export { createProjector, type Projector, type ProjectorOptions } from './server/create-projector.js';
export { runProjector } from './server/run-projector.js';
export { createLogger } from './server/logger.js';
export { createProjectorMetrics, type ProjectorMetrics } from './metrics/projector-metrics.js';
export { connectDatabase, type Sql } from './db/connect.js';
export { maskDatabaseUrl } from './db/mask-url.js';
export { migrate } from './db/migrate.js';

export { canonicalJson, payloadHashOf, canonicalEnvelopeText, parseJsonBody, type PayloadHash } from './hash/index.js';
export { computeStateHash, hashSnapshot, snapshotText, type StateHash, type PartitionHash } from './state/state-hash.js';
export { listPartitions, rebuildPartition, recordStateHash, runReplayCli, verifyPartition, type ReplayResult, type VerifyOptions } from './replay/index.js';
export { runPartitionsCli } from './poison/partitions-cli.js';
export { runRebuild, runRebuildCli, type RebuildReport } from './rebuild/index.js';
