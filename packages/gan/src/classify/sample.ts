// One training sample of a TTFS classifier: encode, run, output error, backprop into a gradient
// sink. The in-thread trainer and the data-parallel workers both learn through this one class, so
// that both do exactly the same arithmetic.
import {
  Backprop,
  encodeBytes,
  outputError,
  Rng,
  Simulator,
  softmaxError,
  softmaxValueError,
  SpikingPass,
  TwinPass,
  type GradientSink,
  type LossName,
  type Network,
  type ValuePass,
} from '@spiking-gan/core';
import { BiasDropout } from '../models/bias-dropout.ts';
import { sampleTargets, ScaledSink, settled, type PushSettings, type TargetSettings } from './targets.ts';

/** The softmax losses' errors live with core's losses (learn/losses/softmax.ts). */
export { softmaxError, softmaxValueError };

/** The loss settings of a classifier (see `TrainOptions`). */
export interface LossSettings {
  loss: LossName | 'softmax';
  variant: 'earlier' | 'winner' | 'absolute';
  gamma: number;
  gammaA: number;
  beta: number;
  silentPenalty: number;
  /** Aggressive TTFS read as a weighted push (see `PushSettings`); null: off. */
  push: PushSettings | null;
  /** relu kernel: the settings of `ReluSettings` (null for the other kernels). */
  relu: ReluSettings | null;
}

/** How a relu-kernel classifier learns (see `TrainOptions`). */
export interface ReluSettings {
  /** `spike`: cross-entropy on β·x, x = window end − t of the output spikes; `potential`: on β·u. */
  readout: 'spike' | 'potential';
  /** Share of hidden neurons inhibited per training sample (inverted dropout; 0: none). */
  dropout: number;
  /** Learn on the float twin (the ReLU MLP on the same weights) instead of the spiking network. */
  floatTwin: boolean;
  /** Seed of the dropout draws. */
  seed: number;
}

/** True when every projection of `net` has the ReLU-equivalent kernel. */
export function isRelu(net: Network): boolean {
  return net.projections.length > 0 && net.projections.every((p) => p.kernel === 'relu');
}

/** The relu classifier's input values: pixels p/255 (the input window is [0, 1]). */
export function pixelValues(image: ArrayLike<number>, out: Float64Array): Float64Array {
  for (let p = 0; p < out.length; p++) out[p] = image[p] / 255;
  return out;
}

/** A network's simulator, backprop and buffers, reused sample after sample. */
export class SampleLearner {
  readonly sim: Simulator;
  readonly bp: Backprop;
  /** Spikes per neuron of every population since the last `resetFires` (for the dead-neuron check). */
  readonly fires: Int32Array[];
  private readonly buf: Float64Array;
  private readonly T: Float64Array;
  private readonly err: Float64Array;
  /** The target rule (null: the softmax loss) and the sink that weighs a sample's update. */
  private readonly targets: TargetSettings | null;
  private readonly scaled = new ScaledSink();
  /** relu kernel: the spiking network or its float twin behind one value interface, and the dropout state. */
  private readonly relu: ReluLearner | null;

  constructor(
    readonly net: Network,
    readonly o: LossSettings,
  ) {
    const exact = net.projections.every((p) => p.kernel === 'ramp');
    if (isRelu(net) !== (o.relu !== null)) {
      throw new Error('SampleLearner: relu settings go with a relu network, and only with one');
    }
    const w = net.output.window;
    this.targets = targetSettings(o, w ? w.end - w.start : net.tmax);
    this.relu = o.relu ? new ReluLearner(net, o.relu, o.beta, this.targets) : null;
    this.sim = this.relu?.sim ?? new Simulator(net);
    this.bp = new Backprop(net, { normalise: !exact, silentPenalty: o.silentPenalty });
    this.buf = new Float64Array(net.populations[0].size);
    this.T = new Float64Array(net.output.size);
    this.err = new Float64Array(net.output.size);
    this.fires = net.populations.map((p) => new Int32Array(p.size));
  }

  /** Learns from one image into `sink`; returns true when the prediction (before any update) was right. */
  learn(image: Uint8Array, label: number, sink: GradientSink): boolean {
    if (this.relu) return this.relu.learn(image, label, sink, this.fires);
    const net = this.net,
      tmax = net.tmax,
      o = this.o;
    encodeBytes(image, { tmax, quantise: net.time === 'discrete' }, this.buf);
    const rec = this.sim.run(this.buf);
    const t = rec.timesOf(net.output);
    const right = rec.prediction() === label;
    let weight = 1,
      hidden = 1;
    if (this.targets === null) softmaxError(t, label, o.beta, tmax, this.err);
    else {
      weight = sampleTargets(t, label, this.targets, this.T);
      outputError(this.T, t, tmax, this.err);
      hidden = o.push && o.push.reach !== 1 && settled(t, label, tmax, o.gamma) ? weight * o.push.reach : weight;
    }
    for (let k = 1; k < net.populations.length; k++) {
      const tk = rec.timesOf(net.populations[k]),
        f = this.fires[k];
      for (let j = 0; j < f.length; j++) if (tk[j] < tmax) f[j]++;
    }
    const L = net.projections.length - 1;
    this.bp.run(rec, this.err, weight === 1 && hidden === 1 ? sink : this.scaled.wrap(sink, weight, hidden, L, L + 1));
    return right;
  }

  /** Clears the spike counts. */
  resetFires(): void {
    for (const f of this.fires) f.fill(0);
  }
}

/** The target rule of a loss on output times in a window of length `tmax` (null: the softmax loss). */
function targetSettings(o: LossSettings, tmax: number): TargetSettings | null {
  if (o.loss === 'softmax') return null;
  return { loss: o.loss, tmax, gamma: o.gamma, gammaA: o.gammaA, variant: o.variant, push: o.push };
}

/** The class a relu output layer decides by its first spike, from its values x and potentials u (as `prediction()`). */
export function firstSpikeClass(x: ArrayLike<number>, u: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < x.length; k++) if (x[k] > x[best] || (x[k] === x[best] && u[k] > u[best])) best = k;
  return best;
}

/**
 * One training sample of a relu-kernel classifier: pixels p/255 → the spiking network (or its float
 * twin) → cross-entropy on the output values (x = window end − t, or the potentials u) → the exact
 * gradient (`Backprop` on relu layers, through `SpikingPass`). A spike-readout output neuron pushed
 * out of its window still passes the error that brings it back (`clipSurrogate`): the label's
 * neuron, silent, is asked to fire. Dropout inhibits hidden neurons for one sample (bias −∞, as the
 * relu GAN's D) and scales the next projection by 1/(1 − p) meanwhile (inverted dropout).
 */
class ReluLearner {
  readonly pass: ValuePass;
  /** The spiking pass's simulator (the float twin's trainer gets a simulator of its own, unused). */
  readonly sim: Simulator | null;
  private readonly x: Float64Array;
  private readonly err: Float64Array;
  /** Output times from the window's start (t = B − x) and their targets, for the TTFS losses. */
  private readonly t: Float64Array;
  private readonly T: Float64Array;
  private readonly scaled = new ScaledSink();
  private readonly rng: Rng;
  /** Dropout of each hidden layer. */
  private readonly dropouts: BiasDropout[];

  constructor(
    readonly net: Network,
    readonly o: ReluSettings,
    readonly beta: number,
    readonly targets: TargetSettings | null,
  ) {
    if (!(o.dropout >= 0 && o.dropout < 1)) {
      throw new RangeError(`relu classifier: dropout must be in [0, 1), got ${o.dropout}`);
    }
    const opts = { readout: o.readout === 'potential', clipSurrogate: o.readout === 'spike' };
    const spiking = o.floatTwin ? null : new SpikingPass(net, opts);
    this.pass = spiking ?? new TwinPass(net, opts);
    this.sim = spiking ? spiking.sim : null;
    this.x = new Float64Array(net.populations[0].size);
    this.err = new Float64Array(net.output.size);
    this.t = new Float64Array(net.output.size);
    this.T = new Float64Array(net.output.size);
    this.rng = new Rng(o.seed * 7 + 5);
    this.dropouts = net.populations.slice(1, -1).map((p) => new BiasDropout(p));
  }

  /** Learns one image into `sink` (spikes per neuron added to `fires`); true when the prediction was right. */
  learn(image: Uint8Array, label: number, sink: GradientSink, fires: Int32Array[]): boolean {
    const scales = this.dropOut();
    const out = this.pass.forward(pixelValues(image, this.x));
    const right = this.predict() === label;
    this.countFires(fires);
    const weight = this.targets ? this.timeError(out, label, this.targets) : 1;
    if (!this.targets) softmaxValueError(out, label, this.beta, this.err);
    const push = this.targets?.push,
      L = this.net.projections.length - 1;
    const hidden =
      push && push.reach !== 1 && settled(this.t, label, this.targets!.tmax, this.targets!.gamma)
        ? weight * push.reach
        : weight;
    const scaled = weight === 1 && hidden === 1 ? sink : this.scaled.wrap(sink, weight, hidden, L, L + 1);
    this.pass.backward(this.err, scaled);
    if (scales) this.restore(scales);
    return right;
  }

  /**
   * A TTFS loss on the output times t = B − x from the window's start (silent: B): ∂L/∂x = −∂L/∂t =
   * (T − t)/B, S4NN's δ with the window for tmax; returns the sample's weight.
   */
  private timeError(x: Float64Array, label: number, o: TargetSettings): number {
    const B = o.tmax,
      t = this.t;
    for (let k = 0; k < t.length; k++) t[k] = B - x[k];
    const weight = sampleTargets(t, label, o, this.T);
    for (let k = 0; k < t.length; k++) this.err[k] = (this.T[k] - t[k]) / B;
    return weight;
  }

  /**
   * The first output spike's neuron (either readout): the largest x, ties (and silence) to the larger
   * potential, then the lower index; the twin applies the same rule to its x and u.
   */
  private predict(): number {
    if (this.sim) return this.sim.record.prediction();
    const L = this.net.populations.length - 1,
      { x, u } = (this.pass as TwinPass).twin;
    return firstSpikeClass(x[L], u[L]);
  }

  private countFires(fires: Int32Array[]): void {
    const pops = this.net.populations;
    for (let k = 1; k < pops.length; k++) {
      const f = fires[k];
      if (this.sim) {
        const t = this.sim.record.timesOf(pops[k]),
          tmax = this.net.tmax;
        for (let j = 0; j < f.length; j++) if (t[j] < tmax) f[j]++;
      } else {
        const x = (this.pass as TwinPass).twin.x[k];
        for (let j = 0; j < f.length; j++) if (x[j] > 0) f[j]++;
      }
    }
  }

  /** Draws this sample's dropout (hidden biases held at −∞, next projections scaled); returns the saved scales. */
  private dropOut(): number[] | null {
    const p = this.o.dropout;
    if (!(p > 0)) return null;
    const net = this.net;
    for (const d of this.dropouts) d.drop(p, this.rng);
    const scales = net.projections.map((pr) => pr.scale);
    for (let k = 1; k < net.projections.length; k++) net.projections[k].scale = scales[k] / (1 - p);
    return scales;
  }

  /** Ends the sample's dropout: the biases and scales back, bit for bit (before the optimiser's update). */
  private restore(scales: number[]): void {
    for (const d of this.dropouts) d.restore();
    this.net.projections.forEach((pr, k) => (pr.scale = scales[k]));
  }
}
