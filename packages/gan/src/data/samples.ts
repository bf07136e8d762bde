// Sample files judged by `spiking-gan eval --samples`: 28 × 28 grey images from any generator, as an
// IDX file of unsigned bytes (what `spiking-gan sample` writes) or a NumPy .npy file (uint8 0..255,
// or float32 / float64 in [0, 1]); and their optional labels (IDX 1-D bytes or a 1-D .npy of integers).
// The format is recognised from the content, not the file name. Every value is checked.
import { readClaimedFile } from '@spiking-gan/core';
import { decodeIdx, idxHeader } from './idx.ts';
import { MNIST_PIXELS, MNIST_SIDE } from './mnist.ts';
import { decodeNpy, isNpy, npyGetter, npyHeader, type Npy } from './npy.ts';

/** A sample or labels file whose content is not what `eval --samples` can judge; the message names the file. */
export class SampleFileError extends Error {
  override name = 'SampleFileError';
}

/** Images read from a sample file, as grey bytes. */
export interface SampleImages {
  /** Images in the file. */
  total: number;
  /** Images returned (the first `n` of the file; fewer than `total` when a limit was given). */
  n: number;
  /** n × 784 bytes, image after image. */
  images: Uint8Array;
  /** What the file holds, e.g. "IDX uint8 10000 × 28 × 28" or ".npy float32 (500, 784), values in [0, 1] …". */
  description: string;
}

const PIXELS = MNIST_PIXELS;

function head(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** IDX or .npy, from the first bytes; anything else is refused. */
type Decoded = { kind: 'idx'; dims: number[]; data: Uint8Array } | { kind: 'npy'; npy: Npy };

const isIdx = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0 && bytes[1] === 0;

function decode(bytes: Uint8Array, path: string): Decoded {
  if (isNpy(bytes)) return { kind: 'npy', npy: decodeNpy(bytes, path) };
  if (isIdx(bytes)) return { kind: 'idx', ...decodeIdx(bytes, path) };
  throw new SampleFileError(
    `${path}: neither an IDX file (00 00 08 <ndim>) nor a .npy file (\\x93NUMPY); it starts with ${head(bytes)}`,
  );
}

/** The file `path` decoded; a regular file only, read whole only once its header (IDX or .npy) matches its size. */
function readDecoded(path: string): Decoded {
  const bytes = readClaimedFile(path, (f) => {
    const first = f.head(6);
    if (isNpy(first)) npyHeader((n) => f.head(n), f.size, path);
    else if (isIdx(first)) idxHeader((n) => f.head(n), f.size, path);
    else decode(first, path); // refused with the message above
  });
  return decode(bytes, path);
}

function imageCount(shape: number[], path: string, what: string): number {
  const ok =
    (shape.length === 3 && shape[1] === MNIST_SIDE && shape[2] === MNIST_SIDE) ||
    (shape.length === 2 && shape[1] === PIXELS);
  if (!ok) {
    throw new SampleFileError(`${path}: ${what} of shape (${shape.join(', ')}), expected (n, 28, 28) or (n, 784)`);
  }
  if (shape[0] < 1) throw new SampleFileError(`${path}: holds no images (shape (${shape.join(', ')}))`);
  return shape[0];
}

/**
 * Reads the images of a sample file: IDX unsigned bytes n × 28 × 28 (or n × 784), or .npy of shape
 * (n, 28, 28) or (n, 784) with dtype uint8 (0..255) or float32 / float64 (every value in [0, 1], no NaN;
 * rounded to the nearest of 256 grey levels). `limit` keeps the first `limit` images; every value of
 * the file is checked all the same.
 */
export function readSampleImages(path: string, limit?: number): SampleImages {
  const d = readDecoded(path);
  if (d.kind === 'idx') {
    const total = imageCount(d.dims, path, `IDX uint8 data`);
    const n = Math.min(total, limit ?? total);
    return { total, n, images: d.data.subarray(0, n * PIXELS), description: `IDX uint8 ${d.dims.join(' × ')}` };
  }
  const a = d.npy;
  const shape = `(${a.shape.join(', ')})`;
  if (a.fortranOrder) throw new SampleFileError(`${path}: a Fortran-order array; save it with np.ascontiguousarray(x)`);
  const { kind, size, descr, littleEndian } = a.dtype;
  const isByte = kind === 'u' && size === 1;
  const name =
    `${kind === 'f' ? 'float' : kind === 'u' ? 'uint' : 'int'}${8 * size}` +
    (size > 1 && !littleEndian ? ' big-endian' : '');
  if (!isByte && kind !== 'f') {
    const want = 'expected uint8 (0..255) or float32 / float64 (values in [0, 1])';
    throw new SampleFileError(`${path}: dtype ${name} ('${descr}'), ${want}`);
  }
  const total = imageCount(a.shape, path, `.npy ${name} data`);
  const n = Math.min(total, limit ?? total);
  if (isByte) return { total, n, images: a.data.subarray(0, n * PIXELS), description: `.npy uint8 ${shape}` };
  const get = npyGetter(a);
  const images = new Uint8Array(n * PIXELS);
  for (let k = 0, all = total * PIXELS; k < all; k++) {
    const v = get(k);
    if (!(v >= 0 && v <= 1)) {
      const where = `image ${Math.floor(k / PIXELS)}, pixel ${k % PIXELS}`;
      if (Number.isNaN(v)) throw new SampleFileError(`${path}: ${where} is NaN`);
      const hint =
        Number.isInteger(v) && v > 1 && v <= 255
          ? ' (grey levels 0..255? divide by 255, or save the array as uint8)'
          : '';
      throw new SampleFileError(`${path}: ${where} is ${v}, float values must be in [0, 1]${hint}`);
    }
    if (k < images.length) images[k] = Math.round(v * 255);
  }
  return { total, n, images, description: `.npy ${name} ${shape}, values in [0, 1] rounded to 256 grey levels` };
}

/**
 * Reads a labels file for `total` images (IDX 1-D unsigned bytes, or a 1-D .npy of integers) and
 * returns the first `n` labels; every label of the file must be a whole number 0..9.
 */
export function readSampleLabels(path: string, total: number, n = total): Uint8Array {
  const d = readDecoded(path);
  let shape: number[];
  let get: (k: number) => number;
  if (d.kind === 'idx') {
    shape = d.dims;
    get = (k) => d.data[k];
  } else {
    shape = d.npy.shape;
    if (d.npy.dtype.kind === 'f') {
      throw new SampleFileError(`${path}: dtype '${d.npy.dtype.descr}' (floats), labels must be integers 0..9`);
    }
    get = npyGetter(d.npy);
  }
  if (shape.length !== 1) {
    throw new SampleFileError(`${path}: labels of shape (${shape.join(', ')}), expected 1-D (n,)`);
  }
  if (shape[0] !== total) throw new SampleFileError(`${path}: ${shape[0]} labels for ${total} images`);
  const out = new Uint8Array(n);
  for (let k = 0; k < total; k++) {
    const y = get(k);
    if (!(Number.isInteger(y) && y >= 0 && y <= 9)) {
      throw new SampleFileError(`${path}: label ${k} is ${y}, expected 0..9`);
    }
    if (k < n) out[k] = y;
  }
  return out;
}
