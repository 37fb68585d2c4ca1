import type { Partition } from '../event/event.js';
import type { Lens } from '../lens/lens-types.js';
import { withCliDatabase } from '../server/cli-database.js';
import { parseCommandArgs } from '../server/command-args.js';
import { progressBar } from './progress.js';
import { listPartitions } from './list-partitions.js';
import { rebuildPartition } from './rebuild-partition.js';
import { recordStateHash } from './recorded-hash.js';
import type { ReplayResult } from './replay-result.js';
import { verifyPartition } from './verify-partition.js';
import { formatReplayTable } from './replay-table.js';

const USAGE = `usage: replay (--world-id <uuid> --branch <name> | --all) [--rebuild]

Verifies each partition against event_core.event_log without locking it: hashes the live state at
its watermark W (recorded in event_core.projector_state_hashes), replays the logged events up to W
through the projector's own apply path into the scratch schema <lens schema>__verify, in a
transaction that is rolled back, and compares the two hashes. Live events go on meanwhile.
  --all        every partition this projector has a watermark for
  --rebuild    repair instead: replace the live rows of each partition with the replayed ones. This
               LOCKS the partition for the whole replay: its live events wait until it ends. To
               rebuild the whole lens without downtime, use the app's rebuild instead
               (\`npx nx run <app>:rebuild\`, e.g. \`npx nx run projector-rel:rebuild\`).
Exit code: 0 when every partition is equal, 1 when one is not, 2 on bad usage or no database.
The database is PROJECTOR_DATABASE_URL; \`embedded\` (the default of \`nx run <app>:replay\`) is the
running dev database of \`make serve\`, found in .data/<service>/ (never a new, empty one).`;

/** The replay command of a projector app: `node dist/replay.js -- --all`. Returns the exit code. */
export async function runReplayCli(lens: Lens, argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      'world-id': { type: 'string' },
      branch: { type: 'string' },
      all: { type: 'boolean', default: false },
      rebuild: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if ('exit' in parsed) return parsed.exit;
  const args = parsed.values;
  const single = args['world-id'] !== undefined || args.branch !== undefined;
  if (single === args.all || (single && (!args['world-id'] || !args.branch))) {
    process.stderr.write(`give either --world-id and --branch, or --all\n${USAGE}\n`);
    return 2;
  }
  return withCliDatabase(lens, env, 'replay', async ({ sql }) => {
    const partitions: Partition[] = args.all
      ? await listPartitions(sql, lens)
      : [{ worldId: args['world-id']!.toLowerCase(), branch: args.branch! }];
    const results: ReplayResult[] = [];
    const bar = progressBar(partitions.length, 'replay');
    for (const [i, partition] of partitions.entries()) {
      const onProgress = (n: number) => bar.update(i, `${partition.worldId}/${partition.branch}: ${n} events`);
      // Against the live state as it is now (recorded as the monitor does), not an older record.
      const result = args.rebuild
        ? await rebuildPartition(sql, lens, partition, { onProgress })
        : await verifyPartition(sql, lens, partition, { against: await recordStateHash(sql, lens, partition), onProgress });
      results.push(result);
      bar.update(i + 1);
    }
    bar.done();
    process.stdout.write(`${formatReplayTable(results)}\n`);
    const unequal = results.filter((r) => !r.equal).length;
    const events = results.reduce((n, r) => n + r.eventsReplayed, 0);
    process.stdout.write(
      `${results.length} partitions, ${events} events replayed, ${unequal} not equal${args.rebuild ? ' (rebuilt from the log)' : ''}\n`,
    );
    return unequal === 0 ? 0 : 1;
  });
}
