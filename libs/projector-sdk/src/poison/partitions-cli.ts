import { parseArgs } from 'node:util';
import { newCatchupStatus } from '../catchup/catchup-status.js';
import type { PartitionReport } from '../catchup/partition-report.js';
import { globalSeq, type Partition } from '../event/event.js';
import type { Lens } from '../lens/lens-types.js';
import { createProjectorMetrics } from '../metrics/projector-metrics.js';
import { withCliDatabase } from '../server/cli-database.js';
import { formatColumns } from '../server/format-columns.js';
import { listPartitionReports, operatorRetry, operatorSkip, showPartition, type OperatorDeps } from './operator-actions.js';

const USAGE = `usage: partitions list [--all]
       partitions show  --world-id <uuid> --branch <name>
       partitions skip  --world-id <uuid> --branch <name> --global-seq <n> --reason <text> [--operator <name>]
       partitions retry --world-id <uuid> --branch <name>

The partitions of event_core.event_log against this projector, and the operator's actions on a
partition blocked at a poison event (the same as the HTTP routes under /partitions):
  list     blocked partitions (--all: every partition, at most 1000)
  show     one partition: watermark, log head, lag, block and its error
  skip     skip the event the partition is blocked at; the decision is stored as data and
           replay makes the same one; catch-up then applies the rest of the partition
  retry    try the blocked event again now (after a lens fix or a corrected log row)
Exit code: 0 done, 1 refused (not blocked at that event / no such partition), 2 on bad usage.
The database is PROJECTOR_DATABASE_URL (the running projector logs the URL it uses).`;

const options = {
  'world-id': { type: 'string' },
  branch: { type: 'string' },
  'global-seq': { type: 'string' },
  reason: { type: 'string' },
  operator: { type: 'string' },
  all: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Args = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;

function formatPartitions(reports: readonly PartitionReport[]): string {
  const header = ['partition', 'watermark', 'log head', 'lag events', 'lag s', 'blocked at', 'error'];
  const rows = reports.map((r) => [
    `${r.world_id}/${r.branch}`,
    String(r.watermark),
    String(r.log_head),
    String(r.lag_events),
    r.lag_seconds.toFixed(1),
    r.blocked_at === null ? '' : String(r.blocked_at),
    r.error ? `${r.error.code}: ${r.error.message}`.slice(0, 120) : '',
  ]);
  return formatColumns(header, rows);
}

const usage = (message: string): number => {
  process.stderr.write(`${message}\n${USAGE}\n`);
  return 2;
};

/** The partitions command of a projector app: `node dist/partitions.js list`. Returns the exit code. */
export async function runPartitionsCli(lens: Lens, argv: string[], env: Record<string, string | undefined>): Promise<number> {
  let parsed: Args;
  try {
    parsed = parseArgs({ args: argv.filter((a) => a !== '--'), options, allowPositionals: true, strict: true });
  } catch (err) {
    return usage((err as Error).message);
  }
  const { values: args, positionals } = parsed;
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, ...extra] = positionals;
  if (!command || extra.length > 0 || !['list', 'show', 'skip', 'retry'].includes(command)) return usage('give one of list, show, skip, retry');
  let partition: Partition | undefined;
  if (command !== 'list') {
    if (!args['world-id'] || !args.branch) return usage(`${command} needs --world-id and --branch`);
    partition = { worldId: args['world-id'].toLowerCase(), branch: args.branch };
  }
  const seq = Number(args['global-seq']);
  if (command === 'skip' && (!/^\d+$/.test(args['global-seq'] ?? '') || seq < 1 || !args.reason)) return usage('skip needs --global-seq <n> and --reason <text>');

  return withCliDatabase(lens, env, 'partitions', async ({ sql, config, log }) => {
    const deps: OperatorDeps = { sql, lens, config, metrics: createProjectorMetrics(config.metricsMaxPartitions), log, catchup: newCatchupStatus() };
    const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    switch (command) {
      case 'list': {
        const reports = await listPartitionReports(deps, { blockedOnly: !args.all });
        process.stdout.write(`${formatPartitions(reports)}\n${reports.length} partitions${args.all ? '' : ' blocked'}\n`);
        return 0;
      }
      case 'show': {
        const report = await showPartition(deps, partition!);
        if (!report) process.stderr.write('no such partition in the log or the watermarks\n');
        else print(report);
        return report ? 0 : 1;
      }
      default: {
        const result =
          command === 'skip'
            ? await operatorSkip(deps, { partition: partition!, globalSeq: globalSeq(seq), reason: args.reason!, operator: args.operator })
            : await operatorRetry(deps, partition!);
        if (!result.ok) {
          process.stderr.write(result.blockedAt === null ? 'the partition is not blocked\n' : `the partition is blocked at event ${result.blockedAt}\n`);
          return 1;
        }
        print({ status: result.status, partition: result.partition });
        return 0;
      }
    }
  });
}
