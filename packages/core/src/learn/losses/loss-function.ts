// The one interface of the losses of one sample (after ihmehimmeli's `LossFunction`): the loss of a
// layer's outputs against a target, and the error that backpropagation starts from.

/**
 * A loss of one sample on a layer's outputs. The error it writes is what the backward passes take:
 * −∂L/∂t_k when the outputs are spike times t (`Backprop`), ∂L/∂z_k when they are values z that grow
 * as a spike comes earlier (x = window end − t, or a potential u: `ValuePass`); for x = end − t the
 * two are the same number.
 */
export interface LossFunction {
  /** What the outputs are: spike times or values. */
  readonly on: 'times' | 'values';
  /**
   * Returns L of the outputs `out` against `target` (a class index, or for the two-class logistic
   * losses the target probability of class 0) and writes the error of each output into `err`.
   */
  compute(out: ArrayLike<number>, target: number, err: Float64Array): number;
}
