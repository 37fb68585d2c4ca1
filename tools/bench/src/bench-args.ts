import { parseArgs } from 'node:util';

export const USAGE = `usage: bench [--quick] [--events N] [--batch-events N] [--hash-rows N] [--profile | --no-profile] [--results-dir DIR] [--keep-database]

Runs projector-rel (its production build, node apps/projector-rel/dist/main.js) on a fresh database
and measures it against raw PostgreSQL; prints one table and writes bench/results/<timestamp>.json.
The PostgreSQL server is BENCH_DATABASE_URL, else TEST_DATABASE_URL (a superuser URL: the bench
creates a database on it), else an embedded PostgreSQL with fsync on, in a temp folder.

  --quick            a smoke run of about a minute (300 / 2,000 events, 100,000 rows to hash)
  --events N         events of each single-event scenario (default 3,000)
  --batch-events N   events of each batch scenario (default 20/3 of --events: 20,000)
  --hash-rows N      rows of the state-hash partition (default 1,000,000)
  --profile          also profile the projector (node --cpu-prof) on single events at concurrency 32;
                     by default that runs only when that scenario misses its target (never with --quick)
  --no-profile       never profile
  --results-dir DIR  where the JSON goes (default bench/results)
  --keep-database    leave the bench database behind (its name is printed)`;

export interface BenchOptions {
  readonly quick: boolean;
  readonly singleEvents: number;
  readonly batchEvents: number;
  readonly hashRows: number;
  readonly profile: 'always' | 'on-miss' | 'never';
  readonly resultsDir: string | undefined;
  readonly keepDatabase: boolean;
}

export type ParsedBenchArgs = { readonly kind: 'run'; readonly options: BenchOptions } | { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string };

const count = (name: string, raw: string | undefined, min: number): number | string | undefined => {
  if (raw === undefined) return undefined;
  const text = raw.replaceAll('_', '').replaceAll(',', '');
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) && n >= min ? n : `--${name} must be an integer >= ${min}, not '${raw}'`;
};

export function parseBenchArgs(argv: readonly string[]): ParsedBenchArgs {
  let values;
  try {
    values = parseArgs({
      args: argv.filter((a) => a !== '--'),
      options: {
        quick: { type: 'boolean', default: false },
        events: { type: 'string' },
        'batch-events': { type: 'string' },
        'hash-rows': { type: 'string' },
        profile: { type: 'boolean', default: false },
        'no-profile': { type: 'boolean', default: false },
        'results-dir': { type: 'string' },
        'keep-database': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
  if (values.help) return { kind: 'help' };
  if (values.profile && values['no-profile']) return { kind: 'error', message: 'give --profile or --no-profile, not both' };
  const events = count('events', values.events, 10);
  const batchEvents = count('batch-events', values['batch-events'], 10);
  const hashRows = count('hash-rows', values['hash-rows'], 1);
  for (const v of [events, batchEvents, hashRows]) if (typeof v === 'string') return { kind: 'error', message: v };

  const quick = values.quick;
  const singleEvents = (events as number | undefined) ?? (quick ? 300 : 3_000);
  return {
    kind: 'run',
    options: Object.freeze({
      quick,
      singleEvents,
      batchEvents: (batchEvents as number | undefined) ?? Math.round((singleEvents * 20) / 3),
      hashRows: (hashRows as number | undefined) ?? (quick ? 100_000 : 1_000_000),
      profile: values.profile ? 'always' : values['no-profile'] || quick ? 'never' : 'on-miss',
      resultsDir: values['results-dir'],
      keepDatabase: values['keep-database'],
    }),
  };
}
