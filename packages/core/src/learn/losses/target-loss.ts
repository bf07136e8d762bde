// TTFS and Aggressive TTFS as a loss: the target rule's times T, the error (T − t)/tmax per output
// (silent outputs count as tmax) and L = ½ Σ error².
import type { LossFunction } from './loss-function.ts';
import { outputError, targets, type LossName, type TargetOptions } from './targets.ts';

/** TTFS or Aggressive TTFS targets on `size` output spike times: L = ½ Σ ((T_k − min(t_k, tmax)) / tmax)². */
export class TargetLoss implements LossFunction {
  readonly on = 'times';
  /** The targets of the last `compute`. */
  readonly T: Float64Array;

  constructor(
    readonly rule: LossName,
    readonly opts: TargetOptions,
    size: number,
  ) {
    this.T = new Float64Array(size);
  }

  compute(t: ArrayLike<number>, y: number, err: Float64Array): number {
    outputError(targets(this.rule, t, y, this.opts, this.T), t, this.opts.tmax, err);
    let loss = 0;
    for (let k = 0; k < t.length; k++) loss += 0.5 * err[k] * err[k];
    return loss;
  }
}
