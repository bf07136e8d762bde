// The sample-quality judge: a small float ANN MNIST classifier, 784 → 256 → 128 → 10 (ReLU, ReLU,
// softmax), inputs scaled to [0, 1]. Its penultimate activations (128) are the feature space of the
// FID; its softmax outputs feed the classifier score and the class coverage. It is deliberately not
// the spiking discriminator, so that it does not share D's blind spots.
//
// Plain TypeScript on typed arrays. Weights are stored input-major (`w[i * nOut + j]`), so that the
// forward pass and the weight gradient run over the non-zero inputs only (an MNIST digit has ≈ 19 %
// non-zero pixels, a ReLU layer ≈ half) with contiguous inner loops. Training: judge-train.ts; files
// and cache: judge-file.ts, judge-cache.ts.
import { Rng, type Tensor } from '@spiking-gan/core';
import { MNIST_CLASSES, MNIST_PIXELS } from '../data/mnist.ts';
import { judgeMetadata, layersFromTensors, layersToTensors, type JudgeInfo, type JudgeLayer } from './judge-file.ts';
import { argmax, checkImages, JUDGE_H1, JUDGE_H2, JudgeScratch } from './judge-scratch.ts';

/** Version tag of the judge's recipe; bump it whenever training changes, so old caches are retrained. */
export const JUDGE_VERSION = 'judge-v1';
/** Layer sizes of the judge. */
export const JUDGE_ARCH: readonly number[] = [MNIST_PIXELS, JUDGE_H1, JUDGE_H2, MNIST_CLASSES];
/** Size of the judge's feature vector (the penultimate layer). */
export const JUDGE_FEATURES = JUDGE_H2;

/** The training recipe of a judge (see `trainJudge`). */
export interface JudgeRecipe {
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  shift: number;
}

/** The recipe's defaults: seed 1, 15 epochs of mini-batches of 64, η 0.002, shifts of ±1 px. */
export const JUDGE_DEFAULTS: Readonly<JudgeRecipe> = Object.freeze({
  seed: 1,
  epochs: 15,
  batchSize: 64,
  lr: 0.002,
  shift: 1,
});

/** The recipe `o` asks for: its settings, and the defaults for those it leaves out. */
export function judgeRecipe(o: Partial<JudgeRecipe>): JudgeRecipe {
  const d = JUDGE_DEFAULTS;
  return {
    seed: o.seed ?? d.seed,
    epochs: o.epochs ?? d.epochs,
    batchSize: o.batchSize ?? d.batchSize,
    lr: o.lr ?? d.lr,
    shift: o.shift ?? d.shift,
  };
}

const IN = MNIST_PIXELS,
  H1 = JUDGE_H1,
  H2 = JUDGE_H2,
  OUT = MNIST_CLASSES;

/** Images and their labels, image after image (an `ImageSet` from `loadMnist` fits). */
export interface LabelledImages {
  n: number;
  /** n × 784 grey bytes. */
  images: Uint8Array;
  /** n labels 0..9. */
  labels: Uint8Array;
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
      version: JUDGE_VERSION,
      arch: [...JUDGE_ARCH],
      ...JUDGE_DEFAULTS,
      testAccuracy: NaN,
      trainSeconds: NaN,
      ...info,
    };
  }

  /** The three layers: weights, biases and sizes. */
  layers(): JudgeLayer[] {
    return [
      { w: this.w1, b: this.b1, nIn: IN, nOut: H1 },
      { w: this.w2, b: this.b2, nIn: H1, nOut: H2 },
      { w: this.w3, b: this.b3, nIn: H2, nOut: OUT },
    ];
  }

  /** He-normal initialisation (N(0, 2 / fan_in)), zero biases, from `rng`. */
  initialise(rng: Rng): void {
    for (const { w, b, nIn } of this.layers()) {
      const s = Math.sqrt(2 / nIn);
      for (let k = 0; k < w.length; k++) w[k] = s * rng.normal();
      b.fill(0);
    }
  }

  /** @internal Forward pass of the sample loaded in `s`: fills h1, h2 (ReLU, with active lists) and p (softmax). */
  forward(s: JudgeScratch): void {
    s.na1 = reluLayer(s.nz, s.x, s.nnz, this.w1, this.b1, s.h1, s.act1);
    s.na2 = reluLayer(s.act1, s.h1, s.na1, this.w2, this.b2, s.h2, s.act2);
    const { h2, act2, p } = s,
      w3 = this.w3,
      b3 = this.b3;
    for (let c = 0; c < OUT; c++) p[c] = b3[c];
    for (let t = 0; t < s.na2; t++) {
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
    const s = new JudgeScratch();
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
    if (set.labels.length < set.n) {
      throw new RangeError(`Judge.accuracy: ${set.labels.length} labels for ${set.n} images`);
    }
    if (set.n === 0) return NaN;
    const s = new JudgeScratch();
    let correct = 0;
    for (let k = 0; k < set.n; k++) {
      s.load(set.images, k);
      this.forward(s);
      if (argmax(s.p) === set.labels[k]) correct++;
    }
    return correct / set.n;
  }

  /** The weights as safetensors tensors: `layers.{k}.weight` [n_out, n_in] F32 (torch's layout), `layers.{k}.bias`. */
  toTensors(): Record<string, Tensor> {
    return layersToTensors(this.layers());
  }

  /** A judge from tensors written by `toTensors` (F32 or F64); throws naming `file` and the defect. */
  static fromTensors(tensors: Record<string, Tensor>, info: Partial<JudgeInfo> = {}, file = '<tensors>'): Judge {
    const j = new Judge(info);
    layersFromTensors(tensors, j.layers(), file);
    return j;
  }

  /** The safetensors metadata of this judge (all strings). */
  metadata(): Record<string, string> {
    return judgeMetadata(this.info);
  }
}

/**
 * One dense ReLU layer over a sparse input: out = max(0, b + Σ_t v[idx[t]]·w[idx[t]]) over the n
 * listed inputs, four inputs per pass over `out` (one load and store of out[j] per four
 * multiply-adds); lists the active outputs in `act` and returns their count.
 */
function reluLayer(
  idx: Int32Array,
  v: Float32Array,
  n: number,
  w: Float32Array,
  b: Float32Array,
  out: Float32Array,
  act: Int32Array,
): number {
  const nOut = out.length;
  out.set(b);
  let t = 0;
  for (; t + 4 <= n; t += 4) {
    const i0 = idx[t],
      i1 = idx[t + 1],
      i2 = idx[t + 2],
      i3 = idx[t + 3];
    const v0 = v[i0],
      v1 = v[i1],
      v2 = v[i2],
      v3 = v[i3];
    const o0 = i0 * nOut,
      o1 = i1 * nOut,
      o2 = i2 * nOut,
      o3 = i3 * nOut;
    for (let j = 0; j < nOut; j++) out[j] += v0 * w[o0 + j] + v1 * w[o1 + j] + v2 * w[o2 + j] + v3 * w[o3 + j];
  }
  for (; t < n; t++) {
    const i = idx[t];
    const vi = v[i];
    const o = i * nOut;
    for (let j = 0; j < nOut; j++) out[j] += vi * w[o + j];
  }
  let na = 0;
  for (let j = 0; j < nOut; j++) {
    if (out[j] > 0) act[na++] = j;
    else out[j] = 0;
  }
  return na;
}
