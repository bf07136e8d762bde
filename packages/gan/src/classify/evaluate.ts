import { encodeBytes, Simulator, type Network } from '@spiking-gan/core';
import type { ImageSet } from '../data/mnist.ts';

/** Energy of one synaptic operation (a 32-bit float add at 45 nm), in pJ. */
export const PJ_PER_SOP = 0.9;
/** Energy of one multiply-accumulate (32-bit float, 45 nm), in pJ. */
export const PJ_PER_MAC = 4.6;
/** Said beside every energy figure. */
export const ENERGY_NOTE = 'memory access is not counted';

/** Spec §7 figures of a classifier over a dataset. */
export interface ClassifierMetrics {
  samples: number;
  /** Share predicted right (first output spike; ties by potential, then index; none fired: largest potential). */
  accuracy: number;
  /** S4NN's evaluation: right when the label's neuron is among the first to fire (ties count as correct). */
  accuracyTiesCorrect: number;
  /** Mean first output spike time over decided samples, in steps. */
  inferenceTime: number;
  /** Share of samples where no output neuron fired. */
  undecided: number;
  /** Mean spikes per sample per non-input layer, whole window. */
  spikesPerLayer: Record<string, number>;
  /** Mean spikes per sample per non-input layer, up to the decision. */
  spikesPerLayerToDecision: Record<string, number>;
  /** Mean spikes per sample (non-input layers), whole window and to the decision. */
  spikes: number;
  spikesToDecision: number;
  /** Mean input spikes per sample. */
  inputSpikes: number;
  /** Mean synaptic events (SOPs) per sample, whole window and to the decision. */
  synapticEvents: number;
  synapticEventsToDecision: number;
  /** Energy estimate per sample in nJ: SOPs × 0.9 pJ (to the decision), against the same network as an ANN, MACs × 4.6 pJ. */
  energy: { snnNj: number; snnToDecisionNj: number; annNj: number; macs: number; note: string };
}

/** Runs the classifier on `n` images (default all) and returns the spec §7 figures. */
export function evaluateClassifier(net: Network, data: ImageSet, opts: { limit?: number; quantise?: boolean } = {}): ClassifierMetrics {
  const sim = new Simulator(net);
  const out = net.output;
  const n = Math.min(opts.limit ?? data.n, data.n);
  const buf = new Float64Array(data.rows * data.cols);
  const enc = { tmax: net.tmax, quantise: opts.quantise ?? net.time === 'discrete' };
  const layers = net.populations.filter((p) => !p.isInput);
  const spk = new Float64Array(net.populations.length), spkDec = new Float64Array(net.populations.length);
  let correct = 0, tiesCorrect = 0, decided = 0, tSum = 0, syn = 0, synDec = 0;
  for (let s = 0; s < n; s++) {
    encodeBytes(data.image(s), enc, buf);
    const rec = sim.run(buf);
    const y = data.labels[s];
    if (rec.prediction() === y) correct++;
    const t = rec.timesOf(out);
    if (rec.decided) {
      decided++;
      tSum += rec.decisionTime;
      if (t[y] === rec.decisionTime) tiesCorrect++;
    } else if (rec.prediction() === y) tiesCorrect++;
    for (const p of net.populations) {
      spk[p.index] += rec.spikes[p.index];
      spkDec[p.index] += rec.spikesToDecision[p.index];
    }
    syn += rec.synapticEvents;
    synDec += rec.synapticEventsToDecision;
  }
  const per = (a: Float64Array) => Object.fromEntries(layers.map((p) => [p.name, a[p.index] / n]));
  const total = (a: Float64Array) => layers.reduce((s, p) => s + a[p.index], 0) / n;
  const macs = net.projections.reduce((s, p) => s + p.src.size * p.dst.size, 0);
  return {
    samples: n,
    accuracy: correct / n,
    accuracyTiesCorrect: tiesCorrect / n,
    inferenceTime: decided ? tSum / decided : NaN,
    undecided: 1 - decided / n,
    spikesPerLayer: per(spk),
    spikesPerLayerToDecision: per(spkDec),
    spikes: total(spk),
    spikesToDecision: total(spkDec),
    inputSpikes: spk[0] / n,
    synapticEvents: syn / n,
    synapticEventsToDecision: synDec / n,
    energy: { snnNj: (syn / n) * PJ_PER_SOP / 1000, snnToDecisionNj: (synDec / n) * PJ_PER_SOP / 1000, annNj: (macs * PJ_PER_MAC) / 1000, macs, note: ENERGY_NOTE },
  };
}
