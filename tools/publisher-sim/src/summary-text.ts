import type { PushSummary } from './push-events.js';

/** The summary a person reads at the end of a run. */
export function summaryText(s: PushSummary): string {
  const lines = [
    `events       ${s.events} to ${s.urls.length} URL(s), ${s.partitions} partitions, concurrency ${s.concurrency}, ${s.batch > 0 ? `batches of ${s.batch}` : 'single events'}`,
    `delivered    ${s.delivered} in ${s.requests} requests`,
    `seconds      ${s.seconds.toFixed(2)}`,
    `events/s     ${s.eventsPerSecond.toFixed(1)}`,
    `latency ms   p50 ${s.latencyMs.p50}  p95 ${s.latencyMs.p95}  p99 ${s.latencyMs.p99}  max ${s.latencyMs.max} (per request)`,
    `outcomes     ${formatCounts(s.outcomes)}`,
    `answers      ${formatCounts(s.answers)}`,
    `retries      ${s.retries}`,
    `parked       ${s.parked}`,
  ];
  for (const p of s.parkedEvents.slice(0, 10)) {
    lines.push(`  parked global_seq ${p.global_seq} (${p.world_id}/${p.branch}) at ${p.url}: ${p.reason}: ${p.answer.slice(0, 200)}`);
  }
  if (s.parked > 10) lines.push(`  … ${s.parked - 10} more (--json lists the first ${s.parkedEvents.length})`);
  return `${lines.join('\n')}\n`;
}

function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '-' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}
