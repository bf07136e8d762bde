// A progress line in the spirit of Brian2's: "x% done, y elapsed, estimated z remaining", plus live figures.

/** Formats seconds as `1h02m`, `3m05s` or `12.3s`. */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${s.toFixed(1)}s`;
}

/** A progress bar on stderr: redrawn in place on a terminal, one line per 10 % otherwise (logs, CI). */
export class Progress {
  private readonly start = performance.now();
  private lastDecile = -1;
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly quiet = false,
  ) {
    this.tty = process.stderr.isTTY === true;
  }

  /** Reports `done` of `total` units, with extra figures shown after the bar. */
  update(done: number, figures = ''): void {
    if (this.quiet) return;
    const now = performance.now();
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const elapsed = (now - this.start) / 1000;
    const remaining = frac > 0 ? (elapsed * (1 - frac)) / frac : Infinity;
    const pct = (frac * 100).toFixed(1).padStart(5);
    const text =
      `${this.label} ${pct}% done, ${formatDuration(elapsed)} elapsed, ` +
      `estimated ${formatDuration(remaining)} remaining${figures ? ` | ${figures}` : ''}`;
    if (this.tty) {
      if (now - this.lastDraw < 100 && frac < 1) return;
      this.lastDraw = now;
      const width = 24,
        filled = Math.round(frac * width);
      process.stderr.write(`\r[${'='.repeat(filled)}${' '.repeat(width - filled)}] ${text}\x1b[K`);
      if (frac >= 1) process.stderr.write('\n');
    } else {
      const decile = Math.floor(frac * 10);
      if (decile === this.lastDecile) return;
      this.lastDecile = decile;
      process.stderr.write(`${text}\n`);
    }
  }
}
