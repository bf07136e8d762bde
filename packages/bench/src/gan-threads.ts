// GAN part, training throughput on threads: `spiking-gan train` of the default recipe (relu-cond)
// for a few steps on 1 thread and on N (`--workers N`, data-parallel), each in its own process, with
// the steps per second the run reports (figures.json: from its first step; the threads start before).
// The thread counts take turns, `repeats` rounds, and each row is the median of its runs: on a shared
// machine one run's speed moves by a fifth from minute to minute.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The `spiking-gan` command of the gan package bench depends on (its entry is one folder below the package's root). */
const BIN = join(dirname(createRequire(import.meta.url).resolve('@spiking-gan/gan')), '..', 'bin', 'spiking-gan.mjs');

/** A thread count: steps per run, the median steps per second of its runs (null when refused: `note` says why). */
export interface GanThreadsRow {
  threads: number;
  steps: number;
  stepsPerSecond: number | null;
  /** Each run's steps per second, in the order they ran (absent in older reports: one run). */
  runs?: number[];
  note?: string;
}

/** Options: steps per run, the thread counts (default 1 and 2), rounds (default 3), seed, progress log. */
export interface GanThreadsOptions {
  steps: number;
  threads?: number[];
  repeats?: number;
  seed?: number;
  log?: (line: string) => void;
}

/** Trains the default recipe for `steps` steps on each thread count, in a fresh process each, `repeats` rounds. */
export function benchGanThreads(o: GanThreadsOptions): GanThreadsRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'sgan-bench-threads-')),
    counts = o.threads ?? [1, 2],
    repeats = o.repeats ?? 3;
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new RangeError(`repeats must be an integer >= 1, got ${repeats}`);
  try {
    const rows: GanThreadsRow[] = counts.map((threads) => ({
      threads,
      steps: o.steps,
      stepsPerSecond: null,
      runs: [],
    }));
    for (let r = 0; r < repeats; r++) {
      for (const row of rows) {
        if (row.note !== undefined) continue; // refused once: refused every time
        const { threads } = row;
        o.log?.(
          `gan: relu-cond, ${o.steps} steps on ${threads} thread${threads === 1 ? '' : 's'} (${r + 1}/${repeats})`,
        );
        const out = join(dir, `t${threads}-${r}`);
        const args = ['train', '--steps', String(o.steps), '--seed', String(o.seed ?? 0), '--samples', '1'];
        const p = spawnSync(process.execPath, [BIN, ...args, '--workers', String(threads), '--out', out, '--quiet'], {
          encoding: 'utf8',
        });
        if (p.status !== 0) {
          row.note = p.stderr.trim();
          row.runs = [];
          continue;
        }
        const figures = JSON.parse(readFileSync(join(out, 'figures.json'), 'utf8')) as { stepsPerSecond: number };
        row.runs!.push(figures.stepsPerSecond);
      }
    }
    for (const row of rows) if (row.note === undefined) row.stepsPerSecond = median(row.runs!);
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b),
    h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}
