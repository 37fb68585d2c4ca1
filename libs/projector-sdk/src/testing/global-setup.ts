/**
 * vitest `globalSetup`: finds one real PostgreSQL for the whole test run and provides its admin URL
 * (`inject('adminDatabaseUrl')`). Each spec file then creates its own database on it
 * (`createTestDatabase()` / `useTestDatabase()`).
 *
 * Where the PostgreSQL comes from, first match wins:
 *   1. `TEST_DATABASE_URL` (a superuser URL: tests CREATE/DROP databases);
 *   2. a Testcontainers `postgres:16-alpine` when a Docker engine answers;
 *   3. an ephemeral embedded PostgreSQL (`@projectors/dev-postgres`: works as root from any folder),
 *      removed at teardown.
 *
 * Referenced by path from vitest configs, never exported from `index.ts`.
 */
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { maskDatabaseUrl } from '../db/mask-url.js';
import { startEmbeddedPostgres } from '@projectors/dev-postgres';
import { ADMIN_DATABASE_URL_KEY } from './provided-context.js';

const DOCKER_CHECK_TIMEOUT_MS = 2_000;
const CONTAINER_IMAGE = 'postgres:16-alpine';
/** Spec files run in parallel, each with a pool of up to 10 connections. */
const MAX_CONNECTIONS = 300;
const TAG = '[projector-sdk/testing]';

interface AcquiredPostgres {
  source: string;
  url: string;
  release(): Promise<void>;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const startedAt = performance.now();
  const acquired = await acquirePostgres();
  let version: string;
  try {
    version = await serverVersion(acquired.url);
  } catch (err) {
    await acquired.release().catch(() => undefined);
    throw new Error(`${TAG} cannot connect to ${acquired.source} PostgreSQL at ${maskDatabaseUrl(acquired.url)}`, {
      cause: err,
    });
  }
  project.provide(ADMIN_DATABASE_URL_KEY, acquired.url);
  console.log(
    `${TAG} PostgreSQL ${version} from ${acquired.source}: ${maskDatabaseUrl(acquired.url)} ` +
      `(ready in ${Math.round(performance.now() - startedAt)} ms)`,
  );
  return () => acquired.release();
}

async function acquirePostgres(): Promise<AcquiredPostgres> {
  const fromEnv = process.env['TEST_DATABASE_URL']?.trim();
  if (fromEnv) return { source: 'TEST_DATABASE_URL', url: fromEnv, release: async () => undefined };

  const checkStarted = performance.now();
  const docker = await dockerEngineAnswers();
  const checkMs = Math.round(performance.now() - checkStarted);
  if (docker.ok) {
    try {
      return await startContainer();
    } catch (err) {
      console.warn(`${TAG} Docker answered but the ${CONTAINER_IMAGE} container failed; using embedded PostgreSQL`, err);
    }
  }
  const embedded = await startEmbedded();
  const why = docker.ok ? 'container failed' : `no Docker engine (${docker.reason ?? '?'}; checked in ${checkMs} ms)`;
  return { ...embedded, source: `${embedded.source}, ${why}` };
}

/** `getContainerRuntimeClient()` fails in a few ms without an engine, but a dead DOCKER_HOST may hang: bound it. */
async function dockerEngineAnswers(): Promise<{ ok: boolean; reason?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${DOCKER_CHECK_TIMEOUT_MS} ms`)), DOCKER_CHECK_TIMEOUT_MS);
        timer.unref();
      }),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

async function startContainer(): Promise<AcquiredPostgres> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(CONTAINER_IMAGE)
    .withCommand(['postgres', '-c', 'fsync=off', '-c', `max_connections=${MAX_CONNECTIONS}`])
    .start();
  return {
    source: `Testcontainers (${CONTAINER_IMAGE})`,
    url: container.getConnectionUri(),
    release: async () => {
      await container.stop();
    },
  };
}

async function startEmbedded(): Promise<AcquiredPostgres> {
  const cluster = await startEmbeddedPostgres({
    ephemeral: true,
    fsync: false,
    settings: { max_connections: MAX_CONNECTIONS },
    log: {
      info: (obj, msg) => {
        // Where the data (and, as root, the binaries) went: worth one line.
        if (msg?.includes('staged') || msg?.includes('as root')) console.log(`${TAG} ${msg}`, obj);
      },
      warn: (obj, msg) => console.warn(`${TAG} ${msg ?? ''}`, obj),
    },
  });
  return { source: `embedded (${cluster.dataDir})`, url: cluster.url, release: () => cluster.stop() };
}

async function serverVersion(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined, connect_timeout: 10 });
  try {
    const [row] = await sql<{ server_version: string }[]>`show server_version`;
    return row?.server_version ?? '?';
  } finally {
    await sql.end({ timeout: 5 });
  }
}
