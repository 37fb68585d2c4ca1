import { repeat } from '../background/every.js';
import { catchUpPass, type CatchupDeps } from './catchup-pass.js';

export interface CatchupLoopOptions {
  readonly intervalMs: number;
  readonly backoffMs: number;
  readonly signal: AbortSignal;
  readonly onError: (err: unknown) => void;
}

/** A pass at once (the backfill of a new projector starts with the process), then one every interval. */
export async function runCatchupLoop(deps: CatchupDeps, options: CatchupLoopOptions): Promise<void> {
  const { log } = deps;
  const pass = async () => {
    const report = await catchUpPass({ ...deps, signal: options.signal });
    if (report.events > 0 || report.failed > 0) log.info({ ...report }, 'catch-up pass done');
  };
  try {
    await pass();
  } catch (err) {
    if (options.signal.aborted) return;
    options.onError(err);
    log.error({ err, task: 'catch-up' }, 'background task failed; backing off');
  }
  await repeat(pass, { name: 'catch-up', intervalMs: options.intervalMs, backoffMs: options.backoffMs, signal: options.signal, log, onError: options.onError });
}
