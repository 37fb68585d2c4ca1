import { describe, expect, it } from 'vitest';
import { formatTable } from './bench-table.js';
import type { ScenarioResult } from './scenarios/scenario-result.js';
import { checkTargets } from './targets.js';

const usage = { cpuSeconds: 2.5, cpuPercentOfCore: 80, cpuMicrosPerEvent: 125, peakRssMb: 120.4, peakRssOfScenario: true };
const results: ScenarioResult[] = [
  { id: 'echo-c32', label: 'empty Fastify echo, concurrency 32', unit: 'events', count: 3000, seconds: 1, rate: 2000, latencyMs: { p50: 10, p95: 20, p99: 30 }, errors: 0, projector: usage, detail: {} },
  { id: 'single-c32', label: 'single events, concurrency 32', unit: 'events', count: 3000, seconds: 2.5, rate: 1200, latencyMs: { p50: 20, p95: 40, p99: 90 }, errors: 0, projector: usage, detail: {} },
  { id: 'batch-100', label: 'batches of 100, concurrency 4', unit: 'events', count: 20000, seconds: 4, rate: 5000, latencyMs: { p50: 70, p95: 120, p99: 150 }, errors: 0, projector: usage, detail: {} },
  { id: 'raw-insert', label: 'raw INSERT, multi-row, 1 tx', unit: 'rows', count: 9000, seconds: 0.1, rate: 90000, errors: 0, detail: {} },
  { id: 'replay', label: 'replay of the whole log', unit: 'events', count: 30000, seconds: 0.5, rate: 60000, errors: 0, detail: {} },
  { id: 'state-hash', label: 'state hash, 1,000,000 rows', unit: 'rows', count: 1e6, seconds: 9, rate: 111111, errors: 0, peakRssMb: 80, detail: {} },
];

describe('checkTargets', () => {
  it('checks each target: single events against the echo of the run, bulk paths against the raw INSERT limit', () => {
    const checks = checkTargets(results);
    expect(checks.get('single-c32')).toMatchObject({ pass: true, of: 'echo' });
    expect(checks.get('single-c32')!.ratio).toBeCloseTo(1200 / 2000);
    expect(checkTargets(results.map((r) => (r.id === 'echo-c32' ? { ...r, rate: 3000 } : r))).get('single-c32')!.pass).toBe(false);
    expect(checks.get('echo-c32')).toMatchObject({ pass: null });
    expect(checks.get('batch-100')).toMatchObject({ pass: false });
    expect(checks.get('batch-100')!.ratio).toBeCloseTo(5000 / 90000);
    expect(checks.get('replay')).toMatchObject({ pass: true });
    expect(checks.get('raw-insert')).toMatchObject({ pass: null, target: 'the limit of bulk paths' });
    expect(checks.get('state-hash')).toMatchObject({ pass: true });
  });

  it('reads tracing on against the same scenario with tracing off, as a reference', () => {
    const traced = { ...results[1]!, id: 'single-c32-traced', label: 'single events, concurrency 32, tracing on', rate: 1080 };
    const withTraced = [results[0]!, results[1]!, traced];
    const check = checkTargets(withTraced).get('single-c32-traced')!;
    expect(check).toMatchObject({ pass: null, of: 'tracing off' });
    expect(check.ratio).toBeCloseTo(1080 / 1200);
    expect(formatTable(withTraced, checkTargets(withTraced)).split('\n').at(-1)).toMatch(/ 90% off /);
  });

  it('fails single events on p95 alone', () => {
    const slow = [results[0]!, { ...results[1]!, latencyMs: { p50: 50, p95: 60, p99: 200 } }];
    expect(checkTargets(slow).get('single-c32')!.pass).toBe(false);
  });
});

describe('formatTable', () => {
  it('prints one aligned row per scenario with its figures and verdict', () => {
    const table = formatTable(results, checkTargets(results));
    const lines = table.split('\n');
    expect(lines).toHaveLength(2 + results.length);
    expect(lines[0]).toMatch(/^scenario\s+n\s+seconds\s+per second\s+p50 ms\s+p95 ms\s+p99 ms\s+errors\s+CPU s \(% core\)\s+CPU µs\/ev\s+peak RSS MB\s+vs ceiling\s+target\s+result$/);
    expect(lines[3]).toMatch(/single events, concurrency 32\s+3,000 ev\s+2\.50\s+1,200 ev\s+20\.0\s+40\.0\s+90\.0\s+0\s+2\.5 \(80%\)\s+125\s+120\s+60% echo\s+>= 50% of the echo, p95 < 50 ms\s+pass/);
    expect(lines[4]).toMatch(/ 6% raw\s+>= 50% of the limit\s+FAIL$/);
    expect(lines[5]).toMatch(/90,000 rows\s+-\s+-\s+-\s+0\s+-\s+-\s+-\s+the limit of bulk paths$/);
  });
});
