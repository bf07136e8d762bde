import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** This library's temporary file names: `.<target name>.sgan-<pid>-<12 hex digits>.tmp`. */
const TEMP_NAME = /^\.(.+)\.sgan-(\d+)-[0-9a-f]{12}\.tmp$/;

/** A new temporary path beside `path`: `.<name>.sgan-<pid>-<12 hex digits>.tmp` in the same folder. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.sgan-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

/** The pid that made `file` as a temporary file of `target` (both bare file names), or null if it is not one. */
export function tempFileOwner(file: string, target: string): number | null {
  const m = TEMP_NAME.exec(file);
  return m !== null && m[1] === target ? Number(m[2]) : null;
}

/** Write `data` to `path` atomically: temp file in the same directory, fsync, rename over the target. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    writeFileSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; keep the original error
      }
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}
