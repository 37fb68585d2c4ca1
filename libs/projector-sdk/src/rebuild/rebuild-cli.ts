import type { Lens } from '../lens/lens-types.js';
import { createProjectorMetrics } from '../metrics/projector-metrics.js';
import { progressBar } from '../replay/progress.js';
import { withCliDatabase } from '../server/cli-database.js';
import { parseCommandArgs } from '../server/command-args.js';
import { dropLensCopy, dropLensSchema, schemaExists } from './lens-schemas.js';
import { buildLensOf, previousSchemaOf } from './rebuild-places.js';
import { forgetRebuild } from './rebuild-record.js';
import { formatRebuildSummary } from './rebuild-table.js';
import { runRebuild } from './run-rebuild.js';

const PROGRESS_LINE_MS = 5_000;

const USAGE = `usage: rebuild [--accept-differences] [--no-cutover] | --drop-previous | --abandon

Builds the lens anew from event_core.event_log in schema <lens schema>__build while the projector
goes on serving, compares every partition with live by state hash, and cuts over in one short
transaction (the live tables are kept as <lens schema>__previous). Stopped or killed, it resumes
where it stopped when run again. docs/rebuild.md has the whole story.
  --accept-differences  cut over although partitions differ from live at the same lens version (a repair)
  --no-cutover          build and compare only
  --drop-previous       drop the lens kept by the last cutover, then exit
  --abandon             drop a rebuild in progress (its schema and watermarks), then exit
Exit code: 0 when cut over (or built, or dropped), 1 when not cut over (partitions differ, an event
failed, stopped), 2 on bad usage, no database, or a previous lens still kept.
The database is PROJECTOR_DATABASE_URL; \`embedded\` (the default of \`nx run <app>:rebuild\`) is the
running dev database of \`make serve\`.`;

/** The rebuild command of a projector app: `node dist/rebuild.js`. Returns the exit code. */
export async function runRebuildCli(lens: Lens, argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      'accept-differences': { type: 'boolean', default: false },
      'no-cutover': { type: 'boolean', default: false },
      'drop-previous': { type: 'boolean', default: false },
      abandon: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if ('exit' in parsed) return parsed.exit;
  const args = parsed.values;
  return withCliDatabase(lens, env, 'rebuild', async ({ sql, config, log }) => {
    if (args['drop-previous']) {
      const schema = previousSchemaOf(lens);
      const existed = await schemaExists(sql, schema);
      await dropLensSchema(sql, schema);
      process.stdout.write(existed ? `dropped ${schema}\n` : `${schema} does not exist\n`);
      return 0;
    }
    if (args.abandon) {
      await dropLensCopy(sql, buildLensOf(lens));
      await forgetRebuild(sql, lens);
      process.stdout.write(`dropped the rebuild in progress (${buildLensOf(lens).schema})\n`);
      return 0;
    }
    // Ctrl-C stops after the transaction in flight; the next run resumes from there.
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // A bar on a terminal; elsewhere (CI, a log file) a line every few seconds.
    let bar: ReturnType<typeof progressBar> | undefined;
    let lastLine = 0;
    try {
      const report = await runRebuild({
        sql,
        lens,
        metrics: createProjectorMetrics(config.metricsMaxPartitions),
        log,
        chunk: config.rebuildChunk,
        acceptDifferences: args['accept-differences'],
        noCutover: args['no-cutover'],
        signal: controller.signal,
        onProgress: (p) => {
          const detail = `${p.phase}, ${p.partitionsCompared}/${p.partitions || '?'} partitions compared`;
          if (process.stderr.isTTY) {
            bar ??= progressBar(p.eventsTotal, 'rebuild');
            bar.update(p.eventsDone, detail);
          } else if (Date.now() - lastLine >= PROGRESS_LINE_MS) {
            lastLine = Date.now();
            process.stderr.write(`rebuild: ${p.eventsDone}/${p.eventsTotal} events, ${detail}\n`);
          }
        },
      });
      bar?.done();
      if (report.status === 'refused') {
        process.stderr.write(`${lens.serviceName} rebuild: ${report.reason}\n`);
        return 2;
      }
      process.stdout.write(`${formatRebuildSummary(report)}\n`);
      return report.status === 'cut over' || report.status === 'built' ? 0 : 1;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  });
}
