import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, USAGE } from './bench-args.js';
import { runBench } from './run-bench.js';

const parsed = parseBenchArgs(process.argv.slice(2));
if (parsed.kind === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (parsed.kind === 'error') {
  process.stderr.write(`bench: ${parsed.message}\n${USAGE}\n`);
  process.exit(2);
}
const options = parsed.options;
// dist/main.js sits in tools/bench/dist: the workspace root is three folders up.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

const undos = new Set<() => Promise<void>>();
const onInterrupt = (undo: () => Promise<void>) => {
  undos.add(undo);
  return () => void undos.delete(undo);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping the projector and dropping the bench database`);
    void Promise.allSettled([...undos].map((undo) => undo())).then(() => process.exit(130));
  });
}

let report;
try {
  report = await runBench(options, { root, env: process.env, say, onInterrupt });
} catch (err) {
  say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
}

const resultsDir = path.resolve(options.resultsDir ?? path.join(root, 'bench/results'));
await mkdir(resultsDir, { recursive: true });
const file = path.join(resultsDir, `${report.timestamp.replace(/[:.]/g, '-')}.json`);
await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);

const m = report.machine;
const pg = report.postgres;
const out = [
  '',
  `projector-rel benchmark, ${report.timestamp}${options.quick ? ' (--quick: a smoke run, not figures to quote)' : ''}`,
  `machine    ${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGb} GB, node ${m.node}`,
  `postgres   ${pg.version} (${pg.source}), fsync=${pg.settings['fsync']}, synchronous_commit=${pg.settings['synchronous_commit']}`,
  `load avg   start ${m.loadAverageStart.join(' ')}, end ${m.loadAverageEnd.join(' ')} (1/5/15 min; ${m.cores} cores)`,
  '',
  report.table,
  '',
  'latency: per request (per batch for batches); CPU and peak RSS: the projector process during the scenario (state hash: its own process);',
  'vs limit: rate over the raw multi-row INSERT rows/s, the rows being those the lens holds after the batch stream.',
  "off: tracing on (OTLP/HTTP protobuf, every request sampled, to a receiver in the bench that drops them) over tracing off, the row above it.",
  ...(report.scenarios.some((s) => s.projector && !s.projector.peakRssOfScenario) ? ['*: lifetime peak (the peak could not be reset per scenario)'] : []),
  ...(report.projector.warnings > 0 ? [`the projector logged ${report.projector.warnings} warnings or errors (shed load shows as 503 in errors): ${report.projector.log}`] : []),
  ...(report.profile ? ['', `CPU profile of the projector, single events at concurrency 32 (${Math.round(report.profile.scenario.rate)} ev/s under the profiler), top self time:`, report.profile.text] : []),
  '',
  `results: ${path.relative(process.cwd(), file) || file} (${report.seconds} s)`,
  '',
];
process.stdout.write(out.join('\n'));
