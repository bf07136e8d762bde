import { Rng, Simulator, valuesToTimes, type Network, type RunRecord } from '@spiking-gan/core';
export type { NetFigures } from './figures.ts';
import { ENERGY_NOTE, PJ_PER_MAC, PJ_PER_SOP, Tally, type NetFigures } from './figures.ts';
import type { ImageSet } from '../data/mnist.ts';
import type { GanConfig } from '../models/config.ts';
import {
  digitCode,
  dSeesDigit,
  fakeImageInput,
  PIXELS,
  realImageInput,
  reluImageSize,
  reluLatency,
  reluLogit,
  reluNoise,
  reluRealInput,
} from '../models/networks.ts';
import { generatorInput } from '../train/sample.ts';

/**
 * Sparsity of the whole G→D pipeline: D decides at its decision time plus G's latency; what G spent until then
 * counts too.
 */
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

/** All sparsity figures of a Spiking-GAN: G, D on real test images, D on fakes, and the G→D pipeline. */
export interface GanSparsity {
  generator: NetFigures;
  dReal: NetFigures & { calledReal: number };
  dFake: NetFigures & { calledReal: number };
  pipeline: PipelineFigures;
  unit: string;
}

/** Measures G, D (on `n` real test images and `n` fakes from seeded noise) and the G→D pipeline. */
export function ganSparsity(
  G: Network,
  D: Network,
  cfg: GanConfig,
  test: ImageSet,
  n: number,
  seed: number,
): GanSparsity {
  const simG = new Simulator(G),
    simD = new Simulator(D);
  const unit = cfg.kernel === 'delta' ? 1 : cfg.tmax;
  const relu = cfg.kernel === 'relu';
  const L = relu ? reluLatency(G) : cfg.gLatency;
  const tg = new Tally(G, unit),
    tr = new Tally(D, unit),
    tf = new Tally(D, unit);
  const img = new Float64Array(D.populations[0].size),
    z = new Float64Array(G.populations[0].size);
  const rng = new Rng(seed);
  const x = new Float64Array(D.populations[0].size);
  // relu kernel: inputs are values coded as times in each network's input window (D may judge a pack of
  // m images at once); D says "real" with its readout's potential, or its real neuron's first spike
  const m = relu ? cfg.pack : 1,
    S = relu ? reluImageSize(cfg) : 0;
  const dIn = (values: Float64Array) => valuesToTimes(values, D.populations[0].window!, img);
  const gRecs = Array.from({ length: m }, () => simG.record.clone());
  // the digits of the pack D judges (the projection readout adds their neurons' potentials)
  const digits = new Int32Array(m);
  const readout = relu && cfg.loss === 'bce';
  const saysReal = (rec: RunRecord) =>
    readout ? reluLogit(cfg, rec.potentialOf(D.output), digits) > 0 : rec.prediction() === 0;
  const realInput = (s: number, label: number) => {
    if (!relu) return realImageInput(cfg, test.image(s % test.n), label, img);
    for (let k = 0; k < m; k++) {
      const i = (s * m + k) % test.n;
      digits[k] = test.labels[i];
      reluRealInput(cfg, test.image(i), test.labels[i], x.subarray(k * S, (k + 1) * S));
    }
    return dIn(x);
  };
  /** Runs G m times (relu) or once, keeping the records; returns D's input for the fake(s). */
  const fakeInput = (label: number) => {
    if (!relu) {
      gRecs[0].copyFrom(simG.run(generatorInput(cfg, rng, label, z)));
      return fakeImageInput(cfg, gRecs[0].timesOf(G.output), label, img);
    }
    const end = G.output.window!.end;
    for (let k = 0; k < m; k++) {
      const t = gRecs[k]
        .copyFrom(simG.run(valuesToTimes(reluNoise(cfg, rng, label, z), G.populations[0].window!)))
        .timesOf(G.output);
      for (let p = 0; p < PIXELS; p++) x[k * S + p] = t[p] < end ? end - t[p] : 0;
      if (dSeesDigit(cfg)) digitCode(label, x, k * S + PIXELS);
      digits[k] = label;
    }
    return dIn(x);
  };
  let realCalledReal = 0,
    fakeCalledReal = 0;
  let pDecided = 0,
    pTime = 0,
    pSpikes = 0,
    pSpikesDec = 0,
    pSyn = 0,
    pSynDec = 0;
  for (let s = 0; s < n; s++) {
    // a real test image (a pack of them), a fake (a pack) from seeded noise, and the pipeline
    const label = test.labels[s % test.n];
    const rr = simD.run(realInput(s, label));
    tr.add(rr);
    if (saysReal(rr)) realCalledReal++;
    const fakeIn = fakeInput(label);
    for (const rec of gRecs) tg.add(rec);
    const rf = simD.run(fakeIn);
    tf.add(rf);
    if (saysReal(rf)) fakeCalledReal++;
    let gSpikes = 0,
      gSyn = 0,
      gSpikesDec = 0,
      gSynDec = 0;
    const T = rf.decisionTime + L;
    for (const rec of gRecs) {
      gSpikes += rec.totalSpikes();
      gSyn += rec.synapticEvents;
      const g = spentBy(G, rec, T);
      gSpikesDec += g.spikes;
      gSynDec += g.syn;
    }
    pSpikes += gSpikes + rf.totalSpikes();
    pSyn += gSyn + rf.synapticEvents;
    if (rf.decided) {
      pDecided++;
      pTime += T;
      pSpikesDec += gSpikesDec + rf.totalSpikes(true);
      pSynDec += gSynDec + rf.synapticEventsToDecision;
    } else {
      pSpikesDec += gSpikes + rf.totalSpikes();
      pSynDec += gSyn + rf.synapticEvents;
    }
  }
  // the ANN of the same pipeline: G m times, D once
  const annMacs = (net: Network) => net.projections.reduce((a, p) => a + p.src.size * p.dst.size, 0);
  const macs = m * annMacs(G) + annMacs(D);
  return {
    generator: tg.figures(),
    dReal: { ...tr.figures(), calledReal: realCalledReal / n },
    dFake: { ...tf.figures(), calledReal: fakeCalledReal / n },
    pipeline: {
      samples: n,
      decisionTime: pDecided ? pTime / pDecided / unit : NaN,
      spikes: pSpikes / n,
      spikesToDecision: pSpikesDec / n,
      synapticEvents: pSyn / n,
      synapticEventsToDecision: pSynDec / n,
      energy: {
        snnNj: ((pSyn / n) * PJ_PER_SOP) / 1000,
        snnToDecisionNj: ((pSynDec / n) * PJ_PER_SOP) / 1000,
        annNj: (macs * PJ_PER_MAC) / 1000,
        note: ENERGY_NOTE,
      },
    },
    unit: cfg.kernel === 'delta' ? 'steps' : 'image windows',
  };
}

/** Spikes of a network's non-input layers up to time T, and the arrivals they delivered by then. */
function spentBy(net: Network, rec: RunRecord, T: number): { spikes: number; syn: number } {
  let spikes = 0,
    syn = 0;
  for (const p of net.populations) {
    const t = rec.timesOf(p);
    for (let i = 0; i < p.size; i++) if (!p.isInput && t[i] <= T && t[i] < net.tmax) spikes++;
  }
  for (const pr of net.projections) {
    const t = rec.timesOf(pr.src);
    for (let i = 0; i < pr.src.size; i++) {
      if (t[i] < net.tmax && t[i] + pr.delay <= T && t[i] + pr.delay < net.tmax)
        syn += pr.csr ? pr.csr.indptr[i + 1] - pr.csr.indptr[i] : pr.dst.size;
    }
  }
  return { spikes, syn };
}
