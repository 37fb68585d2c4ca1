import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectDatabase } from '@projectors/projector-sdk';
import { startOtlpReceiver } from '@projectors/projector-sdk/otlp-receiver';
import { generateRelStream } from '@projectors/lens-rel/testing';
import type { BenchOptions } from './bench-args.js';
import { acquireBenchDatabase } from './bench-database.js';
import { formatTable } from './bench-table.js';
import { formatProfile, monotonicMicros, summariseCpuProfile, type ProfileSummary } from './cpu-profile.js';
import { loadAverage, machineInfo, type MachineInfo } from './machine-info.js';
import { startProjector, type ProjectorProcess } from './projector-process.js';
import { pushScenario, type PushContext, type PushScenario } from './scenarios/push-scenario.js';
import { lensRows, rawCopy, rawInsert } from './scenarios/raw-postgres.js';
import { replayWholeLog } from './scenarios/replay-log.js';
import { rebuildUnderLoad } from './scenarios/rebuild-lens.js';
import type { ScenarioResult } from './scenarios/scenario-result.js';
import { stateHashScenario } from './scenarios/state-hash.js';
import { checkTargets, TARGETS, type TargetCheck } from './targets.js';

/**
 * The projector's settings in the bench: the defaults of contract.md, but for the state-hash
 * monitor, which would otherwise hash and replay partitions in the middle of a scenario, and for
 * catch-up: the simulator logs each stream before it pushes it, and catch-up applying the log
 * meanwhile would turn the pushed events into duplicates, so the push figures would not be of pushes.
 */
export const PROJECTOR_ENV = Object.freeze({ PROJECTOR_STATE_HASH_INTERVAL_S: '86400', PROJECTOR_CATCHUP_INTERVAL_S: '0' });

export interface BenchReport {
  readonly timestamp: string;
  readonly machine: MachineInfo & { readonly loadAverageEnd: readonly number[] };
  readonly postgres: { readonly source: string; readonly version: string; readonly database: string; readonly settings: Readonly<Record<string, string>> };
  readonly projector: {
    readonly command: string;
    readonly env: Readonly<Record<string, string>>;
    /** Lines the projector logged at warn level or above (shed load, failures). */
    readonly warnings: number;
    /** Kept only when it holds warnings. */
    readonly log: string | null;
  };
  readonly options: BenchOptions;
  readonly targets: typeof TARGETS;
  readonly scenarios: readonly (ScenarioResult & { readonly check?: TargetCheck })[];
  readonly profile?: { readonly scenario: ScenarioResult; readonly summary: ProfileSummary; readonly text: string };
  readonly seconds: number;
  readonly table: string;
}

export interface BenchEnvironment {
  readonly root: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly say: (line: string) => void;
  /** Registers what must be undone if the process is interrupted (Ctrl-C); returns the unregistration. */
  readonly onInterrupt?: (undo: () => Promise<void>) => () => void;
}

const ECHO_SERVER = 'tools/bench/dist/echo-server.js';
const BUILT = ['apps/projector-rel/dist/main.js', 'tools/publisher-sim/dist/main.js', 'tools/bench/dist/hash-partition.js', ECHO_SERVER];

/** Single events at concurrency 32 to an empty Fastify app: the HTTP ceiling of the run. */
export const echoScenario = (options: BenchOptions): PushScenario => ({
  id: 'echo-c32',
  label: 'empty Fastify echo, concurrency 32',
  events: options.singleEvents,
  worlds: 32,
  branches: 2,
  concurrency: 32,
  batch: 0,
  seed: 1_000,
  log: false,
});

/**
 * Single events at concurrency 32 again, on a projector with tracing on: every request sampled (the
 * OTel default with no traceparent), exported over OTLP/HTTP protobuf (the spec default) to a receiver
 * in the bench that drops them. Read against `single-c32`, tracing off, of the same run.
 */
export const tracedScenario = (options: BenchOptions): PushScenario => ({
  id: 'single-c32-traced',
  label: 'single events, concurrency 32, tracing on',
  events: options.singleEvents,
  worlds: 32,
  branches: 2,
  concurrency: 32,
  batch: 0,
  seed: 1_101,
});

/** The scenarios that push events, in the order they run; each has a seed, hence worlds, of its own. */
export function pushScenarios(options: BenchOptions): PushScenario[] {
  const single = [1, 8, 32, 64].map((c, i) => ({
    id: `single-c${c}`,
    label: `single events, concurrency ${c}`,
    events: options.singleEvents,
    // Two partitions per slot, so the tail of the run still keeps every slot busy.
    worlds: Math.max(2, c),
    branches: 2,
    concurrency: c,
    batch: 0,
    seed: 1_001 + i,
  }));
  const batches = [100, 1_000].map((b, i) => ({
    id: `batch-${b}`,
    label: `batches of ${b.toLocaleString('en-US')}, concurrency 4`,
    events: options.batchEvents,
    worlds: 8,
    branches: 1,
    concurrency: 4,
    batch: b,
    seed: 2_001 + i,
  }));
  return [...single, ...batches];
}

export async function runBench(options: BenchOptions, { root, env, say, onInterrupt = () => () => undefined }: BenchEnvironment): Promise<BenchReport> {
  const startedAt = performance.now();
  const timestamp = new Date().toISOString();
  const machine = machineInfo();
  for (const file of BUILT) {
    await access(path.join(root, file)).catch(() => {
      throw new Error(`${file} is missing: build first (nx run bench:run builds what it needs)`);
    });
  }
  say(`${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryGb} GB, node ${machine.node}, load average ${machine.loadAverageStart.join(' ')}`);

  const db = await acquireBenchDatabase(env, say);
  const work = await mkdtemp(path.join(tmpdir(), 'projectors-bench-run-'));
  const logFile = path.join(work, 'projector-rel.log');
  const results: ScenarioResult[] = [];
  let profile: BenchReport['profile'];
  let projector: ProjectorProcess | undefined;
  let projectorWarnings = 0;
  const sql = connectDatabase(db.url, { max: 2, applicationName: 'bench' });
  // Interrupted: no projector left running, no database left behind.
  const forget = onInterrupt(async () => {
    await projector?.stop().catch(() => undefined);
    await sql.end({ timeout: 1 }).catch(() => undefined);
    await db.release(options.keepDatabase);
  });
  const planned = pushScenarios(options);
  const total = planned.length + 8;
  const step = (r: ScenarioResult) => {
    results.push(r);
    const latency = r.latencyMs ? `, p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms` : '';
    const rss = r.peakRssMb === undefined ? '' : `, peak RSS ${r.peakRssMb} MB`;
    say(`[${results.length}/${total}] ${r.label}: ${r.count.toLocaleString('en-US')} ${r.unit} in ${r.seconds.toFixed(2)} s, ${Math.round(r.rate).toLocaleString('en-US')} ${r.unit}/s${latency}${rss}, errors ${r.errors}`);
  };

  try {
    // The ceiling first, with nothing else running: the same simulator against an empty app.
    const echo = await startProjector({ root, databaseUrl: db.url, logFile, main: ECHO_SERVER });
    try {
      step(await pushScenario({ root, sql, databaseUrl: db.url, projector: echo }, echoScenario(options)));
    } finally {
      await echo.stop();
    }

    projector = await startProjector({ root, databaseUrl: db.url, logFile, env: PROJECTOR_ENV });
    say(`projector-rel (production build) pid ${projector.pid} at ${projector.url}; its log: ${logFile}`);
    const ctx: PushContext = { root, sql, databaseUrl: db.url, projector };

    // Unmeasured: lets V8 compile the hot paths and the pool open its connections.
    const warm = await pushScenario(ctx, { id: 'warm-up', label: 'warm-up', events: Math.min(500, options.singleEvents), worlds: 4, branches: 2, concurrency: 8, batch: 0, seed: 901 });
    say(`warm-up: ${warm.count} events, ${Math.round(warm.rate)} ev/s (not counted)`);

    for (const scenario of planned) step(await pushScenario(ctx, scenario));
    step(await pushTraced(options, { root, sql, databaseUrl: db.url, logFile, say, onInterrupt }));
    // Its row goes beside the one it is read against.
    results.splice(results.findIndex((r) => r.id === 'single-c32') + 1, 0, results.pop()!);

    const rawSource = planned.find((s) => s.id === 'batch-1000')!;
    const tables = lensRows(generateRelStream({ seed: rawSource.seed, events: rawSource.events, worlds: rawSource.worlds, branches: rawSource.branches }));
    step(await rawInsert(sql, tables));
    step(await rawCopy(sql, tables));
    step(await replayWholeLog(db.url));
    for (const r of await rebuildUnderLoad(ctx, 3_001)) step(r);
    step(await stateHashScenario(root, sql, db.url, options.hashRows));

    await projector.stop();
    projector = undefined;

    const checks = checkTargets(results);
    const c32 = checks.get('single-c32');
    if (options.profile === 'always' || (options.profile === 'on-miss' && c32?.pass === false)) {
      profile = await profileSingleEvents(options, { root, sql, databaseUrl: db.url, work, say, onInterrupt });
    }
  } finally {
    forget();
    await projector?.stop().catch(() => undefined);
    await sql.end({ timeout: 5 });
    await db.release(options.keepDatabase);
    projectorWarnings = await countWarnings(logFile);
    if (options.keepDatabase || projectorWarnings > 0) say(`projector log kept (${projectorWarnings} warnings or errors): ${logFile}`);
    else await rm(work, { recursive: true, force: true });
  }

  const checks = checkTargets(results);
  const table = formatTable(results, checks);
  return {
    timestamp,
    machine: { ...machine, loadAverageEnd: loadAverage() },
    postgres: { source: db.source, version: db.serverVersion, database: db.name, settings: db.settings },
    projector: { command: 'node apps/projector-rel/dist/main.js', env: PROJECTOR_ENV, warnings: projectorWarnings, log: projectorWarnings > 0 ? logFile : null },
    options,
    targets: TARGETS,
    scenarios: results.map((r) => {
      const check = checks.get(r.id);
      return check ? { ...r, check } : r;
    }),
    ...(profile ? { profile } : {}),
    seconds: Math.round((performance.now() - startedAt) / 100) / 10,
    table,
  };
}

/** `tracedScenario` on a projector of its own (tracing is configured at start), after its own warm-up. */
async function pushTraced(
  options: BenchOptions,
  { root, sql, databaseUrl, logFile, say, onInterrupt }: Pick<Required<BenchEnvironment>, 'root' | 'say' | 'onInterrupt'> & { sql: PushContext['sql']; databaseUrl: string; logFile: string },
): Promise<ScenarioResult> {
  const receiver = await startOtlpReceiver();
  const env = { ...PROJECTOR_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
  const projector = await startProjector({ root, databaseUrl, logFile, env });
  const forget = onInterrupt(async () => {
    await projector.stop();
    await receiver.close();
  });
  try {
    const ctx: PushContext = { root, sql, databaseUrl, projector };
    await pushScenario(ctx, { id: 'traced-warm-up', label: 'warm-up', events: Math.min(500, options.singleEvents), worlds: 4, branches: 2, concurrency: 8, batch: 0, seed: 961 });
    const result = await pushScenario(ctx, tracedScenario(options));
    await projector.stop();
    const exports = Object.values(receiver.requests).reduce((a, b) => a + b, 0);
    say(`tracing on: ${exports} OTLP exports received (and dropped)`);
    if (exports === 0) throw new Error('the traced projector exported no spans: tracing did not turn on');
    return { ...result, detail: { ...result.detail, otlpExports: receiver.requests } };
  } finally {
    forget();
    await projector.stop();
    await receiver.close();
  }
}

/** Single events at concurrency 32 again, on a projector under `node --cpu-prof`, on fresh worlds. */
async function profileSingleEvents(
  options: BenchOptions,
  { root, sql, databaseUrl, work, say, onInterrupt }: Pick<Required<BenchEnvironment>, 'root' | 'say' | 'onInterrupt'> & { sql: PushContext['sql']; databaseUrl: string; work: string },
): Promise<NonNullable<BenchReport['profile']>> {
  const dir = path.join(work, 'cpu-profile');
  const projector = await startProjector({ root, databaseUrl, logFile: path.join(work, 'projector-rel-profiled.log'), cpuProfileDir: dir, env: PROJECTOR_ENV });
  let file: string | undefined;
  let scenario: ScenarioResult;
  let window: { from: number; to: number };
  const forget = onInterrupt(async () => void (await projector.stop()));
  try {
    const ctx: PushContext = { root, sql, databaseUrl, projector };
    await pushScenario(ctx, { id: 'profile-warm-up', label: 'warm-up', events: Math.min(500, options.singleEvents), worlds: 4, branches: 2, concurrency: 8, batch: 0, seed: 951 });
    // Start-up and warm-up stay out of the summary (the simulator's own start-up, a second or so, does not).
    const from = monotonicMicros();
    scenario = await pushScenario(ctx, { id: 'profile-single-c32', label: 'single events, concurrency 32, under --cpu-prof', events: options.singleEvents, worlds: 32, branches: 2, concurrency: 32, batch: 0, seed: 952 });
    window = { from, to: monotonicMicros() };
  } finally {
    forget();
    file = await projector.stop();
  }
  if (!file) throw new Error(`node --cpu-prof wrote no profile into ${dir}`);
  const summary = await summariseCpuProfile(file, 20, window);
  say(`profiled single events at concurrency 32: ${Math.round(scenario.rate)} ev/s under the profiler`);
  return { scenario, summary, text: formatProfile(summary) };
}

/** pino JSON lines at warn (40) or above. */
async function countWarnings(logFile: string): Promise<number> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => /"level":(4|5|6)0\b/.test(line)).length;
}
