import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from './run-bench.js';

const root = path.resolve(import.meta.dirname, '../../..');
const databaseUrl = process.env['TEST_DATABASE_URL']?.trim();
const SCENARIOS = ['echo-c32', 'single-c1', 'single-c8', 'single-c32', 'single-c32-traced', 'single-c64', 'batch-100', 'batch-1000', 'raw-insert', 'raw-copy', 'replay', 'rebuild', 'single-c8-rebuild', 'state-hash'];

// Checks that the bench runs end to end and reports every scenario: not the targets (a timed test
// on a shared machine is no way to show them; `make bench` prints them).
describe('make bench --quick', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!databaseUrl)('prints one table and writes a JSON with numbers for every scenario (needs TEST_DATABASE_URL)', { timeout: 300_000 }, async () => {
    const resultsDir = await mkdtemp(path.join(tmpdir(), 'bench-e2e-'));
    dirs.push(resultsDir);
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'tools/bench/dist/main.js'), '--quick', '--results-dir', resultsDir], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', TEST_DATABASE_URL: databaseUrl },
      maxBuffer: 16 * 1024 * 1024,
    });

    const [file] = await readdir(resultsDir);
    const report = JSON.parse(await readFile(path.join(resultsDir, file!), 'utf8')) as BenchReport;
    expect(report.scenarios.map((s) => s.id)).toEqual(SCENARIOS);
    for (const s of report.scenarios) {
      expect(s.count, s.id).toBeGreaterThan(0);
      expect(s.seconds, s.id).toBeGreaterThan(0);
      expect(Number.isFinite(s.rate) && s.rate > 0, s.id).toBe(true);
      // Retried 503s (shed load) may happen on a busy machine; an event not delivered may not.
      expect(Number.isInteger(s.errors), s.id).toBe(true);
      if (s.unit === 'events' && s.id !== 'replay' && s.id !== 'rebuild') {
        expect(s.detail['parked'], s.id).toBe(0);
        expect(s.latencyMs!.p95, s.id).toBeGreaterThan(0);
        expect(s.projector!.cpuSeconds, s.id).toBeGreaterThan(0);
        expect(s.projector!.peakRssMb, s.id).toBeGreaterThan(0);
      }
    }
    expect(report.scenarios.find((s) => s.id === 'state-hash')!.peakRssMb).toBeGreaterThan(0);
    // The rebuild cut over with every partition equal to live.
    expect(report.scenarios.find((s) => s.id === 'rebuild')).toMatchObject({ errors: 0, detail: { different: 0 } });
    expect(report.postgres.settings['fsync']).toBe('on');
    expect(report.machine.loadAverageEnd).toHaveLength(3);

    const table = stdout.split('\n').filter((line) => /^(empty Fastify echo|single|batches|raw|replay|rebuild|state hash)/.test(line));
    expect(table).toHaveLength(SCENARIOS.length);
    for (const line of table) expect(line).toMatch(/\d[\d,]* (ev|rows)\s+\d+\.\d\d\s+\d[\d,]* (ev|rows)/);
    expect(stdout).toMatch(/load avg\s+start [\d.]+ [\d.]+ [\d.]+, end/);
  });
});
