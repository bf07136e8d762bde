// One training sample of a TTFS classifier: encode, run, output error, backprop into a gradient
// sink. The in-thread trainer and the data-parallel workers both learn through this one class, so
// that both do exactly the same arithmetic.
import { Backprop, encodeBytes, outputError, Simulator, targets, type GradientSink, type LossName, type Network } from '@spiking-gan/core';

/** The loss settings of a classifier (see `TrainOptions`). */
export interface LossSettings {
  loss: LossName | 'softmax';
  variant: 'earlier' | 'winner' | 'absolute';
  gamma: number;
  gammaA: number;
  beta: number;
  silentPenalty: number;
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

  constructor(readonly net: Network, readonly o: LossSettings) {
    const exact = net.projections.every((p) => p.kernel === 'ramp');
    this.sim = new Simulator(net);
    this.bp = new Backprop(net, { normalise: !exact, silentPenalty: o.silentPenalty });
    this.buf = new Float64Array(net.populations[0].size);
    this.T = new Float64Array(net.output.size);
    this.err = new Float64Array(net.output.size);
    this.fires = net.populations.map((p) => new Int32Array(p.size));
  }

  /** Learns from one image into `sink`; returns true when the prediction (before any update) was right. */
  learn(image: Uint8Array, label: number, sink: GradientSink): boolean {
    const net = this.net, tmax = net.tmax, o = this.o;
    encodeBytes(image, { tmax, quantise: net.time === 'discrete' }, this.buf);
    const rec = this.sim.run(this.buf);
    const t = rec.timesOf(net.output);
    const right = rec.prediction() === label;
    if (o.loss === 'softmax') softmaxError(t, label, o.beta, tmax, this.err);
    else outputError(targets(o.loss, t, label, { tmax, gamma: o.gamma, gammaA: o.gammaA, variant: o.variant }, this.T), t, tmax, this.err);
    for (let k = 1; k < net.populations.length; k++) {
      const tk = rec.timesOf(net.populations[k]), f = this.fires[k];
      for (let j = 0; j < f.length; j++) if (tk[j] < tmax) f[j]++;
    }
    this.bp.run(rec, this.err, sink);
    return right;
  }

  /** Clears the spike counts. */
  resetFires(): void {
    for (const f of this.fires) f.fill(0);
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
