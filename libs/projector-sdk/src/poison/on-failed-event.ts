import type { Logger } from 'pino';
import type { FailedEvent } from '../catchup/catchup-chunk.js';
import type { ProjectorConfig } from '../config/config.js';
import type { Sql } from '../db/connect.js';
import type { Lens } from '../lens/lens-types.js';
import type { ProjectorMetrics } from '../metrics/projector-metrics.js';
import { recordBlock, skipEvent } from './partition-blocks.js';

export interface PoisonDeps {
  readonly sql: Sql;
  readonly lens: Lens;
  readonly config: ProjectorConfig;
  readonly metrics: ProjectorMetrics;
  readonly log: Logger;
}

export type PoisonAction = { action: 'blocked' } | { action: 'skipped' } | { action: 'none' };

/**
 * `PROJECTOR_POISON_POLICY` applied to an event rejected for good, delivered or read from the log:
 * `block` parks its partition there (recorded with the error), `skip` records the skip and moves
 * the watermark past it. A failure that is not the data's (a handler bug) parks nothing: it is
 * logged and tried again later.
 */
export async function onFailedEvent(deps: PoisonDeps, failed: FailedEvent): Promise<PoisonAction> {
  const { sql, lens, config, metrics, log } = deps;
  const { partition, globalSeq, error } = failed;
  const where = { world_id: partition.worldId, branch: partition.branch, global_seq: globalSeq, code: error.code };
  if (!failed.poison) {
    log.error({ ...where, err: error.cause ?? error }, 'event failed to apply; will try again');
    return { action: 'none' };
  }
  const cause = { code: error.code, message: error.message };
  if (config.poisonPolicy === 'skip') {
    const result = await skipEvent(sql, lens.projectorName, { partition, globalSeq, reason: 'poison policy: skip', decidedBy: 'policy', error: cause });
    if (result.ok) {
      metrics.eventsSkipped.inc({ projector: lens.projectorName, decided_by: 'policy' });
      log.warn({ ...where, message: error.message }, 'poison event skipped');
      return { action: 'skipped' };
    }
    // Logged events before it are not applied yet: catch-up reaches it in order and skips it then.
    log.warn({ ...where, watermark: result.watermark, next: result.next }, 'poison event not next in its partition; left to catch-up');
    return { action: 'none' };
  }
  await recordBlock(sql, lens.projectorName, { partition, globalSeq, error: cause });
  log.warn({ ...where, message: error.message }, 'poison event: partition blocked');
  return { action: 'blocked' };
}
