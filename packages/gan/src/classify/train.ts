import { Backprop, encodeBytes, Optimiser, outputError, Rng, Simulator, targets, WeightAverage, type LossName, type Network, type OptimiserOptions } from '@spiking-gan/core';
import type { ImageSet } from '../data/mnist.ts';

/** Training settings of a TTFS classifier (defaults: S4NN's). */
export interface TrainOptions {
  /** Target rule (default `ttfs`); `softmax` is cross-entropy on −β·t (for the ramp kernel's exact gradient). */
  loss?: LossName | 'softmax';
  /** Margin γ (default 3) and Aggressive TTFS's γ_a (default γ). */
  gamma?: number;
  gammaA?: number;
  /** Aggressive TTFS variant (see `aggressiveTargets`). */
  variant?: 'earlier' | 'winner' | 'absolute';
  /** β of the softmax loss (default 3 / tmax... given in time units: logits are −β·t). */
  beta?: number;
  /** Optimiser settings (default per-sample SGD, η 0.2, λ 1e-6). */
  optimiser?: OptimiserOptions;
  /** Seed of the shuffle and of re-initialisation. */
  seed?: number;
  /** Shuffle the training set each epoch (default true). */
  shuffle?: boolean;
  /** Re-initialise hidden neurons firing on fewer than this share of an epoch's samples (default 0.001; 0 = off). */
  deadShare?: number;
  /** Init ranges used for re-initialisation, per layer. */
  init?: [number, number][];
  /** Ramp kernel: push silent neurons to fire with this gradient (default 0). */
  silentPenalty?: number;
  /** Learning-rate schedule over `epochs`: `constant` (S4NN, default) or `cosine` (from η down to 0 at the last epoch's end). */
  schedule?: 'constant' | 'cosine';
  /** Number of epochs the schedule spans (needed by `cosine`). */
  epochs?: number;
  /** Average the weights over the last `averageEpochs` epochs (a snapshot every 1,000 samples); 0 = off (default). */
  averageEpochs?: number;
}

/** Running figures of an epoch, passed to the progress callback. */
export interface EpochProgress {
  epoch: number;
  done: number;
  total: number;
  accuracy: number;
}

/** A classifier trainer: one network, its simulator, backprop and optimiser, reused across epochs. */
export class ClassifierTrainer {
  readonly sim: Simulator;
  readonly bp: Backprop;
  readonly opt: Optimiser;
  readonly rng: Rng;
  epoch = 0;
  /** The running weight average when `averageEpochs` is on. */
  readonly average: WeightAverage | null;
  /** Hidden neurons re-initialised at the start of the last epoch. */
  lastReinit = 0;
  private lastSamples = 0;
  private readonly buf: Float64Array;
  private readonly T: Float64Array;
  private readonly err: Float64Array;
  private readonly fires: Int32Array[];
  private readonly o: Required<Omit<TrainOptions, 'optimiser' | 'init'>> & { init: [number, number][] | undefined };

  constructor(readonly net: Network, opts: TrainOptions = {}) {
    this.o = {
      loss: opts.loss ?? 'ttfs', variant: opts.variant ?? 'earlier', gamma: opts.gamma ?? 3, gammaA: opts.gammaA ?? opts.gamma ?? 3, beta: opts.beta ?? 3,
      schedule: opts.schedule ?? 'constant', epochs: opts.epochs ?? 1, averageEpochs: opts.averageEpochs ?? 0, seed: opts.seed ?? 0, shuffle: opts.shuffle ?? true, deadShare: opts.deadShare ?? 0.001, init: opts.init, silentPenalty: opts.silentPenalty ?? 0,
    };
    const exact = net.projections.every((p) => p.kernel === 'ramp');
    this.sim = new Simulator(net);
    this.bp = new Backprop(net, { normalise: !exact, silentPenalty: this.o.silentPenalty });
    this.opt = new Optimiser(net, opts.optimiser);
    this.rng = new Rng(this.o.seed);
    this.buf = new Float64Array(net.populations[0].size);
    this.T = new Float64Array(net.output.size);
    this.err = new Float64Array(net.output.size);
    this.fires = net.populations.map((p) => new Int32Array(p.size));
    this.average = this.o.averageEpochs > 0 ? new WeightAverage(net) : null;
  }

  /** Learns from one image; returns true when the prediction (before the update) was right. */
  learn(image: Uint8Array, label: number): boolean {
    const net = this.net, tmax = net.tmax;
    encodeBytes(image, { tmax, quantise: net.time === 'discrete' }, this.buf);
    const rec = this.sim.run(this.buf);
    const t = rec.timesOf(net.output);
    const right = rec.prediction() === label;
    if (this.o.loss === 'softmax') softmaxError(t, label, this.o.beta, tmax, this.err);
    else outputError(targets(this.o.loss, t, label, { tmax, gamma: this.o.gamma, gammaA: this.o.gammaA, variant: this.o.variant }, this.T), t, tmax, this.err);
    for (let k = 1; k < net.populations.length; k++) {
      const tk = rec.timesOf(net.populations[k]), f = this.fires[k];
      for (let j = 0; j < f.length; j++) if (tk[j] < tmax) f[j]++;
    }
    this.bp.run(rec, this.err, this.opt);
    this.opt.endSample();
    return right;
  }

  /** One pass over `data` (or its first `limit` images); returns the running training accuracy. */
  trainEpoch(data: ImageSet, onProgress?: (p: EpochProgress) => void, limit = data.n): number {
    const n = Math.min(limit, data.n);
    const order = new Uint32Array(data.n).map((_, i) => i);
    if (this.o.shuffle) for (let i = data.n - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      const x = order[i]; order[i] = order[j]; order[j] = x;
    }
    // S4NN's order: dead neurons found in the previous epoch are re-initialised now, after that
    // epoch was evaluated, so that an evaluation never sees freshly redrawn neurons
    if (this.epoch > 0) this.lastReinit = this.reinitDead(this.lastSamples);
    for (const f of this.fires) f.fill(0);
    this.lastSamples = n;
    let correct = 0;
    const cosine = this.o.schedule === 'cosine';
    if (this.o.schedule !== 'constant' && !cosine) throw new Error(`ClassifierTrainer: unknown schedule '${String(this.o.schedule)}'`);
    const every = Math.max(1, Math.floor(n / 200));
    for (let s = 0; s < n; s++) {
      if (cosine && (s & 255) === 0) {
        const progress = Math.min(1, (this.epoch + s / n) / this.o.epochs);
        this.opt.setRateFactor(0.5 * (1 + Math.cos(Math.PI * progress)));
      }
      const idx = order[s];
      if (this.learn(data.image(idx), data.labels[idx])) correct++;
      if (this.average && this.epoch >= this.o.epochs - this.o.averageEpochs && s % 1000 === 999) this.average.add();
      if (onProgress && (s % every === every - 1 || s === n - 1)) onProgress({ epoch: this.epoch + 1, done: s + 1, total: n, accuracy: correct / (s + 1) });
    }
    this.opt.step();
    this.epoch++;
    return correct / n;
  }

  /** Re-draws the incoming weights of hidden neurons that fired on too few of the last epoch's samples; returns how many. */
  reinitDead(samples: number): number {
    if (this.o.deadShare <= 0) return 0;
    const net = this.net;
    let count = 0;
    for (let k = 0; k < net.projections.length - 1; k++) {
      const pr = net.projections[k], f = this.fires[pr.dst.index], nJ = pr.dst.size;
      const [lo, hi] = this.o.init?.[k] ?? (pr.kernel === 'ramp' ? [-0.02, 0.06] : [0, 5]);
      for (let j = 0; j < nJ; j++) {
        if (f[j] >= this.o.deadShare * samples) continue;
        count++;
        for (let i = 0; i < pr.src.size; i++) pr.weights[i * nJ + j] = this.rng.uniform(lo, hi) / pr.scale;
      }
    }
    return count;
  }
}

/** δ = −∂L/∂t of softmax cross-entropy on logits −β·t (silent outputs at tmax): δ_k = β (p_k − [k = y]). */
export function softmaxError(t: ArrayLike<number>, y: number, beta: number, tmax: number, out: Float64Array): Float64Array {
  let m = Infinity;
  for (let k = 0; k < t.length; k++) m = Math.min(m, Math.min(t[k], tmax));
  let z = 0;
  for (let k = 0; k < t.length; k++) z += Math.exp(-beta * (Math.min(t[k], tmax) - m));
  for (let k = 0; k < t.length; k++) out[k] = beta * (Math.exp(-beta * (Math.min(t[k], tmax) - m)) / z - (k === y ? 1 : 0));
  return out;
}
