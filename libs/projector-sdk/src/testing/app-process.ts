import { execFile, type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * A projector app as a real process, for end-to-end tests: build it through Nx, start `dist/main.js`
 * with a chosen environment, read its JSON log lines, wait for one, and see how it exits.
 */

/**
 * Builds an Nx project from the repository root; a cache hit when nothing changed takes seconds. The
 * build is a run of its own: Nx tracks nested runs by `NX_INVOCATION_ROOT_PID`, and two tests that
 * build the same library side by side under one `nx run-many` would be taken for a recursive loop.
 */
export async function nxBuild(repoRoot: string, project: string): Promise<void> {
  const { NX_INVOCATION_ROOT_PID: _nested, ...env } = process.env;
  try {
    await promisify(execFile)(path.join(repoRoot, 'node_modules/.bin/nx'), ['run', `${project}:build`, '--output-style=static'], {
      cwd: repoRoot,
      env: { ...env, NX_ISOLATE_PLUGINS: 'false', NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(`nx run ${project}:build failed:\n${stdout}\n${stderr}`);
  }
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface RunningApp {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  readonly stderr: () => string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line that matches, or fails if the process ends first. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

export interface StartAppOptions {
  /** The process's descriptor limit (`ulimit -n`), to see what it does when they run out. */
  readonly descriptorLimit?: number;
}

/** Spawns `node <mainJs>` with only the given PROJECTOR_* variables and follows its JSON log lines. */
export function startApp(mainJs: string, env: Record<string, string>, started: ChildProcess[] = [], options: StartAppOptions = {}): RunningApp {
  // Only what the test gives: no PROJECTOR_* leaks in from the shell that runs the tests.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PROJECTOR_') && k !== 'NODE_OPTIONS'));
  const [command, args] = options.descriptorLimit
    ? ['sh', ['-c', `ulimit -n ${options.descriptorLimit} && exec "$0" "$@"`, process.execPath, mainJs]]
    : [process.execPath, [mainJs]];
  const child = spawn(command, args, { cwd: path.dirname(path.dirname(mainJs)), env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
    // 'close', not 'exit': every line the process wrote has been read by then.
    child.on('close', (code, signal) => {
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
