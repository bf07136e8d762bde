// Pixel-space MMD² between a batch of generated images and a batch of real ones, with its gradient
// with respect to the generated images' spike times (a term of G's objective that bypasses D).
import type { Rng } from '@spiking-gan/core';
import { MNIST_CLASSES, type ImageSet } from '../data/mnist.ts';
import type { GanConfig } from '../models/config.ts';
import { PIXELS, realImageInput } from '../models/networks.ts';

/** Squared widths σ² of the Gaussian kernels in squared pixel units (times scaled to [0, 1], silent: `MMD_SILENT`). */
export const MMD_WIDTHS = [40, 160, 640];

/** Where a silent pixel sits in the MMD's pixel space: apart from the latest lit time (1), so dim speckle costs. */
export const MMD_SILENT = 1.5;

/**
 * MMD² (without its constant real–real term) of `fakes` against `reals`, both as times scaled to
 * [0, 1]; with `labels`, only pairs of the same label count (a product kernel with a delta on the
 * label, i.e. MMD per digit). Writes `out[i]` = −∂(λ·B·MMD²)/∂x_i (B = fakes) and returns λ·MMD².
 */
export function mmdGradient(
  fakes: Float64Array[],
  reals: Float64Array[],
  labels: ArrayLike<number> | null,
  lambda: number,
  out: Float64Array[],
): number {
  const B = fakes.length,
    dim = fakes[0]?.length ?? 0;
  if (reals.length !== B || out.length !== B) {
    const got = `got ${reals.length} and ${out.length}`;
    throw new RangeError(`mmdGradient: need as many reals and outputs as fakes (${B}), ${got}`);
  }
  const same = (i: number, j: number) => labels === null || labels[i] === labels[j];
  let mmd = 0;
  for (let i = 0; i < B; i++) {
    const d = out[i],
      fi = fakes[i];
    d.fill(0);
    let n = 0;
    for (let j = 0; j < B; j++) if (same(i, j)) n++;
    for (let j = 0; j < B; j++) {
      if (!same(i, j)) continue;
      // fake–fake pairs push apart, fake–real pairs pull together
      const pairs = [
        [fakes[j], 1, i !== j && n > 1 ? 1 / (n - 1) : 0],
        [reals[j], -1, 1 / n],
      ] as const;
      for (const [other, sign, w] of pairs) {
        if (w === 0) continue;
        let d2 = 0;
        for (let p = 0; p < dim; p++) d2 += (fi[p] - other[p]) ** 2;
        let k = 0,
          kd = 0;
        for (const s2 of MMD_WIDTHS) {
          const e = Math.exp(-d2 / (2 * s2));
          k += e;
          kd += e / s2;
        }
        mmd += ((sign > 0 ? 1 : -2) * w * k) / B;
        // ∂k/∂x_i = −Σ_σ k_σ/σ² (x_i − y); the fake–fake sum holds each pair twice
        const g = 2 * lambda * w * kd * sign;
        for (let p = 0; p < dim; p++) d[p] += g * (fi[p] - other[p]);
      }
    }
  }
  return lambda * mmd;
}

/**
 * G's pixel MMD term (weight λ = `mmd`): MMD² between the fake batch and a batch of real images (of
 * the same digits in conditional mode, where only pairs of the same digit count), Gaussian kernels of
 * several widths on pixel times scaled to the image window (silent = `MMD_SILENT`).
 */
export class PixelMmd {
  /** λ·B·(−∂MMD²/∂t) per pixel of each fake of the last `compute`. */
  readonly delta: Float64Array[];
  /** The MMD's pixel space: the fake batch and a real batch, scaled to the image window. */
  private readonly fakes: Float64Array[];
  private readonly reals: Float64Array[];
  private readonly img: Float64Array;
  private byLabel: Int32Array[] | null = null;

  constructor(
    private readonly cfg: GanConfig,
    private readonly data: ImageSet,
    inputs: number,
  ) {
    const batch = () => Array.from({ length: cfg.batch }, () => new Float64Array(PIXELS));
    this.delta = batch();
    this.fakes = batch();
    this.reals = batch();
    this.img = new Float64Array(inputs);
  }

  /** Fills `delta` for the fakes' D inputs `fakes` of digits `labels`, reals drawn with `rng`; returns λ·MMD². */
  compute(fakes: Float64Array[], labels: Int32Array, rng: Rng): number {
    const c = this.cfg,
      T = c.tmax;
    const x = (img: Float64Array, out: Float64Array) => {
      for (let p = 0; p < PIXELS; p++) out[p] = img[p] < T ? img[p] / T : MMD_SILENT;
      return out;
    };
    for (let b = 0; b < c.batch; b++) {
      x(fakes[b], this.fakes[b]);
      const i = this.realIndex(labels[b], rng);
      realImageInput(c, this.data.image(i), this.data.labels[i], this.img);
      x(this.img, this.reals[b]);
    }
    const mmd = mmdGradient(this.fakes, this.reals, c.conditional ? labels : null, c.mmd, this.delta);
    // the gradient above is per unit of scaled time x = t / T
    for (const d of this.delta) for (let p = 0; p < PIXELS; p++) d[p] /= T;
    return mmd;
  }

  /** A random training image of digit `label` (any image when unconditional). */
  private realIndex(label: number, rng: Rng): number {
    if (!this.cfg.conditional) return rng.int(this.data.n);
    if (!this.byLabel) {
      const lists: number[][] = Array.from({ length: MNIST_CLASSES }, () => []);
      for (let i = 0; i < this.data.n; i++) lists[this.data.labels[i]].push(i);
      this.byLabel = lists.map((l) => Int32Array.from(l));
    }
    const l = this.byLabel[label];
    return l[rng.int(l.length)];
  }
}
