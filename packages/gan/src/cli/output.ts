// Writing a command's output files: atomically, with errors that name the file the user gave.
import { statSync } from 'node:fs';
import { writeFileAtomic } from '@spiking-gan/core';
import { CliError } from './fail.ts';

/** Writes `data` to `path` atomically (temporary file, then rename); failures become one-line CliErrors naming `path`. */
export function writeOutput(path: string, data: Uint8Array | string): void {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // does not exist yet: fine
  }
  if (isDir) throw new CliError(`cannot write ${path}: it is a directory; give a file name`);
  try {
    writeFileAtomic(path, data);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : code === 'ENOTDIR' ? 'a part of the path is not a directory'
      : code === 'ENOSPC' ? 'no space left on the device'
      : code === 'EROFS' ? 'read-only file system'
      : (err as Error).message;
    throw new CliError(`cannot write ${path}: ${why}`);
  }
}
