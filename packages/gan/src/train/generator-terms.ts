// The terms of G's objective besides D's verdict (ramp and delta kernels): feature matching on D's
// hidden spike times and the mode-seeking push between paired samples. (The pixel MMD is in mmd.ts.)
import { PIXELS } from '../models/networks.ts';

/** Feature matching: a running mean of D's hidden spike times on real images, and G's error towards it. */
export class FeatureMatching {
  /** The running mean (times clipped at D's window). */
  readonly mean: Float64Array;
  /** The error of D's hidden neurons of the last `addError`. */
  readonly delta: Float64Array;
  /** Real images seen (the mean's rate is max(0.01, 1/seen)). */
  seen = 0;

  constructor(
    size: number,
    private readonly window: number,
  ) {
    this.mean = new Float64Array(size);
    this.delta = new Float64Array(size);
  }

  /** Moves the mean towards D's hidden times `th` on a real image. */
  track(th: ArrayLike<number>): void {
    const a = Math.max(0.01, 1 / ++this.seen),
      w = this.window;
    for (let j = 0; j < th.length; j++) this.mean[j] += a * (Math.min(th[j], w) - this.mean[j]);
  }

  /** δ = (mean − t)/window of D's hidden times `th` on a fake into `delta`; returns `loss` + ½ Σ δ², term by term. */
  addError(th: ArrayLike<number>, loss: number): number {
    const w = this.window;
    for (let j = 0; j < th.length; j++) {
      this.delta[j] = (this.mean[j] - Math.min(th[j], w)) / w;
      loss += 0.5 * this.delta[j] * this.delta[j];
    }
    return loss;
  }
}

/**
 * Mode-seeking term: pushes each pixel of `fake` away from the same pixel of the paired sample `other`
 * (times clipped at `top`), adding δ = ±λ to `dIn`.
 */
export function addDiversity(
  dIn: Float64Array,
  fake: Float64Array,
  other: Float64Array,
  lambda: number,
  top: number,
): void {
  for (let p = 0; p < PIXELS; p++) {
    const a = Math.min(fake[p], top),
      b = Math.min(other[p], top);
    if (a !== b) dIn[p] += a > b ? lambda : -lambda;
  }
}
