// The sample-quality judge: a small float ANN MNIST classifier, 784 → 256 → 128 → 10
// (ReLU, ReLU, softmax), trained with Adam on mini-batches, inputs scaled to [0, 1]. Its
// penultimate activations (128) are the feature space of the FID; its softmax outputs feed the
// classifier score and the class coverage. It is deliberately not the spiking discriminator, so that
// it does not share D's blind spots.
//
// Plain TypeScript on typed arrays. Weights are stored input-major (`w[i * nOut + j]`), so that the
// forward pass and the weight gradient run over the non-zero inputs only (an MNIST digit has ≈ 19 %
// non-zero pixels, a ReLU layer ≈ half) with contiguous inner loops. Files use the torch convention
// (`layers.{k}.weight` of shape [n_out, n_in], as in the model files); the transposition happens on save/load.
//
// Deterministic: the same seed and options give bit-identical weights (one seeded Rng drives the
// initialisation, the shuffles and the augmentation; all sums run in a fixed order).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ADAM_DEFAULTS, adamCorrections, adamUpdate, cosineFactor, ModelFileError, permutation, readSafetensorsFile, Rng,
  writeSafetensorsFile, type Tensor,
} from '@spiking-gan/core';
import { loadMnist } from '../data/mnist.ts';
import { judgeCacheDir } from '../cache-dir.ts';

/** Version tag of the judge's recipe; bump it whenever training changes, so old caches are retrained. */
export const JUDGE_VERSION = 'judge-v1';
/** Layer sizes of the judge. */
export const JUDGE_ARCH: readonly number[] = [784, 256, 128, 10];
/** Size of the judge's feature vector (the penultimate layer). */
export const JUDGE_FEATURES = 128;

const IN = 784;
const H1 = 256;
const H2 = 128;
const OUT = 10;
const SIDE = 28;

/** Images and their labels, image after image (an `ImageSet` from `loadMnist` fits). */
export interface LabelledImages {
  n: number;
  /** n × 784 grey bytes. */
  images: Uint8Array;
  /** n labels 0..9. */
  labels: Uint8Array;
}

/** What is known about a judge: its recipe and, once measured, its test accuracy. */
export interface JudgeInfo {
  version: string;
  arch: number[];
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  shift: number;
  /** Accuracy on the MNIST test set (NaN if not measured). */
  testAccuracy: number;
  /** Wall-clock training time in seconds (NaN if unknown). */
  trainSeconds: number;
  /** Set by `loadOrTrainJudge`: the cache file, and whether the weights came from it. */
  cachePath?: string;
  fromCache?: boolean;
}

/** Options of `trainJudge`. */
export interface TrainJudgeOptions {
  /** Seed of the initialisation, shuffles and augmentation (default 1). */
  seed?: number;
  /** Passes over the training set (default 15). */
  epochs?: number;
  /** Mini-batch size (default 64). */
  batchSize?: number;
  /** Adam's learning rate at the start; it follows a cosine down to 2 % of it (default 0.002). */
  lr?: number;
  /** Augmentation: each training image is shifted by a random whole number of pixels in −shift..shift, both axes (default 1; 0 = off). */
  shift?: number;
  /** Training images (default: the MNIST train set, 60,000). */
  train?: LabelledImages;
  /** Set on which the final accuracy is measured into `info.testAccuracy` (default MNIST test; `null` = skip). */
  test?: LabelledImages | null;
  /**
   * Called every 50 mini-batches and at the end of each epoch with the 1-based epoch, the number of
   * mini-batches done in it, their count, and the running training accuracy of the epoch so far.
   */
  onProgress?: (epoch: number, batch: number, batches: number, acc: number) => void;
}

const DEFAULTS = { seed: 1, epochs: 15, batchSize: 64, lr: 0.002, shift: 1 };

/** Scratch buffers of one forward/backward pass, allocated once per call, reused per sample. */
class Scratch {
  readonly x = new Float32Array(IN);
  readonly nz = new Int32Array(IN);
  nnz = 0;
  readonly h1 = new Float32Array(H1);
  readonly act1 = new Int32Array(H1);
  na1 = 0;
  readonly h2 = new Float32Array(H2);
  readonly act2 = new Int32Array(H2);
  na2 = 0;
  readonly p = new Float64Array(OUT);
  readonly d1 = new Float32Array(H1);
  readonly d2 = new Float32Array(H2);
  readonly d3 = new Float64Array(OUT);

  /** Loads image `k` of `images` (bytes), shifted by (dx, dy) pixels with zero fill, scaled to [0, 1]. */
  load(images: Uint8Array, k: number, dx = 0, dy = 0): void {
    const x = this.x;
    const nz = this.nz;
    const base = k * IN;
    let nnz = 0;
    if (dx === 0 && dy === 0) {
      for (let i = 0; i < IN; i++) {
        const v = images[base + i];
        if (v !== 0) {
          x[i] = v / 255;
          nz[nnz++] = i;
        } else x[i] = 0;
      }
    } else {
      x.fill(0);
      // target (r, c) takes source (r - dy, c - dx)
      const r0 = Math.max(0, dy), r1 = Math.min(SIDE, SIDE + dy);
      const c0 = Math.max(0, dx), c1 = Math.min(SIDE, SIDE + dx);
      for (let r = r0; r < r1; r++) {
        const src = base + (r - dy) * SIDE - dx;
        const dst = r * SIDE;
        for (let c = c0; c < c1; c++) {
          const v = images[src + c];
          if (v !== 0) {
            x[dst + c] = v / 255;
            nz[nnz++] = dst + c;
          }
        }
      }
    }
    this.nnz = nnz;
  }
}

/** The judge: weights and biases of the three layers, input-major. */
export class Judge {
  /** [784][256], [256][128], [128][10], input-major (`w[i * nOut + j]`). */
  readonly w1: Float32Array;
  readonly b1: Float32Array;
  readonly w2: Float32Array;
  readonly b2: Float32Array;
  readonly w3: Float32Array;
  readonly b3: Float32Array;
  info: JudgeInfo;

  constructor(info: Partial<JudgeInfo> = {}) {
    this.w1 = new Float32Array(IN * H1);
    this.b1 = new Float32Array(H1);
    this.w2 = new Float32Array(H1 * H2);
    this.b2 = new Float32Array(H2);
    this.w3 = new Float32Array(H2 * OUT);
    this.b3 = new Float32Array(OUT);
    this.info = {
      version: JUDGE_VERSION, arch: [...JUDGE_ARCH], seed: DEFAULTS.seed, epochs: DEFAULTS.epochs, batchSize: DEFAULTS.batchSize,
      lr: DEFAULTS.lr, shift: DEFAULTS.shift, testAccuracy: NaN, trainSeconds: NaN, ...info,
    };
  }

  /** He-normal initialisation (N(0, 2 / fan_in)), zero biases, from `rng`. */
  initialise(rng: Rng): void {
    const he = (w: Float32Array, fanIn: number) => {
      const s = Math.sqrt(2 / fanIn);
      for (let k = 0; k < w.length; k++) w[k] = s * rng.normal();
    };
    he(this.w1, IN);
    he(this.w2, H1);
    he(this.w3, H2);
    this.b1.fill(0);
    this.b2.fill(0);
    this.b3.fill(0);
  }

  /** @internal Forward pass of the sample loaded in `s`: fills h1, h2 (ReLU, with active lists) and p (softmax). */
  forward(s: Scratch): void {
    const { x, nz, h1, h2, act1, act2, p } = s;
    const w1 = this.w1, w2 = this.w2, w3 = this.w3;
    h1.set(this.b1);
    // four inputs per pass over h1: one load and store of h1[j] per four multiply-adds
    const nnz = s.nnz;
    let t = 0;
    for (; t + 4 <= nnz; t += 4) {
      const i0 = nz[t], i1 = nz[t + 1], i2 = nz[t + 2], i3 = nz[t + 3];
      const v0 = x[i0], v1 = x[i1], v2 = x[i2], v3 = x[i3];
      const o0 = i0 * H1, o1 = i1 * H1, o2 = i2 * H1, o3 = i3 * H1;
      for (let j = 0; j < H1; j++) h1[j] += v0 * w1[o0 + j] + v1 * w1[o1 + j] + v2 * w1[o2 + j] + v3 * w1[o3 + j];
    }
    for (; t < nnz; t++) {
      const i = nz[t];
      const v = x[i];
      const o = i * H1;
      for (let j = 0; j < H1; j++) h1[j] += v * w1[o + j];
    }
    let na1 = 0;
    for (let j = 0; j < H1; j++) {
      if (h1[j] > 0) act1[na1++] = j;
      else h1[j] = 0;
    }
    s.na1 = na1;
    h2.set(this.b2);
    t = 0;
    for (; t + 4 <= na1; t += 4) {
      const i0 = act1[t], i1 = act1[t + 1], i2 = act1[t + 2], i3 = act1[t + 3];
      const v0 = h1[i0], v1 = h1[i1], v2 = h1[i2], v3 = h1[i3];
      const o0 = i0 * H2, o1 = i1 * H2, o2 = i2 * H2, o3 = i3 * H2;
      for (let j = 0; j < H2; j++) h2[j] += v0 * w2[o0 + j] + v1 * w2[o1 + j] + v2 * w2[o2 + j] + v3 * w2[o3 + j];
    }
    for (; t < na1; t++) {
      const i = act1[t];
      const v = h1[i];
      const o = i * H2;
      for (let j = 0; j < H2; j++) h2[j] += v * w2[o + j];
    }
    let na2 = 0;
    for (let j = 0; j < H2; j++) {
      if (h2[j] > 0) act2[na2++] = j;
      else h2[j] = 0;
    }
    s.na2 = na2;
    const b3 = this.b3;
    for (let c = 0; c < OUT; c++) p[c] = b3[c];
    for (t = 0; t < na2; t++) {
      const i = act2[t];
      const v = h2[i];
      const o = i * OUT;
      for (let c = 0; c < OUT; c++) p[c] += v * w3[o + c];
    }
    let m = p[0];
    for (let c = 1; c < OUT; c++) if (p[c] > m) m = p[c];
    let z = 0;
    for (let c = 0; c < OUT; c++) {
      const e = Math.exp(p[c] - m);
      p[c] = e;
      z += e;
    }
    for (let c = 0; c < OUT; c++) p[c] /= z;
  }

  /**
   * Class probabilities (n × 10) and penultimate features (n × 128, post-ReLU) of n images of 784
   * bytes each. Allocates the two outputs once; nothing per sample.
   */
  predict(images: Uint8Array, n: number): { probs: Float32Array; features: Float32Array } {
    checkImages(images, n, 'Judge.predict');
    const probs = new Float32Array(n * OUT);
    const features = new Float32Array(n * H2);
    const s = new Scratch();
    for (let k = 0; k < n; k++) {
      s.load(images, k);
      this.forward(s);
      features.set(s.h2, k * H2);
      for (let c = 0; c < OUT; c++) probs[k * OUT + c] = s.p[c];
    }
    return { probs, features };
  }

  /** Share of `set` whose most probable class is its label (ties go to the lowest class). */
  accuracy(set: LabelledImages): number {
    checkImages(set.images, set.n, 'Judge.accuracy');
    if (set.labels.length < set.n) throw new RangeError(`Judge.accuracy: ${set.labels.length} labels for ${set.n} images`);
    if (set.n === 0) return NaN;
    const s = new Scratch();
    let correct = 0;
    for (let k = 0; k < set.n; k++) {
      s.load(set.images, k);
      this.forward(s);
      if (argmax(s.p) === set.labels[k]) correct++;
    }
    return correct / set.n;
  }

  /** The weights as safetensors tensors, torch convention: `layers.{k}.weight` [n_out, n_in] F32, `layers.{k}.bias` [n_out]. */
  toTensors(): Record<string, Tensor> {
    const layers: [Float32Array, Float32Array, number, number][] = [
      [this.w1, this.b1, IN, H1],
      [this.w2, this.b2, H1, H2],
      [this.w3, this.b3, H2, OUT],
    ];
    const out: Record<string, Tensor> = {};
    layers.forEach(([w, b, nIn, nOut], k) => {
      const t = new Float32Array(nIn * nOut);
      for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) t[j * nIn + i] = w[i * nOut + j];
      out[`layers.${k}.weight`] = { dtype: 'F32', shape: [nOut, nIn], data: t };
      out[`layers.${k}.bias`] = { dtype: 'F32', shape: [nOut], data: b.slice() };
    });
    return out;
  }

  /** A judge from tensors written by `toTensors` (F32 or F64); throws naming `file` and the defect. */
  static fromTensors(tensors: Record<string, Tensor>, info: Partial<JudgeInfo> = {}, file = '<tensors>'): Judge {
    const j = new Judge(info);
    const layers: [Float32Array, Float32Array, number, number][] = [
      [j.w1, j.b1, IN, H1],
      [j.w2, j.b2, H1, H2],
      [j.w3, j.b3, H2, OUT],
    ];
    const expected = new Set(layers.flatMap((_, k) => [`layers.${k}.weight`, `layers.${k}.bias`]));
    for (const name of Object.keys(tensors)) {
      if (!expected.has(name)) throw new ModelFileError(file, `unexpected tensor '${name}' for a ${JUDGE_ARCH.join('-')} judge`);
    }
    layers.forEach(([w, b, nIn, nOut], k) => {
      const tw = tensors[`layers.${k}.weight`];
      const tb = tensors[`layers.${k}.bias`];
      if (!tw || !tb) throw new ModelFileError(file, `missing tensor layers.${k}.${tw ? 'bias' : 'weight'}`);
      for (const [t, shape, name] of [[tw, [nOut, nIn], 'weight'], [tb, [nOut], 'bias']] as const) {
        if (t.dtype !== 'F32' && t.dtype !== 'F64') throw new ModelFileError(file, `layers.${k}.${name}: dtype ${t.dtype}, expected F32 or F64`);
        if (t.shape.length !== shape.length || t.shape.some((d, q) => d !== shape[q])) {
          throw new ModelFileError(file, `layers.${k}.${name}: shape [${t.shape}], expected [${shape}]`);
        }
      }
      const dw = tw.data as Float32Array | Float64Array;
      for (let i = 0; i < nIn; i++) for (let o = 0; o < nOut; o++) w[i * nOut + o] = dw[o * nIn + i];
      b.set(tb.data as Float32Array | Float64Array);
    });
    for (const a of [j.w1, j.b1, j.w2, j.b2, j.w3, j.b3]) {
      for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k])) throw new ModelFileError(file, 'weights hold a non-finite value');
    }
    return j;
  }

  /** The safetensors metadata of this judge (all strings). */
  metadata(): Record<string, string> {
    const i = this.info;
    return {
      format: 'spiking-gan-judge',
      version: i.version,
      arch: i.arch.join('-'),
      seed: String(i.seed),
      epochs: String(i.epochs),
      batch_size: String(i.batchSize),
      lr: String(i.lr),
      shift: String(i.shift),
      test_accuracy: String(i.testAccuracy),
      train_seconds: String(i.trainSeconds),
    };
  }
}

function argmax(p: Float64Array | Float32Array): number {
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
  return best;
}

function checkImages(images: Uint8Array, n: number, who: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${who}: n must be a non-negative integer, got ${n}`);
  if (images.length < n * IN) throw new RangeError(`${who}: ${images.length} bytes hold fewer than ${n} images of ${IN} bytes`);
}

/**
 * Batch weight gradients g[r][:] += Σ_s val(s, r) · dmat[s][:] over the samples s whose sparse row
 * (cnt[s] entries of idx/val at s * stride) holds r. Samples are regrouped by r (a CSC of the batch)
 * so that each gradient row is loaded and stored once per four samples; sums run in sample order.
 */
class OuterScratch {
  private readonly start: Int32Array;
  private readonly cursor: Int32Array;
  private readonly sIdx: Int32Array;
  private readonly sVal: Float32Array;
  constructor(maxRows: number, maxEntries: number) {
    this.start = new Int32Array(maxRows + 1);
    this.cursor = new Int32Array(maxRows);
    this.sIdx = new Int32Array(maxEntries);
    this.sVal = new Float32Array(maxEntries);
  }

  accumulate(
    g: Float32Array, rows: number, cols: number, B: number,
    cnt: Int32Array, idx: Int32Array, val: Float32Array, stride: number, dmat: Float32Array,
  ): void {
    const { start, cursor, sIdx, sVal } = this;
    start.fill(0, 0, rows + 1);
    for (let s = 0; s < B; s++) for (let k = 0, e = cnt[s], o = s * stride; k < e; k++) start[idx[o + k] + 1]++;
    for (let r = 0; r < rows; r++) start[r + 1] += start[r];
    cursor.set(start.subarray(0, rows));
    for (let s = 0; s < B; s++) {
      for (let k = 0, e = cnt[s], o = s * stride; k < e; k++) {
        const r = idx[o + k];
        const c = cursor[r]++;
        sIdx[c] = s * cols;
        sVal[c] = val[o + k];
      }
    }
    for (let r = 0; r < rows; r++) {
      let a = start[r];
      const e = start[r + 1];
      const o = r * cols;
      for (; a + 4 <= e; a += 4) {
        const s0 = sIdx[a], s1 = sIdx[a + 1], s2 = sIdx[a + 2], s3 = sIdx[a + 3];
        const v0 = sVal[a], v1 = sVal[a + 1], v2 = sVal[a + 2], v3 = sVal[a + 3];
        for (let j = 0; j < cols; j++) g[o + j] += v0 * dmat[s0 + j] + v1 * dmat[s1 + j] + v2 * dmat[s2 + j] + v3 * dmat[s3 + j];
      }
      for (; a < e; a++) {
        const s0 = sIdx[a];
        const v0 = sVal[a];
        for (let j = 0; j < cols; j++) g[o + j] += v0 * dmat[s0 + j];
      }
    }
  }
}

/** Adam state of one parameter array. */
class AdamSlot {
  readonly g: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  constructor(readonly w: Float32Array) {
    this.g = new Float32Array(w.length);
    this.m = new Float32Array(w.length);
    this.v = new Float32Array(w.length);
  }

  /** One Adam step (β 0.9 / 0.999) with the mean gradient `g / count` at step t, then clears `g`. */
  step(lr: number, count: number, t: number): void {
    const { bc1, bc2 } = adamCorrections(ADAM_DEFAULTS.beta1, ADAM_DEFAULTS.beta2, t);
    adamUpdate(this.w, this.g, this.m, this.v, { lr, mean: 1 / count, inv: 1, ...ADAM_DEFAULTS, bc1, bc2 });
    this.g.fill(0);
  }
}

/**
 * Trains a judge (≥ 98 % test accuracy wanted). Defaults: seed 1, 15 epochs of batch 64 on the 60,000 MNIST training
 * images with random ±1 px shifts, Adam η = 0.002 on a cosine to 2 %. Measures the test accuracy
 * into `info.testAccuracy` unless `test: null`.
 */
export function trainJudge(opts: TrainJudgeOptions = {}): Judge {
  const seed = opts.seed ?? DEFAULTS.seed;
  const epochs = opts.epochs ?? DEFAULTS.epochs;
  const batchSize = opts.batchSize ?? DEFAULTS.batchSize;
  const lr = opts.lr ?? DEFAULTS.lr;
  const shift = opts.shift ?? DEFAULTS.shift;
  if (!Number.isInteger(seed)) throw new RangeError(`trainJudge: seed must be an integer, got ${seed}`);
  if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`trainJudge: epochs must be a non-negative integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`trainJudge: batchSize must be a positive integer, got ${batchSize}`);
  if (!(lr > 0)) throw new RangeError(`trainJudge: lr must be positive, got ${lr}`);
  if (!Number.isInteger(shift) || shift < 0 || shift > 8) throw new RangeError(`trainJudge: shift must be an integer in 0..8, got ${shift}`);
  const train = opts.train ?? loadMnist('train');
  checkImages(train.images, train.n, 'trainJudge');
  if (train.labels.length < train.n) throw new RangeError(`trainJudge: ${train.labels.length} labels for ${train.n} images`);

  const t0 = performance.now();
  const rng = new Rng(seed);
  const judge = new Judge({ seed, epochs, batchSize, lr, shift });
  judge.initialise(rng);
  const slots = [judge.w1, judge.b1, judge.w2, judge.b2, judge.w3, judge.b3].map((w) => new AdamSlot(w));
  const [gw1, gb1, gw2, gb2, gw3, gb3] = slots.map((s) => s.g);
  const { w2, w3 } = judge;
  const s = new Scratch();
  const { x, nz, h1, h2, act1, act2, p, d1, d2, d3 } = s;
  const n = train.n;
  const batches = Math.ceil(n / batchSize);
  const totalSteps = epochs * batches;
  let step = 0;
  // What the batch's weight gradients need, per sample: the non-zero inputs and their values, the
  // active h1 units and their values, and the back-propagated errors of both hidden layers.
  const B = Math.min(batchSize, n);
  const inCnt = new Int32Array(B), inIdx = new Int32Array(B * IN), inVal = new Float32Array(B * IN);
  const hCnt = new Int32Array(B), hIdx = new Int32Array(B * H1), hVal = new Float32Array(B * H1);
  const bd1 = new Float32Array(B * H1), bd2 = new Float32Array(B * H2);
  const outer = new OuterScratch(IN, B * IN);

  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = permutation(n, rng);
    let correct = 0;
    let seen = 0;
    for (let b = 0; b < batches; b++) {
      const start = b * batchSize;
      const end = Math.min(n, start + batchSize);
      for (let q = start; q < end; q++) {
        const bs = q - start;
        const k = order[q];
        const y = train.labels[k];
        if (shift > 0) s.load(train.images, k, rng.int(2 * shift + 1) - shift, rng.int(2 * shift + 1) - shift);
        else s.load(train.images, k);
        judge.forward(s);
        if (argmax(p) === y) correct++;
        // output layer: softmax + cross-entropy
        for (let c = 0; c < OUT; c++) {
          const d = p[c] - (c === y ? 1 : 0);
          d3[c] = d;
          gb3[c] += d;
        }
        d2.fill(0);
        for (let t = 0, na2 = s.na2; t < na2; t++) {
          const i = act2[t];
          const v = h2[i];
          const o = i * OUT;
          let sum = 0;
          for (let c = 0; c < OUT; c++) {
            gw3[o + c] += v * d3[c];
            sum += w3[o + c] * d3[c];
          }
          d2[i] = sum;
        }
        for (let j = 0; j < H2; j++) gb2[j] += d2[j];
        d1.fill(0);
        const na1 = s.na1;
        let t = 0;
        for (; t + 4 <= na1; t += 4) {
          const i0 = act1[t], i1 = act1[t + 1], i2 = act1[t + 2], i3 = act1[t + 3];
          const o0 = i0 * H2, o1 = i1 * H2, o2 = i2 * H2, o3 = i3 * H2;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let j = 0; j < H2; j++) {
            const dj = d2[j];
            s0 += w2[o0 + j] * dj;
            s1 += w2[o1 + j] * dj;
            s2 += w2[o2 + j] * dj;
            s3 += w2[o3 + j] * dj;
          }
          d1[i0] = s0;
          d1[i1] = s1;
          d1[i2] = s2;
          d1[i3] = s3;
        }
        for (; t < na1; t++) {
          const i = act1[t];
          const o = i * H2;
          let sum = 0;
          for (let j = 0; j < H2; j++) sum += w2[o + j] * d2[j];
          d1[i] = sum;
        }
        for (t = 0; t < na1; t++) {
          hIdx[bs * H1 + t] = act1[t];
          hVal[bs * H1 + t] = h1[act1[t]];
        }
        hCnt[bs] = na1;
        for (let j = 0; j < H1; j++) gb1[j] += d1[j];
        bd1.set(d1, bs * H1);
        bd2.set(d2, bs * H2);
        const nnz = s.nnz;
        for (let t = 0; t < nnz; t++) {
          inIdx[bs * IN + t] = nz[t];
          inVal[bs * IN + t] = x[nz[t]];
        }
        inCnt[bs] = nnz;
      }
      const m = end - start;
      outer.accumulate(gw1, IN, H1, m, inCnt, inIdx, inVal, IN, bd1);
      outer.accumulate(gw2, H1, H2, m, hCnt, hIdx, hVal, H1, bd2);
      seen += end - start;
      // cosine from lr to 2 % of lr over all steps
      const eta = lr * (0.02 + 0.98 * cosineFactor(step, totalSteps));
      step++;
      for (const slot of slots) slot.step(eta, end - start, step);
      if (opts.onProgress && ((b + 1) % 50 === 0 || b + 1 === batches)) opts.onProgress(epoch, b + 1, batches, correct / seen);
    }
  }
  judge.info.trainSeconds = (performance.now() - t0) / 1000;
  const test = opts.test === undefined ? loadMnist('test') : opts.test;
  if (test) judge.info.testAccuracy = judge.accuracy(test);
  return judge;
}

/** Options of `loadOrTrainJudge`: the training recipe (always on the full MNIST train set) and a log. */
export interface LoadOrTrainOptions extends Omit<TrainJudgeOptions, 'train' | 'test'> {
  /** Progress lines (cache hit/miss, why a cache was refused, training figures). Default: none. */
  log?: (line: string) => void;
  /** Ignore any cache and retrain (the new weights replace the cache). */
  retrain?: boolean;
}

/**
 * A trainJudge `onProgress` that writes progress lines to `log`: each quarter of the first epoch, then
 * the end of each epoch, with the training accuracy so far, the time spent and an estimate of the time left.
 */
export function judgeProgress(
  log: (line: string) => void, epochs: number, clock = () => performance.now(),
): NonNullable<TrainJudgeOptions['onProgress']> {
  const t0 = clock();
  let quarter = 0;
  return (epoch, batch, batches, acc) => {
    const q = Math.floor((4 * batch) / batches);
    const due = batch === batches || (epoch === 1 && q > quarter);
    quarter = epoch === 1 ? q : 4;
    if (!due) return;
    const spent = (clock() - t0) / 1000, done = epoch - 1 + batch / batches, left = (spent / done) * (epochs - done);
    const share = Math.round((100 * batch) / batches);
    log(`judge: epoch ${epoch}/${epochs} ${share} %, training accuracy ${(100 * acc).toFixed(1)} %, `
      + `${spent.toFixed(0)} s so far, about ${left.toFixed(0)} s left`);
  };
}

/** The cache file of a judge with this seed: `<cacheDir>/judge-v1-seed<seed>.safetensors`. */
export function judgeCachePath(cacheDir: string, seed: number): string {
  return join(cacheDir, `${JUDGE_VERSION}-seed${seed}.safetensors`);
}

/**
 * The judge for `opts.seed` (default 1): loaded from `cacheDir` (default: the `judge` folder of the
 * cache folder, see `cacheDir()`) when a cache file with the same version, architecture and recipe
 * (seed, epochs, batch size, lr, shift) exists, otherwise trained on the MNIST train set (with
 * progress lines in `opts.log`), evaluated on the test set and written to the cache (atomically;
 * metadata holds the recipe, the test accuracy and the training time). A corrupt or mismatched cache
 * is retrained over, with the reason logged.
 */
export function loadOrTrainJudge(cacheDir = judgeCacheDir(), opts: LoadOrTrainOptions = {}): Judge {
  const log = opts.log ?? (() => {});
  const want = new Judge({
    seed: opts.seed ?? DEFAULTS.seed,
    epochs: opts.epochs ?? DEFAULTS.epochs,
    batchSize: opts.batchSize ?? DEFAULTS.batchSize,
    lr: opts.lr ?? DEFAULTS.lr,
    shift: opts.shift ?? DEFAULTS.shift,
  }).metadata();
  const path = judgeCachePath(cacheDir, opts.seed ?? DEFAULTS.seed);
  if (!opts.retrain && existsSync(path)) {
    try {
      const { tensors, metadata } = readSafetensorsFile(path);
      const keys = ['format', 'version', 'arch', 'seed', 'epochs', 'batch_size', 'lr', 'shift'];
      const bad = keys.filter((k) => metadata[k] !== want[k]);
      if (bad.length > 0) {
        throw new ModelFileError(path, `metadata does not match the requested judge (${bad.map((k) => `${k} ${metadata[k] ?? 'missing'} ≠ ${want[k]}`).join(', ')})`);
      }
      const judge = Judge.fromTensors(tensors, {
        seed: Number(metadata.seed), epochs: Number(metadata.epochs), batchSize: Number(metadata.batch_size), lr: Number(metadata.lr),
        shift: Number(metadata.shift), testAccuracy: Number(metadata.test_accuracy), trainSeconds: Number(metadata.train_seconds),
        cachePath: path, fromCache: true,
      }, path);
      log(`judge: loaded ${path} (test accuracy ${(100 * judge.info.testAccuracy).toFixed(2)} %)`);
      return judge;
    } catch (e) {
      log(`judge: refusing the cache, retraining: ${(e as Error).message}`);
    }
  }
  log(`judge: training ${JUDGE_ARCH.join('-')} (seed ${want.seed}, ${want.epochs} epochs) once; `
    + `later runs load it from ${path}`);
  const onProgress = opts.onProgress ?? (opts.log ? judgeProgress(log, Number(want.epochs)) : undefined);
  const judge = trainJudge({ ...opts, onProgress, train: undefined, test: undefined });
  judge.info.cachePath = path;
  judge.info.fromCache = false;
  writeSafetensorsFile(path, judge.toTensors(), judge.metadata());
  log(`judge: trained in ${judge.info.trainSeconds.toFixed(1)} s, test accuracy ${(100 * judge.info.testAccuracy).toFixed(2)} %`);
  return judge;
}
