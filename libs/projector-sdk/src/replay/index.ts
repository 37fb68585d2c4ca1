export { listPartitions } from './list-partitions.js';
export { verifyPartition, scratchLens, type VerifyOptions } from './verify-partition.js';
export { rebuildPartition, type RebuildOptions } from './rebuild-partition.js';
export { recordStateHash, latestRecordedHash } from './recorded-hash.js';
export type { ReplayResult } from './replay-result.js';
export { runReplayCli } from './replay-cli.js';
export { formatReplayTable } from './replay-table.js';
