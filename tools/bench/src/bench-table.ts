import type { ScenarioResult } from './scenarios/scenario-result.js';
import type { TargetCheck } from './targets.js';

const COLUMNS = ['scenario', 'n', 'seconds', 'per second', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'CPU s (% core)', 'CPU µs/ev', 'peak RSS MB', 'vs ceiling', 'target', 'result'] as const;
/** Columns aligned to the right (numbers). */
const RIGHT = new Set<string>(['n', 'seconds', 'per second', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'CPU s (% core)', 'CPU µs/ev', 'peak RSS MB', 'vs ceiling']);

const CEILING = { echo: 'echo', 'raw INSERT': 'raw', 'tracing off': 'off' } as const;

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number | undefined): string => (n === undefined ? '-' : n < 10 ? n.toFixed(2) : n.toFixed(1));

/** The one table of a run: a row per scenario, figures and targets side by side. */
export function formatTable(results: readonly ScenarioResult[], checks: ReadonlyMap<string, TargetCheck>): string {
  const rows = results.map((r) => {
    const check = checks.get(r.id);
    const usage = r.projector;
    const rss = usage?.peakRssMb ?? r.peakRssMb;
    return [
      r.label,
      `${int(r.count)} ${r.unit === 'events' ? 'ev' : 'rows'}`,
      r.seconds.toFixed(2),
      `${int(r.rate)} ${r.unit === 'events' ? 'ev' : 'rows'}`,
      ms(r.latencyMs?.p50),
      ms(r.latencyMs?.p95),
      ms(r.latencyMs?.p99),
      String(r.errors),
      usage?.cpuSeconds == null ? '-' : `${usage.cpuSeconds.toFixed(1)} (${usage.cpuPercentOfCore ?? '?'}%)`,
      usage?.cpuMicrosPerEvent == null ? '-' : int(usage.cpuMicrosPerEvent),
      rss == null ? '-' : `${rss.toFixed(0)}${usage && !usage.peakRssOfScenario ? '*' : ''}`,
      check?.ratio === undefined ? '' : `${(check.ratio * 100).toFixed(0)}% ${CEILING[check.of ?? 'raw INSERT']}`,
      check?.target ?? '',
      check === undefined || check.pass === null ? '' : check.pass ? 'pass' : 'FAIL',
    ];
  });
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (RIGHT.has(COLUMNS[i]!) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
