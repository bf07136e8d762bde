// A file written piece by piece, for outputs too large to hold as one string: the pieces go (buffered) to a
// temporary file beside the target, which `commit` fsyncs and renames over the target, or `discard` removes.
// File-system errors become one-line CliErrors naming the target.
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tempPathFor } from '@spiking-gan/core';
import { CliError } from './fail.ts';
import { fsReason } from './output.ts';

const FLUSH_AT = 1 << 20;

/** A temporary file beside `path` that text is appended to; `commit` puts it in place of `path`. */
export class StreamFile {
  private readonly tmp: string;
  private fd: number | null;
  private pending: string[] = [];
  private pendingLength = 0;
  private size = 0;

  constructor(readonly path: string) {
    this.tmp = tempPathFor(path);
    this.fd = this.io(() => openSync(this.tmp, 'wx+'));
  }

  /** Appends `text` (buffered). */
  write(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= FLUSH_AT) this.flush();
  }

  /** Appends everything written to `other` so far. */
  append(other: StreamFile): void {
    other.flush();
    this.flush();
    const chunk = Buffer.alloc(FLUSH_AT);
    for (let at = 0; at < other.size;) {
      const n = other.io(() => readSync(other.open(), chunk, 0, Math.min(chunk.length, other.size - at), at));
      if (n === 0) throw new CliError(`cannot write ${this.path}: its temporary file ended early`);
      this.writeBytes(chunk.subarray(0, n));
      at += n;
    }
  }

  /** Flushes, fsyncs and renames the file over `path`; on failure the temporary file is removed. */
  commit(): void {
    try {
      this.flush();
      this.io(() => fsyncSync(this.open()));
      this.close();
      this.io(() => renameSync(this.tmp, this.path));
    } catch (err) {
      this.discard();
      throw err;
    }
  }

  /** Closes and removes the temporary file (nothing happens to `path`); safe to call after `commit`. */
  discard(): void {
    try {
      this.close();
    } catch {
      // already failing: the removal below is what matters
    }
    rmSync(this.tmp, { force: true });
  }

  private flush(): void {
    if (this.pendingLength === 0) return;
    const bytes = Buffer.from(this.pending.join(''));
    this.pending = [];
    this.pendingLength = 0;
    this.writeBytes(bytes);
  }

  private writeBytes(bytes: Uint8Array): void {
    for (let off = 0; off < bytes.length;) {
      off += this.io(() => writeSync(this.open(), bytes, off, bytes.length - off, this.size + off));
    }
    this.size += bytes.length;
  }

  private open(): number {
    if (this.fd === null) throw new CliError(`cannot write ${this.path}: its temporary file is closed`);
    return this.fd;
  }

  private close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    this.io(() => closeSync(fd));
  }

  private io<T>(op: () => T): T {
    try {
      return op();
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`cannot write ${this.path}: ${fsReason(err)}`);
    }
  }
}
