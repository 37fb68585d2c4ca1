/**
 * What the Docker image does, without Docker: build projector-rel, make its production folder with
 * make-standalone.mjs in an empty temp dir, and run `node main.js` there against a fresh database.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase, freePort, waitForReady, type TestDatabase } from '@projectors/projector-sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const APP = 'projector-rel';
const workspaceRoot = path.resolve(import.meta.dirname, '../..');
const WORLD_ID = '0b6f3c2e-5d1a-4c7e-9f4b-2a8d6e1c3b57';
const execFileAsync = promisify(execFile);

describe(`the standalone folder of ${APP}`, () => {
  let outDir: string;
  let db: TestDatabase | undefined;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    // A cache hit under `nx test standalone-check` (it builds the app first: implicit dependency). Syncing
    // tsconfig references is not this test's job (CI runs `nx sync:check`).
    await run(path.join(workspaceRoot, 'node_modules/.bin/nx'), ['run', `${APP}:build`, '--output-style=static', '--skip-sync']);
    // realpath: what Node reports for resolved files, should tmpdir be a symlink.
    outDir = await realpath(await mkdtemp(path.join(tmpdir(), `${APP}-standalone-`)));
    await run(process.execPath, [path.join(import.meta.dirname, 'make-standalone.mjs'), APP, outDir]);
    db = await createTestDatabase({ prefix: 'standalone' });
  }, 600_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await db?.drop();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('holds the app, its libs and production dependencies only, with postgres.js patched', async () => {
    const manifest = JSON.parse(await readFile(path.join(outDir, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ type: 'module', main: 'main.js' });
    expect(manifest.dependencies).toMatchObject({ postgres: '3.4.9', fastify: expect.any(String) });
    expect(Object.keys(manifest.dependencies)).not.toContain('vitest');
    expect(Object.keys(manifest.dependencies).filter((name) => name.startsWith('@projectors/'))).toEqual([]);

    const connection = await readFile(path.join(outDir, 'node_modules/postgres/src/connection.js'), 'utf8');
    expect(connection).toContain('patched (porsager/postgres#1208)');

    const resolved = await resolveFrom(outDir, ['@projectors/projector-sdk', '@projectors/lens-rel', 'postgres', 'fastify']);
    for (const url of resolved) expect(url.startsWith(`${pathToFileURL(outDir).href}/node_modules/`), url).toBe(true);
    expect(resolved[0]).toMatch(/\/node_modules\/@projectors\/projector-sdk\/dist\/index\.js$/);
  });

  it('starts with `node main.js`, applies an event, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    // Only what the image sets: nothing of the test runner's environment leaks in.
    const env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      NODE_ENV: 'production',
      PROJECTOR_DATABASE_URL: db!.url,
      PROJECTOR_HOST: '127.0.0.1',
      PROJECTOR_PORT: String(port),
    };
    const proc = spawn(process.execPath, ['main.js'], { cwd: outDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const base = `http://127.0.0.1:${port}`;

    await waitForReady(base, proc, { timeoutMs: 30_000, output: () => output });
    const response = await fetch(`${base}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        global_seq: 1,
        event_id: 'e1',
        envelope: { world_id: WORLD_ID, branch: 'main', kind: 'note.created', payload: { id: 'n1', title: 't' } },
      }),
    });
    expect(response.status, output).toBe(200);
    expect(await response.json()).toEqual({ status: 'processed', global_seq: 1 });
    expect(await db!.sql`select note_id, title from lens_rel.note where world_id = ${WORLD_ID}`).toEqual([
      { note_id: 'n1', title: 't' },
    ]);

    proc.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }, output).toEqual({ code: 0, signal: null });
  });
});

async function run(command: string, args: string[]): Promise<void> {
  const startedAt = performance.now();
  try {
    await execFileAsync(command, args, {
      cwd: workspaceRoot,
      env: { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false', NX_NO_CLOUD: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${path.basename(command)} ${args.join(' ')} failed\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: err });
  }
  console.log(`${path.basename(command)} ${args.join(' ')}: ${Math.round(performance.now() - startedAt)} ms`);
}

/** `import.meta.resolve` from a module in `dir`, as `node main.js` there resolves: no extra conditions. */
async function resolveFrom(dir: string, specifiers: string[]): Promise<string[]> {
  const script = 'for (const s of JSON.parse(process.argv[1])) console.log(import.meta.resolve(s))';
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(specifiers)], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
  });
  return stdout.trim().split('\n');
}

