// The "plain JavaScript Float64Array loop of the same algorithm" (≈ 106 µs per image, measured on this
// machine kind; the reference of the engine benchmark): a forward pass
// specialised for one input layer, one hidden layer and one output layer (784-400-10 in the
// benchmark), delta synapses, discrete time, delay 1 on both projections, one threshold θ.
//
// It computes S4NN's rule t_j = 1 + min{τ : Σ_{i: t_i ≤ τ} w_ij > θ}, else tmax, step by step:
// at step τ it adds the weight rows of the neurons that spiked at τ − 1 (in ascending neuron
// order, which is also the engine's order, so the floating-point sums are bit for bit the same)
// and then tests the thresholds of the neurons that have not fired yet. A neuron that fires gets
// V = −∞, so later additions and tests leave it alone without a separate flag.
//
// Nothing is allocated per run: every buffer is made by the constructor and the result is one
// reused `PlainRecord` (copy what you want to keep).

import type { Network, Projection } from '@spiking-gan/core';

/** Sizes and constants of the specialised network. */
export interface PlainLoopShape {
  nIn: number;
  nHidden: number;
  nOut: number;
  /** Firing threshold of every hidden and output neuron (fire when V > θ). */
  threshold: number;
  /** Window length in steps; silent neurons report tmax. */
  tmax: number;
}

/** What one run of the plain loop produced (reused between runs). */
export class PlainRecord {
  /** Hidden spike times, tmax = silent. */
  readonly hiddenTimes: Int32Array;
  /** Output spike times, tmax = silent. */
  readonly outputTimes: Int32Array;
  /** Hidden neurons that fired before tmax. */
  hiddenSpikes = 0;
  /** Output neurons that fired before tmax. */
  outputSpikes = 0;
  /** Delivered arrivals: Σ over emitted spikes whose arrival is < tmax of their fan-out. */
  synapticEvents = 0;
  /** First output spike time, tmax when no output neuron fired. */
  firstOutputTime: number;

  constructor(nHidden: number, nOut: number, tmax: number) {
    this.hiddenTimes = new Int32Array(nHidden).fill(tmax);
    this.outputTimes = new Int32Array(nOut).fill(tmax);
    this.firstOutputTime = tmax;
  }
}

/**
 * Checks what the specialised loops need — discrete time, a layered network of dense delta
 * projections with delay 1 and scale 1, one threshold for every neuron — and returns that threshold.
 */
export function layeredDeltaThreshold(net: Network, where: string): number {
  const bad = (why: string): never => {
    throw new Error(`${where}: ${why}`);
  };
  if (net.time !== 'discrete') bad('needs discrete time');
  if (!net.layered) bad('needs a layered network');
  const ok = (p: Projection) => p.dense && p.kernel === 'delta' && p.delay === 1 && p.scale === 1;
  if (!net.projections.every(ok)) bad('needs dense delta projections with delay 1 and scale 1');
  const th = net.populations[1].threshold[0];
  for (const p of net.populations.slice(1))
    if (p.threshold.some((x) => x !== th)) bad('needs one threshold for every neuron');
  return th;
}

/** The specialised two-layer forward pass. Weights are read live (by presynaptic row), not copied. */
export class PlainLoop {
  readonly record: PlainRecord;
  private readonly nIn: number;
  private readonly nHid: number;
  private readonly nOut: number;
  private readonly theta: number;
  private readonly tmax: number;
  private readonly w1: Float64Array;
  private readonly w2: Float64Array;
  private readonly V1: Float64Array;
  private readonly V2: Float64Array;
  /** Inputs sorted by spike time: bucket t is inOrder[inStart[t] .. inStart[t + 1]). */
  private readonly inStart: Int32Array;
  private readonly inCursor: Int32Array;
  private readonly inOrder: Int32Array;
  /** Hidden neurons in firing order: those of step τ are hList[hStart[τ] .. hStart[τ + 1]). */
  private readonly hList: Int32Array;
  private readonly hStart: Int32Array;

  /**
   * `w1` is [nIn, nHidden] and `w2` is [nHidden, nOut], both by presynaptic row
   * (`w[i * nPost + j]`, the engine's own layout).
   */
  constructor(w1: Float64Array, w2: Float64Array, shape: PlainLoopShape) {
    const { nIn, nHidden, nOut, threshold, tmax } = shape;
    for (const [k, v] of Object.entries({ nIn, nHidden, nOut, tmax })) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`PlainLoop: ${k} must be a positive integer, got ${v}`);
    }
    if (!Number.isFinite(threshold)) throw new RangeError(`PlainLoop: threshold must be finite, got ${threshold}`);
    if (w1.length !== nIn * nHidden)
      throw new RangeError(`PlainLoop: w1 must have ${nIn * nHidden} values, got ${w1.length}`);
    if (w2.length !== nHidden * nOut)
      throw new RangeError(`PlainLoop: w2 must have ${nHidden * nOut} values, got ${w2.length}`);
    this.nIn = nIn;
    this.nHid = nHidden;
    this.nOut = nOut;
    this.theta = threshold;
    this.tmax = tmax;
    this.w1 = w1;
    this.w2 = w2;
    this.V1 = new Float64Array(nHidden);
    this.V2 = new Float64Array(nOut);
    this.inStart = new Int32Array(tmax + 1);
    this.inCursor = new Int32Array(tmax);
    this.inOrder = new Int32Array(nIn);
    this.hList = new Int32Array(nHidden);
    this.hStart = new Int32Array(tmax + 1);
    this.record = new PlainRecord(nHidden, nOut, tmax);
  }

  /**
   * Shares the weights of a layered network input → hidden → output (dense, delta, delay 1,
   * discrete time, one threshold, scale 1); refuses anything else.
   */
  static fromNetwork(net: Network): PlainLoop {
    const pops = net.populations,
      projs = net.projections;
    const th = layeredDeltaThreshold(net, 'PlainLoop.fromNetwork');
    if (pops.length !== 3) throw new Error('PlainLoop.fromNetwork: needs a layered network input -> hidden -> output');
    return new PlainLoop(projs[0].weights, projs[1].weights, {
      nIn: pops[0].size,
      nHidden: pops[1].size,
      nOut: pops[2].size,
      threshold: th,
      tmax: net.tmax,
    });
  }

  /** Runs one sample; `input[i]` is the spike time of input i (whole steps; ≥ tmax = no spike). */
  run(input: ArrayLike<number>): PlainRecord {
    const nIn = this.nIn,
      nHid = this.nHid,
      nOut = this.nOut,
      theta = this.theta,
      tmax = this.tmax;
    const w1 = this.w1,
      w2 = this.w2,
      V1 = this.V1,
      V2 = this.V2;
    const inStart = this.inStart,
      inCursor = this.inCursor,
      inOrder = this.inOrder;
    const hList = this.hList,
      hStart = this.hStart;
    const rec = this.record,
      ht = rec.hiddenTimes,
      ot = rec.outputTimes;
    if (input.length !== nIn) throw new RangeError(`PlainLoop.run: ${nIn} inputs expected, got ${input.length}`);
    V1.fill(0);
    V2.fill(0);
    ht.fill(tmax);
    ot.fill(tmax);

    // Counting sort of the inputs by spike time (ascending index within a time).
    inStart.fill(0);
    for (let i = 0; i < nIn; i++) {
      const t = input[i];
      if (t < tmax) inStart[t + 1]++;
    }
    for (let t = 0; t < tmax; t++) {
      inStart[t + 1] += inStart[t];
      inCursor[t] = inStart[t];
    }
    for (let i = 0; i < nIn; i++) {
      const t = input[i];
      if (t < tmax) inOrder[inCursor[t]++] = i;
    }

    let nh = 0,
      no = 0,
      syn = 0,
      first = tmax;
    hStart[0] = 0;
    for (let tau = 1; tau < tmax; tau++) {
      hStart[tau] = nh;
      // Hidden layer: arrivals of the inputs that spiked at tau - 1.
      const a = inStart[tau - 1],
        b = inStart[tau];
      if (a < b) {
        for (let k = a; k < b; k++) {
          const row = inOrder[k] * nHid;
          for (let j = 0; j < nHid; j++) V1[j] += w1[row + j];
        }
        syn += (b - a) * nHid;
        for (let j = 0; j < nHid; j++) {
          if (V1[j] > theta) {
            V1[j] = -Infinity;
            ht[j] = tau;
            hList[nh++] = j;
          }
        }
      }
      // Output layer: arrivals of the hidden neurons that spiked at tau - 1.
      const c = hStart[tau - 1],
        d = hStart[tau];
      if (c < d) {
        for (let k = c; k < d; k++) {
          const row = hList[k] * nOut;
          for (let j = 0; j < nOut; j++) V2[j] += w2[row + j];
        }
        syn += (d - c) * nOut;
        for (let j = 0; j < nOut; j++) {
          if (V2[j] > theta) {
            V2[j] = -Infinity;
            ot[j] = tau;
            no++;
            if (tau < first) first = tau;
          }
        }
      }
    }
    rec.hiddenSpikes = nh;
    rec.outputSpikes = no;
    rec.synapticEvents = syn;
    rec.firstOutputTime = first;
    return rec;
  }
}
