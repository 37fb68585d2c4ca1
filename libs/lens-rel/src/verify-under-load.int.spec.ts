import { createProjector, parseConfig, recordStateHash, verifyPartition, type Projector, type ReplayResult } from '@projectors/projector-sdk';
import { useTestDatabase } from '@projectors/projector-sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relLens } from './rel-lens.js';
import { generateRelStream, logRelEvents, type RelEvent } from './testing/index.js';

const LOGGED = 20_000;
/** More than the verification can use up: the live loop stops when it ends. */
const LIVE = 5_000;
const events = generateRelStream({ seed: 13, events: LOGGED + LIVE, worlds: 1, branches: 1 });
const partition = { worldId: events[0]!.envelope.world_id, branch: events[0]!.envelope.branch };

const db = useTestDatabase({ prefix: 'lens_rel_verify_load' });
let projector: Projector;
beforeAll(async () => {
  projector = await createProjector({ lens: relLens, config: parseConfig({ PROJECTOR_DATABASE_URL: db.url, PROJECTOR_LOG_LEVEL: 'silent' }) });
  await projector.migrate();
});
afterAll(() => projector?.close());

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Posts one (logged) event as the publisher does; returns the answer's latency in ms. */
async function postLive(event: RelEvent): Promise<number> {
  const started = performance.now();
  const res = await projector.app.inject({ method: 'POST', url: '/events', payload: event });
  const ms = performance.now() - started;
  expect(res.json(), `event ${event.global_seq}`).toMatchObject({ status: 'processed' });
  return ms;
}

describe('verification of a 20,000-event partition while its live events flow', () => {
  it('given the partition applied live and its hash recorded, its live events are answered with p99 < 500 ms while it is verified, and it is equal', async () => {
    // The gateway logs every event before the publisher posts it: the live ones too, up front.
    await logRelEvents(db.sql, events);
    for (let i = 0; i < LOGGED; i += 1000) {
      const res = await projector.app.inject({ method: 'POST', url: '/events/batch', payload: { events: events.slice(i, i + 1000) } });
      expect(res.statusCode).toBe(200);
    }
    const recorded = await recordStateHash(projector.sql, relLens, partition);
    expect(recorded.watermark).toBe(events[LOGGED - 1]!.global_seq);

    const idle: number[] = [];
    let next = LOGGED;
    for (let i = 0; i < 50; i++) idle.push(await postLive(events[next++]!));

    let result: ReplayResult | undefined;
    const started = performance.now();
    const verifying = verifyPartition(projector.sql, relLens, partition).then((r) => {
      result = r;
      return performance.now() - started;
    });
    const during: number[] = [];
    while (result === undefined && next < events.length) during.push(await postLive(events[next++]!));
    const verifyMs = await verifying;

    const sorted = [...during].sort((a, b) => a - b);
    const idleSorted = [...idle].sort((a, b) => a - b);
    const figures = {
      verify_s: +(verifyMs / 1000).toFixed(2),
      live_events_during: during.length,
      p50_ms: +percentile(sorted, 50).toFixed(1),
      p99_ms: +percentile(sorted, 99).toFixed(1),
      max_ms: +sorted.at(-1)!.toFixed(1),
      idle_p50_ms: +percentile(idleSorted, 50).toFixed(1),
      idle_p99_ms: +percentile(idleSorted, 99).toFixed(1),
    };
    process.stdout.write(`verify under load: ${JSON.stringify(figures)}\n`);
    expect(result).toMatchObject({ equal: true, eventsReplayed: LOGGED, watermark: recorded.watermark, liveHash: recorded.stateHash });
    // The verification did not end before the loop began: with fewer than 100 answers the p99 is the slowest one.
    expect(during.length).toBeGreaterThanOrEqual(50);
    expect(figures.p99_ms).toBeLessThan(500);
  }, 300_000);
});
