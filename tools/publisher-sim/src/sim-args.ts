import { parseArgs } from 'node:util';

export const USAGE = `usage: publisher-sim --url <projector> [--url ...] [options]

Generates a deterministic relational stream (same flags, same events), writes it to
event_core.event_log as the gateway would, then pushes it to every --url like the CDC publisher:
one request in flight per partition and URL, --concurrency partitions at once, retries on 5xx and
409 (Retry-After honoured), 4xx parked.

  --url <url>            projector base URL; repeat to fan out (each URL gets every event)
  --events <n>           events to generate (default 10000)
  --worlds <n>           worlds (default 10)
  --branches <n>         branches per world (default 2)
  --seed <n>             stream seed (default 1)
  --start-seq <n>        global_seq of the first event (default 1)
  --concurrency <n>      partitions in flight at once, per URL (default 32)
  --batch <n>            POST /events/batch with up to n events of one partition (default: single events)
  --max-attempts <n>     attempts per request before it is parked (default 20)
  --database-url <url>   where event_core.event_log is (default PROJECTOR_DATABASE_URL, else embedded:
                         the running dev database of \`make serve\`, found in .data/<service>/)
  --service <name>       whose dev database \`embedded\` means (default projector-rel)
  --no-log               do not write the event log (the projector cannot gap-fill or replay then)
  --wait-log <s>         wait this long for event_core.event_log to exist (default 120)
  --json                 print the summary as JSON on stdout
Exit code: 0 when every event was delivered, 1 when some were parked, 2 on bad usage,
3 when the event log cannot be written (missing, or other events at these global_seqs).`;

export interface SimOptions {
  readonly urls: readonly string[];
  readonly events: number;
  readonly worlds: number;
  readonly branches: number;
  readonly seed: number;
  readonly startSeq: number;
  readonly concurrency: number;
  /** Events per request; 0 means single events on `POST /events`. */
  readonly batch: number;
  readonly maxAttempts: number;
  /** A postgres:// URL or `embedded` (the dev database of `service`); undefined with `--no-log`. */
  readonly databaseUrl: string | undefined;
  readonly service: string;
  readonly writeLog: boolean;
  readonly waitLogSeconds: number;
  readonly json: boolean;
}

export type ParsedArgs = { readonly kind: 'run'; readonly options: SimOptions } | { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string };

const INTEGER_FLAGS = {
  events: { min: 0, fallback: 10_000 },
  worlds: { min: 1, fallback: 10 },
  branches: { min: 1, fallback: 2 },
  seed: { min: 0, fallback: 1 },
  'start-seq': { min: 1, fallback: 1 },
  concurrency: { min: 1, fallback: 32 },
  batch: { min: 1, fallback: 0 },
  'max-attempts': { min: 1, fallback: 20 },
  'wait-log': { min: 0, fallback: 120 },
} as const;

/** Parses the command line once; `env` supplies `PROJECTOR_DATABASE_URL` when `--database-url` is absent. */
export function parseSimArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): ParsedArgs {
  let values;
  try {
    values = parseArgs({
      // Nx forwards what follows `--` including the separator itself.
      args: argv.filter((a) => a !== '--'),
      options: {
        url: { type: 'string', multiple: true },
        'database-url': { type: 'string' },
        service: { type: 'string', default: 'projector-rel' },
        'no-log': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        ...Object.fromEntries(Object.keys(INTEGER_FLAGS).map((name) => [name, { type: 'string' as const }])),
      },
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | string[] | boolean | undefined>;
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
  if (values['help']) return { kind: 'help' };

  const numbers: Record<string, number> = {};
  for (const [name, { min, fallback }] of Object.entries(INTEGER_FLAGS)) {
    const raw = values[name] as string | undefined;
    if (raw === undefined) {
      numbers[name] = fallback;
      continue;
    }
    const n = /^\d+$/.test(raw.replaceAll('_', '')) ? Number(raw.replaceAll('_', '')) : NaN;
    if (!Number.isSafeInteger(n) || n < min) return { kind: 'error', message: `--${name} must be an integer >= ${min}, not '${raw}'` };
    numbers[name] = n;
  }

  const urls = (values['url'] as string[] | undefined) ?? [];
  if (urls.length === 0) return { kind: 'error', message: 'give at least one --url' };
  for (const url of urls) {
    if (!/^https?:\/\/[^/]+/.test(url)) return { kind: 'error', message: `--url must be an http:// or https:// URL, not '${url}'` };
  }
  if (new Set(urls).size !== urls.length) return { kind: 'error', message: 'each --url once' };

  const writeLog = !values['no-log'];
  const databaseUrl = writeLog ? ((values['database-url'] as string | undefined) ?? env['PROJECTOR_DATABASE_URL'] ?? 'embedded') : undefined;
  if (databaseUrl !== undefined && !/^(postgres(ql)?:\/\/|embedded$)/.test(databaseUrl)) {
    return { kind: 'error', message: '--database-url must be a postgres:// URL or embedded' };
  }

  return {
    kind: 'run',
    options: Object.freeze({
      urls: Object.freeze(urls.map((u) => u.replace(/\/+$/, ''))),
      events: numbers['events']!,
      worlds: numbers['worlds']!,
      branches: numbers['branches']!,
      seed: numbers['seed']!,
      startSeq: numbers['start-seq']!,
      concurrency: numbers['concurrency']!,
      batch: numbers['batch']!,
      maxAttempts: numbers['max-attempts']!,
      databaseUrl,
      service: values['service'] as string,
      writeLog,
      waitLogSeconds: numbers['wait-log']!,
      json: Boolean(values['json']),
    }),
  };
}
