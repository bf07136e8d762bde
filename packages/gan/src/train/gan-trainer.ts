// The Spiking-GAN on ramp or delta synapses: the training loop of D on real and fake batches, then G
// through a frozen D. D's loss, G's other terms, instance noise, the schedule, the moving average of G,
// the divergence checks and sampling each live in a module of their own.
import { Backprop, Optimiser, Rng, Simulator, type Network, type RunRecord } from '@spiking-gan/core';
import type { ImageSet } from '../data/mnist.ts';
import type { GanConfig } from '../models/config.ts';
import {
  buildDiscriminator,
  buildGenerator,
  discriminatorWindow,
  fakeImageInput,
  imageSilence,
  PIXELS,
  realImageInput,
} from '../models/networks.ts';
import { SpikingDLoss } from './discriminator-loss.ts';
import { SilenceWatch } from './divergence.ts';
import { addDiversity, FeatureMatching } from './generator-terms.ts';
import { InstanceNoise } from './instance-noise.ts';
import { PixelMmd } from './mmd.ts';
import { checkFiniteNetworks, followAverage, followSchedule } from './parameters.ts';
import { generatorInput, sampleSpiking, type Samples } from './sample.ts';
import type { StepStats } from './stats.ts';

/** The figures of D's updates of a step. */
type DFigures = Pick<
  StepStats,
  'dRealRight' | 'dFakeRight' | 'dLossReal' | 'dLossFake' | 'tReal' | 'tFake' | 'dSpikes'
>;
/** The figures of G's update of a step. */
type GFigures = Pick<StepStats, 'gFooled' | 'gLoss' | 'lit' | 'varying' | 'gSpikes'>;

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
  /** Steps done. */
  step = 0;
  private readonly dLoss: SpikingDLoss;
  private readonly features: FeatureMatching;
  private readonly mmd: PixelMmd | null;
  private readonly instanceNoise: InstanceNoise;
  private readonly silence = new SilenceWatch();
  private readonly bpD: Backprop;
  private readonly bpDin: Backprop;
  private readonly bpG: Backprop;
  private readonly z: Float64Array;
  private readonly dIn: Float64Array;
  private readonly dGOut: Float64Array;
  private readonly err: Float64Array;
  private readonly fires: Int32Array;
  private readonly silent: number;
  private readonly img: Float64Array;
  private readonly fakes: Float64Array[];
  private readonly fakeRecs: RunRecord[];
  private readonly fakeLabels: Int32Array;

  constructor(
    readonly cfg: GanConfig,
    readonly data: ImageSet,
  ) {
    this.G = buildGenerator(cfg);
    this.D = buildDiscriminator(cfg);
    this.emaG = cfg.gEma > 0 ? buildGenerator(cfg) : null;
    this.simG = new Simulator(this.G);
    this.simD = new Simulator(this.D);
    const delta = cfg.kernel === 'delta',
      inputs = this.D.populations[0].size;
    this.silent = imageSilence(cfg);
    const silentSurrogate = delta ? 0 : cfg.silentPixel === 'late' ? 1 : 0;
    const common = { normalise: delta, silentPenalty: cfg.silentPenalty, silentSurrogate };
    const silentInputTime = cfg.silentPixel === 'late' ? (delta ? cfg.tmax - 1 : cfg.tmax) : null;
    this.bpD = new Backprop(this.D, common);
    this.bpDin = new Backprop(this.D, { ...common, inputDelta: true, silentInputTime });
    this.bpG = new Backprop(this.G, { ...common, silentPenalty: cfg.gSilentPenalty ?? cfg.silentPenalty });
    const opt = (lr: number, batch: number) => ({ kind: cfg.optimiser, lr, decay: cfg.decay, batch, beta1: cfg.beta1 });
    this.optD = new Optimiser(this.D, opt(cfg.dLr, cfg.batch === 1 ? 1 : 2 * cfg.batch));
    this.optG = new Optimiser(this.G, opt(cfg.gLr, cfg.batch));
    this.rngData = new Rng(cfg.seed * 3 + 1);
    this.rngNoise = new Rng(cfg.seed * 3 + 2);
    this.dLoss = new SpikingDLoss(cfg);
    this.features = new FeatureMatching(cfg.dHidden, discriminatorWindow(cfg));
    this.mmd = cfg.mmd > 0 ? new PixelMmd(cfg, data, inputs) : null;
    this.instanceNoise = new InstanceNoise(cfg);
    this.z = new Float64Array(this.G.populations[0].size);
    this.dIn = new Float64Array(inputs);
    this.dGOut = new Float64Array(PIXELS);
    this.err = new Float64Array(2);
    this.fires = new Int32Array(this.G.size);
    this.img = new Float64Array(inputs);
    this.fakes = Array.from({ length: cfg.batch }, () => new Float64Array(inputs));
    this.fakeRecs = Array.from({ length: cfg.batch }, () => this.simG.record.clone());
    this.fakeLabels = new Int32Array(cfg.batch);
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

  /**
   * D's output error δ = −∂L/∂t for class y (0 real, 1 fake) into `out`, real targets smoothed to
   * `realTarget` (D's updates only); returns the loss.
   */
  dError(rec: RunRecord, y: 0 | 1, out: Float64Array, realTarget = 1): number {
    return this.dLoss.compute(rec.timesOf(this.D.output), y, out, realTarget);
  }

  /**
   * One training step: `dSteps` D updates, each on a batch of real and a batch of fake images, then
   * one G update on the last fake batch, sent again through the updated (and now frozen) D.
   */
  trainStep(): StepStats {
    this.checkFinite(this.step);
    followSchedule(this.cfg, this.step, [this.optG, this.optD]);
    const d = this.discriminatorStep();
    const g = this.generatorStep(false);
    this.updateEma();
    this.step++;
    this.checkFinite(this.step);
    this.silence.update(g.gSpikes, d.dSpikes, this.step);
    return { step: this.step, ...d, ...g };
  }

  /** Throws a DivergenceError naming the network, projection and weight when a weight or scale is not finite. */
  checkFinite(step = this.step): void {
    checkFiniteNetworks(
      [
        ['G', this.G],
        ['D', this.D],
      ],
      step,
    );
  }

  /** D's updates of one step: `dSteps` times a batch of real images (target real) and of new fakes (target fake). */
  discriminatorStep(): DFigures {
    const c = this.cfg,
      B = c.batch,
      dT = discriminatorWindow(c),
      img = this.img;
    let realRight = 0,
      fakeRight = 0,
      lossReal = 0,
      lossFake = 0,
      tReal = 0,
      tFake = 0,
      spikes = 0;
    for (let d = 0; d < c.dSteps; d++) {
      for (let b = 0; b < B; b++) {
        const idx = this.rngData.int(this.data.n);
        this.encodeReal(idx, img);
        this.jitter(img);
        const rec = this.simD.run(img);
        if (rec.prediction() === 0) realRight++;
        tReal += Math.min(rec.decisionTime, dT);
        spikes += rec.totalSpikes();
        this.features.track(rec.timesOf(this.D.populations[1]));
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
    const nd = B * c.dSteps,
      unit = c.kernel === 'delta' ? 1 : c.tmax;
    return {
      dRealRight: realRight / nd,
      dFakeRight: fakeRight / nd,
      dLossReal: lossReal / nd,
      dLossFake: lossFake / nd,
      tReal: tReal / nd / unit,
      tFake: tFake / nd / unit,
      dSpikes: spikes / (2 * nd),
    };
  }

  /** Draws a new batch of fakes (noise, G run), kept with G's records for the G update. */
  newFakes(): void {
    const c = this.cfg;
    for (let b = 0; b < c.batch; b++) {
      // conditional: digits drawn like the data's, `digitGroup` fakes in a row share one (so that the
      // per-digit MMD has pairs to compare)
      const drawn = () => this.data.labels[this.rngData.int(this.data.n)];
      const label = !c.conditional ? 0 : b % c.digitGroup === 0 ? drawn() : this.fakeLabels[b - 1];
      this.fakeLabels[b] = label;
      this.fakeRecs[b].copyFrom(this.generate(this.noise(this.rngNoise, label), label, this.fakes[b]));
    }
  }

  /**
   * G's update through a frozen D on the current fake batch (`fresh`: draw a new one first): D's
   * error for the target "real" flows from D's output into D's input times, which are G's output times.
   */
  generatorStep(fresh = true): GFigures {
    const c = this.cfg,
      B = c.batch;
    if (fresh) this.newFakes();
    let fooled = 0,
      gLoss = 0,
      lit = 0,
      gSpikes = 0;
    this.fires.fill(0);
    if (this.mmd) gLoss += this.mmd.compute(this.fakes, this.fakeLabels, this.rngData);
    for (let b = 0; b < B; b++) {
      const recG = this.fakeRecs[b],
        fake = this.fakes[b];
      gSpikes += recG.totalSpikes();
      for (let g = 0; g < this.G.size; g++) if (recG.times[g] < this.G.tmax) this.fires[g]++;
      for (let p = 0; p < PIXELS; p++) if (fake[p] < this.silent) lit++;
      this.img.set(fake);
      this.jitter(this.img);
      const recD = this.simD.run(this.img);
      if (recD.prediction() === 0) fooled++;
      gLoss = this.pixelError(recD, gLoss);
      if (c.diversity > 0 && (b ^ 1) < B) addDiversity(this.dIn, fake, this.fakes[b ^ 1], c.diversity, c.tmax);
      if (this.mmd) for (let p = 0; p < PIXELS; p++) this.dIn[p] += this.mmd.delta[b][p];
      const tG = recG.timesOf(this.G.output),
        L = c.gLatency;
      for (let p = 0; p < PIXELS; p++) {
        const dv = this.dIn[p];
        // a pixel clipped at time 0 can only be moved later
        this.dGOut[p] = tG[p] - L < 0 && dv < 0 ? 0 : dv;
      }
      this.bpG.run(recG, this.dGOut, this.optG);
      this.optG.endSample();
    }
    let varying = 0,
      neurons = 0;
    for (const p of this.G.populations) {
      if (p.isInput) continue;
      for (let g = p.offset; g < p.offset + p.size; g++) {
        neurons++;
        if (this.fires[g] > 0 && this.fires[g] < B) varying++;
      }
    }
    return {
      gFooled: fooled / B,
      gLoss: gLoss / B,
      lit: lit / (B * PIXELS),
      varying: varying / neurons,
      gSpikes: gSpikes / B,
    };
  }

  /**
   * D's error on a fake reaching its input times (`dIn`): the flip term (D's target real) and the
   * feature-matching term as `gObjective` asks, weighted by `advWeight`; returns `gLoss` plus their losses.
   */
  private pixelError(recD: RunRecord, gLoss: number): number {
    const c = this.cfg;
    this.dIn.fill(0);
    if (c.gObjective === 'flip' || c.gObjective === 'both') {
      gLoss += this.dError(recD, 0, this.err);
      this.dIn.set(this.bpDin.run(recD, this.err, null));
    }
    if (c.gObjective === 'features' || c.gObjective === 'both') {
      gLoss = this.features.addError(recD.timesOf(this.D.populations[1]), gLoss);
      const dF = this.bpDin.run(recD, this.features.delta, null, 1);
      for (let i = 0; i < this.dIn.length; i++) this.dIn[i] += dF[i];
    }
    if (c.advWeight !== 1) for (let p = 0; p < PIXELS; p++) this.dIn[p] *= c.advWeight;
    return gLoss;
  }

  /** The instance-noise σ at the current step (time units). */
  get noiseSigma(): number {
    return this.instanceNoise.sigma(this.step);
  }

  private jitter(img: Float64Array): void {
    this.instanceNoise.apply(img, this.step, this.rngData);
  }

  /** Running mean of D's hidden spike times on real images (the feature-matching target). */
  get featMean(): Float64Array {
    return this.features.mean;
  }

  /** The generator that sampling and the saved G use: the moving average when `gEma` is on, else G itself. */
  get sampler(): Network {
    return this.emaG ?? this.G;
  }

  /** Moves the average of G's weights towards G's effective weights (scale applied). */
  updateEma(): void {
    const ema = this.emaG;
    if (!ema) return;
    followAverage(ema, this.G, this.cfg.gEma, this.step);
  }

  /** Generates `n` images as 8-bit pixels from seeded noise (labels cycle 0..9 in conditional mode, or `digit`). */
  sample(n: number, seed: number, digit?: number): Samples {
    return sampleSpiking(this.sampler, this.cfg, n, seed, digit, this.emaG ? undefined : this.simG);
  }

  /** The error G's pixels received in the last G update (δ = −∂L/∂t per pixel, from D's input). */
  get lastPixelError(): Float64Array {
    return this.dGOut;
  }

  /** Counters that must survive a checkpoint besides the weights and optimiser moments. */
  get featSeenCount(): number {
    return this.features.seen;
  }

  set featSeenCount(v: number) {
    this.features.seen = v;
  }
}
