export { listPartitions, replayPartition, type ReplayOptions, type ReplayResult } from './replay-partition.js';
export { runReplayCli } from './replay-cli.js';
export { formatReplayTable } from './replay-table.js';
