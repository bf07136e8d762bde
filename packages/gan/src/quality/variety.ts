// Within-class variety: the mean pairwise pixel L2 distance (pixels in [0, 1], √Σ over the
// 784 pixels) among the images of one class, over the same quantity for reference digits of that
// class (MNIST test). 1.0 = as varied as real digits; a generator of one template per class scores
// far lower (≈ 0.3) and can still look confident to the judge, so read it beside the FID.
//
// Exact and deterministic: squared distances are whole numbers in byte units (‖a‖² + ‖b‖² − 2 a·b,
// every term an integer below 2^26), each is square-rooted once and the square roots are summed in a
// fixed order. A class with more than `maxPerClass` images is reduced to a seeded sample of that many.
import { Rng } from '@spiking-gan/core';
import { MNIST_CLASSES, MNIST_PIXELS } from '../data/mnist.ts';
import { sampleIndices } from './nearest.ts';

const D = MNIST_PIXELS;
const C = MNIST_CLASSES;

/** Default cap on the images of one class that enter the pairwise mean (MNIST test has at most 1,135 per digit). */
export const VARIETY_MAX_PER_CLASS = 2000;

/** Options of `classDistances` and `withinClassVariety`. */
export interface VarietyOptions {
  /** Larger classes are reduced to a seeded sample of this many images (default `VARIETY_MAX_PER_CLASS`). */
  maxPerClass?: number;
  /** Seed of those samples (default 0). */
  seed?: number;
}

/** Mean pairwise distance among the images of each class. */
export interface ClassDistances {
  /** count[c]: images labelled c. */
  count: number[];
  /** used[c]: images of class c that entered the mean (count[c], or maxPerClass when the class was sampled). */
  used: number[];
  /** meanDistance[c]: mean pairwise L2 distance in [0, 1] pixel units; null when fewer than 2 images. */
  meanDistance: (number | null)[];
  maxPerClass: number;
  seed: number;
}

/** Within-class variety of a set of images against a reference set. */
export interface WithinClassVariety {
  /** perClass[c]: the images' mean pairwise distance in class c over the reference's; null when not available. */
  perClass: (number | null)[];
  /** Mean of the available per-class ratios; null when no class has one. */
  mean: number | null;
  /** Classes in that mean (those with at least 2 images here and in the reference). */
  classesCounted: number;
  /** Where the images' classes came from (e.g. "judge's predictions", "generator", a labels file). */
  labelSource: string;
  samples: ClassDistances;
  reference: ClassDistances;
}

function checkLabels(labels: ArrayLike<number>, n: number, who: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${who}: n must be a non-negative integer, got ${n}`);
  if (labels.length < n) throw new RangeError(`${who}: ${labels.length} labels for ${n} images`);
  for (let k = 0; k < n; k++) {
    const y = labels[k];
    if (!(Number.isInteger(y) && y >= 0 && y < C)) throw new RangeError(`${who}: label ${k} is ${y}, expected 0..9`);
  }
}

/**
 * Mean pairwise L2 distance ([0, 1] pixel units) among m images (784 bytes each) picked from `images`
 * by `idx`; NaN when m < 2. Cost m²/2 × (non-zero pixels of an image) multiply-adds.
 */
export function meanPairwiseDistance(images: Uint8Array, idx: ArrayLike<number>): number {
  const m = idx.length;
  if (m < 2) return NaN;
  // pixel-major copy: cols[p * m + j] = pixel p of image j, so the inner loop runs over images
  const cols = new Uint8Array(D * m);
  const sq = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const o = idx[j] * D;
    if (!(o >= 0 && o + D <= images.length)) {
      throw new RangeError(`meanPairwiseDistance: image ${idx[j]} is outside the ${images.length / D} images`);
    }
    let s = 0;
    for (let p = 0; p < D; p++) {
      const v = images[o + p];
      cols[p * m + j] = v;
      s += v * v;
    }
    sq[j] = s;
  }
  const dots = new Float64Array(m);
  const nzPix = new Int32Array(D);
  let total = 0;
  for (let i = 0; i < m - 1; i++) {
    const o = idx[i] * D;
    let nnz = 0;
    for (let p = 0; p < D; p++) if (images[o + p] !== 0) nzPix[nnz++] = p;
    dots.fill(0, i + 1);
    // four pixels per pass over the later images: one load and store of dots[j] per four multiply-adds
    let t = 0;
    for (; t + 4 <= nnz; t += 4) {
      const p0 = nzPix[t],
        p1 = nzPix[t + 1],
        p2 = nzPix[t + 2],
        p3 = nzPix[t + 3];
      const a0 = images[o + p0],
        a1 = images[o + p1],
        a2 = images[o + p2],
        a3 = images[o + p3];
      const b0 = p0 * m,
        b1 = p1 * m,
        b2 = p2 * m,
        b3 = p3 * m;
      for (let j = i + 1; j < m; j++) {
        dots[j] += a0 * cols[b0 + j] + a1 * cols[b1 + j] + a2 * cols[b2 + j] + a3 * cols[b3 + j];
      }
    }
    for (; t < nnz; t++) {
      const p = nzPix[t];
      const v = images[o + p];
      const base = p * m;
      for (let j = i + 1; j < m; j++) dots[j] += v * cols[base + j];
    }
    const si = sq[i];
    let rowSum = 0;
    for (let j = i + 1; j < m; j++) rowSum += Math.sqrt(si + sq[j] - 2 * dots[j]);
    total += rowSum;
  }
  return total / ((m * (m - 1)) / 2) / 255;
}

/** Mean pairwise distance of the images of each class 0..9 (labels[k] = class of image k). */
export function classDistances(
  images: Uint8Array,
  n: number,
  labels: ArrayLike<number>,
  opts: VarietyOptions = {},
): ClassDistances {
  checkLabels(labels, n, 'classDistances');
  if (images.length < n * D) {
    throw new RangeError(`classDistances: ${images.length} bytes hold fewer than ${n} images of ${D} bytes`);
  }
  const maxPerClass = opts.maxPerClass ?? VARIETY_MAX_PER_CLASS;
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(maxPerClass) || maxPerClass < 2) {
    throw new RangeError(`classDistances: maxPerClass must be an integer >= 2, got ${maxPerClass}`);
  }
  const members: number[][] = Array.from({ length: C }, () => []);
  for (let k = 0; k < n; k++) members[labels[k]].push(k);
  const count = members.map((m) => m.length);
  const used: number[] = [];
  const meanDistance: (number | null)[] = [];
  for (let c = 0; c < C; c++) {
    let idx: ArrayLike<number> = members[c];
    if (idx.length > maxPerClass) {
      // one generator per class, seeded by (seed, class): a class's sample does not depend on the others
      const pick = sampleIndices(idx.length, maxPerClass, new Rng(seed * C + c));
      const all = idx;
      idx = Int32Array.from(pick, (q) => all[q]).sort();
    }
    used.push(idx.length);
    const d = meanPairwiseDistance(images, idx);
    meanDistance.push(Number.isFinite(d) ? d : null);
  }
  return { count, used, meanDistance, maxPerClass, seed };
}

/**
 * Within-class variety of n images with classes `labels` against `reference` (labelled images, e.g.
 * MNIST test): per class the images' mean pairwise distance over the reference's, and the mean over
 * the classes where both have at least 2 images. Pass `referenceDistances` to reuse the reference's
 * figures (they must come from the same options).
 */
export function withinClassVariety(
  images: Uint8Array,
  n: number,
  labels: ArrayLike<number>,
  reference: { n: number; images: Uint8Array; labels: ArrayLike<number> } | ClassDistances,
  opts: VarietyOptions & { labelSource?: string } = {},
): WithinClassVariety {
  const samples = classDistances(images, n, labels, opts);
  const ref =
    'meanDistance' in reference ? reference : classDistances(reference.images, reference.n, reference.labels, opts);
  const perClass = samples.meanDistance.map((d, c) => {
    const r = ref.meanDistance[c];
    return d !== null && r !== null && r > 0 ? d / r : null;
  });
  const counted = perClass.filter((x): x is number => x !== null);
  return {
    perClass,
    mean: counted.length > 0 ? counted.reduce((a, b) => a + b, 0) / counted.length : null,
    classesCounted: counted.length,
    labelSource: opts.labelSource ?? "judge's predictions",
    samples,
    reference: ref,
  };
}
