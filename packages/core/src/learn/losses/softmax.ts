// Softmax cross-entropy on a layer's outputs: on logits −β·t of spike times (an early spike is a
// large logit) or on logits β·z of values (x = window end − t, or potentials).
import type { LossFunction } from './loss-function.ts';

/** δ = −∂L/∂t of softmax cross-entropy on logits −β·t (silent outputs at tmax): δ_k = β (p_k − [k = y]). */
export function softmaxError(
  t: ArrayLike<number>,
  y: number,
  beta: number,
  tmax: number,
  out: Float64Array,
): Float64Array {
  softmaxTimes(t, y, beta, tmax, out);
  return out;
}

/** ∂L/∂z of softmax cross-entropy on logits β·z (z: output values x or potentials u): β (p_k − [k = y]). */
export function softmaxValueError(z: ArrayLike<number>, y: number, beta: number, out: Float64Array): Float64Array {
  softmaxValues(z, y, beta, out);
  return out;
}

/** `softmaxError` as a loss: L = −log p_y, p = softmax(−β·min(t, tmax)). */
export class SoftmaxTimeLoss implements LossFunction {
  readonly on = 'times';

  constructor(
    readonly beta: number,
    readonly tmax: number,
  ) {}

  compute(t: ArrayLike<number>, y: number, err: Float64Array): number {
    return softmaxTimes(t, y, this.beta, this.tmax, err);
  }
}

/** `softmaxValueError` as a loss: L = −log p_y, p = softmax(β·z). */
export class SoftmaxValueLoss implements LossFunction {
  readonly on = 'values';

  constructor(readonly beta: number) {}

  compute(z: ArrayLike<number>, y: number, err: Float64Array): number {
    return softmaxValues(z, y, this.beta, err);
  }
}

function softmaxTimes(t: ArrayLike<number>, y: number, beta: number, tmax: number, out: Float64Array): number {
  let m = Infinity;
  for (let k = 0; k < t.length; k++) m = Math.min(m, Math.min(t[k], tmax));
  let z = 0;
  for (let k = 0; k < t.length; k++) z += Math.exp(-beta * (Math.min(t[k], tmax) - m));
  for (let k = 0; k < t.length; k++) {
    out[k] = beta * (Math.exp(-beta * (Math.min(t[k], tmax) - m)) / z - (k === y ? 1 : 0));
  }
  return Math.log(z) + beta * (Math.min(t[y], tmax) - m);
}

function softmaxValues(z: ArrayLike<number>, y: number, beta: number, out: Float64Array): number {
  let m = -Infinity;
  for (let k = 0; k < z.length; k++) m = Math.max(m, beta * z[k]);
  let sum = 0;
  for (let k = 0; k < z.length; k++) sum += Math.exp(beta * z[k] - m);
  for (let k = 0; k < z.length; k++) out[k] = beta * (Math.exp(beta * z[k] - m) / sum - (k === y ? 1 : 0));
  return Math.log(sum) - (beta * z[y] - m);
}
