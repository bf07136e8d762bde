// Training the judge: mini-batches of softmax cross-entropy by backpropagation, Adam on a cosine
// schedule, each training image shifted by a random whole number of pixels. Deterministic: the same
// seed and options give bit-identical weights (one seeded Rng drives the initialisation, the shuffles
// and the shifts; all sums run in a fixed order).
import { ADAM_DEFAULTS, adamCorrections, adamUpdate, cosineFactor, permutation, Rng } from '@spiking-gan/core';
import { loadMnist, MNIST_CLASSES, MNIST_PIXELS } from '../data/mnist.ts';
import { Judge, judgeRecipe, type LabelledImages } from './judge.ts';
import { argmax, checkImages, JUDGE_H1, JUDGE_H2, JudgeScratch } from './judge-scratch.ts';
import { SparseOuter } from './sparse-outer.ts';

const IN = MNIST_PIXELS,
  H1 = JUDGE_H1,
  H2 = JUDGE_H2,
  OUT = MNIST_CLASSES;

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
  /**
   * Augmentation: each training image is shifted by a random whole number of pixels in −shift..shift,
   * both axes (default 1; 0 = off).
   */
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

/** A parameter array with its summed gradient and Adam moments. */
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

/** The gradients a sample adds to directly: output weights, and the biases of every layer. */
interface SampleGradients {
  gb1: Float32Array;
  gb2: Float32Array;
  gw3: Float32Array;
  gb3: Float32Array;
}

/**
 * Backpropagates the softmax cross-entropy of the sample in `s` (forward pass done, label y): adds
 * to the output weights' and the biases' gradients and leaves the hidden layers' errors in s.d1, s.d2.
 */
function backward(judge: Judge, s: JudgeScratch, y: number, g: SampleGradients): void {
  const { h2, act1, act2, p, d1, d2, d3 } = s,
    { w2, w3 } = judge,
    { gb1, gb2, gw3, gb3 } = g;
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
    const i0 = act1[t],
      i1 = act1[t + 1],
      i2 = act1[t + 2],
      i3 = act1[t + 3];
    const o0 = i0 * H2,
      o1 = i1 * H2,
      o2 = i2 * H2,
      o3 = i3 * H2;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
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
  for (let j = 0; j < H1; j++) gb1[j] += d1[j];
}

/**
 * What the batch's first two weight gradients need, per sample: the non-zero inputs and their values,
 * the active h1 units and their values, and the back-propagated errors of both hidden layers.
 */
class BatchRows {
  readonly inCnt: Int32Array;
  readonly inIdx: Int32Array;
  readonly inVal: Float32Array;
  readonly hCnt: Int32Array;
  readonly hIdx: Int32Array;
  readonly hVal: Float32Array;
  readonly bd1: Float32Array;
  readonly bd2: Float32Array;
  constructor(B: number) {
    this.inCnt = new Int32Array(B);
    this.inIdx = new Int32Array(B * IN);
    this.inVal = new Float32Array(B * IN);
    this.hCnt = new Int32Array(B);
    this.hIdx = new Int32Array(B * H1);
    this.hVal = new Float32Array(B * H1);
    this.bd1 = new Float32Array(B * H1);
    this.bd2 = new Float32Array(B * H2);
  }

  /** Keeps the sample in `s` (forward and backward done) as sample `bs` of the batch. */
  keep(bs: number, s: JudgeScratch): void {
    const { x, nz, h1, act1, d1, d2 } = s;
    for (let t = 0, na1 = s.na1; t < na1; t++) {
      this.hIdx[bs * H1 + t] = act1[t];
      this.hVal[bs * H1 + t] = h1[act1[t]];
    }
    this.hCnt[bs] = s.na1;
    this.bd1.set(d1, bs * H1);
    this.bd2.set(d2, bs * H2);
    for (let t = 0, nnz = s.nnz; t < nnz; t++) {
      this.inIdx[bs * IN + t] = nz[t];
      this.inVal[bs * IN + t] = x[nz[t]];
    }
    this.inCnt[bs] = s.nnz;
  }
}

/**
 * Trains a judge (≥ 98 % test accuracy wanted). Defaults: seed 1, 15 epochs of batch 64 on the 60,000 MNIST training
 * images with random ±1 px shifts, Adam η = 0.002 on a cosine to 2 %. Measures the test accuracy
 * into `info.testAccuracy` unless `test: null`.
 */
export function trainJudge(opts: TrainJudgeOptions = {}): Judge {
  const { seed, epochs, batchSize, lr, shift } = judgeRecipe(opts);
  const bad = (what: string) => {
    throw new RangeError(`trainJudge: ${what}`);
  };
  if (!Number.isInteger(seed)) bad(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(epochs) || epochs < 0) bad(`epochs must be a non-negative integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) bad(`batchSize must be a positive integer, got ${batchSize}`);
  if (!(lr > 0)) bad(`lr must be positive, got ${lr}`);
  if (!Number.isInteger(shift) || shift < 0 || shift > 8) bad(`shift must be an integer in 0..8, got ${shift}`);
  const train = opts.train ?? loadMnist('train');
  checkImages(train.images, train.n, 'trainJudge');
  if (train.labels.length < train.n) bad(`${train.labels.length} labels for ${train.n} images`);

  const t0 = performance.now();
  const rng = new Rng(seed);
  const judge = new Judge({ seed, epochs, batchSize, lr, shift });
  judge.initialise(rng);
  const slots = [judge.w1, judge.b1, judge.w2, judge.b2, judge.w3, judge.b3].map((w) => new AdamSlot(w));
  const [gw1, gb1, gw2, gb2, gw3, gb3] = slots.map((a) => a.g);
  const s = new JudgeScratch();
  const n = train.n;
  const batches = Math.ceil(n / batchSize);
  const totalSteps = epochs * batches;
  let step = 0;
  const rows = new BatchRows(Math.min(batchSize, n));
  const outer = new SparseOuter(IN, Math.min(batchSize, n) * IN);

  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = permutation(n, rng);
    let correct = 0;
    let seen = 0;
    for (let b = 0; b < batches; b++) {
      const start = b * batchSize;
      const end = Math.min(n, start + batchSize);
      for (let q = start; q < end; q++) {
        const k = order[q];
        const y = train.labels[k];
        if (shift > 0) s.load(train.images, k, rng.int(2 * shift + 1) - shift, rng.int(2 * shift + 1) - shift);
        else s.load(train.images, k);
        judge.forward(s);
        if (argmax(s.p) === y) correct++;
        backward(judge, s, y, { gb1, gb2, gw3, gb3 });
        rows.keep(q - start, s);
      }
      const m = end - start;
      outer.accumulate(gw1, IN, H1, m, rows.inCnt, rows.inIdx, rows.inVal, IN, rows.bd1);
      outer.accumulate(gw2, H1, H2, m, rows.hCnt, rows.hIdx, rows.hVal, H1, rows.bd2);
      seen += m;
      // cosine from lr to 2 % of lr over all steps
      const eta = lr * (0.02 + 0.98 * cosineFactor(step, totalSteps));
      step++;
      for (const slot of slots) slot.step(eta, m, step);
      if ((b + 1) % 50 === 0 || b + 1 === batches) opts.onProgress?.(epoch, b + 1, batches, correct / seen);
    }
  }
  judge.info.trainSeconds = (performance.now() - t0) / 1000;
  const test = opts.test === undefined ? loadMnist('test') : opts.test;
  if (test) judge.info.testAccuracy = judge.accuracy(test);
  return judge;
}
