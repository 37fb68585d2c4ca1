const WIDTH = 30;
const EVERY_MS = 200;

export interface ProgressBar {
  update(done: number, retries: number, parked: number): void;
  finish(): void;
}

/** A one-line bar on a terminal, redrawn at most every 200 ms; nothing at all when `stream` is not a TTY. */
export function progressBar(total: number, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY || total === 0) return { update: () => undefined, finish: () => undefined };
  const started = performance.now();
  let last = 0;
  let drawn = false;
  const draw = (done: number, retries: number, parked: number) => {
    const share = Math.min(1, done / total);
    const filled = Math.round(share * WIDTH);
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    stream.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ` +
        `${done}/${total} events  ${rate} ev/s  retries ${retries}  parked ${parked}\u001b[K`,
    );
    drawn = true;
  };
  let latest: [number, number, number] = [0, 0, 0];
  return {
    update(done, retries, parked) {
      latest = [done, retries, parked];
      const now = performance.now();
      if (now - last < EVERY_MS && done < total) return;
      last = now;
      draw(done, retries, parked);
    },
    finish() {
      draw(...latest);
      if (drawn) stream.write('\n');
    },
  };
}
