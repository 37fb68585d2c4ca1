import { formatColumns } from '../server/format-columns.js';
import type { ReplayResult } from './replay-result.js';

/** The replay report: one row per partition, columns padded for a terminal. */
export function formatReplayTable(results: readonly ReplayResult[]): string {
  const header = ['partition', 'watermark', 'events replayed', 'live hash', 'replay hash', 'equal'];
  const rows = results.map((r) => [
    `${r.partition.worldId}/${r.partition.branch}`,
    String(r.watermark),
    String(r.eventsReplayed),
    r.liveHash.slice(0, 16),
    r.replayHash.slice(0, 16),
    r.equal ? 'yes' : (r.rebuilt ? 'NO (rebuilt)' : 'NO'),
  ]);
  return formatColumns(header, rows);
}
