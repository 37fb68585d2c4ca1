import type { ScenarioResult } from './scenarios/scenario-result.js';

export interface TargetCheck {
  readonly target: string;
  /** null: a reference figure, nothing to pass. */
  readonly pass: boolean | null;
  /** The scenario's rate over the raw multi-row INSERT limit. */
  readonly ratio?: number;
}

export const TARGETS = {
  singleEventsPerSecond: 1_000,
  singleP95Ms: 100,
  batchShareOfLimit: 0.5,
  replayShareOfLimit: 0.5,
  hashPeakRssMb: 256,
} as const;

/** The targets the projector is held to, checked against one run's figures. */
export function checkTargets(results: readonly ScenarioResult[]): Map<string, TargetCheck> {
  const checks = new Map<string, TargetCheck>();
  const limit = results.find((r) => r.id === 'raw-insert')?.rate;
  const share = (r: ScenarioResult, min: number): TargetCheck => {
    const ratio = limit ? r.rate / limit : undefined;
    return { target: `>= ${min * 100}% of the limit`, pass: ratio === undefined ? false : ratio >= min, ...(ratio === undefined ? {} : { ratio }) };
  };
  for (const r of results) {
    if (r.id === 'single-c32') {
      checks.set(r.id, {
        target: `>= ${TARGETS.singleEventsPerSecond.toLocaleString('en-US')} ev/s, p95 < ${TARGETS.singleP95Ms} ms`,
        pass: r.rate >= TARGETS.singleEventsPerSecond && (r.latencyMs?.p95 ?? Infinity) < TARGETS.singleP95Ms,
      });
    } else if (r.id.startsWith('batch-')) {
      checks.set(r.id, share(r, TARGETS.batchShareOfLimit));
    } else if (r.id === 'replay') {
      checks.set(r.id, share(r, TARGETS.replayShareOfLimit));
    } else if (r.id === 'raw-insert') {
      checks.set(r.id, { target: 'the limit', pass: null });
    } else if (r.id === 'state-hash') {
      checks.set(r.id, { target: `peak RSS < ${TARGETS.hashPeakRssMb} MB`, pass: r.peakRssMb !== undefined && r.peakRssMb < TARGETS.hashPeakRssMb });
    }
  }
  return checks;
}
