import {
  cosineFactor,
  Optimiser,
  permutation,
  Rng,
  WeightAverage,
  type Backprop,
  type LossName,
  type Network,
  type OptimiserOptions,
  type Simulator,
} from '@spiking-gan/core';
import type { ImageSet } from '../data/mnist.ts';
import type { DataParallel } from './parallel.ts';
import { isRelu, SampleLearner, type LossSettings } from './sample.ts';
import type { PushSettings } from './targets.ts';

export { softmaxError, softmaxValueError } from './sample.ts';

/** Training settings of a TTFS classifier (defaults: S4NN's). */
export interface TrainOptions {
  /** Target rule (default `ttfs`); `softmax` is cross-entropy on −β·t (for the ramp kernel's exact gradient). */
  loss?: LossName | 'softmax';
  /** Margin γ (default 3) and Aggressive TTFS's γ_a (default γ). */
  gamma?: number;
  gammaA?: number;
  /** Aggressive TTFS variant (see `aggressiveTargets`). */
  variant?: 'earlier' | 'winner' | 'absolute';
  /**
   * Aggressive TTFS read as a weighted push (see `PushSettings`): the weight of the push on samples TTFS
   * leaves alone (default: off, the variant's rule on every sample at weight 1).
   */
  push?: number;
  /** With `push`: wrong output neurons of those samples are asked to stay silent. */
  pushSilence?: boolean;
  /** With `push`: the share of its weight that reaches the hidden layers (default 1; 0: the output layer only). */
  pushReach?: number;
  /**
   * With `push`: its weight over the `epochs`: `constant` (default), `down` (from `push` in the first
   * epoch linearly to push/epochs in the last) or `up` (from push/epochs to `push`).
   */
  pushSchedule?: 'constant' | 'down' | 'up';
  /** β of the softmax loss (default 3, relu 1): logits −β·t (relu: β·x, or β·u with the potential readout). */
  beta?: number;
  /**
   * relu kernel: what the cross-entropy reads, `spike` (default: the output values x = window end − t,
   * the first spike deciding) or `potential` (the output potentials u, a linear readout).
   */
  readout?: 'spike' | 'potential';
  /** relu kernel: share of hidden neurons inhibited per training sample (inverted dropout; default 0). */
  dropout?: number;
  /** relu kernel: learn on the float twin (the ReLU MLP on the same weights) instead of the spiking network. */
  floatTwin?: boolean;
  /** Optimiser settings (default per-sample SGD, η 0.2, λ 1e-6). */
  optimiser?: OptimiserOptions;
  /** Seed of the shuffle and of re-initialisation. */
  seed?: number;
  /** Shuffle the training set each epoch (default true). */
  shuffle?: boolean;
  /** Re-draw hidden neurons firing on fewer than this share of an epoch's samples (default 0.001, relu 0; 0 = off). */
  deadShare?: number;
  /** Init ranges used for re-initialisation, per layer. */
  init?: [number, number][];
  /** Ramp kernel: push silent neurons to fire with this gradient (default 0). */
  silentPenalty?: number;
  /**
   * Learning-rate schedule over `epochs`: `constant` (S4NN, default) or `cosine` (from η down to 0 at the
   * last epoch's end).
   */
  schedule?: 'constant' | 'cosine';
  /** Number of epochs the schedule spans (needed by `cosine`). */
  epochs?: number;
  /** Average the weights over the last `averageEpochs` epochs (a snapshot every 1,000 samples); 0 = off (default). */
  averageEpochs?: number;
  /**
   * Worker threads for data-parallel mini-batches (needs `optimiser.batch` > 1; default 1: in this
   * thread). Each batch is cut into this many shards; the same seed and number of workers give the
   * same weights, bit for bit (a different number of workers sums the gradients in another order).
   */
  workers?: number;
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
  /** Worker threads of the data-parallel path (1: none). */
  readonly workers: number;
  private lastSamples = 0;
  private readonly learner: SampleLearner;
  private readonly fires: Int32Array[];
  private readonly batch: number;
  private readonly frozen: number[];
  private parallel: DataParallel | null = null;
  private readonly o: Required<Omit<TrainOptions, 'optimiser' | 'init' | 'workers' | 'push'>> & {
    init: [number, number][] | undefined;
    push: number | undefined;
  };
  /** The push's settings, shared with the learner (its weight follows `pushSchedule`), or null. */
  private readonly push: PushSettings | null;
  private readonly relu: boolean;

  constructor(
    readonly net: Network,
    opts: TrainOptions = {},
  ) {
    const relu = isRelu(net);
    this.relu = relu;
    this.o = {
      loss: opts.loss ?? (relu ? 'softmax' : 'ttfs'),
      variant: opts.variant ?? 'earlier',
      gamma: opts.gamma ?? 3,
      gammaA: opts.gammaA ?? opts.gamma ?? 3,
      beta: opts.beta ?? (relu ? 1 : 3),
      schedule: opts.schedule ?? 'constant',
      epochs: opts.epochs ?? 1,
      averageEpochs: opts.averageEpochs ?? 0,
      seed: opts.seed ?? 0,
      shuffle: opts.shuffle ?? true,
      deadShare: opts.deadShare ?? (relu ? 0 : 0.001),
      init: opts.init,
      silentPenalty: opts.silentPenalty ?? 0,
      readout: opts.readout ?? 'spike',
      dropout: opts.dropout ?? 0,
      floatTwin: opts.floatTwin ?? false,
      push: opts.push,
      pushSilence: opts.pushSilence ?? false,
      pushSchedule: opts.pushSchedule ?? 'constant',
      pushReach: opts.pushReach ?? 1,
    };
    checkPush(this.o, opts.workers ?? 1);
    this.push =
      this.o.push === undefined ? null : { weight: this.o.push, silence: this.o.pushSilence, reach: this.o.pushReach };
    checkReluOptions(relu, this.o, opts.workers ?? 1);
    this.learner = new SampleLearner(net, this.lossSettings());
    this.sim = this.learner.sim;
    this.bp = this.learner.bp;
    this.fires = this.learner.fires;
    this.opt = new Optimiser(net, opts.optimiser);
    this.rng = new Rng(this.o.seed);
    this.average = this.o.averageEpochs > 0 ? new WeightAverage(net) : null;
    this.batch = opts.optimiser?.batch ?? 1;
    this.frozen = opts.optimiser?.frozen ?? [];
    this.workers = opts.workers ?? 1;
    if (!Number.isInteger(this.workers) || this.workers < 1)
      throw new RangeError(`ClassifierTrainer: workers must be a positive integer, got ${opts.workers}`);
    if (this.workers > 1 && this.batch < 2)
      throw new RangeError(
        `ClassifierTrainer: ${this.workers} workers need mini-batches (optimiser batch > 1); ` +
          "S4NN's per-sample updates run in one thread",
      );
  }

  private lossSettings(): LossSettings {
    const o = this.o;
    const relu = this.relu ? { readout: o.readout, dropout: o.dropout, floatTwin: o.floatTwin, seed: o.seed } : null;
    const push = this.push;
    return {
      loss: o.loss,
      variant: o.variant,
      gamma: o.gamma,
      gammaA: o.gammaA,
      beta: o.beta,
      silentPenalty: o.silentPenalty,
      push,
      relu,
    };
  }

  /** Learns from one image; returns true when the prediction (before the update) was right. */
  learn(image: Uint8Array, label: number): boolean {
    const right = this.learner.learn(image, label, this.opt);
    this.opt.endSample();
    return right;
  }

  /**
   * The epoch's sample order (shuffled with the trainer's seed) and its start: dead neurons re-drawn,
   * counts cleared.
   */
  private beginEpoch(data: ImageSet, limit: number): { n: number; order: Uint32Array } {
    const n = Math.min(limit, data.n);
    const order = this.o.shuffle ? permutation(data.n, this.rng) : new Uint32Array(data.n).map((_, i) => i);
    // S4NN's order: dead neurons found in the previous epoch are re-initialised now, after that
    // epoch was evaluated, so that an evaluation never sees freshly redrawn neurons
    if (this.epoch > 0) this.lastReinit = this.reinitDead(this.lastSamples);
    this.learner.resetFires();
    this.lastSamples = n;
    if (this.push) this.push.weight = pushWeight(this.o.push!, this.o.pushSchedule, this.epoch, this.o.epochs);
    if (this.o.schedule !== 'constant' && this.o.schedule !== 'cosine')
      throw new Error(`ClassifierTrainer: unknown schedule '${String(this.o.schedule)}'`);
    return { n, order };
  }

  /** The cosine schedule's rate factor at sample s of the epoch (set every 256 samples). */
  private scheduleAt(s: number, n: number): void {
    if (this.o.schedule !== 'cosine' || (s & 255) !== 0) return;
    const progress = Math.min(1, (this.epoch + s / n) / this.o.epochs);
    this.opt.setRateFactor(cosineFactor(progress, 1));
  }

  /** True when the weight average takes a snapshot after sample s. */
  private snapshotAt(s: number): boolean {
    return this.average !== null && this.epoch >= this.o.epochs - this.o.averageEpochs && s % 1000 === 999;
  }

  /** One pass over `data` (or its first `limit` images) in this thread; returns the running training accuracy. */
  trainEpoch(data: ImageSet, onProgress?: (p: EpochProgress) => void, limit = data.n): number {
    if (this.workers > 1) throw new Error('ClassifierTrainer: with workers, train with trainEpochAsync');
    const { n, order } = this.beginEpoch(data, limit);
    let correct = 0;
    const every = Math.max(1, Math.floor(n / 200));
    for (let s = 0; s < n; s++) {
      this.scheduleAt(s, n);
      const idx = order[s];
      if (this.learn(data.image(idx), data.labels[idx])) correct++;
      if (this.snapshotAt(s)) this.average!.add();
      if (onProgress && (s % every === every - 1 || s === n - 1))
        onProgress({ epoch: this.epoch + 1, done: s + 1, total: n, accuracy: correct / (s + 1) });
    }
    this.opt.step();
    this.epoch++;
    return correct / n;
  }

  /** Starts the worker threads for epochs over `data` (when `workers` > 1) and waits until each has started. */
  async startWorkers(data: ImageSet): Promise<void> {
    if (this.workers > 1) await this.workersFor(data);
  }

  private async workersFor(data: ImageSet): Promise<DataParallel> {
    if (this.parallel && this.parallel.data !== data) await this.close();
    this.parallel ??= await (
      await import('./parallel.ts')
    ).DataParallel.start(this.net, this.opt, this.lossSettings(), data, this.workers, this.frozen);
    return this.parallel;
  }

  /**
   * One pass over `data`, on the worker threads when `workers` > 1 (else as `trainEpoch`). The
   * batches, schedule, snapshots and dead-neuron counts follow the in-thread order exactly; only
   * the order in which a batch's gradients are summed depends on the number of workers.
   */
  async trainEpochAsync(data: ImageSet, onProgress?: (p: EpochProgress) => void, limit = data.n): Promise<number> {
    if (this.workers <= 1) return this.trainEpoch(data, onProgress, limit);
    const parallel = await this.workersFor(data);
    const { n, order } = this.beginEpoch(data, limit);
    let correct = 0;
    for (let b = 0; b < n; b += this.batch) {
      const e = Math.min(n, b + this.batch);
      // the rate factor in force when the in-thread path steps at sample e − 1
      for (let s = b; s < e; s++) this.scheduleAt(s, n);
      correct += await parallel.batch(order.subarray(b, e), this.fires);
      // snapshots inside the batch see the weights before its update; one at its last sample, after
      for (let s = b; s < e - 1; s++) if (this.snapshotAt(s)) this.average!.add();
      await parallel.update(this.opt, e - b);
      if (this.snapshotAt(e - 1)) this.average!.add();
      onProgress?.({ epoch: this.epoch + 1, done: e, total: n, accuracy: correct / e });
    }
    this.opt.step();
    this.epoch++;
    return correct / n;
  }

  /** Stops the worker threads (if any); the trainer starts them again when it next needs them. */
  async close(): Promise<void> {
    const p = this.parallel;
    this.parallel = null;
    if (p) await p.close();
  }

  /**
   * Re-draws the incoming weights of hidden neurons that fired on too few of the last epoch's samples;
   * returns how many.
   */
  reinitDead(samples: number): number {
    if (this.o.deadShare <= 0) return 0;
    const net = this.net;
    let count = 0;
    for (let k = 0; k < net.projections.length - 1; k++) {
      const pr = net.projections[k],
        f = this.fires[pr.dst.index],
        nJ = pr.dst.size;
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

/** The push reading's settings: with Aggressive TTFS only, a weight in [0, 1]. */
type PushChecked = 'loss' | 'variant' | 'push' | 'pushSilence' | 'pushSchedule' | 'pushReach';
function checkPush(o: Pick<TrainOptions, PushChecked>, workers: number): void {
  const fail = (why: string) => {
    throw new RangeError(`ClassifierTrainer: ${why}`);
  };
  if (o.push === undefined) {
    if (o.pushSilence || o.pushSchedule !== 'constant' || o.pushReach !== 1) {
      fail('pushSilence, pushSchedule and pushReach go with push');
    }
    return;
  }
  if (o.loss !== 'aggressive') fail(`push is a reading of the aggressive loss, not ${o.loss}`);
  if (!(o.push >= 0 && o.push <= 1)) fail(`push must be in [0, 1], got ${o.push}`);
  if (!['constant', 'down', 'up'].includes(o.pushSchedule!)) fail(`unknown pushSchedule '${o.pushSchedule}'`);
  if (o.pushSchedule !== 'constant' && workers > 1)
    fail('a push schedule runs in one thread (workers keep their weight)');
  if (!(o.pushReach! >= 0 && o.pushReach! <= 1)) fail(`pushReach must be in [0, 1], got ${o.pushReach}`);
}

/** The push's weight in epoch e (from 0) of `epochs` under `schedule`. */
export function pushWeight(push: number, schedule: 'constant' | 'down' | 'up', e: number, epochs: number): number {
  if (schedule === 'constant') return push;
  const k = Math.min(e, epochs - 1);
  return (push * (schedule === 'down' ? epochs - k : k + 1)) / epochs;
}

/** The relu kernel's settings against the network: refuses what does not apply or cannot work. */
type ReluChecked = 'loss' | 'readout' | 'dropout' | 'floatTwin' | 'deadShare' | 'silentPenalty' | 'averageEpochs';
function checkReluOptions(relu: boolean, o: Required<Pick<TrainOptions, ReluChecked>>, workers: number): void {
  const fail = (why: string) => {
    throw new RangeError(`ClassifierTrainer: ${why}`);
  };
  if (!relu) {
    if (o.readout !== 'spike' || o.dropout !== 0 || o.floatTwin) fail('readout, dropout, floatTwin: for relu networks');
    return;
  }
  if (o.readout !== 'spike' && o.readout !== 'potential') fail(`readout must be spike or potential, not ${o.readout}`);
  if (o.loss !== 'softmax' && o.readout !== 'spike') fail(`the ${o.loss} loss reads spike times (readout spike)`);
  if (!(o.dropout >= 0 && o.dropout < 1)) fail(`dropout must be in [0, 1), got ${o.dropout}`);
  if (workers > 1) {
    const why = "the data-parallel shards keep no buffers for the biases' gradients, and dropout is drawn per sample";
    fail(`relu networks train in one thread (${why})`);
  }
  if (o.deadShare > 0) fail('re-initialising dead neurons is for the delta and ramp kernels (relu: deadShare 0)');
  if (o.silentPenalty !== 0) fail('silentPenalty is for the ramp kernel');
  if (o.averageEpochs > 0) fail('weight averaging does not average biases, so it is not for relu-kernel networks');
}
