// Reading a whole input file safely: only regular files (a FIFO would block, /dev/zero would never
// end), at most a stated size, and the buffer sized from the file system's size, not from any header.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** An input file that cannot be read as data (not a regular file, too large, changed while read). */
export class InputFileError extends Error {
  override name = 'InputFileError';
}

/**
 * The whole content of the regular file `path` (at most `maxBytes`). Opens without blocking (so a FIFO
 * is refused rather than waited on), checks the kind and size, then reads exactly that many bytes.
 * Missing or unreadable files throw Node's error (ENOENT, EACCES) with `path`.
 */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputFileError(`${path}: is a directory, expected a file`);
    if (!st.isFile()) {
      const kind = st.isFIFO() ? 'a FIFO (named pipe)' : st.isCharacterDevice() ? 'a character device'
        : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a regular file';
      throw new InputFileError(`${path}: is ${kind}, expected a regular file`);
    }
    if (st.size > maxBytes) throw new InputFileError(`${path}: ${st.size} bytes, more than the ${maxBytes}-byte limit`);
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < st.size) {
      const r = readSync(fd, buf, got, st.size - got, null);
      if (r === 0) {
        throw new InputFileError(`${path}: ended after ${got} of ${st.size} bytes (did it change while being read?)`);
      }
      got += r;
    }
    if (readSync(fd, Buffer.alloc(1), 0, 1, null) !== 0) {
      throw new InputFileError(`${path}: grew past ${st.size} bytes while being read`);
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}
