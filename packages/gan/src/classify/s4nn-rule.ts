// S4NN.py's evaluation of an image no output neuron fired on, so that test figures can be compared
// with S4NN.py's image by image.
import type { Network, RunRecord } from '@spiking-gan/core';

/** How a classifier decides an image no output neuron fired on (see `undecidedClass`). */
export type UndecidedRule = 'potential' | 's4nn';

/** S4NN.py's class order: its output neuron m is digit `S4NN_CLASS_ORDER[m]` (`cats`). */
export const S4NN_CLASS_ORDER: readonly number[] = [4, 1, 0, 7, 9, 2, 3, 5, 8, 6];

/**
 * S4NN.py's class of an undecided image: `argmax(Voltage[:, tmax − 3])` of the output layer, where
 * its potential at index τ sums the spikes emitted at τ or before (they arrive at τ + 1 here, delay
 * 1): the weights from hidden neurons that fired by tmax − 3. Ties go to the first neuron in S4NN's
 * class order (4, 1, 0, 7, …), as NumPy's argmax does over S4NN's neurons; neuron k here is digit k.
 */
export function s4nnUndecidedClass(net: Network, rec: RunRecord): number {
  const pr = net.projections[net.projections.length - 1];
  if (pr.dst.size !== S4NN_CLASS_ORDER.length || pr.kernel !== 'delta' || pr.delay !== 1 || pr.csr !== null) {
    const what = 'a dense delta-kernel output layer of 10 neurons, delay 1';
    throw new RangeError(`s4nnUndecidedClass: S4NN's rule is for ${what}`);
  }
  const t = rec.timesOf(pr.src),
    last = net.tmax - 3,
    nJ = pr.dst.size,
    w = pr.weights;
  let best = -1,
    bestU = -Infinity;
  for (const j of S4NN_CLASS_ORDER) {
    let u = 0;
    for (let i = 0; i < t.length; i++) if (t[i] <= last) u += w[i * nJ + j];
    u *= pr.scale;
    if (u > bestU) {
      bestU = u;
      best = j;
    }
  }
  return best;
}

/** The class of a run by the first output spike (`prediction()`), or by `rule` when no output fired. */
export function classOf(net: Network, rec: RunRecord, rule: UndecidedRule): number {
  return rule === 's4nn' && !rec.decided ? s4nnUndecidedClass(net, rec) : rec.prediction();
}
