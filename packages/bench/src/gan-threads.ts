// GAN part, training throughput on threads: `spiking-gan train` of the default recipe (relu-cond)
// for a few steps on 1 thread and on N (`--workers N`, data-parallel), each in its own process, with
// the steps per second the run reports (figures.json: from its first step; the threads start before).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The `spiking-gan` command of the gan package bench depends on (its entry is one folder below the package's root). */
const BIN = join(dirname(createRequire(import.meta.url).resolve('@spiking-gan/gan')), '..', 'bin', 'spiking-gan.mjs');

/** One run: threads, steps, steps per second (null when the run was refused: `note` says why). */
export interface GanThreadsRow {
  threads: number;
  steps: number;
  stepsPerSecond: number | null;
  note?: string;
}

/** Options: steps per run, the thread counts (default 1 and 2), seed, progress log. */
export interface GanThreadsOptions {
  steps: number;
  threads?: number[];
  seed?: number;
  log?: (line: string) => void;
}

/** Trains the default recipe for `steps` steps on each thread count, in a fresh process each. */
export function benchGanThreads(o: GanThreadsOptions): GanThreadsRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'sgan-bench-threads-'));
  try {
    return (o.threads ?? [1, 2]).map((threads) => {
      o.log?.(`gan: relu-cond, ${o.steps} steps on ${threads} thread${threads === 1 ? '' : 's'}`);
      const out = join(dir, `t${threads}`);
      const args = ['train', '--steps', String(o.steps), '--seed', String(o.seed ?? 0), '--samples', '1'];
      const r = spawnSync(process.execPath, [BIN, ...args, '--workers', String(threads), '--out', out, '--quiet'], {
        encoding: 'utf8',
      });
      if (r.status !== 0) return { threads, steps: o.steps, stepsPerSecond: null, note: r.stderr.trim() };
      const figures = JSON.parse(readFileSync(join(out, 'figures.json'), 'utf8')) as { stepsPerSecond: number };
      return { threads, steps: o.steps, stepsPerSecond: figures.stepsPerSecond };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
