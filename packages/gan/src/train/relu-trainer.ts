// The Spiking-GAN on ReLU-equivalent TTFS neurons (issue 13): spiking G and spiking D (or their
// float twins, the reference row) trained by the non-saturating adversarial loss alone, with
// D's output read as its potential (a logit) or as two spiking neurons with TTFS targets.
import { Optimiser, Rng, SpikingPass, tieHooks, TwinPass, type Network, type ValuePass } from '@spiking-gan/core';
import type { ImageSet } from '../data/mnist.ts';
import type { GanConfig } from '../models/config.ts';
import { buildDiscriminator, buildGenerator, ties } from '../models/networks.ts';
import type { DVerdict } from './discriminator-loss.ts';
import { checkFiniteNetworks, followAverage, followSchedule } from './parameters.ts';
import { ReluPhases, StepDraws, StepInputs, StepTally } from './relu-phases.ts';
import { sampleRelu, type Samples } from './sample.ts';
import type { StepStats } from './stats.ts';

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
  readonly passD: ValuePass;
  /** ∂L/∂(D's output) of the last `dLoss` (or of the step's last D sample). */
  readonly err: Float64Array;
  readonly rngDropout: Rng;
  private readonly emaTies: ReturnType<typeof ties>;
  /** The step's draws (every pack's, up front) and its phases over every pack (relu-phases.ts). */
  private readonly draws: StepDraws;
  private readonly phases: ReluPhases;

  constructor(
    readonly cfg: GanConfig,
    readonly data: ImageSet,
  ) {
    if (cfg.kernel !== 'relu') throw new Error(`ReluGanTrainer: the config's kernel is ${cfg.kernel}, not relu`);
    this.G = buildGenerator(cfg);
    this.D = buildDiscriminator(cfg);
    this.emaG = cfg.gEma > 0 ? buildGenerator(cfg) : null;
    // silentPixel 'late': a black (silent) or white (clipped) pixel passes D's error that pushes it back into range
    this.passesG = Array.from({ length: cfg.batch }, () => pass(cfg, this.G, false, cfg.silentPixel === 'late'));
    this.passD = pass(cfg, this.D, cfg.loss === 'bce');
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
    this.rngDropout = new Rng(cfg.seed * 3 + 3);
    const gInputs = this.G.populations[0].size,
      hidden = this.D.populations[1].bias,
      inputs = StepInputs.allocate(cfg, gInputs, hidden.length);
    this.draws = new StepDraws(this, inputs, gInputs, hidden.length);
    // dropout in D's hidden layer (`dDropout`): a neuron's bias held at −∞ for a sample (models/bias-dropout.ts)
    this.phases = new ReluPhases({
      cfg,
      G: this.G,
      D: this.D,
      passesG: this.passesG,
      passD: this.passD,
      sinkG: this.optG,
      sinkD: this.optD,
      inputs,
      from: 0,
      to: cfg.batch / cfg.pack,
      dropFrom: cfg.dDropout > 0 ? hidden : null,
    });
    this.err = this.phases.loss.err;
  }

  /** The generator that sampling and the saved G use: the moving average when `gEma` is on, else G itself. */
  get sampler(): Network {
    return this.emaG ?? this.G;
  }

  /**
   * D's loss on its last forward for class y (0 real, 1 fake), with ∂L/∂output in `err`, for the digits of the
   * step's last pack. Readout: softplus on the logit u (real target smoothed to `realTarget`); spiking outputs:
   * TTFS or Aggressive TTFS targets on the two output times (in units of the output window).
   */
  dLoss(out: Float64Array, y: 0 | 1, realTarget = 1, gStep = false): DVerdict {
    return this.phases.loss.compute(out, y, this.phases.heads, realTarget, gStep);
  }

  /**
   * One step: D on B real images and B fakes (in packs of `pack` images per D input), then G on the
   * same fakes through the updated D (each optimiser steps at the sample that completes its batch).
   */
  trainStep(): StepStats {
    const c = this.cfg;
    this.checkFinite(this.step);
    followSchedule(c, this.step, [this.optG, this.optD]);
    const tally = new StepTally();
    for (let d = 0; d < c.dSteps; d++) {
      this.draws.forD();
      tally.addD([this.phases.dPhase()]);
    }
    this.draws.forG();
    tally.addG([this.phases.gPhase()]);
    this.updateEma();
    this.step++;
    this.checkFinite(this.step);
    return tally.stats(this.step, c);
  }

  /** G's pass of the batch's first fake (for tests and single-image use). */
  get passG(): ValuePass {
    return this.passesG[0];
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
