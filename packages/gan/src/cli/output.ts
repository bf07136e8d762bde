// Writing a command's output files: atomically, with errors that name the file the user gave.
import { closeSync, mkdirSync, openSync, realpathSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { tempPathFor, writeFileAtomic } from '@spiking-gan/core';
import { CliError } from './fail.ts';

/**
 * Writes `data` to `path` atomically (temporary file, then rename); failures become one-line CliErrors naming
 * `path`.
 */
export function writeOutput(path: string, data: Uint8Array | string): void {
  prepareOutputFile(path);
  try {
    writeFileAtomic(path, data);
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${fsReason(err)}`);
  }
}

/** Plain words for a file-system error. */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? 'no such file or directory'
    : code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ENOTDIR' || code === 'EEXIST'
        ? 'a part of the path is a file, not a directory'
        : code === 'EISDIR'
          ? 'it is a directory; give a file name'
          : code === 'ENOSPC'
            ? 'no space left on the device'
            : code === 'EROFS'
              ? 'read-only file system'
              : code === 'EBUSY'
                ? 'the path is busy (is it a mount point or the current folder?)'
                : (err as Error).message;
}

/** Checks, before any work starts, that `path` can be written as a file: not a folder, in a writable folder. */
export function checkOutputFile(path: string): void {
  prepareOutputFile(path);
  probeFolder(dirname(resolve(path)), `cannot write ${path}`);
}

/** Refuses a path that is a directory and creates the folder of `path`; errors name `path`. */
function prepareOutputFile(path: string): void {
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

/** Checks, before any work starts, that `dir` is (or can be made) a folder, and (with `probe`) that it takes files. */
export function checkOutputDir(dir: string, probe = true): void {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (err) {
    throw new CliError(`cannot use ${dir} as the output folder: ${fsReason(err)}`);
  }
  if (probe) probeFolder(dir, `cannot write into the output folder ${dir}`);
}

/** Creates and removes an empty file with one of this tool's temporary names in `dir`; failures start with `what`. */
function probeFolder(dir: string, what: string): void {
  const probe = tempPathFor(resolve(dir, 'spiking-gan-probe'));
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (err) {
    throw new CliError(`${what}: ${fsReason(err)}`);
  }
  rmSync(probe, { force: true });
}

/** One command-line path: the option that gave it and the path. */
export type NamedPath = [option: string, path: string];

/**
 * Refuses outputs that name the same file as another output or as an input (it would be lost):
 * existing files are compared by device and inode, others by their resolved path.
 */
export function checkDistinct(outputs: NamedPath[], inputs: NamedPath[] = []): void {
  const all = [...outputs, ...inputs];
  outputs.forEach(([flag, path], i) => {
    for (const [other, otherPath] of all.slice(i + 1)) {
      if (fileKey(path) !== fileKey(otherPath)) continue;
      throw new CliError(`${flag} ${path} is the same file as ${other} ${otherPath}: give another path`);
    }
  });
}

function fileKey(path: string): string {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    const dir = dirname(resolve(path));
    let real = dir;
    try {
      real = realpathSync(dir);
    } catch {
      // the folder does not exist yet: compare the path as given
    }
    return resolve(real, basename(path));
  }
}
