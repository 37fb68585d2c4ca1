import type { ReplayResult } from './replay-partition.js';

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
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
