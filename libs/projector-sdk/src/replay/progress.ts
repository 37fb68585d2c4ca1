/**
 * A one-line progress bar on stderr, redrawn in place; silent when stderr is not a terminal, so
 * logs and CI output stay clean.
 */
export function progressBar(total: number, label: string, stream: NodeJS.WriteStream = process.stderr) {
  const enabled = Boolean(stream.isTTY) && total > 0;
  const width = 30;
  return {
    update(done: number, detail = '') {
      if (!enabled) return;
      const filled = Math.round((Math.min(done, total) / total) * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${detail}`.padEnd(100));
    },
    done() {
      if (enabled) stream.write('\n');
    },
  };
}
