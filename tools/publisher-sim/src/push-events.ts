import { setTimeout as sleepMs } from 'node:timers/promises';
import { summariseLatency, type LatencySummary } from './latency.js';
import { decide, defaultRetryPolicy, type Answer, type RetryPolicy } from './retry-policy.js';
import { runPartitioned, type PartitionWork } from './scheduler.js';
import { createHttpTransport, type HttpAnswer, type Transport } from './http-transport.js';

/** An event as the publisher posts it (contract.md, "POST /events"). */
export interface SimEvent {
  readonly global_seq: number;
  readonly event_id: string;
  /** Posted as is; the simulator reads only the partition. */
  readonly envelope: { readonly world_id: string; readonly branch: string };
  readonly payload_hash?: string;
}

export interface PushOptions {
  readonly events: readonly SimEvent[];
  readonly urls: readonly string[];
  /** Partitions in flight at once, per URL. */
  readonly concurrency: number;
  /** Events per `POST /events/batch`; 0 posts single events to `POST /events`. */
  readonly batch: number;
  readonly policy?: RetryPolicy;
  /** Default: an undici keep-alive pool per URL with `concurrency` connections. */
  readonly transportFor?: (url: string, connections: number) => Transport;
  /** Called after each request that finished for good, with the deliveries so far (events × URLs). */
  readonly onProgress?: (delivered: number, retries: number, parked: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** An event the publisher gave up on: a person must look at it. */
export interface ParkedEvent {
  readonly url: string;
  readonly global_seq: number;
  readonly event_id: string;
  readonly world_id: string;
  readonly branch: string;
  readonly status: number;
  readonly reason: string;
  /** The answer's body, cut to 500 characters. */
  readonly answer: string;
}

/** What was delivered and answered, for one URL or for all of them. */
export interface DeliveryCounts {
  readonly delivered: number;
  readonly requests: number;
  readonly retries: number;
  readonly parked: number;
  /** Every answer by HTTP status (0: no answer), retried ones included. */
  readonly answers: Readonly<Record<string, number>>;
  /** Per event: processed, duplicate, ignored. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Per HTTP request (every attempt). */
  readonly latencyMs: LatencySummary;
}

export interface UrlSummary extends DeliveryCounts {
  readonly url: string;
}

/** Counts summed over every URL (`delivered` excludes parked events). */
export interface PushSummary extends DeliveryCounts {
  readonly urls: readonly string[];
  readonly events: number;
  readonly partitions: number;
  readonly concurrency: number;
  readonly batch: number;
  readonly seconds: number;
  /** `delivered / seconds`. */
  readonly eventsPerSecond: number;
  /** Answers other than 2xx, retried ones included. */
  readonly errors: number;
  /** The first 100 parked events. */
  readonly parkedEvents: readonly ParkedEvent[];
  readonly perUrl: readonly UrlSummary[];
}

const PARKED_KEPT = 100;

interface UrlState {
  url: string;
  transport: Transport;
  delivered: number;
  requests: number;
  retries: number;
  parked: number;
  answers: Record<string, number>;
  outcomes: Record<string, number>;
  latencies: number[];
}

/** The events grouped by partition (in order of first appearance), each partition's in `global_seq` order, cut into requests. */
export function partitionRequests(events: readonly SimEvent[], batch: number): PartitionWork<readonly SimEvent[]>[] {
  const byPartition = new Map<string, SimEvent[]>();
  for (const event of events) {
    const key = `${event.envelope.world_id}/${event.envelope.branch}`;
    let list = byPartition.get(key);
    if (!list) byPartition.set(key, (list = []));
    list.push(event);
  }
  const size = Math.max(1, batch);
  return [...byPartition].map(([key, list]) => {
    list.sort((a, b) => a.global_seq - b.global_seq);
    const requests: SimEvent[][] = [];
    for (let i = 0; i < list.length; i += size) requests.push(list.slice(i, i + size));
    return { key, requests };
  });
}

/**
 * Pushes `events` to every URL as the CDC publisher does and measures it. Each URL gets every event,
 * with its own one-in-flight-per-partition rule and its own `concurrency`; the URLs run side by side.
 */
export async function pushEvents(options: PushOptions): Promise<PushSummary> {
  const { events, urls, concurrency, batch } = options;
  const policy = options.policy ?? defaultRetryPolicy;
  const sleep = options.sleep ?? ((ms: number) => sleepMs(ms));
  const random = options.random ?? Math.random;
  const transportFor = options.transportFor ?? createHttpTransport;
  const work = partitionRequests(events, batch);
  const states: UrlState[] = urls.map((url) => ({
    url,
    transport: transportFor(url, Math.min(concurrency, Math.max(1, work.length))),
    delivered: 0,
    requests: 0,
    retries: 0,
    parked: 0,
    answers: {},
    outcomes: {},
    latencies: [],
  }));
  const parkedEvents: ParkedEvent[] = [];
  const totals = () => states.reduce((t, s) => ({ delivered: t.delivered + s.delivered, retries: t.retries + s.retries, parked: t.parked + s.parked }), { delivered: 0, retries: 0, parked: 0 });
  const progress = () => {
    if (!options.onProgress) return;
    const t = totals();
    options.onProgress(t.delivered, t.retries, t.parked);
  };

  const park = (state: UrlState, parked: readonly SimEvent[], answer: HttpAnswer, reason: string) => {
    state.parked += parked.length;
    for (const event of parked) {
      if (parkedEvents.length >= PARKED_KEPT) break;
      parkedEvents.push({
        url: state.url,
        global_seq: event.global_seq,
        event_id: event.event_id,
        world_id: event.envelope.world_id,
        branch: event.envelope.branch,
        status: answer.status,
        reason,
        answer: answer.body.slice(0, 500),
      });
    }
  };

  const deliver = async (state: UrlState, request: readonly SimEvent[]): Promise<void> => {
    let pending = request;
    let attempt = 0;
    while (pending.length > 0) {
      attempt++;
      const path = batch > 0 ? '/events/batch' : '/events';
      const body = batch > 0 ? JSON.stringify({ events: pending }) : JSON.stringify(pending[0]);
      const started = performance.now();
      let answer: HttpAnswer;
      try {
        answer = await state.transport.post(path, body);
      } catch (err) {
        answer = { status: 0, body: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
      }
      state.latencies.push(performance.now() - started);
      state.requests++;
      state.answers[answer.status] = (state.answers[answer.status] ?? 0) + 1;
      const decision = decide(answer as Answer, attempt, policy, random);
      if (decision.kind === 'done') {
        countOutcomes(state, answer, pending.length);
        state.delivered += pending.length;
        return;
      }
      if (decision.kind === 'retry') {
        state.retries++;
        await sleep(decision.delayMs);
        continue;
      }
      // A batch is all or nothing: park the one event the projector named, send the others again.
      const index = batch > 0 && answer.status >= 400 && answer.status < 500 ? failedIndex(answer.body, pending.length) : undefined;
      if (index === undefined) {
        park(state, pending, answer, `${decision.reason}${errorCode(answer.body)}`);
        return;
      }
      park(state, [pending[index]!], answer, `${decision.reason}${errorCode(answer.body)}`);
      pending = pending.filter((_, i) => i !== index);
      attempt = 0;
    }
  };

  const started = performance.now();
  try {
    await Promise.all(
      states.map((state) =>
        runPartitioned(work, concurrency, async (request) => {
          await deliver(state, request);
          progress();
        }),
      ),
    );
  } finally {
    await Promise.all(states.map((s) => s.transport.close().catch(() => undefined)));
  }
  const seconds = (performance.now() - started) / 1000;

  const t = totals();
  const sum = (pick: (s: UrlState) => Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const s of states) for (const [k, v] of Object.entries(pick(s))) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const answers = sum((s) => s.answers);
  return {
    urls,
    events: events.length,
    partitions: work.length,
    concurrency,
    batch,
    delivered: t.delivered,
    requests: states.reduce((n, s) => n + s.requests, 0),
    seconds: round3(seconds),
    eventsPerSecond: seconds > 0 ? Math.round((t.delivered / seconds) * 10) / 10 : 0,
    latencyMs: summariseLatency(states.flatMap((s) => s.latencies)),
    retries: t.retries,
    parked: t.parked,
    errors: Object.entries(answers).reduce((n, [status, count]) => (status.startsWith('2') ? n : n + count), 0),
    answers,
    outcomes: sum((s) => s.outcomes),
    parkedEvents,
    perUrl: states.map((s) => ({
      url: s.url,
      delivered: s.delivered,
      requests: s.requests,
      retries: s.retries,
      parked: s.parked,
      answers: s.answers,
      outcomes: s.outcomes,
      latencyMs: summariseLatency(s.latencies),
    })),
  };
}

function countOutcomes(state: UrlState, answer: HttpAnswer, events: number): void {
  const add = (status: unknown, n = 1) => {
    const key = typeof status === 'string' ? status : 'unknown';
    state.outcomes[key] = (state.outcomes[key] ?? 0) + n;
  };
  try {
    const parsed = JSON.parse(answer.body) as { status?: unknown; results?: { status?: unknown }[] };
    if (Array.isArray(parsed.results)) for (const r of parsed.results) add(r.status);
    else add(parsed.status, events);
  } catch {
    add(undefined, events);
  }
}

/** The `index` of the failing event in a batch answer, when it names one inside the batch. */
function failedIndex(body: string, length: number): number | undefined {
  try {
    const index = (JSON.parse(body) as { index?: unknown }).index;
    return typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < length ? index : undefined;
  } catch {
    return undefined;
  }
}

function errorCode(body: string): string {
  try {
    const error = (JSON.parse(body) as { error?: unknown }).error;
    return typeof error === 'string' ? ` ${error}` : '';
  } catch {
    return '';
  }
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;
