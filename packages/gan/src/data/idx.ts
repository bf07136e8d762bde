// IDX files (the MNIST container): big-endian header `00 00 08 ndim`, ndim uint32 sizes, then the bytes.
// Only unsigned-byte payloads (type 0x08) with 1 to 4 dimensions are accepted.
import { readClaimedFile, writeFileAtomic } from '@spiking-gan/core';
import { basename } from 'node:path';

/** A malformed or unsupported IDX file; the message names the file and the problem. */
export class IdxError extends Error {
  override name = 'IdxError';
}

/** A decoded IDX array: its sizes and a view on its bytes (row-major). */
export interface Idx {
  dims: number[];
  data: Uint8Array;
}

const TYPE_UBYTE = 0x08;
const MAX_DIMS = 4;
/** Largest payload we agree to describe (2 GiB); bigger headers are corrupt for our purposes. */
const MAX_BYTES = 2 ** 31;

function checkDims(dims: readonly number[], file: string): number {
  if (dims.length < 1 || dims.length > MAX_DIMS) {
    throw new IdxError(`${file}: ${dims.length} dimensions, only 1 to ${MAX_DIMS} are supported`);
  }
  let size = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 1 || d > 0xffffffff) {
      throw new IdxError(`${file}: dims ${dims.join(' x ')} contain ${d}, sizes must be positive uint32`);
    }
    size *= d;
  }
  if (size > MAX_BYTES)
    throw new IdxError(`${file}: header says ${dims.join(' x ')} = ${size} bytes, more than the 2 GiB limit`);
  return size;
}

/** What an IDX header says: the sizes, the header's length and the payload's. */
export interface IdxHeader {
  dims: number[];
  header: number;
  size: number;
}

/**
 * The header of an IDX file of `total` bytes whose first bytes `head(n)` returns (fewer when the file is
 * shorter), checked against `total`: a header that claims more or less payload than the file holds is refused.
 */
export function idxHeader(head: (n: number) => Uint8Array, total: number, file: string): IdxHeader {
  const bytes = head(4 + 4 * MAX_DIMS);
  if (total < 4) throw new IdxError(`${file}: ${total} bytes, too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxError(`${file}: bad magic ${hex(bytes.subarray(0, 4))}, expected 00 00 08 <ndim>`);
  }
  if (bytes[2] !== TYPE_UBYTE) {
    throw new IdxError(`${file}: type code 0x${hex(bytes.subarray(2, 3))}, only 0x08 (unsigned byte) is supported`);
  }
  const ndim = bytes[3];
  if (ndim < 1 || ndim > MAX_DIMS) {
    throw new IdxError(`${file}: ${ndim} dimensions, only 1 to ${MAX_DIMS} are supported`);
  }
  const header = 4 + 4 * ndim;
  if (total < header) throw new IdxError(`${file}: ${total} bytes, too short for a ${ndim}-D header (${header} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, header);
  const dims: number[] = [];
  for (let k = 0; k < ndim; k++) dims.push(view.getUint32(4 + 4 * k, false));
  const size = checkDims(dims, file);
  const payload = total - header;
  if (payload !== size) {
    throw new IdxError(`${file}: payload is ${payload} bytes, header says ${size} (${dims.join(' x ')})`);
  }
  return { dims, header, size };
}

/** Decode IDX bytes; `data` is a view on `bytes` (no copy). Throws IdxError on anything malformed. */
export function decodeIdx(bytes: Uint8Array, file = '<buffer>'): Idx {
  const { dims, header, size } = idxHeader((n) => bytes.subarray(0, n), bytes.length, file);
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + header, size) };
}

/**
 * Reads and decodes an IDX file: a regular file only (not a FIFO or a device), read whole only once its
 * header matches its size. Errors name the file's base name.
 */
export function readIdx(path: string): Idx {
  const name = basename(path);
  return decodeIdx(
    readClaimedFile(path, (f) => idxHeader((n) => f.head(n), f.size, name)),
    name,
  );
}

function header(dims: readonly number[], data: Uint8Array): Uint8Array {
  const size = checkDims(dims, '<encode>');
  if (data.length !== size)
    throw new IdxError(`<encode>: data is ${data.length} bytes, dims say ${size} (${dims.join(' x ')})`);
  const h = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(h.buffer);
  h[2] = TYPE_UBYTE;
  h[3] = dims.length;
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  return h;
}

/** Encode an unsigned-byte IDX file (header + a copy of `data`). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const h = header(dims, data);
  const out = new Uint8Array(h.length + data.length);
  out.set(h);
  out.set(data, h.length);
  return out;
}

/** Write an IDX file atomically (temp file in the same folder, then rename). */
export function writeIdx(path: string, dims: number[], data: Uint8Array): void {
  writeFileAtomic(path, encodeIdx(dims, data));
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
