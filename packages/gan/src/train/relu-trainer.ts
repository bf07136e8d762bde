// The Spiking-GAN on ReLU-equivalent TTFS neurons (issue 13): spiking G and spiking D (or their
// float twins, the reference row) trained by the non-saturating adversarial loss alone, with
// D's output read as its potential (a logit) or as two spiking neurons with TTFS targets.
import { Optimiser, Rng, SpikingPass, tieHooks, TwinPass, type Network, type ValuePass } from '@spiking-gan/core';
import { MNIST_CLASSES, type ImageSet } from '../data/mnist.ts';
import type { GanConfig } from '../models/config.ts';
import {
  buildDiscriminator,
  buildGenerator,
  digitCode,
  dSeesDigit,
  PIXELS,
  reluImageSize,
  reluNoise,
  reluRealInput,
  ties,
} from '../models/networks.ts';
import { BiasDropout } from '../models/bias-dropout.ts';
import { ReluDLoss, type DVerdict } from './discriminator-loss.ts';
import { checkFiniteNetworks, followAverage, followSchedule } from './parameters.ts';
import { sampleRelu, type Samples } from './sample.ts';
import type { StepStats } from './stats.ts';

/** Draws a real image from `data` as D's input into `into` (pixels, then the digit where D sees one); its digit. */
export function drawReal(c: GanConfig, data: ImageSet, rng: Rng, into: Float64Array): number {
  const idx = rng.int(data.n);
  reluRealInput(c, data.image(idx), data.labels[idx], into);
  return data.labels[idx];
}

/** Draws a fake's digit: the data's (conditional), an InfoGAN code uniform over the 10 (`infoCode`), else 0. */
export function drawFakeDigit(c: GanConfig, data: ImageSet, rng: Rng): number {
  return c.conditional ? data.labels[rng.int(data.n)] : c.infoCode ? rng.int(MNIST_CLASSES) : 0;
}

/** A pass of the kind the config asks for: the spiking network or its float twin. */
function pass(cfg: GanConfig, net: Network, readout: boolean, clipSurrogate = false): ValuePass {
  const o = { readout, clipSurrogate };
  return cfg.floatTwin ? new TwinPass(net, o) : new SpikingPass(net, o);
}

/**
 * Adversarial training of a spiking generator against a spiking discriminator on ReLU-equivalent
 * neurons: per step, D on a batch of real images (target real) and a batch of fakes (target fake),
 * then G on the same fakes through the updated D, D's error flowing into its input spike times (G's
 * pixels) and on through G. The exact gradients make this the ReLU MLP GAN's training, step for step.
 */
export class ReluGanTrainer {
  readonly G: Network;
  readonly D: Network;
  readonly optG: Optimiser;
  readonly optD: Optimiser;
  readonly rngData: Rng;
  readonly rngNoise: Rng;
  /** The moving average of G's weights and biases (`gEma` > 0), else null. */
  readonly emaG: Network | null;
  /** (Feature matching is not part of this GAN: empty, kept for the checkpoint format.) */
  readonly featMean = new Float64Array(0);
  featSeenCount = 0;
  /** Steps done. */
  step = 0;
  /** G's pass per fake of a batch: the G step reuses the records of the D step's last fakes (G is unchanged since). */
  readonly passesG: ValuePass[];
  private readonly gOut: Float64Array[];
  readonly passD: ValuePass;
  private readonly z: Float64Array[];
  private readonly labels: Int32Array;
  /** The digit of each image of D's present input (a pack), for the projection readout. */
  private readonly heads: Int32Array;
  private readonly img: Float64Array;
  /** D's loss; `err` is its ∂L/∂(D's output) of the last `dLoss`. */
  private readonly loss: ReluDLoss;
  readonly err: Float64Array;
  private readonly spikes: Float64Array;
  private readonly litCount: Int32Array;
  /** Dropout in D's hidden layer (`dDropout`). */
  private readonly dropout: BiasDropout;
  readonly rngDropout: Rng;
  private readonly emaTies: ReturnType<typeof ties>;

  constructor(
    readonly cfg: GanConfig,
    readonly data: ImageSet,
  ) {
    if (cfg.kernel !== 'relu') throw new Error(`ReluGanTrainer: the config's kernel is ${cfg.kernel}, not relu`);
    this.G = buildGenerator(cfg);
    this.D = buildDiscriminator(cfg);
    this.emaG = cfg.gEma > 0 ? buildGenerator(cfg) : null;
    const readout = cfg.loss === 'bce';
    // silentPixel 'late': a black (silent) or white (clipped) pixel passes D's error that pushes it back into range
    this.passesG = Array.from({ length: cfg.batch }, () => pass(cfg, this.G, false, cfg.silentPixel === 'late'));
    this.gOut = new Array<Float64Array>(cfg.batch);
    this.passD = pass(cfg, this.D, readout);
    // tied parameters (signed noise pairs, leaky pairs): gradients fold into one of each pair before an
    // update, the other follows after
    const opt = (net: Network, which: 'G' | 'D', lr: number, batch: number) => ({
      kind: cfg.optimiser,
      lr,
      decay: cfg.decay,
      batch,
      beta1: cfg.beta1,
      hooks: tieHooks(ties(cfg, net, which)),
    });
    this.optD = new Optimiser(this.D, opt(this.D, 'D', cfg.dLr, (2 * cfg.batch) / cfg.pack));
    this.optG = new Optimiser(this.G, opt(this.G, 'G', cfg.gLr, cfg.batch));
    this.emaTies = this.emaG ? ties(cfg, this.emaG, 'G') : [];
    this.rngData = new Rng(cfg.seed * 3 + 1);
    this.rngNoise = new Rng(cfg.seed * 3 + 2);
    this.z = Array.from({ length: cfg.batch }, () => new Float64Array(this.G.populations[0].size));
    this.labels = new Int32Array(cfg.batch);
    this.heads = new Int32Array(cfg.pack);
    this.img = new Float64Array(this.D.populations[0].size);
    this.loss = new ReluDLoss(cfg, this.D.output.size);
    this.err = this.loss.err;
    this.spikes = new Float64Array(2);
    this.litCount = new Int32Array(PIXELS);
    this.dropout = new BiasDropout(this.D.populations[1]);
    this.rngDropout = new Rng(cfg.seed * 3 + 3);
  }

  /**
   * Dropout in D's hidden layer for one sample: each neuron inhibited with probability `dDropout`
   * (its bias held at −∞, so it stays silent and passes no error; the SNN and its twin alike).
   */
  private dropOut(): void {
    if (this.cfg.dDropout > 0) this.dropout.drop(this.cfg.dDropout, this.rngDropout);
  }

  /** Ends the dropout of `dropOut` (the biases back, bit for bit; call after D's backward). */
  private restore(): void {
    this.dropout.restore();
  }

  /** The generator that sampling and the saved G use: the moving average when `gEma` is on, else G itself. */
  get sampler(): Network {
    return this.emaG ?? this.G;
  }

  /**
   * D's loss on its last forward for class y (0 real, 1 fake), with ∂L/∂output in `err`. Readout:
   * softplus on the logit u (real target smoothed to `realTarget`); spiking outputs: TTFS or
   * Aggressive TTFS targets on the two output times (in units of the output window).
   */
  dLoss(out: Float64Array, y: 0 | 1, realTarget = 1, gStep = false): DVerdict {
    return this.loss.compute(out, y, this.heads, realTarget, gStep);
  }

  /**
   * One step: D on B real images and B fakes (in packs of `pack` images per D input), then G on the
   * same fakes through the updated D.
   */
  trainStep(): StepStats {
    const c = this.cfg,
      B = c.batch,
      m = c.pack,
      S = reluImageSize(c);
    this.checkFinite(this.step);
    followSchedule(c, this.step, [this.optG, this.optD]);
    let realRight = 0,
      fakeRight = 0,
      lossReal = 0,
      lossFake = 0,
      tReal = 0,
      tFake = 0,
      dSpikes = 0;
    for (let d = 0; d < c.dSteps; d++) {
      for (let q = 0; q < B; q += m) {
        for (let k = 0; k < m; k++) {
          this.heads[k] = drawReal(c, this.data, this.rngData, this.img.subarray(k * S, (k + 1) * S));
        }
        const r = this.dStep(0, c.realTarget);
        if (r.saysReal) realRight++;
        lossReal += r.loss;
        tReal += r.time;
      }
      this.drawNoise();
      for (let q = 0; q < B; q += m) {
        for (let k = 0; k < m; k++) this.fake(q + k, k);
        const r = this.dStep(1, 1);
        if (!r.saysReal) fakeRight++;
        lossFake += r.loss;
        tFake += r.time;
      }
      dSpikes += this.dSpikeSum;
      this.dSpikeSum = 0;
    }
    let fooled = 0,
      gLoss = 0,
      lit = 0,
      gSpikes = 0;
    this.litCount.fill(0);
    for (let q = 0; q < B; q += m) {
      for (let k = 0; k < m; k++) {
        const img = this.fake(q + k, k, false);
        gSpikes += this.layerSpikes(this.passesG[q + k]);
        for (let p = 0; p < PIXELS; p++) {
          if (img[p] > 0) {
            lit++;
            this.litCount[p]++;
          }
        }
      }
      this.dropOut();
      const r = this.dLoss(this.passD.forward(this.img), 0, 1, true);
      if (r.saysReal) fooled++;
      gLoss += r.loss;
      const dx = this.passD.backward(this.err, null, true);
      this.restore();
      for (let k = 0; k < m; k++) {
        // G's record of this image (kept from the D step), then its error from D's input
        this.passesG[q + k].backward(dx.subarray(k * S, k * S + PIXELS), this.optG);
        this.optG.endSample();
      }
    }
    let varying = 0;
    for (let p = 0; p < PIXELS; p++) if (this.litCount[p] > 0 && this.litCount[p] < B) varying++;
    this.updateEma();
    this.step++;
    this.checkFinite(this.step);
    const nd = (B / m) * c.dSteps,
      ng = B / m;
    return {
      step: this.step,
      dRealRight: realRight / nd,
      dFakeRight: fakeRight / nd,
      gFooled: fooled / ng,
      dLossReal: lossReal / nd,
      dLossFake: lossFake / nd,
      gLoss: gLoss / ng,
      tReal: tReal / nd,
      tFake: tFake / nd,
      lit: lit / (B * PIXELS),
      varying: varying / PIXELS,
      gSpikes: gSpikes / B,
      dSpikes: dSpikes / (2 * nd),
    };
  }

  private dSpikeSum = 0;

  /** One D update on the input in `img` for class y (dropout, forward, loss, backward into D's optimiser). */
  private dStep(y: 0 | 1, realTarget: number): DVerdict {
    this.dropOut();
    const r = this.dLoss(this.passD.forward(this.img), y, realTarget);
    this.dSpikeSum += this.layerSpikes(this.passD);
    this.passD.backward(this.err, this.optD);
    this.restore();
    this.optD.endSample();
    return r;
  }

  /**
   * Draws the batch's digits (as the data's, conditional; InfoGAN codes uniformly from 10) and noise; G runs on
   * them when a fake is asked for.
   */
  private drawNoise(): void {
    const c = this.cfg;
    for (let b = 0; b < c.batch; b++) {
      this.labels[b] = drawFakeDigit(c, this.data, this.rngData);
      reluNoise(c, this.rngNoise, this.labels[b], this.z[b]);
    }
  }

  /** G's pass of the batch's first fake (for tests and single-image use). */
  get passG(): ValuePass {
    return this.passesG[0];
  }

  /**
   * Writes fake b (pixels, then the digit) as image k of D's input, running G on its noise (`run`)
   * or reusing G's last output for it; returns that image.
   */
  private fake(b: number, k = 0, run = true): Float64Array {
    const S = reluImageSize(this.cfg),
      img = this.img.subarray(k * S, (k + 1) * S);
    if (run) this.gOut[b] = this.passesG[b].forward(this.z[b]);
    img.set(this.gOut[b]);
    this.heads[k] = this.labels[b];
    if (dSeesDigit(this.cfg)) digitCode(this.labels[b], img, PIXELS);
    return img;
  }

  private layerSpikes(p: ValuePass): number {
    p.spikesPerLayer(this.spikes);
    return this.spikes[0] + this.spikes[1];
  }

  /** Throws a DivergenceError naming the network and parameter when a weight, scale or bias is not finite. */
  checkFinite(step = this.step): void {
    checkFiniteNetworks(
      [
        ['G', this.G],
        ['D', this.D],
      ],
      step,
    );
  }

  /** Moves the average of G's weights and biases towards G's (warm-up: β = min(gEma, (1 + step)/(10 + step))). */
  updateEma(): void {
    const ema = this.emaG;
    if (!ema) return;
    followAverage(ema, this.G, this.cfg.gEma, this.step);
    this.syncEmaTies();
  }

  /** Writes the tied parameters of the moving average from their partners' (after it moved). */
  syncEmaTies(): void {
    for (const t of this.emaTies) t.sync();
  }

  /** Generates `n` images as 8-bit pixels from seeded noise (digits cycle 0..9 in conditional mode, or `digit`). */
  sample(n: number, seed: number, digit?: number): Samples {
    return sampleRelu(this.sampler, this.cfg, n, seed, digit);
  }
}
