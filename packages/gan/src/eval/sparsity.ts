import { Rng, Simulator, valuesToTimes, type Network, type RunRecord } from '@spiking-gan/core';
export type { NetFigures } from './figures.ts';
import { ENERGY_NOTE, PJ_PER_MAC, PJ_PER_SOP, Tally, type NetFigures } from './figures.ts';
import type { ImageSet } from '../data/mnist.ts';
import type { GanConfig } from '../models/config.ts';
import { fakeImageInput, PIXELS, realImageInput, reluLatency, reluNoise, reluRealInput } from '../models/networks.ts';
import { generatorInput } from '../train/gan-trainer.ts';

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
  const relu = cfg.kernel === 'relu';
  const L = relu ? reluLatency(G) : cfg.gLatency;
  const x = new Float64Array(D.populations[0].size);
  // relu kernel: inputs are values coded as times in each network's input window; D may read its output's potential
  const dIn = (values: Float64Array) => valuesToTimes(values, D.populations[0].window!, img);
  const gOut = (rec: RunRecord, label: number) => {
    const t = rec.timesOf(G.output), end = G.output.window!.end;
    for (let p = 0; p < PIXELS; p++) x[p] = t[p] < end ? end - t[p] : 0;
    if (cfg.conditional) for (let d = 0; d < 10; d++) x[PIXELS + d] = d === label ? 1 : 0;
    return dIn(x);
  };
  const saysReal = (rec: RunRecord) => (relu && D.output.size === 1 ? rec.potentialOf(D.output)[0] > 0 : rec.prediction() === 0);
  const tg = new Tally(G, unit), tr = new Tally(D, unit), tf = new Tally(D, unit);
  const img = new Float64Array(D.populations[0].size), z = new Float64Array(G.populations[0].size);
  const rng = new Rng(seed);
  let realCalledReal = 0, fakeCalledReal = 0;
  let pDecided = 0, pTime = 0, pSpikes = 0, pSpikesDec = 0, pSyn = 0, pSynDec = 0;
  for (let s = 0; s < n; s++) {
    // a real test image
    const px = test.image(s % test.n), label = test.labels[s % test.n];
    const rr = simD.run(relu ? dIn(reluRealInput(cfg, px, label, x)) : realImageInput(cfg, px, label, img));
    tr.add(rr);
    if (saysReal(rr)) realCalledReal++;
    // a fake from seeded noise, and the pipeline
    const recG = simG.run(relu ? valuesToTimes(reluNoise(cfg, rng, label, z), G.populations[0].window!) : generatorInput(cfg, rng, label, z));
    tg.add(recG);
    const rf = simD.run(relu ? gOut(recG, label) : fakeImageInput(cfg, recG.timesOf(G.output), label, img));
    tf.add(rf);
    if (saysReal(rf)) fakeCalledReal++;
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
