#!/usr/bin/env node
/**
 * make image-test: runs a projector's image (made by make image) against a fresh database on the test
 * PostgreSQL and checks what an operator relies on, failing (exit 1) on the first check that does not hold:
 *
 *   node tools/standalone/image-test.mjs <docker|podman> <image>
 *
 * - no development-only package (the embedded PostgreSQL) anywhere in /app/node_modules;
 * - a HEALTHCHECK in the image's config (buildah's OCI format drops it without a word);
 * - GET /health answers 200, and the POST /events example of the image's own /openapi.json is
 *   answered `processed` (that example carries a valid envelope and payload_hash, see docs/contract.md);
 * - the HEALTHCHECK reports healthy; the process runs as uid 1000, not root;
 * - `stop` (SIGTERM) ends it with exit code 0, well within the grace period.
 *
 * Podman runs with `--runtime runc` (IMAGE_RUNTIME) and host networking, so the container reaches
 * 127.0.0.1:5432 (TEST_DATABASE_URL) and listens on a free port of the host. The container and the
 * database are removed whatever happens.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createFreshDatabase, freePort, waitForReady } from '@projectors/dev-postgres';
import { DEV_ONLY } from './dev-only.mjs';

const execFileAsync = promisify(execFile);
const shell = async (command) => (await execFileAsync('sh', ['-c', command])).stdout.trim();

const [runner, image] = process.argv.slice(2);
if (!['docker', 'podman'].includes(runner) || !image) {
  console.error('usage: node tools/standalone/image-test.mjs <docker|podman> <image>');
  process.exit(2);
}
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const runnerFlags = runner === 'podman' ? ['--runtime', process.env.IMAGE_RUNTIME ?? 'runc'] : [];
// Podman as root asks the kernel for 1048576 open files and the host's process count for a container;
// without CAP_SYS_RESOURCE (CI sandboxes) runc is refused (`error setting rlimit type 7`). Limits no
// higher than this shell's own are always granted, and a projector needs far fewer.
const ulimits = runner === 'podman' ? ['--ulimit', `nofile=${await shell('ulimit -Sn')}:${await shell('ulimit -Hn')}`, '--ulimit', 'nproc=4096:4096'] : [];
/** The stop timeout given to the engine: the SDK's 30 s drain plus a margin, as in docker-compose.yml. */
const STOP_TIMEOUT_S = 35;
/** A stop that takes longer than this has waited for something: an idle projector exits at once. */
const QUICK_STOP_MS = 5_000;
const HEALTHY_WITHIN_MS = 60_000;

const engine = async (...args) => (await execFileAsync(runner, [...runnerFlags, ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
const startedAt = Date.now();
const say = (message) => console.log(`[image-test ${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}`);
class CheckFailed extends Error {}
const check = (ok, message) => {
  if (!ok) throw new CheckFailed(message);
};

const name = `projectors-image-test-${process.pid}`;
let db;
let container;
let output = '';
try {
  const [inspected] = JSON.parse(await engine('image', 'inspect', image));
  const size = inspected.Size;
  say(`image ${image}: ${(size / 1e6).toFixed(0)} MB, user ${inspected.Config.User}`);
  // Docker keeps it in Config, podman beside it.
  const healthcheck = inspected.Config.Healthcheck ?? inspected.Healthcheck;
  check(healthcheck?.Test?.length > 0, 'the image has no HEALTHCHECK (built in OCI format? buildah needs --format docker)');

  // -path, not -name: `@projectors/dev-postgres` is a scoped name. Nested copies count too.
  const devOnly = DEV_ONLY.flatMap((pkg, i) => [...(i ? ['-o'] : []), '-path', `*/node_modules/${pkg}`]);
  const found = await engine('run', '--rm', ...ulimits, '--network', 'none', '--no-healthcheck', '--entrypoint', 'find', image, '/app/node_modules', '(', ...devOnly, ')', '-prune', '-print');
  check(found === '', `development-only packages in the image: ${found.split('\n').join(', ')}`);
  say(`no ${DEV_ONLY.join(' / ')} in /app/node_modules`);

  db = await createFreshDatabase(adminUrl, 'image_test');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = { PROJECTOR_DATABASE_URL: db.url, PROJECTOR_PORT: String(port) };
  // In the foreground: this child is the container's life (its output, its exit code).
  container = spawn(runner, [...runnerFlags, 'run', '--name', name, ...ulimits, '--network', 'host', ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), image], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => container.on('close', (code, signal) => resolve({ code, signal })));
  container.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  container.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));

  await waitForReady(baseUrl, container, { timeoutMs: HEALTHY_WITHIN_MS, output: () => output });
  const health = await fetch(`${baseUrl}/health`);
  check(health.status === 200, `GET /health answered ${health.status}, not 200`);
  say(`GET /ready 200, then GET /health 200, ${((Date.now() - startedAt) / 1000).toFixed(1)} s after the test began`);

  const doc = await (await fetch(`${baseUrl}/openapi.json`)).json();
  const media = doc.paths['/events']?.post?.requestBody?.content?.['application/json'];
  const event = media?.example ?? Object.values(media?.examples ?? {})[0]?.value;
  check(event !== undefined, 'no POST /events example in the image /openapi.json');
  const res = await fetch(`${baseUrl}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
  const answer = await res.json();
  check(res.status === 200 && answer.status === 'processed', `POST /events answered ${res.status} ${JSON.stringify(answer)}, not 200 processed`);
  say(`POST /events (global_seq ${event.global_seq}): 200 processed`);

  say(`HEALTHCHECK healthy after ${await healthy()} ms`);

  const pid = Number(await engine('inspect', '--format', '{{.State.Pid}}', name));
  // The host's view of the container's PID 1 (no user namespace here, so its uid is the real one).
  const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  check(uid === 1000, `the process runs as uid ${uid}, not 1000 (node)`);
  say('the process runs as uid 1000 (node)');

  const stopAt = Date.now();
  await engine('stop', '--time', String(STOP_TIMEOUT_S), name);
  const stopMs = Date.now() - stopAt;
  const { code } = await exited;
  const exitCode = Number(await engine('inspect', '--format', '{{.State.ExitCode}}', name));
  check(exitCode === 0 && code === 0, `after SIGTERM the container exited ${exitCode} (${runner} run: ${code}), not 0`);
  check(stopMs < QUICK_STOP_MS, `stop took ${stopMs} ms: SIGTERM did not end the process at once`);
  say(`SIGTERM: exit code 0 in ${(stopMs / 1000).toFixed(1)} s`);
  say(`passed: ${image} (${(size / 1e6).toFixed(0)} MB)`);
} catch (err) {
  console.error(`[image-test] FAILED: ${err instanceof CheckFailed ? err.message : (err.stack ?? err)}`);
  if (output) console.error(`--- container output ---\n${output.slice(-4000)}`);
  process.exitCode = 1;
} finally {
  await engine('rm', '--force', name).catch(() => undefined);
  await db?.drop().catch((err) => {
    console.error(`[image-test] could not drop database ${db.name}: ${err.message}`);
    process.exitCode = 1;
  });
}

/**
 * Milliseconds until the engine says the HEALTHCHECK passes. Docker runs it on its own schedule;
 * podman without systemd has no timer for it, so `podman healthcheck run` runs it (and records it).
 */
async function healthy() {
  const began = Date.now();
  for (;;) {
    if (runner === 'podman') await engine('healthcheck', 'run', name).catch(() => undefined);
    const state = JSON.parse(await engine('inspect', '--format', '{{json .State.Health}}', name));
    const status = state?.Status ?? state?.status;
    if (status === 'healthy') return Date.now() - began;
    check(Date.now() - began < HEALTHY_WITHIN_MS, `the HEALTHCHECK is '${status}' after ${HEALTHY_WITHIN_MS / 1000} s: ${JSON.stringify(state?.Log?.at?.(-1) ?? state)}`);
    await sleep(500);
  }
}
