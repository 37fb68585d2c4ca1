import { readFile } from 'node:fs/promises';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  readonly selfMs: number;
  /** Share of the busy (not idle) samples. */
  readonly percent: number;
  /** `function path/of/file.js:line` (last three path segments). */
  readonly frame: string;
}

export interface ProfileSummary {
  /** Milliseconds sampled in the window. */
  readonly totalMs: number;
  /** Of which the process was busy (not `(idle)`). */
  readonly busyMs: number;
  /** False when no sample fell in the window asked for: the summary is then of the whole profile. */
  readonly windowed: boolean;
  readonly entries: readonly ProfileEntry[];
}

/** Monotonic clock in microseconds: the clock of V8's profile timestamps on Linux (CLOCK_MONOTONIC). */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * The functions with the most self time in a `node --cpu-prof` profile, within a window of
 * `monotonicMicros()` times when given (so start-up and warm-up do not count).
 */
export async function summariseCpuProfile(file: string, top = 20, window?: { from: number; to: number }): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const tally = (inWindow: (t: number) => boolean) => {
    const self = new Map<number, number>();
    let t = profile.startTime;
    let total = 0;
    profile.samples.forEach((id, i) => {
      const dt = profile.timeDeltas[i] ?? 0;
      t += dt;
      if (!inWindow(t)) return;
      self.set(id, (self.get(id) ?? 0) + dt);
      total += dt;
    });
    return { self, total };
  };
  let windowed = window !== undefined;
  let { self, total } = tally((t) => !window || (t >= window.from && t <= window.to));
  if (total === 0) {
    windowed = false;
    ({ self, total } = tally(() => true));
  }
  const byFrame = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const frame = `${functionName || '(anonymous)'} ${url ? `${url.split('/').slice(-3).join('/')}:${lineNumber + 1}` : ''}`.trim();
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + us);
  }
  const idle = byFrame.get('(idle)') ?? 0;
  byFrame.delete('(idle)');
  const busy = total - idle;
  const entries = [...byFrame]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, us]) => ({ selfMs: Math.round(us / 1000), percent: busy > 0 ? Math.round((1000 * us) / busy) / 10 : 0, frame }));
  return { totalMs: Math.round(total / 1000), busyMs: Math.round(busy / 1000), windowed, entries };
}

export function formatProfile(summary: ProfileSummary): string {
  const busyShare = summary.totalMs > 0 ? Math.round((100 * summary.busyMs) / summary.totalMs) : 0;
  return [
    `  ${summary.totalMs.toLocaleString('en-US')} ms sampled${summary.windowed ? ' during the scenario' : ' (whole process: the window matched no sample)'}, ` +
      `busy ${summary.busyMs.toLocaleString('en-US')} ms (${busyShare}%), idle the rest`,
    `  self ms  % busy  function`,
    ...summary.entries.map((e) => `${String(e.selfMs).padStart(9)} ${e.percent.toFixed(1).padStart(6)}  ${e.frame}`),
  ].join('\n');
}
