import {
  Backprop, cosineFactor, decodeBytes, Optimiser, Rng, Simulator, targets, type Network, type RunRecord,
} from '@spiking-gan/core';
import { MNIST_CLASSES, type ImageSet } from '../data/mnist.ts';
import type { GanConfig } from '../models/config.ts';
import { MMD_SILENT, mmdGradient } from './mmd.ts';
import { DivergenceError } from './divergence.ts';
import { averageInto, checkFiniteNetworks } from './parameters.ts';
import { buildDiscriminator, buildGenerator, discriminatorWindow, extraInputs, extraSpikes, fakeImageInput, generatorWindow, imageSilence, PIXELS, realImageInput } from '../models/networks.ts';

/** Figures of one training step (means over the step's samples). */
export interface StepStats {
  step: number;
  /** Share of real images D called real, and of fakes D called fake (during D's updates). */
  dRealRight: number;
  dFakeRight: number;
  /** Share of fakes that fooled D during G's update. */
  gFooled: number;
  /** D's losses on real and fake images and G's loss. */
  dLossReal: number;
  dLossFake: number;
  gLoss: number;
  /** D's mean decision time (first output spike) on real and on fake images, image-window units. */
  tReal: number;
  tFake: number;
  /** Share of fake pixels that spike (are lit). */
  lit: number;
  /** Share of G's neurons (hidden and pixels) whose on/off changes across the step's noise samples. */
  varying: number;
  /** Mean spikes per sample of G's layers (hidden + pixels) and of D's layers (on real and fake images). */
  gSpikes: number;
  dSpikes: number;
}

/** Mean of each figure over a window of steps (the step is the window's last). */
export function meanStats(window: StepStats[]): StepStats {
  const m = { ...window[window.length - 1] };
  for (const k of Object.keys(m) as (keyof StepStats)[]) if (k !== 'step') m[k] = window.reduce((s, x) => s + x[k], 0) / window.length;
  return m;
}

export { DivergenceError } from './divergence.ts';

/** Steps in a row with no spike at all in G (or in D) after which training is stopped. */
export const SILENT_PATIENCE = 20;

const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Adversarial training of a spiking generator against a spiking discriminator: D on real
 * images, D on fakes, then G through a frozen D, the error flowing from D's output into D's input
 * spike times (G's output times) and on through G.
 */
export class GanTrainer {
  readonly G: Network;
  readonly D: Network;
  readonly simG: Simulator;
  readonly simD: Simulator;
  readonly optD: Optimiser;
  readonly optG: Optimiser;
  readonly rngData: Rng;
  readonly rngNoise: Rng;
  /** The moving average of G's weights (`gEma` > 0), else null; `sampler` is what sampling uses. */
  readonly emaG: Network | null;
  /** Running mean of D's hidden spike times on real images (the feature-matching target). */
  readonly featMean: Float64Array;
  /** Steps done. */
  step = 0;
  private readonly bpD: Backprop;
  private readonly bpDin: Backprop;
  private readonly bpG: Backprop;
  private readonly z: Float64Array;
  private readonly dIn: Float64Array;
  private readonly dGOut: Float64Array;
  private readonly err: Float64Array;
  private readonly T: Float64Array;
  private readonly fires: Int32Array;
  private readonly featDelta: Float64Array;
  private readonly silent: number;
  private readonly img: Float64Array;
  private readonly fakes: Float64Array[];
  private readonly fakeRecs: RunRecord[];
  private readonly fakeLabels: Int32Array;
  private readonly mmdDelta: Float64Array[];
  /** The MMD's pixel space: the fake batch and a real batch, scaled to the image window (reused each step). */
  private readonly mmdFakes: Float64Array[];
  private readonly mmdReals: Float64Array[];
  private byLabel: Int32Array[] | null = null;
  private featSeen = 0;
  private readonly silentSteps = { G: 0, D: 0 };

  constructor(readonly cfg: GanConfig, readonly data: ImageSet) {
    this.G = buildGenerator(cfg);
    this.D = buildDiscriminator(cfg);
    this.emaG = cfg.gEma > 0 ? buildGenerator(cfg) : null;
    this.simG = new Simulator(this.G);
    this.simD = new Simulator(this.D);
    const delta = cfg.kernel === 'delta';
    this.silent = imageSilence(cfg);
    const common = { normalise: delta, silentPenalty: cfg.silentPenalty, silentSurrogate: delta ? 0 : cfg.silentPixel === 'late' ? 1 : 0 };
    this.bpD = new Backprop(this.D, common);
    this.bpDin = new Backprop(this.D, { ...common, inputDelta: true, silentInputTime: cfg.silentPixel === 'late' ? (delta ? cfg.tmax - 1 : cfg.tmax) : null });
    this.bpG = new Backprop(this.G, { ...common, silentPenalty: cfg.gSilentPenalty ?? cfg.silentPenalty });
    const opt = (lr: number, batch: number) => ({ kind: cfg.optimiser, lr, decay: cfg.decay, batch, beta1: cfg.beta1 });
    this.optD = new Optimiser(this.D, opt(cfg.dLr, cfg.batch === 1 ? 1 : 2 * cfg.batch));
    this.optG = new Optimiser(this.G, opt(cfg.gLr, cfg.batch));
    this.rngData = new Rng(cfg.seed * 3 + 1);
    this.rngNoise = new Rng(cfg.seed * 3 + 2);
    this.z = new Float64Array(this.G.populations[0].size);
    this.dIn = new Float64Array(this.D.populations[0].size);
    this.dGOut = new Float64Array(PIXELS);
    this.err = new Float64Array(2);
    this.T = new Float64Array(2);
    this.fires = new Int32Array(this.G.size);
    this.featMean = new Float64Array(cfg.dHidden);
    this.featDelta = new Float64Array(cfg.dHidden);
    this.img = new Float64Array(this.D.populations[0].size);
    this.fakes = Array.from({ length: cfg.batch }, () => new Float64Array(this.D.populations[0].size));
    this.fakeRecs = Array.from({ length: cfg.batch }, () => this.simG.record.clone());
    this.fakeLabels = new Int32Array(cfg.batch);
    const mmdBatch = () => (cfg.mmd > 0 ? Array.from({ length: cfg.batch }, () => new Float64Array(PIXELS)) : []);
    this.mmdDelta = mmdBatch();
    this.mmdFakes = mmdBatch();
    this.mmdReals = mmdBatch();
  }

  /** Fills G's input: noise spike times (and the label spikes in conditional mode) from `rng`. */
  noise(rng: Rng, label: number, out: Float64Array = this.z): Float64Array {
    return generatorInput(this.cfg, rng, label, out);
  }

  /** Runs G on its input `z` and writes the fake image's spike times (and label spikes) into `img` (D's input). */
  generate(z: Float64Array, label: number, img: Float64Array): RunRecord {
    const rec = this.simG.run(z);
    fakeImageInput(this.cfg, rec.timesOf(this.G.output), label, img);
    return rec;
  }

  /** Writes a real image's spike times (black pixels silent) and its label spikes into `img`. */
  encodeReal(index: number, img: Float64Array): void {
    realImageInput(this.cfg, this.data.image(index), this.data.labels[index], img);
  }

  /** D's output error δ = −∂L/∂t for class y (0 real, 1 fake), real targets smoothed to `realTarget` (D's updates only); returns the loss. */
  dError(rec: RunRecord, y: 0 | 1, out: Float64Array, realTarget = 1): number {
    const c = this.cfg, dT = discriminatorWindow(c), t = rec.timesOf(this.D.output);
    if (c.loss === 'bce') {
      const l = c.beta * (Math.min(t[1], dT) - Math.min(t[0], dT)) / c.tmax;
      const s = y === 0 ? realTarget : 0;
      const dl = sigmoid(l) - s;
      out[0] = (c.beta / c.tmax) * dl;
      out[1] = -(c.beta / c.tmax) * dl;
      return s * softplus(-l) + (1 - s) * softplus(l);
    }
    const T = targets(c.loss, t, y, { tmax: dT, gamma: c.gamma, gammaA: c.gammaA }, this.T);
    let loss = 0;
    for (let k = 0; k < 2; k++) {
      out[k] = (T[k] - Math.min(t[k], dT)) / dT;
      loss += 0.5 * out[k] * out[k];
    }
    return loss;
  }

  /**
   * One training step: `dSteps` D updates, each on a batch of real and a batch of fake images, then
   * one G update on the last fake batch, sent again through the updated (and now frozen) D.
   */
  trainStep(): StepStats {
    this.checkFinite(this.step);
    if (this.cfg.schedule === 'cosine') {
      const f = cosineFactor(this.step, this.cfg.steps);
      this.optG.setRateFactor(f);
      this.optD.setRateFactor(f);
    }
    const d = this.discriminatorStep();
    const g = this.generatorStep(false);
    this.updateEma();
    this.step++;
    this.checkFinite(this.step);
    this.silentSteps.G = g.gSpikes === 0 ? this.silentSteps.G + 1 : 0;
    this.silentSteps.D = d.dSpikes === 0 ? this.silentSteps.D + 1 : 0;
    for (const name of ['G', 'D'] as const) {
      if (this.silentSteps[name] >= SILENT_PATIENCE) throw new DivergenceError(`${name} stopped spiking entirely (no spike in any of its layers for ${SILENT_PATIENCE} steps)`, this.step);
    }
    return { step: this.step, ...d, ...g };
  }

  /** Throws a DivergenceError naming the network, projection and weight when a weight or scale is not finite. */
  checkFinite(step = this.step): void {
    checkFiniteNetworks([['G', this.G], ['D', this.D]], step);
  }

  /** D's updates of one step: `dSteps` times a batch of real images (target real) and a batch of new fakes (target fake). */
  discriminatorStep(): Pick<StepStats, 'dRealRight' | 'dFakeRight' | 'dLossReal' | 'dLossFake' | 'tReal' | 'tFake' | 'dSpikes'> {
    const c = this.cfg, B = c.batch, dT = discriminatorWindow(c), img = this.img;
    let realRight = 0, fakeRight = 0, lossReal = 0, lossFake = 0, tReal = 0, tFake = 0, spikes = 0;
    for (let d = 0; d < c.dSteps; d++) {
      for (let b = 0; b < B; b++) {
        const idx = this.rngData.int(this.data.n);
        this.encodeReal(idx, img);
        this.jitter(img);
        const rec = this.simD.run(img);
        if (rec.prediction() === 0) realRight++;
        tReal += Math.min(rec.decisionTime, dT);
        spikes += rec.totalSpikes();
        this.trackFeatures(rec);
        lossReal += this.dError(rec, 0, this.err, c.realTarget);
        this.bpD.run(rec, this.err, this.optD);
        this.optD.endSample();
      }
      this.newFakes();
      for (let b = 0; b < B; b++) {
        img.set(this.fakes[b]);
        this.jitter(img);
        const rec = this.simD.run(img);
        if (rec.prediction() === 1) fakeRight++;
        tFake += Math.min(rec.decisionTime, dT);
        spikes += rec.totalSpikes();
        lossFake += this.dError(rec, 1, this.err);
        this.bpD.run(rec, this.err, this.optD);
        this.optD.endSample();
      }
    }
    const nd = B * c.dSteps, unit = c.kernel === 'delta' ? 1 : c.tmax;
    return { dRealRight: realRight / nd, dFakeRight: fakeRight / nd, dLossReal: lossReal / nd, dLossFake: lossFake / nd, tReal: tReal / nd / unit, tFake: tFake / nd / unit, dSpikes: spikes / (2 * nd) };
  }

  /** Draws a new batch of fakes (noise, G run), kept with G's records for the G update. */
  newFakes(): void {
    const c = this.cfg;
    for (let b = 0; b < c.batch; b++) {
      // conditional: digits drawn like the data's, `digitGroup` fakes in a row share one (so the per-digit MMD has pairs to compare)
      const label = !c.conditional ? 0 : b % c.digitGroup === 0 ? this.data.labels[this.rngData.int(this.data.n)] : this.fakeLabels[b - 1];
      this.fakeLabels[b] = label;
      this.fakeRecs[b].copyFrom(this.generate(this.noise(this.rngNoise, label), label, this.fakes[b]));
    }
  }

  /**
   * G's update through a frozen D on the current fake batch (`fresh`: draw a new one first): D's
   * error for the target "real" flows from D's output into D's input times, which are G's output times.
   */
  generatorStep(fresh = true): Pick<StepStats, 'gFooled' | 'gLoss' | 'lit' | 'varying' | 'gSpikes'> {
    const c = this.cfg, B = c.batch, D = this.D, dT = discriminatorWindow(c);
    if (fresh) this.newFakes();
    let fooled = 0, gLoss = 0, lit = 0, gSpikes = 0;
    this.fires.fill(0);
    if (c.mmd > 0) gLoss += this.pixelMmd();
    for (let b = 0; b < B; b++) {
      const recG = this.fakeRecs[b], fake = this.fakes[b];
      gSpikes += recG.totalSpikes();
      for (let g = 0; g < this.G.size; g++) if (recG.times[g] < this.G.tmax) this.fires[g]++;
      for (let p = 0; p < PIXELS; p++) if (fake[p] < this.silent) lit++;
      this.img.set(fake);
      this.jitter(this.img);
      const recD = this.simD.run(this.img);
      if (recD.prediction() === 0) fooled++;
      this.dIn.fill(0);
      if (c.gObjective === 'flip' || c.gObjective === 'both') {
        gLoss += this.dError(recD, 0, this.err);
        this.dIn.set(this.bpDin.run(recD, this.err, null));
      }
      if (c.gObjective === 'features' || c.gObjective === 'both') {
        const th = recD.timesOf(D.populations[1]);
        for (let j = 0; j < th.length; j++) {
          this.featDelta[j] = (this.featMean[j] - Math.min(th[j], dT)) / dT;
          gLoss += 0.5 * this.featDelta[j] * this.featDelta[j];
        }
        const dF = this.bpDin.run(recD, this.featDelta, null, 1);
        for (let i = 0; i < this.dIn.length; i++) this.dIn[i] += dF[i];
      }
      if (c.advWeight !== 1) for (let p = 0; p < PIXELS; p++) this.dIn[p] *= c.advWeight;
      if (c.diversity > 0 && (b ^ 1) < B) this.addDiversity(fake, this.fakes[b ^ 1]);
      if (c.mmd > 0) for (let p = 0; p < PIXELS; p++) this.dIn[p] += this.mmdDelta[b][p];
      const tG = recG.timesOf(this.G.output), L = c.gLatency;
      for (let p = 0; p < PIXELS; p++) {
        const dv = this.dIn[p];
        // a pixel clipped at time 0 can only be moved later
        this.dGOut[p] = tG[p] - L < 0 && dv < 0 ? 0 : dv;
      }
      this.bpG.run(recG, this.dGOut, this.optG);
      this.optG.endSample();
    }
    let varying = 0, neurons = 0;
    for (const p of this.G.populations) {
      if (p.isInput) continue;
      for (let g = p.offset; g < p.offset + p.size; g++) {
        neurons++;
        if (this.fires[g] > 0 && this.fires[g] < B) varying++;
      }
    }
    return { gFooled: fooled / B, gLoss: gLoss / B, lit: lit / (B * PIXELS), varying: varying / neurons, gSpikes: gSpikes / B };
  }

  /** The instance-noise σ at the current step (time units): `instanceNoise` · tmax, falling linearly to 0 at the last step. */
  get noiseSigma(): number {
    const c = this.cfg;
    return c.instanceNoise * c.tmax * Math.max(0, 1 - this.step / Math.max(c.steps, 1));
  }

  /** Instance noise: Gaussian jitter on the spiking pixels of D's input `img`, clipped to the image window. */
  private jitter(img: Float64Array): void {
    const sigma = this.noiseSigma, top = this.cfg.tmax, silent = this.silent;
    if (!(sigma > 0)) return;
    for (let p = 0; p < PIXELS; p++) {
      const t = img[p];
      if (t >= silent) continue;
      img[p] = Math.min(top, Math.max(0, t + sigma * this.rngData.normal()));
    }
  }

  /**
   * Pixel-space MMD² between the current fake batch and a batch of real images (the same digits in
   * conditional mode, where only pairs of the same digit count: a product kernel with a delta on the
   * label), with Gaussian kernels of several widths on pixel times scaled to the image window
   * (silent = `MMD_SILENT`, apart from the latest lit time). Fills `mmdDelta[b]` with λ·B·(−∂MMD²/∂t) per pixel; returns λ·MMD² without its constant real–real term.
   */
  private pixelMmd(): number {
    const c = this.cfg, B = c.batch, T = c.tmax, lambda = c.mmd;
    const x = (img: Float64Array, out: Float64Array) => {
      for (let p = 0; p < PIXELS; p++) out[p] = img[p] < T ? img[p] / T : MMD_SILENT;
      return out;
    };
    const fakes = this.mmdFakes, reals = this.mmdReals;
    for (let b = 0; b < B; b++) {
      x(this.fakes[b], fakes[b]);
      this.encodeReal(this.realIndex(this.fakeLabels[b]), this.img);
      x(this.img, reals[b]);
    }
    const mmd = mmdGradient(fakes, reals, c.conditional ? this.fakeLabels : null, lambda, this.mmdDelta);
    // the gradient above is per unit of scaled time x = t / T
    for (const d of this.mmdDelta) for (let p = 0; p < PIXELS; p++) d[p] /= T;
    return mmd;
  }

  /** A random training image of digit `label` (any image when unconditional). */
  private realIndex(label: number): number {
    if (!this.cfg.conditional) return this.rngData.int(this.data.n);
    if (!this.byLabel) {
      const lists: number[][] = Array.from({ length: MNIST_CLASSES }, () => []);
      for (let i = 0; i < this.data.n; i++) lists[this.data.labels[i]].push(i);
      this.byLabel = lists.map((l) => Int32Array.from(l));
    }
    const l = this.byLabel[label];
    return l[this.rngData.int(l.length)];
  }

  /** Mode-seeking term: pushes each pixel of `fake` away from the same pixel of the paired sample `other` (δ = λ·sign of their difference). */
  private addDiversity(fake: Float64Array, other: Float64Array): void {
    const lambda = this.cfg.diversity, top = this.cfg.tmax;
    for (let p = 0; p < PIXELS; p++) {
      const a = Math.min(fake[p], top), b = Math.min(other[p], top);
      if (a !== b) this.dIn[p] += a > b ? lambda : -lambda;
    }
  }

  private trackFeatures(rec: RunRecord): void {
    const th = rec.timesOf(this.D.populations[1]), dT = discriminatorWindow(this.cfg);
    const a = Math.max(0.01, 1 / ++this.featSeen);
    for (let j = 0; j < th.length; j++) this.featMean[j] += a * (Math.min(th[j], dT) - this.featMean[j]);
  }

  /** The generator that sampling and the saved G use: the moving average when `gEma` is on, else G itself. */
  get sampler(): Network {
    return this.emaG ?? this.G;
  }

  /** Moves the average of G's weights towards G's effective weights (scale applied). */
  updateEma(): void {
    const ema = this.emaG;
    if (!ema) return;
    averageInto(ema, this.G, Math.min(this.cfg.gEma, (1 + this.step) / (10 + this.step)));
  }

  /** Generates `n` images as 8-bit pixels from seeded noise (labels cycle 0..9 in conditional mode, or `digit`). */
  sample(n: number, seed: number, digit?: number): { pixels: Uint8Array; labels: Uint8Array } {
    return sampleGenerator(this.sampler, this.cfg, n, seed, digit, this.emaG ? undefined : this);
  }

  /** The error G's pixels received in the last G update (δ = −∂L/∂t per pixel, from D's input). */
  get lastPixelError(): Float64Array {
    return this.dGOut;
  }

  /** Counters that must survive a checkpoint besides the weights and optimiser moments. */
  get featSeenCount(): number {
    return this.featSeen;
  }

  set featSeenCount(v: number) {
    this.featSeen = v;
  }
}

/** Generates images from a generator network with the settings it was trained with. */
export function sampleGenerator(G: Network, cfg: GanConfig, n: number, seed: number, digit?: number, helper?: GanTrainer): { pixels: Uint8Array; labels: Uint8Array } {
  const sim = helper ? helper.simG : new Simulator(G);
  const rng = new Rng(seed);
  const z = new Float64Array(G.populations[0].size), img = new Float64Array(PIXELS + extraInputs(cfg));
  const pixels = new Uint8Array(n * PIXELS), labels = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    const label = digit ?? (cfg.conditional ? s % MNIST_CLASSES : 0);
    labels[s] = label;
    fakeImageInput(cfg, sim.run(generatorInput(cfg, rng, label, z)).timesOf(G.output), label, img);
    decodeBytes(img.subarray(0, PIXELS), cfg.tmax, pixels.subarray(s * PIXELS, (s + 1) * PIXELS));
  }
  return { pixels, labels };
}

/** G's input for one sample: N_z noise spike times from `rng` (sparse noise leaves some silent) and the label spikes. */
export function generatorInput(cfg: GanConfig, rng: Rng, label: number, out: Float64Array): Float64Array {
  const discrete = cfg.kernel === 'delta', gT = generatorWindow(cfg);
  for (let i = 0; i < cfg.nz; i++) {
    const t = discrete ? rng.int(cfg.noiseSpan) : rng.next() * cfg.noiseSpan;
    out[i] = cfg.noise === 'sparse' && rng.next() < cfg.noiseSilent ? gT : t;
  }
  extraSpikes(cfg, label, out, cfg.nz, gT);
  return out;
}
