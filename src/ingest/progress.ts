// A one-line progress bar for a terminal: redrawn at most ten times a second, and only when
// stderr is a TTY (a pipe or a log file gets nothing).

export interface ProgressBar {
  update(progress: { rows: number; bytes: number }): void;
  /** Erases the bar (before another line is written to the same stream, or at the end). */
  clear(): void;
}

const WIDTH = 24;

export function createProgressBar(
  stream: NodeJS.WriteStream,
  label: string,
  totalBytes: number | undefined,
  clock: () => number = Date.now,
): ProgressBar {
  if (!stream.isTTY) return { update: () => undefined, clear: () => undefined };
  const started = clock();
  let drawnAt = 0;
  let visible = false;
  let last = { rows: 0, bytes: 0 };
  const draw = () => {
    const seconds = Math.max((clock() - started) / 1000, 0.001);
    const rate = `${Math.round(last.rows / seconds).toLocaleString('en-US')} rows/s`;
    const rows = `${last.rows.toLocaleString('en-US')} rows`;
    let bar = '';
    if (totalBytes !== undefined && totalBytes > 0) {
      const share = Math.min(last.bytes / totalBytes, 1);
      const filled = Math.round(share * WIDTH);
      bar = `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  `;
    }
    stream.write(`\r\x1b[K${label} ${bar}${rows}  ${rate}`);
    visible = true;
  };
  return {
    update(progress) {
      last = progress;
      const now = clock();
      if (now - drawnAt < 100) return;
      drawnAt = now;
      draw();
    },
    clear() {
      if (visible) stream.write('\r\x1b[K');
      visible = false;
      drawnAt = 0;
    },
  };
}
