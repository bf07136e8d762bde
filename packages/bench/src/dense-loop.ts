// A dense clock-driven forward pass, computed the way S4NN's NumPy code does it: at every time
// step, every layer's whole weight matrix is multiplied by the 0/1 vector of the spikes arriving
// at that step, whether or not anything spiked. It is the baseline the event engine is measured
// against; it yields the same spike times (delta synapses, discrete time, delay 1 on every
// projection, S4NN's rule t_j = 1 + min{τ : Σ_{i: t_i ≤ τ} w_ij > θ}).
//
// A 0/1 vector times a weight adds +0 for the neurons that did not spike, which leaves every
// partial sum bit for bit as the engine's (which adds the spiking rows in ascending order).

import type { Network } from '@spiking-gan/core';
import { layeredDeltaThreshold } from './plain-loop.ts';

/** One dense layered network: weights by presynaptic row (`w[k][i * n_{k+1} + j]`), one θ, tmax steps. */
export class DenseLoop {
  /** Spike times per layer (layer 0 = input, copied in); tmax = silent. */
  readonly times: Int32Array[];
  private readonly V: Float64Array[];
  private readonly s: Float64Array[];

  constructor(
    readonly sizes: readonly number[],
    readonly weights: readonly Float64Array[],
    readonly threshold: number,
    readonly tmax: number,
  ) {
    if (sizes.length < 2) throw new RangeError('DenseLoop: need an input and at least one layer');
    if (weights.length !== sizes.length - 1)
      throw new RangeError(`DenseLoop: need ${sizes.length - 1} weight matrices, got ${weights.length}`);
    weights.forEach((w, k) => {
      if (w.length !== sizes[k] * sizes[k + 1])
        throw new RangeError(`DenseLoop: weights ${k} must have ${sizes[k] * sizes[k + 1]} values, got ${w.length}`);
    });
    this.times = sizes.map((n) => new Int32Array(n));
    this.V = sizes.map((n) => new Float64Array(n));
    this.s = sizes.map((n) => new Float64Array(n));
  }

  /**
   * The dense loop of a layered network of dense delta projections with delay 1, scale 1 and one threshold
   * (weights shared, not copied).
   */
  static fromNetwork(net: Network): DenseLoop {
    const th = layeredDeltaThreshold(net, 'DenseLoop.fromNetwork');
    return new DenseLoop(
      net.populations.map((p) => p.size),
      net.projections.map((p) => p.weights),
      th,
      net.tmax,
    );
  }

  /** Runs one input (spike times, ≥ tmax = silent; whole steps); results in `times`. */
  run(input: ArrayLike<number>): void {
    const { sizes, weights, threshold: theta, tmax } = this;
    const L = sizes.length;
    for (let i = 0; i < sizes[0]; i++) this.times[0][i] = input[i] < tmax ? input[i] : tmax;
    for (let k = 1; k < L; k++) {
      this.V[k].fill(0);
      this.times[k].fill(tmax);
    }
    for (let tau = 0; tau < tmax - 1; tau++) {
      for (let k = 1; k < L; k++) {
        const pre = this.times[k - 1],
          s = this.s[k - 1],
          nPre = sizes[k - 1],
          nPost = sizes[k],
          w = weights[k - 1],
          V = this.V[k],
          t = this.times[k];
        for (let i = 0; i < nPre; i++) s[i] = pre[i] === tau ? 1 : 0;
        // dense matrix-vector product: every row, spiking or not
        for (let i = 0; i < nPre; i++) {
          const si = s[i],
            row = i * nPost;
          for (let j = 0; j < nPost; j++) V[j] += w[row + j] * si;
        }
        for (let j = 0; j < nPost; j++) {
          if (t[j] === tmax && V[j] > theta) t[j] = tau + 1;
        }
      }
    }
  }
}
