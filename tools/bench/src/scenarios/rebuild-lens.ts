import { connectDatabase, createLogger, createProjectorMetrics, runRebuild } from '@projectors/projector-sdk';
import { relLens } from '@projectors/lens-rel';
import { pushScenario, type PushContext } from './push-scenario.js';
import type { ScenarioResult } from './scenario-result.js';

/**
 * Rebuilds the whole lens beside the live one with the SDK's `runRebuild` (what
 * `nx run projector-rel:rebuild` does), in this process, while the projector serves single events
 * pushed at concurrency 8: the rebuild's rate, and the live latency meanwhile. The previous lens the
 * cutover keeps is dropped after.
 */
export async function rebuildUnderLoad(ctx: PushContext, seed: number): Promise<[ScenarioResult, ScenarioResult]> {
  const sql = connectDatabase(ctx.databaseUrl, { max: 4, applicationName: 'bench-rebuild' });
  try {
    const started = performance.now();
    const rebuilding = runRebuild({ sql, lens: relLens, metrics: createProjectorMetrics(0), log: createLogger({ logLevel: 'warn' }, 'bench-rebuild') });
    const live = await pushScenario(ctx, { id: 'single-c8-rebuild', label: 'single events, concurrency 8, during the rebuild', events: 2_000, worlds: 4, branches: 1, concurrency: 8, batch: 0, seed });
    const report = await rebuilding;
    const seconds = (performance.now() - started) / 1000;
    await sql.unsafe('DROP SCHEMA IF EXISTS lens_rel__previous CASCADE');
    await sql`DELETE FROM event_core.schema_migrations WHERE scope = 'lens_rel__previous'`;
    const ok = report.status === 'cut over';
    const events = ok ? report.events : 0;
    const rebuild: ScenarioResult = {
      id: 'rebuild',
      label: 'rebuild of the whole lens, live load on',
      unit: 'events',
      count: events,
      seconds,
      rate: seconds > 0 ? events / seconds : 0,
      errors: ok ? report.different : 1,
      detail: ok
        ? { partitions: report.partitions, equal: report.equal, different: report.different, cutoverMs: report.cutoverMs, note: 'build beside, compare every partition, cut over' }
        : { status: report.status, ...(report.status === 'refused' ? { reason: report.reason } : {}) },
    };
    return [rebuild, live];
  } finally {
    await sql.end({ timeout: 5 });
  }
}
