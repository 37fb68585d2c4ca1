import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { useTestDatabase } from '@projectors/projector-sdk/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * The built app as a process: configuration from the environment, start, graceful stop on a signal,
 * and exit codes (contract.md, "Configuration"). Runs `dist/main.js`, built first through Nx, so the
 * process is made of the current sources (a cache hit when nothing changed takes a few seconds).
 */
const appDir = path.resolve(import.meta.dirname, '..');
const repoRoot = path.resolve(appDir, '../..');
const mainJs = path.join(appDir, 'dist/main.js');

beforeAll(async () => {
  try {
    await promisify(execFile)(path.join(repoRoot, 'node_modules/.bin/nx'), ['run', 'projector-sem:build', '--output-style=static'], {
      cwd: repoRoot,
      env: { ...process.env, NX_ISOLATE_PLUGINS: 'false', NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(`nx run projector-sem:build failed:\n${stdout}\n${stderr}`);
  }
  expect(existsSync(mainJs)).toBe(true);
});

const db = useTestDatabase({ prefix: 'sem_e2e' });

// A test that fails half-way must not leave its app running.
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

interface RunningApp {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  readonly stderr: () => string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line that matches, or fails if the process ends first. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

function startApp(env: Record<string, string>): RunningApp {
  // Only what the test gives: no PROJECTOR_* leaks in from the shell that runs the tests.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PROJECTOR_') && k !== 'NODE_OPTIONS'));
  const child = spawn(process.execPath, [mainJs], { cwd: appDir, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const logs: LogLine[] = [];
  const waiters: (() => void)[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
    waiters.forEach((w) => w());
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      waiters.forEach((w) => w());
    }),
  );
  const waitForLog = (match: (line: LogLine) => boolean, timeoutMs = 20_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such log line in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
      const check = () => {
        const found = logs.find(match);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`the app exited (${child.exitCode ?? child.signalCode}) first; stderr: ${stderr}`));
        }
      };
      waiters.push(check);
      check();
    });
  return { child, logs, stderr: () => stderr, exit, waitForLog };
}

const baseEnv = () => ({ PROJECTOR_DATABASE_URL: db.url, PROJECTOR_PORT: '0', PROJECTOR_HOST: '127.0.0.1', PROJECTOR_LOG_LEVEL: 'info' });

async function startedApp(): Promise<{ app: RunningApp; base: string }> {
  const app = startApp(baseEnv());
  const listening = await app.waitForLog((l) => l.msg === 'projector listening');
  return { app, base: String(listening.address) };
}

describe('projector-sem as a process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('serves, then on %s stops gracefully: exit code 0 and a "stopped" line', async (signal) => {
    const { app, base } = await startedApp();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ service: 'projector-sem', status: 'healthy', projector_name: 'projector_sem', lens: 'sem' });
    // A write goes through too: a kind the sem lens has no handler for is applied as ignored.
    const event = { global_seq: 1, event_id: 'e2e-1', envelope: { world_id: randomUUID(), branch: 'main', kind: 'e2e.unknown', payload: {} } };
    const res = await fetch(`${base}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(await res.json()).toEqual({ status: 'ignored', global_seq: 1 });

    app.child.kill(signal);
    expect(await app.exit).toEqual({ code: 0, signal: null });
    expect(app.logs.find((l) => l.msg === 'shutting down')).toMatchObject({ signal });
    const stopped = app.logs.find((l) => l.msg === 'stopped');
    expect(stopped).toMatchObject({ service: 'projector-sem' });
    expect(app.logs.indexOf(stopped!)).toBe(app.logs.length - 1);
    expect(app.stderr()).toBe('');
    await expect(fetch(`${base}/health`)).rejects.toThrow(TypeError);
  });

  it('a bad configuration exits 1 with one stderr line per bad variable, before anything starts', async () => {
    const app = startApp({ ...baseEnv(), PROJECTOR_PORT: 'abc', PROJECTOR_MAX_BATCH: '0' });
    expect(await app.exit).toEqual({ code: 1, signal: null });
    const lines = app.stderr().split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^projector-sem: PROJECTOR_PORT="abc": .*number/),
        expect.stringMatching(/^projector-sem: PROJECTOR_MAX_BATCH="0": .*>=\s*1/),
      ]),
    );
    expect(app.logs.some((l) => l.msg === 'projector listening')).toBe(false);
  });

  it('a database that cannot be reached at start exits 1 with a fatal log line', async () => {
    const app = startApp({ ...baseEnv(), PROJECTOR_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' });
    expect(await app.exit).toEqual({ code: 1, signal: null });
    expect(app.logs.find((l) => l.msg === 'projector failed to start')).toMatchObject({ level: 60 });
    expect(app.logs.some((l) => l.msg === 'projector listening')).toBe(false);
  });
});
