import path from 'node:path';
import type { SimOptions } from '@projectors/publisher-sim';
import { runNodeChild } from './node-child.js';

/** The fields of publisher-sim's `--json` summary the bench reads. */
export interface PublisherSummary {
  readonly events: number;
  readonly delivered: number;
  readonly requests: number;
  readonly partitions: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number; readonly mean: number };
  readonly retries: number;
  readonly parked: number;
  readonly errors: number;
  readonly answers: Readonly<Record<string, number>>;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly stream: { readonly firstSeq: number | null; readonly lastSeq: number | null };
}

/** One run of the simulator: its own options (`batch` 0: single events), one projector URL, one log. */
export type PublisherRun = Pick<SimOptions, 'events' | 'worlds' | 'branches' | 'seed' | 'startSeq' | 'concurrency' | 'batch'> & {
  readonly url: string;
  /** The log the stream is written to first; undefined: the stream is only pushed (`--no-log`). */
  readonly databaseUrl: string | undefined;
};

/**
 * Runs the publisher simulator (`tools/publisher-sim/dist/main.js --json`) as its own process, as
 * the real publisher is: it writes the stream to the event log, pushes it, and reports. Parked
 * events do not make this fail: they are figures of the run.
 */
export async function runPublisher(root: string, run: PublisherRun): Promise<PublisherSummary> {
  const args = [
    path.join(root, 'tools/publisher-sim/dist/main.js'),
    ...['--url', run.url, ...(run.databaseUrl === undefined ? ['--no-log'] : ['--database-url', run.databaseUrl])],
    ...['--events', String(run.events), '--worlds', String(run.worlds), '--branches', String(run.branches)],
    ...['--seed', String(run.seed), '--start-seq', String(run.startSeq), '--concurrency', String(run.concurrency)],
    ...(run.batch > 0 ? ['--batch', String(run.batch)] : []),
    '--json',
  ];
  const { code, stdout, stderr } = await runNodeChild(root, args);
  const line = stdout.trim().split('\n').at(-1);
  if ((code !== 0 && code !== 1) || !line?.startsWith('{')) {
    throw new Error(`publisher-sim failed (exit ${code}):\n${stderr.trim()}\n${stdout.trim()}`);
  }
  return JSON.parse(line) as PublisherSummary;
}
