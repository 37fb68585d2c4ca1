import { onFailedEvent, type PoisonDeps } from '../poison/on-failed-event.js';
import type { FailedEvent } from './catchup-chunk.js';
import type { CatchupDeps } from './catchup-pass.js';
import type { CatchupStatus } from './catchup-status.js';
import type { LoopProgress } from '../background/loop-progress.js';

/** What catch-up needs, with the poison policy deciding about failing events. */
export function catchupDeps(deps: PoisonDeps & { readonly catchup: CatchupStatus; readonly progress?: LoopProgress }): CatchupDeps {
  const { sql, lens, config, metrics, log, catchup, progress } = deps;
  const onFailed = async (failed: FailedEvent) => (await onFailedEvent(deps, failed)).action === 'skipped';
  return { sql, lens, chunk: config.catchupChunk, metrics, log, status: catchup, onFailed, onProgress: () => progress?.beat('catch-up') };
}
