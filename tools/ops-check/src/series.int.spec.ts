import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { familyOf, logEvents, nxBuild, parsePrometheusText, startApp, useTestDatabase, waitForReady, type MetricFamily } from '@projectors/projector-sdk/testing';
import { DASHBOARDS_DIR, dashboardExprs, readDashboard, ruleExprs, type NamedExpr } from './ops-files.js';
import { promqlMetricNames } from './promql-names.js';

/**
 * Series Prometheus makes itself rather than scraping them: `up` and the scrape's own per target
 * (prometheus.io/docs/concepts/jobs_instances), and `ALERTS` from the rules it evaluates.
 */
const PROMETHEUS_OWN = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added', 'ALERTS', 'ALERTS_FOR_STATE']);

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const appDir = path.join(repoRoot, 'apps/projector-rel');
const db = useTestDatabase({ prefix: 'ops_check_series' });
const started: ChildProcess[] = [];
const MAX_CONNECTIONS = 6;
let base: string;

const event = (seq: number, worldId: string, kind: string, payload: object) => ({
  global_seq: seq,
  event_id: `ops-${worldId}-${seq}`,
  envelope: { world_id: worldId, branch: 'main', kind, payload },
});
const post = (url: string, body: unknown) =>
  fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const scrape = async (): Promise<Map<string, MetricFamily>> => parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
/** Every sample name the scrape has (a histogram's `_bucket`, `_sum` and `_count` each). */
const sampleNames = (families: Map<string, MetricFamily>) => new Set([...families.values()].flatMap((f) => f.samples.map((s) => s.name)));

/** What each rule and panel selects, by name. */
async function namedSeries(): Promise<{ exprs: NamedExpr[]; uses: Map<string, string[]> }> {
  const dashboards = await Promise.all((await readdir(DASHBOARDS_DIR)).filter((f) => f.endsWith('.json')).map((f) => readDashboard(path.join(DASHBOARDS_DIR, f))));
  const exprs = [...(await ruleExprs()), ...dashboards.flatMap(dashboardExprs)];
  const uses = new Map<string, string[]>();
  for (const { where, expr } of exprs) for (const name of promqlMetricNames(expr)) uses.set(name, [...(uses.get(name) ?? []), where]);
  return { exprs, uses };
}

beforeAll(async () => {
  await nxBuild(repoRoot, 'projector-rel');
  const app = startApp(
    path.join(appDir, 'dist/main.js'),
    {
      PROJECTOR_DATABASE_URL: db.url,
      PROJECTOR_PORT: '0',
      PROJECTOR_HOST: '127.0.0.1',
      PROJECTOR_LOG_LEVEL: 'info',
      // Every loop often, so that a run of a few seconds fills every series.
      PROJECTOR_METRICS_UPDATE_INTERVAL_S: '0.2',
      PROJECTOR_HEALTH_CHECK_INTERVAL_S: '0.2',
      PROJECTOR_STATE_HASH_INTERVAL_S: '0.3',
      PROJECTOR_CATCHUP_INTERVAL_S: '0.2',
      PROJECTOR_ERROR_BACKOFF_SECONDS: '0.2',
      PROJECTOR_REPLAY_SAMPLE: '100',
      PROJECTOR_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    },
    started,
  );
  base = String((await app.waitForLog((l) => l.msg === 'projector listening')).address);
  await waitForReady(base, app.child, { output: app.stderr });
});
afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});

describe("the series of ops/ against projector-rel's real /metrics", () => {
  it('provoked: events applied and refused, catch-up, a poison event blocked and skipped, a replay mismatch, a failing loop, a rebuild, dropped connections', async () => {
    const [live, logged, poisoned] = [randomUUID(), randomUUID(), randomUUID()];
    expect((await post('/events', event(1, live, 'note.created', { id: 'n1', title: 'T' }))).status).toBe(200);
    expect((await post('/events', { ...event(2, live, 'note.created', { id: 'n2', title: 'T' }), global_seq: 0 })).status).toBe(400);
    // Logged but not delivered: catch-up applies two events, and parks the partition at the poison one.
    await logEvents(db.sql, [event(10, logged, 'note.created', { id: 'n1', title: 'T' }), event(11, logged, 'note.created', { id: 'n2', title: 'T' })]);
    await logEvents(db.sql, [event(20, poisoned, 'note.created', { id: 'no title' })]);
    await vi.waitFor(async () => expect(((await (await fetch(`${base}/partitions?status=blocked`)).json()) as { partitions: unknown[] }).partitions).toHaveLength(1), { timeout: 10_000 });
    expect((await post(`/partitions/${poisoned}/main/skip`, { global_seq: 20, reason: 'ops-check' })).status).toBe(200);
    // Live rows changed behind the projector's back: the state-hash monitor's replay disagrees.
    await db.sql`UPDATE lens_rel.note SET title = 'tampered' WHERE world_id = ${live}`;
    await vi.waitFor(async () => expect(sampleNames(await scrape()).has('projector_replay_mismatch_total')).toBe(true), { timeout: 10_000 });
    // A lens table gone for a moment: the monitor fails and counts it.
    await db.sql`ALTER TABLE lens_rel.note RENAME TO note_away`;
    try {
      await vi.waitFor(async () => expect(sampleNames(await scrape()).has('projector_background_errors_total')).toBe(true), { timeout: 10_000 });
    } finally {
      await db.sql`ALTER TABLE lens_rel.note_away RENAME TO note`;
    }
    // A rebuild beside the live lens (the tampered partition differs from the log: accepted, repaired).
    expect((await post('/rebuild', { accept_differences: true })).status).toBe(202);
    await vi.waitFor(
      async () => expect(await (await fetch(`${base}/rebuild`)).json()).toMatchObject({ running: false, last: { status: 'cut over' } }),
      { timeout: 30_000, interval: 200 },
    );
    // More connections than PROJECTOR_MAX_CONNECTIONS: the extra ones are closed at once.
    const { port, hostname } = new URL(base);
    const sockets = await Promise.all(
      Array.from({ length: MAX_CONNECTIONS + 3 }, () => new Promise<net.Socket>((resolve) => { const s = net.connect(Number(port), hostname, () => resolve(s)); s.on('error', () => undefined); })),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const s of sockets) s.destroy();
  });

  it('every series a rule or a panel names is one /metrics exposes with samples', async () => {
    const { exprs, uses } = await namedSeries();
    expect(exprs.length).toBeGreaterThan(20);
    const ours = [...uses.keys()].filter((name) => !PROMETHEUS_OWN.has(name));
    // The loops refresh some gauges every 0.2 s: wait for a scrape that has them all, else say which are missing.
    let missing: string[] = [];
    await vi
      .waitFor(async () => {
        const exposed = sampleNames(await scrape());
        missing = ours.filter((name) => !exposed.has(name));
        expect(missing).toEqual([]);
      }, { timeout: 10_000, interval: 200 })
      .catch(() => undefined);
    expect(missing.map((name) => `${name} (used by ${uses.get(name)!.join(', ')})`)).toEqual([]);
    console.info(`ops-check: ${exprs.length} expressions name ${uses.size} series; ${ours.length} checked against /metrics, ${uses.size - ours.length} are Prometheus's own`);
  });

  it("the dashboard shows every projector_ family /metrics exposes (a new metric gets a panel)", async () => {
    const { uses } = await namedSeries();
    const families = await scrape();
    const shown = new Set([...uses.keys()].map((name) => familyOf(name, families)?.name ?? name));
    const unshown = [...families.keys()].filter((f) => f.startsWith('projector_') && !shown.has(f));
    expect(unshown).toEqual([]);
  });

  it('the check can fail: a name that is not exposed is reported', async () => {
    const exposed = sampleNames(await scrape());
    const names = promqlMetricNames('sum(rate(projector_events_processed_totl[5m])) / sum(rate(projector_event_duration_seconds_count[5m]))');
    expect(names.filter((n) => !exposed.has(n))).toEqual(['projector_events_processed_totl']);
  });
});
