import { Rng, Simulator, type Network, type RunRecord } from '@spiking-gan/core';
import { PJ_PER_MAC, PJ_PER_SOP, ENERGY_NOTE } from '../classify/evaluate.ts';
import type { ImageSet } from '../data/mnist.ts';
import type { GanConfig } from '../models/config.ts';
import { extraSpikes, generatorWindow, PIXELS } from '../models/networks.ts';
import { generatorInput } from '../train/gan-trainer.ts';

/** Spec §7 figures of one network over a set of inputs (times in image-window units for ramp, steps for delta). */
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
  energy: { snnNj: number; snnToDecisionNj: number; annNj: number; note: string };
}

/** Accumulates run records into NetFigures. */
class Tally {
  private n = 0; private decided = 0; private t = 0; private syn = 0; private synDec = 0;
  private readonly spk: Float64Array; private readonly spkDec: Float64Array;
  constructor(private readonly net: Network, private readonly unit: number) {
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
    const layers = this.net.populations.filter((p) => !p.isInput), n = Math.max(1, this.n);
    const per = (a: Float64Array) => Object.fromEntries(layers.map((p) => [p.name, a[p.index] / n]));
    const sum = (a: Float64Array) => layers.reduce((s, p) => s + a[p.index], 0) / n;
    const macs = this.net.projections.reduce((s, p) => s + p.src.size * p.dst.size, 0);
    return {
      samples: this.n,
      decisionTime: this.decided ? this.t / this.decided / this.unit : NaN,
      undecided: 1 - this.decided / n,
      spikesPerLayer: per(this.spk), spikesPerLayerToDecision: per(this.spkDec),
      spikes: sum(this.spk), spikesToDecision: sum(this.spkDec),
      synapticEvents: this.syn / n, synapticEventsToDecision: this.synDec / n,
      energy: { snnNj: (this.syn / n) * PJ_PER_SOP / 1000, snnToDecisionNj: (this.synDec / n) * PJ_PER_SOP / 1000, annNj: (macs * PJ_PER_MAC) / 1000, note: ENERGY_NOTE },
    };
  }
}

/** Sparsity of the whole G→D pipeline: D decides at its decision time plus G's latency; what G spent until then counts too. */
export interface PipelineFigures {
  samples: number;
  /** Mean time from the noise to D's first output spike (G's latency + D's decision time), decided samples only. */
  decisionTime: number;
  /** Spikes of G and D per sample: whole windows, and up to the pipeline's decision. */
  spikes: number;
  spikesToDecision: number;
  synapticEvents: number;
  synapticEventsToDecision: number;
  energy: { snnNj: number; snnToDecisionNj: number; annNj: number; note: string };
}

/** All spec §7 figures of a Spiking-GAN: G, D on real test images, D on fakes, and the G→D pipeline. */
export interface GanSparsity {
  generator: NetFigures;
  dReal: NetFigures & { calledReal: number };
  dFake: NetFigures & { calledReal: number };
  pipeline: PipelineFigures;
  unit: string;
}

/** Measures G, D (on `n` real test images and `n` fakes from seeded noise) and the G→D pipeline. */
export function ganSparsity(G: Network, D: Network, cfg: GanConfig, test: ImageSet, n: number, seed: number): GanSparsity {
  const simG = new Simulator(G), simD = new Simulator(D);
  const unit = cfg.kernel === 'delta' ? 1 : cfg.tmax;
  const gT = generatorWindow(cfg), silent = cfg.kernel === 'delta' ? cfg.tmax : Infinity, L = cfg.gLatency;
  const tg = new Tally(G, unit), tr = new Tally(D, unit), tf = new Tally(D, unit);
  const img = new Float64Array(D.populations[0].size), z = new Float64Array(G.populations[0].size);
  const rng = new Rng(seed);
  let realCalledReal = 0, fakeCalledReal = 0;
  let pDecided = 0, pTime = 0, pSpikes = 0, pSpikesDec = 0, pSyn = 0, pSynDec = 0;
  for (let s = 0; s < n; s++) {
    // a real test image
    const px = test.image(s % test.n), label = test.labels[s % test.n];
    for (let p = 0; p < PIXELS; p++) img[p] = px[p] === 0 ? silent : cfg.kernel === 'delta' ? Math.floor(((255 - px[p]) * cfg.tmax) / 255) : ((255 - px[p]) / 255) * cfg.tmax;
    extraSpikes(cfg, label, img, PIXELS, silent);
    const rr = simD.run(img);
    tr.add(rr);
    if (rr.prediction() === 0) realCalledReal++;
    // a fake from seeded noise, and the pipeline
    const recG = simG.run(generatorInput(cfg, rng, label, z));
    tg.add(recG);
    const t = recG.timesOf(G.output);
    for (let p = 0; p < PIXELS; p++) img[p] = t[p] >= gT ? silent : Math.max(0, t[p] - L);
    const rf = simD.run(img);
    tf.add(rf);
    if (rf.prediction() === 0) fakeCalledReal++;
    pSpikes += recG.totalSpikes() + rf.totalSpikes();
    pSyn += recG.synapticEvents + rf.synapticEvents;
    if (rf.decided) {
      const T = rf.decisionTime + L;
      pDecided++;
      pTime += T;
      const g = spentBy(G, recG, T);
      pSpikesDec += g.spikes + rf.totalSpikes(true);
      pSynDec += g.syn + rf.synapticEventsToDecision;
    } else {
      pSpikesDec += recG.totalSpikes() + rf.totalSpikes();
      pSynDec += recG.synapticEvents + rf.synapticEvents;
    }
  }
  const macs = [G, D].reduce((s, net) => s + net.projections.reduce((a, p) => a + p.src.size * p.dst.size, 0), 0);
  return {
    generator: tg.figures(),
    dReal: { ...tr.figures(), calledReal: realCalledReal / n },
    dFake: { ...tf.figures(), calledReal: fakeCalledReal / n },
    pipeline: {
      samples: n,
      decisionTime: pDecided ? pTime / pDecided / unit : NaN,
      spikes: pSpikes / n, spikesToDecision: pSpikesDec / n,
      synapticEvents: pSyn / n, synapticEventsToDecision: pSynDec / n,
      energy: { snnNj: (pSyn / n) * PJ_PER_SOP / 1000, snnToDecisionNj: (pSynDec / n) * PJ_PER_SOP / 1000, annNj: (macs * PJ_PER_MAC) / 1000, note: ENERGY_NOTE },
    },
    unit: cfg.kernel === 'delta' ? 'steps' : 'image windows',
  };
}

/** Spikes of a network's non-input layers up to time T, and the arrivals they delivered by then. */
function spentBy(net: Network, rec: RunRecord, T: number): { spikes: number; syn: number } {
  let spikes = 0, syn = 0;
  for (const p of net.populations) {
    const t = rec.timesOf(p);
    for (let i = 0; i < p.size; i++) if (!p.isInput && t[i] <= T && t[i] < net.tmax) spikes++;
  }
  for (const pr of net.projections) {
    const t = rec.timesOf(pr.src);
    for (let i = 0; i < pr.src.size; i++) {
      if (t[i] < net.tmax && t[i] + pr.delay <= T && t[i] + pr.delay < net.tmax) syn += pr.csr ? pr.csr.indptr[i + 1] - pr.csr.indptr[i] : pr.dst.size;
    }
  }
  return { spikes, syn };
}
