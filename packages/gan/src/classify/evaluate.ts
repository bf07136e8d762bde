import { encodeBytes, Simulator, type Network } from '@spiking-gan/core';
import type { ImageSet } from '../data/mnist.ts';
import { Tally, type NetFigures } from '../eval/figures.ts';

export { PJ_PER_SOP, PJ_PER_MAC, ENERGY_NOTE } from '../eval/figures.ts';

/** Spec §7 figures of a classifier over a dataset. */
export interface ClassifierMetrics extends NetFigures {
  /** Share predicted right (first output spike; ties by potential, then index; none fired: largest potential). */
  accuracy: number;
  /** S4NN's evaluation: right when the label's neuron is among the first to fire (ties count as correct). */
  accuracyTiesCorrect: number;
  /** Mean first output spike time over decided samples, in steps (the same as `decisionTime`). */
  inferenceTime: number;
}

/** Runs the classifier on `n` images (default all) and returns the spec §7 figures. */
export function evaluateClassifier(net: Network, data: ImageSet, opts: { limit?: number; quantise?: boolean } = {}): ClassifierMetrics {
  const sim = new Simulator(net);
  const out = net.output;
  const n = Math.min(opts.limit ?? data.n, data.n);
  const buf = new Float64Array(data.rows * data.cols);
  const enc = { tmax: net.tmax, quantise: opts.quantise ?? net.time === 'discrete' };
  const tally = new Tally(net, 1);
  let correct = 0, tiesCorrect = 0;
  for (let s = 0; s < n; s++) {
    encodeBytes(data.image(s), enc, buf);
    const rec = sim.run(buf);
    tally.add(rec);
    const y = data.labels[s], predicted = rec.prediction();
    if (predicted === y) correct++;
    if (rec.decided ? rec.timesOf(out)[y] === rec.decisionTime : predicted === y) tiesCorrect++;
  }
  const figures = tally.figures();
  return { ...figures, accuracy: correct / n, accuracyTiesCorrect: tiesCorrect / n, inferenceTime: figures.decisionTime };
}
