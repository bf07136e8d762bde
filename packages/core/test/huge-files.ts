// Test helpers for huge and hostile files: sparse files that take no disk space, and the growth of
// the process's peak memory while a reader refuses them.
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** 2^30 bytes. */
export const GB = 2 ** 30;

/** A sparse file `dir/name` of `size` bytes that starts with `head` (it takes no disk space). */
export function sparse(dir: string, name: string, size: number, head: Uint8Array = new Uint8Array(0)): string {
  const f = join(dir, name);
  writeFileSync(f, head);
  truncateSync(f, size);
  return f;
}

/** Runs `fn` and returns the growth of the process's peak resident memory (bytes) while it ran. */
export function peakGrowth(fn: () => void): number {
  const before = process.resourceUsage().maxRSS * 1024;
  fn();
  return process.resourceUsage().maxRSS * 1024 - before;
}
