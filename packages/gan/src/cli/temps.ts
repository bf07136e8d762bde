// Clearing the temporary files that a killed run left behind, and nothing else: only regular files whose
// name is a temporary name of this tool (`.<target>.sgan-<pid>-<12 hex>.tmp`) for one of the given
// output files, made by a process that is gone.
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempFileOwner } from '@spiking-gan/core';

/** Removes from `dir` the temporary files of `targets` (bare names) whose writer is gone; returns their names. */
export function removeStaleTemps(dir: string, targets: readonly string[]): string[] {
  const removed: string[] = [];
  for (const f of readdirSync(dir)) {
    const pid = targets.map((t) => tempFileOwner(f, t)).find((p) => p !== null);
    if (pid === undefined || pid === null || alive(pid) || !lstatSync(join(dir, f)).isFile()) continue;
    rmSync(join(dir, f), { force: true });
    removed.push(f);
  }
  return removed;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
