import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 100;

/**
 * Polls `GET <baseUrl>/ready` until it answers 200: the one spawn-then-wait helper of the tests and
 * tools. Readiness, not liveness (`/health`): the process then has its database, its migrations and
 * its loops, so the first event sent is applied. Fails as soon as `child` exits, or after `timeoutMs`;
 * `output()` is added to the error.
 */
export async function waitForReady(baseUrl: string, child: ChildProcess, options: { timeoutMs?: number; output?: () => string } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const said = () => (options.output ? `\n${options.output()}` : '');
  for (const deadline = Date.now() + timeoutMs; ; await sleep(POLL_MS)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the process exited (${child.exitCode ?? child.signalCode}) before ${baseUrl}/ready answered 200${said()}`);
    }
    const res = await fetch(`${baseUrl}/ready`).catch(() => undefined);
    if (res?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`${baseUrl}/ready did not answer 200 in ${timeoutMs / 1000} s${said()}`);
  }
}
