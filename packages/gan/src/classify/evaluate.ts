import { FloatTwin, Simulator, type Network } from '@spiking-gan/core';
import type { ImageSet } from '../data/mnist.ts';
import { Tally, type NetFigures } from '../eval/figures.ts';
import { ClassifierInput } from './input.ts';
import { firstSpikeClass, isRelu } from './sample.ts';
import { classOf, type UndecidedRule } from './s4nn-rule.ts';

export { PJ_PER_SOP, PJ_PER_MAC, ENERGY_NOTE } from '../eval/figures.ts';

/** Spec §7 figures of a classifier over a dataset. */
export interface ClassifierMetrics extends NetFigures {
  /**
   * Share predicted right (first output spike; ties by potential, then index; none fired: the largest
   * potential, or S4NN's rule with `undecided: 's4nn'`).
   */
  accuracy: number;
  /** S4NN's count: right when the label's neuron is among the first to fire (ties count as correct). */
  accuracyTiesCorrect: number;
  /** How undecided images were classified in both counts (`UndecidedRule`). */
  undecidedRule: UndecidedRule;
  /** Mean first output spike time over decided samples, in steps (the same as `decisionTime`). */
  inferenceTime: number;
  /** The same from the output window's start (relu kernel: time after the window opens; others: `inferenceTime`). */
  inferenceTimeInWindow: number;
  /** Mean spikes per sample per neuron of each non-input layer (the share of its neurons that fired). */
  spikesPerNeuron: Record<string, number>;
  /**
   * relu kernel: the float twin (the ReLU MLP on the same weights) on the same images, its accuracy
   * and the share of images where its decision equals the spiking network's; null for other kernels
   * (and with `twin: false`).
   */
  twin: { accuracy: number; agreement: number } | null;
}

/**
 * Runs the classifier on `n` images (default all) and returns the spec §7 figures; `undecided: 's4nn'`
 * classifies images no output neuron fired on as S4NN.py does (`s4nnUndecidedClass`, delta kernel).
 */
export function evaluateClassifier(
  net: Network,
  data: ImageSet,
  opts: { limit?: number; quantise?: boolean; twin?: boolean; undecided?: UndecidedRule } = {},
): ClassifierMetrics {
  const rule = opts.undecided ?? 'potential';
  if (rule !== 'potential' && rule !== 's4nn') {
    throw new RangeError(`evaluateClassifier: undecided must be potential or s4nn, got ${String(rule)}`);
  }
  const sim = new Simulator(net);
  const out = net.output;
  const n = Math.min(opts.limit ?? data.n, data.n);
  const input = new ClassifierInput(net, opts.quantise);
  const tally = new Tally(net, 1);
  // relu kernel: the float twin beside (unless `twin: false`), on the same input values
  const twin = isRelu(net) && opts.twin !== false ? new FloatTwin(net) : null;
  const L = net.populations.length - 1;
  let correct = 0,
    tiesCorrect = 0,
    twinCorrect = 0,
    agree = 0;
  for (let s = 0; s < n; s++) {
    const rec = sim.run(input.encode(data.image(s)));
    tally.add(rec);
    const y = data.labels[s],
      predicted = classOf(net, rec, rule);
    if (predicted === y) correct++;
    if (rec.decided ? rec.timesOf(out)[y] === rec.decisionTime : predicted === y) tiesCorrect++;
    if (twin) {
      twin.forward(input.values!);
      const c = firstSpikeClass(twin.x[L], twin.u[L]);
      if (c === y) twinCorrect++;
      if (c === predicted) agree++;
    }
  }
  const figures = tally.figures();
  const layers = net.populations.filter((p) => !p.isInput);
  const spikesPerNeuron = Object.fromEntries(layers.map((p) => [p.name, figures.spikesPerLayer[p.name] / p.size]));
  return {
    ...figures,
    accuracy: correct / n,
    accuracyTiesCorrect: tiesCorrect / n,
    undecidedRule: rule,
    inferenceTime: figures.decisionTime,
    inferenceTimeInWindow: figures.decisionTime - (out.window?.start ?? 0),
    spikesPerNeuron,
    twin: twin ? { accuracy: twinCorrect / n, agreement: agree / n } : null,
  };
}
