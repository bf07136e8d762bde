// D's loss in either GAN trainer, made from core's losses of one sample: on a ramp or delta D's two
// output spike times (binary cross-entropy on their difference, or TTFS / Aggressive TTFS targets), and on
// a relu D's outputs (binary cross-entropy on its potential read as a logit, with the projection heads and
// the auxiliary classifier around it, or the TTFS targets on its two output values).
import { LogitBce, SoftmaxValueLoss, TargetLoss, TimeDifferenceBce, type LossFunction } from '@spiking-gan/core';
import { MNIST_CLASSES } from '../data/mnist.ts';
import type { GanConfig } from '../models/config.ts';
import { auxClassStart, discriminatorWindow, reluLogit } from '../models/networks.ts';

/** The target of a two-class loss for class y (0 real, 1 fake): the class, or for bce the probability "real". */
function target(cfg: GanConfig, y: 0 | 1, realTarget: number): number {
  return cfg.loss === 'bce' ? (y === 0 ? realTarget : 0) : y;
}

/** D's loss on the two output spike times of a ramp or delta D (neuron 0 says real, neuron 1 fake). */
export class SpikingDLoss {
  private readonly fn: LossFunction;

  constructor(private readonly cfg: GanConfig) {
    const dT = discriminatorWindow(cfg);
    this.fn =
      cfg.loss === 'bce'
        ? new TimeDifferenceBce(cfg.beta, cfg.tmax, dT)
        : new TargetLoss(cfg.loss, { tmax: dT, gamma: cfg.gamma, gammaA: cfg.gammaA }, 2);
  }

  /** L for class y of the output times `t`, real targets smoothed to `realTarget`; δ = −∂L/∂t into `err`. */
  compute(t: ArrayLike<number>, y: 0 | 1, err: Float64Array, realTarget = 1): number {
    return this.fn.compute(t, target(this.cfg, y, realTarget), err);
  }
}

/** What a relu D's loss says about one input besides the error: the loss, D's verdict and its time. */
export interface DVerdict {
  loss: number;
  saysReal: boolean;
  /** When D decides (its first output spike), in units of the output window; 1 when it stays silent. */
  time: number;
}

/**
 * D's loss on a relu D's outputs. Readout (bce): softplus on the logit u, the shared potential plus,
 * with a projection D, the potential of each image's digit; with an auxiliary classifier, λ·cross-entropy
 * of each image's class logits against its digit on inputs of class real (InfoGAN: fakes against their
 * codes). Spiking outputs: TTFS or Aggressive TTFS targets on the two output times t = B − x within the
 * output window B.
 */
export class ReluDLoss {
  /** ∂L/∂(D's outputs) of the last `compute`. */
  readonly err: Float64Array;
  private readonly fn: LossFunction;
  private readonly one = new Float64Array(1);
  private readonly oneErr = new Float64Array(1);
  private readonly t = new Float64Array(2);
  private readonly classes = new SoftmaxValueLoss(1);
  private readonly logits = new Float64Array(MNIST_CLASSES);
  private readonly classErr = new Float64Array(MNIST_CLASSES);

  constructor(
    private readonly cfg: GanConfig,
    outputs: number,
  ) {
    const B = cfg.outWindow;
    this.err = new Float64Array(outputs);
    this.fn =
      cfg.loss === 'bce'
        ? new LogitBce()
        : new TargetLoss(cfg.loss, { tmax: B, gamma: cfg.gamma * B, gammaA: cfg.gammaA * B }, 2);
  }

  /**
   * L for class y of D's outputs `out` for the images whose digits (or InfoGAN codes) are `digits`, ∂L/∂out
   * into `err`; `gStep`: the loss of G's step (fakes with target real).
   */
  compute(out: Float64Array, y: 0 | 1, digits: ArrayLike<number>, realTarget = 1, gStep = false): DVerdict {
    const c = this.cfg,
      B = c.outWindow,
      err = this.err;
    if (c.loss === 'bce') {
      const u = (this.one[0] = reluLogit(c, out, digits));
      const bce = this.fn.compute(this.one, target(c, y, realTarget), this.oneErr),
        g = this.oneErr[0];
      err.fill(0);
      err[0] = g;
      if (c.projection) for (let k = 0; k < c.pack; k++) err[1 + digits[k]] += g;
      // the auxiliary classifier learns real digits (D) and asks for the fakes' digits (G); InfoGAN: it learns
      // the fakes' codes (D on fakes) and G asks for them (no label of the data anywhere)
      const classify = gStep || (c.infoCode ? y === 1 : y === 0);
      const ce = c.auxClass > 0 && classify ? this.classLoss(out, digits) : 0;
      // the readout neuron spikes (at end − u) exactly when it says "real"
      return { loss: bce + ce, saysReal: u > 0, time: u > 0 ? Math.max(0, B - u) / B : 1 };
    }
    // times within the output window, silent = B; x = B − t
    const t = this.t;
    for (let k = 0; k < 2; k++) t[k] = B - out[k];
    const loss = this.fn.compute(t, y, err);
    // the loss's error is (T − t)/B; the pass's output is x = B − t, so ∂L/∂x = −∂L/∂t = (T − t)/B²
    for (let k = 0; k < 2; k++) err[k] /= B;
    const saysReal = t[0] < t[1] || (t[0] === t[1] && out[0] > out[1]);
    return { loss, saysReal, time: Math.min(t[0], t[1]) / B };
  }

  /** λ·Σ_k cross-entropy of image k's class logits against its digit, with its gradient added to `err`. */
  private classLoss(out: Float64Array, digits: ArrayLike<number>): number {
    const c = this.cfg,
      lam = c.auxClass,
      n = MNIST_CLASSES;
    let loss = 0;
    for (let k = 0; k < c.pack; k++) {
      const at = auxClassStart(c) + n * k;
      for (let d = 0; d < n; d++) this.logits[d] = out[at + d];
      loss += lam * this.classes.compute(this.logits, digits[k], this.classErr);
      for (let d = 0; d < n; d++) this.err[at + d] += lam * this.classErr[d];
    }
    return loss;
  }
}
