// Reading user files safely: only regular files (a FIFO would block, /dev/zero would never end), checked
// on the open descriptor (no race with a stat before the open), and never more bytes than asked for.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { InputFileError } from './errors.ts';

/** What a non-regular file is, in words. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A regular file open for reading: its size at open time and exact reads of byte ranges. */
export class RegularFile {
  private constructor(
    /** The path it was opened by (named in errors). */
    readonly path: string,
    private fd: number,
    /** Its size in bytes when it was opened. */
    readonly size: number,
  ) {}

  /**
   * Opens `path` without blocking (a FIFO is refused rather than waited on) and refuses anything but a
   * regular file (InputFileError). Missing or unreadable files throw Node's error (ENOENT, EACCES).
   */
  static open(path: string): RegularFile {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    let st: Stats;
    try {
      st = fstatSync(fd);
      const want = st.isDirectory() ? 'a file' : 'a regular file';
      if (!st.isFile()) throw new InputFileError(path, `is ${kindOf(st)}, expected ${want}`);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return new RegularFile(path, fd, st.size);
  }

  /** Exactly `length` bytes from `position`, in a fresh buffer (InputFileError if the file ends first). */
  read(position: number, length: number): Uint8Array {
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const r = readSync(this.fd, buf, got, length - got, position + got);
      if (r === 0) {
        throw new InputFileError(this.path, `ended after ${position + got} bytes, ${position + length} expected`);
      }
      got += r;
    }
    return buf;
  }

  /** The first `n` bytes, or the whole file when it is shorter. */
  head(n: number): Uint8Array {
    return this.read(0, Math.min(n, this.size));
  }

  /** Refuses a file that has grown past its size at open time (it changed while being read). */
  checkEnd(): void {
    if (readSync(this.fd, new Uint8Array(1), 0, 1, this.size) !== 0) {
      throw new InputFileError(this.path, `grew past ${this.size} bytes while being read`);
    }
  }

  /** Closes the file (again: no-op). */
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** Opens the regular file `path`, hands it to `use` and closes it whatever happens. */
export function withRegularFile<T>(path: string, use: (file: RegularFile) => T): T {
  const file = RegularFile.open(path);
  try {
    return use(file);
  } finally {
    file.close();
  }
}

/**
 * The whole regular file `path`, read only once `check` has accepted what its first bytes claim (it reads
 * them with `file.head` and throws when the claims do not match `file.size`): never more than the header says.
 */
export function readClaimedFile(path: string, check: (file: RegularFile) => void): Uint8Array {
  return withRegularFile(path, (file) => {
    check(file);
    const bytes = file.read(0, file.size);
    file.checkEnd();
    return bytes;
  });
}

/** The whole content of the regular file `path`, refused (InputFileError) when it is over `maxBytes`. */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  return withRegularFile(path, (file) => {
    if (file.size > maxBytes) {
      throw new InputFileError(path, `${file.size} bytes, more than the ${maxBytes}-byte limit`);
    }
    const bytes = file.read(0, file.size);
    file.checkEnd();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  });
}
