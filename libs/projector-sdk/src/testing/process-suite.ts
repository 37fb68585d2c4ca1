import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nxBuild, startApp, type RunningApp } from './app-process.js';
import { useTestDatabase } from './test-database.js';

export interface ProcessSuiteOptions {
  /** The app's folder (`apps/projector-sem`); its build is `dist/main.js`. */
  readonly appDir: string;
  /** Nx project and service name: `projector-sem`. */
  readonly project: string;
  readonly projectorName: string;
  readonly lens: string;
}

/**
 * The built app as a process keeps the contract's process rules: it serves, stops gracefully on
 * SIGTERM and SIGINT with exit code 0, refuses a bad configuration with exit code 1 and one line per
 * variable, exits 1 at once without a database URL, and exits 1 when its database cannot be reached at start. Every app runs this suite.
 */
export function describeProjectorProcess(options: ProcessSuiteOptions): void {
  const { appDir, project, projectorName, lens } = options;
  const repoRoot = path.resolve(appDir, '../..');
  const mainJs = path.join(appDir, 'dist/main.js');
  const db = useTestDatabase({ prefix: `${lens.replaceAll('-', '_')}_e2e` });
  // A test that fails half-way must not leave its app running.
  const started: ChildProcess[] = [];

  beforeAll(async () => {
    await nxBuild(repoRoot, project);
    expect(existsSync(mainJs)).toBe(true);
  });
  afterEach(() => {
    for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  const baseEnv = () => ({ PROJECTOR_DATABASE_URL: db.url, PROJECTOR_PORT: '0', PROJECTOR_HOST: '127.0.0.1', PROJECTOR_LOG_LEVEL: 'info' });
  const start = (env: Record<string, string>): RunningApp => startApp(mainJs, env, started);

  describe(`${project} as a process`, () => {
    it.each(['SIGTERM', 'SIGINT'] as const)('serves, then on %s stops gracefully: exit code 0 and a "stopped" line', async (signal) => {
      const app = start(baseEnv());
      const base = String((await app.waitForLog((l) => l.msg === 'projector listening')).address);
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ service: project, status: 'healthy', projector_name: projectorName, lens });
      const ready = await fetch(`${base}/ready`);
      expect(await ready.json()).toMatchObject({ service: project, status: 'ready' });
      // A write goes through too: a kind no lens handles is applied as ignored.
      const event = { global_seq: 1, event_id: 'e2e-1', envelope: { world_id: randomUUID(), branch: 'main', kind: 'e2e.unknown', payload: {} } };
      const res = await fetch(`${base}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
      expect(await res.json()).toEqual({ status: 'ignored', global_seq: 1 });

      app.child.kill(signal);
      expect(await app.exit).toEqual({ code: 0, signal: null });
      expect(app.logs.find((l) => l.msg === 'shutting down')).toMatchObject({ signal });
      const stopped = app.logs.find((l) => l.msg === 'stopped');
      expect(stopped).toMatchObject({ service: project });
      expect(app.logs.slice(app.logs.indexOf(stopped!) + 1), "nothing is logged after stopped").toEqual([]);
      expect(app.stderr()).toBe('');
      await expect(fetch(`${base}/health`)).rejects.toThrow(TypeError);
    });

    it('a bad configuration exits 1 with one stderr line per bad variable, before anything starts', async () => {
      const app = start({ ...baseEnv(), PROJECTOR_PORT: 'abc', PROJECTOR_MAX_BATCH: '0' });
      expect(await app.exit).toEqual({ code: 1, signal: null });
      const lines = app.stderr().split('\n').filter(Boolean);
      expect(lines).toHaveLength(2);
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^${project}: PROJECTOR_PORT="abc": .*number`)),
          expect.stringMatching(new RegExp(`^${project}: PROJECTOR_MAX_BATCH="0": .*>=\\s*1`)),
        ]),
      );
      expect(app.logs.some((l) => l.msg === 'projector listening')).toBe(false);
    });

    it('without PROJECTOR_DATABASE_URL exits 1 at once with one line saying so (production names its database)', async () => {
      const { PROJECTOR_DATABASE_URL: _unset, ...env } = baseEnv();
      const startedAt = Date.now();
      const app = start(env);
      expect(await app.exit).toEqual({ code: 1, signal: null });
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      expect(app.stderr().split('\n').filter(Boolean)).toEqual([expect.stringMatching(new RegExp(`^${project}: PROJECTOR_DATABASE_URL is unset: .*embedded`))]);
      expect(app.logs).toEqual([]);
    });

    it('a database that cannot be reached at start exits 1 with a fatal log line', async () => {
      const app = start({ ...baseEnv(), PROJECTOR_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' });
      expect(await app.exit).toEqual({ code: 1, signal: null });
      expect(app.logs.find((l) => l.msg === 'projector failed to start')).toMatchObject({ level: 60 });
      expect(app.logs.some((l) => l.msg === 'projector listening')).toBe(false);
    });
  });
}
