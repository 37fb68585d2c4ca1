import type { ScenarioResult } from './scenarios/scenario-result.js';

export interface TargetCheck {
  readonly target: string;
  /** null: a reference figure, nothing to pass. */
  readonly pass: boolean | null;
  /** The scenario's rate over its ceiling of the same run. */
  readonly ratio?: number;
  /**
   * That ceiling: the raw multi-row INSERT (bulk paths) or the empty Fastify echo (single events);
   * for tracing on, the same scenario with tracing off.
   */
  readonly of?: 'raw INSERT' | 'echo' | 'tracing off';
}

export const TARGETS = {
  singleShareOfEcho: 0.5,
  singleP95Ms: 50,
  batchShareOfLimit: 0.5,
  replayShareOfLimit: 0.5,
  hashPeakRssMb: 256,
} as const;

/** The targets the projector is held to, checked against one run's figures. */
export function checkTargets(results: readonly ScenarioResult[]): Map<string, TargetCheck> {
  const checks = new Map<string, TargetCheck>();
  const limit = results.find((r) => r.id === 'raw-insert')?.rate;
  const echo = results.find((r) => r.id === 'echo-c32')?.rate;
  const share = (r: ScenarioResult, ceiling: number | undefined, of: 'raw INSERT' | 'echo', min: number, also = true): TargetCheck => {
    const ratio = ceiling ? r.rate / ceiling : undefined;
    const target = `>= ${min * 100}% of the ${of === 'echo' ? 'echo' : 'limit'}`;
    return { target, pass: ratio !== undefined && ratio >= min && also, of, ...(ratio === undefined ? {} : { ratio }) };
  };
  const untraced = results.find((r) => r.id === 'single-c32')?.rate;
  for (const r of results) {
    if (r.id === 'single-c32-traced') {
      // The overhead of tracing on, as a ratio; a reference, not a target.
      checks.set(r.id, { target: 'the rate of tracing off', pass: null, of: 'tracing off', ...(untraced ? { ratio: r.rate / untraced } : {}) });
    } else if (r.id === 'single-c32') {
      const p95 = (r.latencyMs?.p95 ?? Infinity) < TARGETS.singleP95Ms;
      const check = share(r, echo, 'echo', TARGETS.singleShareOfEcho, p95);
      checks.set(r.id, { ...check, target: `${check.target}, p95 < ${TARGETS.singleP95Ms} ms` });
    } else if (r.id === 'single-c8-rebuild') {
      checks.set(r.id, { target: 'p99 < 1,000 ms', pass: (r.latencyMs?.p99 ?? Infinity) < 1_000 });
    } else if (r.id.startsWith('single-')) {
      checks.set(r.id, { ...share(r, echo, 'echo', 0), target: '', pass: null });
    } else if (r.id.startsWith('batch-')) {
      checks.set(r.id, share(r, limit, 'raw INSERT', TARGETS.batchShareOfLimit));
    } else if (r.id === 'replay' || r.id === 'rebuild') {
      checks.set(r.id, share(r, limit, 'raw INSERT', TARGETS.replayShareOfLimit));
    } else if (r.id === 'raw-insert') {
      checks.set(r.id, { target: 'the limit of bulk paths', pass: null });
    } else if (r.id === 'echo-c32') {
      checks.set(r.id, { target: 'the HTTP ceiling of single events', pass: null });
    } else if (r.id === 'state-hash') {
      checks.set(r.id, { target: `peak RSS < ${TARGETS.hashPeakRssMb} MB`, pass: r.peakRssMb !== undefined && r.peakRssMb < TARGETS.hashPeakRssMb });
    }
  }
  return checks;
}
