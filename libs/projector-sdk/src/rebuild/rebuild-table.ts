import { formatColumns } from '../server/format-columns.js';
import type { RebuildReport } from './run-rebuild.js';

/** The summary of a rebuild for a terminal: one row of figures, then the first differing partitions. */
export function formatRebuildSummary(report: Exclude<RebuildReport, { status: 'refused' }>): string {
  const perSecond = Math.round(report.events / Math.max(report.seconds, 0.001));
  const table = formatColumns(
    ['result', 'version', 'partitions', 'events', 'events/s', 'equal', 'different', 'seconds', 'cutover ms'],
    [[
      report.status,
      report.fromVersion === report.version ? String(report.version) : `${report.fromVersion} -> ${report.version}`,
      String(report.partitions),
      String(report.events),
      String(perSecond),
      String(report.equal),
      String(report.different),
      report.seconds.toFixed(1),
      report.cutoverMs === null ? '-' : String(report.cutoverMs),
    ]],
  );
  const lines = [table];
  if (report.firstDifferent.length > 0) {
    const expected = report.fromVersion !== report.version ? ' (expected: the lens version changed)' : '';
    lines.push(`different${expected}: ${report.firstDifferent.map((p) => `${p.worldId}/${p.branch}`).join(', ')}${report.different > report.firstDifferent.length ? ', ...' : ''}`);
  }
  for (const f of report.failed) lines.push(`failed: ${f.partition.worldId}/${f.partition.branch} at global_seq ${f.globalSeq}: ${f.error.code}: ${f.error.message}`);
  return lines.join('\n');
}
