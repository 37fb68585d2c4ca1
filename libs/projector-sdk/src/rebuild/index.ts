export { runRebuild, type RebuildDeps, type RebuildProgress, type RebuildReport } from './run-rebuild.js';
export { runRebuildCli } from './rebuild-cli.js';
export { formatRebuildSummary } from './rebuild-table.js';
