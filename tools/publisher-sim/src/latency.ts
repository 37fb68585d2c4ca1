export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles of request latencies in milliseconds, rounded to 0.01 ms; zeros when empty. */
export function summariseLatency(samplesMs: readonly number[]): LatencySummary {
  if (samplesMs.length === 0) return { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const sorted = Float64Array.from(samplesMs).sort();
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  const round = (ms: number): number => Math.round(ms * 100) / 100;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]!), mean: round(sum / sorted.length) };
}
