// Writing a command's output files: atomically, with errors that name the file the user gave.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '@spiking-gan/core';
import { CliError } from './fail.ts';

/** Writes `data` to `path` atomically (temporary file, then rename); failures become one-line CliErrors naming `path`. */
export function writeOutput(path: string, data: Uint8Array | string): void {
  checkOutputFile(path);
  try {
    writeFileAtomic(path, data);
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${fsReason(err)}`);
  }
}

/** Plain words for a file-system error. */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file or directory'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'ENOTDIR' || code === 'EEXIST' ? 'a part of the path is a file, not a directory'
    : code === 'EISDIR' ? 'it is a directory; give a file name'
    : code === 'ENOSPC' ? 'no space left on the device'
    : code === 'EROFS' ? 'read-only file system'
    : code === 'EBUSY' ? 'the path is busy (is it a mount point or the current folder?)'
    : (err as Error).message;
}

/** Checks, before any work starts, that `path` can be written as a file: not a directory, its folder created. */
export function checkOutputFile(path: string): void {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // does not exist yet: fine
  }
  if (isDir) throw new CliError(`cannot write ${path}: it is a directory; give a file name`);
  try {
    mkdirSync(dirname(resolve(path)), { recursive: true });
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${fsReason(err)}`);
  }
}

/** Checks, before any work starts, that `dir` is (or can be made) a folder. */
export function checkOutputDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (err) {
    throw new CliError(`cannot use ${dir} as the output folder: ${fsReason(err)}`);
  }
}
