/** What the projector process used during a scenario. */
export interface ProjectorUsage {
  readonly cpuSeconds: number | null;
  /** CPU seconds over the scenario's seconds: 100 is one core busy all the time. */
  readonly cpuPercentOfCore: number | null;
  /** CPU microseconds per event delivered. */
  readonly cpuMicrosPerEvent: number | null;
  readonly peakRssMb: number | null;
  /** False when the peak could not be reset before the scenario: it is then the process's lifetime peak. */
  readonly peakRssOfScenario: boolean;
}

/** One row of the table. */
export interface ScenarioResult {
  readonly id: string;
  readonly label: string;
  readonly unit: 'events' | 'rows';
  /** Events or rows the scenario handled. */
  readonly count: number;
  readonly seconds: number;
  /** `count / seconds`. */
  readonly rate: number;
  /** Per request (per batch for batches), in ms. */
  readonly latencyMs?: { readonly p50: number; readonly p95: number; readonly p99: number };
  readonly errors: number;
  readonly projector?: ProjectorUsage;
  /** Peak RSS of a process of the scenario's own (the state hash), in MB. */
  readonly peakRssMb?: number;
  readonly detail: Readonly<Record<string, unknown>>;
}
