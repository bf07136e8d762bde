import type { Network } from '../engine/network.ts';

/**
 * Running average of a network's effective weights (stochastic weight averaging): snapshots taken
 * during the last part of training average out the noise of per-sample updates.
 */
export class WeightAverage {
  /** Sum of the effective weights (scale × stored) of each projection over the snapshots. */
  readonly sum: Float64Array[];
  /** Snapshots taken. */
  count = 0;

  constructor(readonly net: Network) {
    this.sum = net.projections.map((p) => new Float64Array(p.weights.length));
  }

  /** Adds the network's current weights to the average. */
  add(): void {
    this.net.projections.forEach((p, k) => {
      const s = this.sum[k],
        w = p.weights,
        sc = p.scale;
      for (let i = 0; i < w.length; i++) s[i] += sc * w[i];
    });
    this.count++;
  }

  /** Writes the averaged weights into the network (scale 1); does nothing before the first snapshot. */
  apply(): void {
    if (this.count === 0) return;
    this.net.projections.forEach((p, k) => {
      const s = this.sum[k],
        w = p.weights,
        inv = 1 / this.count;
      for (let i = 0; i < w.length; i++) w[i] = s[i] * inv;
      p.scale = 1;
    });
  }
}
