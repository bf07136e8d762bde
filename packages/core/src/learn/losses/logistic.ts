// Binary cross-entropy on a logit (the standard GAN loss): on a potential read as the logit, or on
// the time difference of two output neurons.
import type { LossFunction } from './loss-function.ts';

/** log(1 + eˣ), as x above 30 and as eˣ below −30. */
export function softplus(x: number): number {
  return x > 30 ? x : x < -30 ? Math.exp(x) : Math.log1p(Math.exp(x));
}

/** The logistic function 1 / (1 + e⁻ˣ). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** L = s·softplus(−u) + (1 − s)·softplus(u) of logit u and target probability s. */
export function logisticLoss(u: number, s: number): number {
  return s * softplus(-u) + (1 - s) * softplus(u);
}

/** Binary cross-entropy on one output read as a logit u (a potential): ∂L/∂u = σ(u) − s. */
export class LogitBce implements LossFunction {
  readonly on = 'values';

  compute(u: ArrayLike<number>, s: number, err: Float64Array): number {
    err[0] = sigmoid(u[0]) - s;
    return logisticLoss(u[0], s);
  }
}

/**
 * Binary cross-entropy on two output spike times, neuron 0 for class 0: the logit is
 * l = β·(min(t_1, window) − min(t_0, window)) / tmax (neuron 0 firing first says class 0), and the
 * target s is the probability of class 0.
 */
export class TimeDifferenceBce implements LossFunction {
  readonly on = 'times';

  constructor(
    readonly beta: number,
    readonly tmax: number,
    readonly window: number,
  ) {}

  compute(t: ArrayLike<number>, s: number, err: Float64Array): number {
    const { beta, tmax, window: w } = this;
    const l = (beta * (Math.min(t[1], w) - Math.min(t[0], w))) / tmax;
    const dl = sigmoid(l) - s;
    err[0] = (beta / tmax) * dl;
    err[1] = -(beta / tmax) * dl;
    return logisticLoss(l, s);
  }
}
