import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, waitForReady } from '@projectors/dev-postgres';

export interface ProjectorProcess {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, then waits for a graceful exit; resolves with the CPU profile file when one was asked for. */
  stop(): Promise<string | undefined>;
}

export interface StartProjectorOptions {
  readonly root: string;
  readonly databaseUrl: string;
  /** Where the projector's own log goes. */
  readonly logFile: string;
  /** Run under `node --cpu-prof`, the profile written into this folder at exit. */
  readonly cpuProfileDir?: string;
  /** Extra `PROJECTOR_*` settings. */
  readonly env?: Readonly<Record<string, string>>;
  /** The script to run, relative to the root; default the production build of projector-rel. */
  readonly main?: string;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 40_000;

/** Starts `node apps/projector-rel/dist/main.js` (the production build) and waits for `GET /ready` to answer 200. */
export async function startProjector(options: StartProjectorOptions): Promise<ProjectorProcess> {
  const port = await freePort();
  const main = path.join(options.root, options.main ?? 'apps/projector-rel/dist/main.js');
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, main], {
    cwd: options.root,
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'production',
      PROJECTOR_DATABASE_URL: options.databaseUrl,
      PROJECTOR_PORT: String(port),
      PROJECTOR_HOST: '127.0.0.1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // The bench exits without stopping it (a crash, process.exit): it must not outlive the bench.
  const orphaned = () => child.kill('SIGTERM');
  process.once('exit', orphaned);
  void exited.then(() => process.removeListener('exit', orphaned));
  const url = `http://127.0.0.1:${port}`;

  try {
    await waitForReady(url, child, { timeoutMs: READY_TIMEOUT_MS });
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`projector-rel did not start: ${(err as Error).message}; see ${options.logFile}`, { cause: err });
  }

  let stopping: Promise<string | undefined> | undefined;
  return {
    url,
    pid: child.pid!,
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const code = await Promise.race([exited, sleep(STOP_TIMEOUT_MS, undefined, { ref: false }).then(() => 'timeout' as const)]);
          if (code === 'timeout') {
            child.kill('SIGKILL');
            await exited;
          }
        }
        log.end();
        if (!options.cpuProfileDir) return undefined;
        const profiles = (await readdir(options.cpuProfileDir)).filter((f) => f.endsWith('.cpuprofile'));
        return profiles.length > 0 ? path.join(options.cpuProfileDir, profiles.sort().at(-1)!) : undefined;
      })()),
  };
}
