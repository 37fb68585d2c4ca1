import { connectDatabase, listPartitions, verifyPartition } from '@projectors/projector-sdk';
import { relLens } from '@projectors/lens-rel';
import type { ScenarioResult } from './scenario-result.js';

/**
 * Verifies the whole log with the SDK (`verifyPartition` over `listPartitions`, one after the
 * other, as `nx run projector-rel:replay -- --all` does), in this process, while the projector idles.
 */
export async function replayWholeLog(databaseUrl: string): Promise<ScenarioResult> {
  const sql = connectDatabase(databaseUrl, { max: 2, applicationName: 'bench-replay' });
  try {
    const partitions = await listPartitions(sql, relLens);
    let events = 0;
    let mismatches = 0;
    const started = performance.now();
    for (const partition of partitions) {
      const result = await verifyPartition(sql, relLens, partition);
      events += result.eventsReplayed;
      if (!result.equal) mismatches++;
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      id: 'replay',
      label: 'replay of the whole log',
      unit: 'events',
      count: events,
      seconds,
      rate: seconds > 0 ? events / seconds : 0,
      errors: mismatches,
      detail: { partitions: partitions.length, hashMismatches: mismatches, note: 'each partition: live hash (recorded), apply the log into the scratch schema, hash, roll back' },
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
