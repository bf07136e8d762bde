// Sparsity figures of a network over many runs: decision time, spikes and synaptic events (whole
// window and to the decision), and the energy estimate against the same network as an ANN.
import type { Network, RunRecord } from '@spiking-gan/core';

/** Energy of one synaptic operation (a 32-bit float add at 45 nm), in pJ. */
export const PJ_PER_SOP = 0.9;
/** Energy of one multiply-accumulate (32-bit float, 45 nm), in pJ. */
export const PJ_PER_MAC = 4.6;
/** Said beside every energy figure. */
export const ENERGY_NOTE = 'memory access is not counted';

/** Sparsity figures of one network over a set of inputs (times in image windows for ramp, steps for delta). */
export interface NetFigures {
  samples: number;
  /** Mean first output spike time over decided samples, and the share with no output spike. */
  decisionTime: number;
  undecided: number;
  /** Mean spikes per sample per non-input layer, whole window and up to the decision. */
  spikesPerLayer: Record<string, number>;
  spikesPerLayerToDecision: Record<string, number>;
  spikes: number;
  spikesToDecision: number;
  /** Mean synaptic events (SOPs) per sample, whole window and to the decision. */
  synapticEvents: number;
  synapticEventsToDecision: number;
  /** SOPs × 0.9 pJ (to the decision) against the same network as an ANN, MACs × 4.6 pJ. */
  energy: { snnNj: number; snnToDecisionNj: number; annNj: number; macs: number; note: string };
  /** Mean input spikes per sample. */
  inputSpikes: number;
}

/** Accumulates run records into NetFigures. */
export class Tally {
  private n = 0;
  private decided = 0;
  private t = 0;
  private syn = 0;
  private synDec = 0;
  private readonly spk: Float64Array;
  private readonly spkDec: Float64Array;
  constructor(
    private readonly net: Network,
    private readonly unit: number,
  ) {
    this.spk = new Float64Array(net.populations.length);
    this.spkDec = new Float64Array(net.populations.length);
  }
  add(rec: RunRecord): void {
    this.n++;
    if (rec.decided) {
      this.decided++;
      this.t += rec.decisionTime;
    }
    for (const p of this.net.populations) {
      this.spk[p.index] += rec.spikes[p.index];
      this.spkDec[p.index] += rec.spikesToDecision[p.index];
    }
    this.syn += rec.synapticEvents;
    this.synDec += rec.synapticEventsToDecision;
  }
  figures(): NetFigures {
    const layers = this.net.populations.filter((p) => !p.isInput),
      n = Math.max(1, this.n);
    const per = (a: Float64Array) => Object.fromEntries(layers.map((p) => [p.name, a[p.index] / n]));
    const sum = (a: Float64Array) => layers.reduce((s, p) => s + a[p.index], 0) / n;
    const macs = this.net.projections.reduce((s, p) => s + p.src.size * p.dst.size, 0);
    return {
      samples: this.n,
      decisionTime: this.decided ? this.t / this.decided / this.unit : NaN,
      undecided: 1 - this.decided / n,
      spikesPerLayer: per(this.spk),
      spikesPerLayerToDecision: per(this.spkDec),
      spikes: sum(this.spk),
      spikesToDecision: sum(this.spkDec),
      synapticEvents: this.syn / n,
      synapticEventsToDecision: this.synDec / n,
      energy: {
        snnNj: ((this.syn / n) * PJ_PER_SOP) / 1000,
        snnToDecisionNj: ((this.synDec / n) * PJ_PER_SOP) / 1000,
        annNj: (macs * PJ_PER_MAC) / 1000,
        macs,
        note: ENERGY_NOTE,
      },
      inputSpikes: this.net.populations.filter((p) => p.isInput).reduce((s, p) => s + this.spk[p.index], 0) / n,
    };
  }
}
