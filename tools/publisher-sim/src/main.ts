import { devDataDir, findDevDatabase } from '@projectors/dev-postgres';
import { connectDatabase, maskDatabaseUrl } from '@projectors/projector-sdk';
import { generateRelStream } from '@projectors/lens-rel/testing';
import { waitForEventLog, writeEventLog, type LogWrite } from './event-log.js';
import { progressBar } from './progress-bar.js';
import { pushEvents } from './push-events.js';
import { defaultRetryPolicy } from './retry-policy.js';
import { parseSimArgs, USAGE } from './sim-args.js';
import { summaryText } from './summary-text.js';

const parsed = parseSimArgs(process.argv.slice(2), process.env);
if (parsed.kind === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (parsed.kind === 'error') {
  process.stderr.write(`publisher-sim: ${parsed.message}\n${USAGE}\n`);
  process.exit(2);
}
const options = parsed.options;
const say = (line: string) => process.stderr.write(`publisher-sim: ${line}\n`);

const generateStarted = performance.now();
const events = generateRelStream({ seed: options.seed, events: options.events, worlds: options.worlds, branches: options.branches, startSeq: options.startSeq });
const generateSeconds = (performance.now() - generateStarted) / 1000;
say(`generated ${events.length} events (seed ${options.seed}) in ${generateSeconds.toFixed(1)} s`);

/** `embedded`: the running dev database of `make serve`, found without a URL being copied; never a new one. */
async function eventLogUrl(url: string): Promise<string> {
  if (url !== 'embedded') return url;
  const found = await findDevDatabase(devDataDir(options.service));
  if (found.ok) return found.url;
  say(`${found.reason} (or --no-log)`);
  process.exit(3);
}

let log: LogWrite | undefined;
if (options.databaseUrl) {
  const databaseUrl = await eventLogUrl(options.databaseUrl);
  const sql = connectDatabase(databaseUrl, { max: 1, applicationName: 'publisher-sim' });
  try {
    await waitForEventLog(sql, options.waitLogSeconds, () => say(`waiting for event_core.event_log on ${maskDatabaseUrl(databaseUrl)} (a projector creates it)`));
    const logStarted = performance.now();
    log = await writeEventLog(sql, events);
    say(
      log.kind === 'written'
        ? `wrote ${log.rows} events to event_core.event_log in ${((performance.now() - logStarted) / 1000).toFixed(1)} s`
        : `event_core.event_log already holds these ${log.rows} events`,
    );
  } catch (err) {
    say((err as Error).message);
    process.exit(3);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

const bar = progressBar(events.length * options.urls.length);
const summary = await pushEvents({
  events,
  urls: options.urls,
  concurrency: options.concurrency,
  batch: options.batch,
  policy: { ...defaultRetryPolicy, maxAttempts: options.maxAttempts },
  onProgress: (done, retries, parked) => bar.update(done, retries, parked),
});
bar.finish();

if (options.json) {
  const stream = {
    seed: options.seed,
    worlds: options.worlds,
    branches: options.branches,
    firstSeq: events[0]?.global_seq ?? null,
    lastSeq: events[events.length - 1]?.global_seq ?? null,
    generateSeconds: Math.round(generateSeconds * 1000) / 1000,
    eventLog: log ?? { kind: 'not-written' },
  };
  process.stdout.write(`${JSON.stringify({ ...summary, stream })}\n`);
} else {
  process.stdout.write(summaryText(summary));
}
process.exit(summary.parked > 0 ? 1 : 0);
