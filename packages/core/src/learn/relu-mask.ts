// Which errors pass a ReLU-equivalent neuron (x = clip(u, 0, B)): one rule for the spiking network's
// gradient and its float twin's, so that the two stay equal.

/**
 * The error g = ∂L/∂x (= δ = −∂L/∂t) that a neuron with potential u passes to its inputs: all of it
 * where 0 < u < B or in a `linear` readout, none where it is clipped or silent; with `surrogate`, a
 * clipped neuron also passes an error that pushes it back into its window (a silent one asked to
 * fire, one at its window start asked to fire later): the documented surrogate of the silent hole.
 */
export function reluPass(u: number, B: number, g: number, linear: boolean, surrogate: boolean): number {
  if (linear || (u > 0 && u < B)) return g;
  if (surrogate && ((u <= 0 && g < 0) || (u >= B && g > 0))) return g;
  return 0;
}
