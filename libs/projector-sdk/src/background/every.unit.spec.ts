import type { Logger } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { repeat } from './every.js';

const fakeLog = () => ({ error: vi.fn() }) as unknown as Logger & { error: ReturnType<typeof vi.fn> };

describe('repeat()', () => {
  it('keeps going after a failure, reporting it, and stops when the signal aborts', async () => {
    const controller = new AbortController();
    const log = fakeLog();
    const onError = vi.fn();
    let calls = 0;
    const task = async () => {
      calls++;
      if (calls === 5) controller.abort();
      if (calls === 1 || calls === 3) throw new Error(`boom ${calls}`);
    };
    await repeat(task, { name: 'probe', intervalMs: 1, backoffMs: 1, signal: controller.signal, log, onError });
    expect(calls).toBe(5);
    expect(onError.mock.calls.map(([err]) => (err as Error).message)).toEqual(['boom 1', 'boom 3']);
    expect(log.error).toHaveBeenCalledTimes(2);
    expect(log.error.mock.calls[0]![0]).toMatchObject({ task: 'probe', err: expect.any(Error) });
  });

  it('returns at once when aborted while waiting, without running the task', async () => {
    const controller = new AbortController();
    const task = vi.fn(() => Promise.resolve());
    const started = performance.now();
    const done = repeat(task, { name: 'idle', intervalMs: 60_000, backoffMs: 60_000, signal: controller.signal, log: fakeLog() });
    setTimeout(() => controller.abort(), 10);
    await done;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(task).not.toHaveBeenCalled();
  });

  it('does not start at all when the signal is already aborted', async () => {
    const task = vi.fn(() => Promise.resolve());
    await repeat(task, { name: 'never', intervalMs: 1, backoffMs: 1, signal: AbortSignal.abort(), log: fakeLog() });
    expect(task).not.toHaveBeenCalled();
  });

  it('waits the backoff, not the interval, after a failure', async () => {
    const controller = new AbortController();
    let calls = 0;
    const done = repeat(
      async () => {
        calls++;
        throw new Error('down');
      },
      { name: 'backoff', intervalMs: 1, backoffMs: 60_000, signal: controller.signal, log: fakeLog() },
    );
    await vi.waitFor(() => expect(calls).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(1); // at a 1 ms interval there would be dozens by now
    controller.abort();
    await done;
  });

  it('a failure of the task that was running when the signal aborted is not reported', async () => {
    const controller = new AbortController();
    const onError = vi.fn();
    const log = fakeLog();
    await repeat(
      async () => {
        controller.abort();
        throw new Error('interrupted by shutdown');
      },
      { name: 'shutdown', intervalMs: 1, backoffMs: 1, signal: controller.signal, log, onError },
    );
    expect(onError).not.toHaveBeenCalled();
    expect(log.error).not.toHaveBeenCalled();
  });
});
