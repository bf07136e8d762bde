// Instance noise: Gaussian jitter on the spike times of D's input, annealed to 0 over the run.
import type { Rng } from '@spiking-gan/core';
import type { GanConfig } from '../models/config.ts';
import { imageSilence, PIXELS } from '../models/networks.ts';

/** Jitter of σ = `instanceNoise` · tmax on D's input pixels, falling linearly to 0 at the last step. */
export class InstanceNoise {
  private readonly silent: number;

  constructor(private readonly cfg: GanConfig) {
    this.silent = imageSilence(cfg);
  }

  /** σ at `step`, in time units. */
  sigma(step: number): number {
    const c = this.cfg;
    return c.instanceNoise * c.tmax * Math.max(0, 1 - step / Math.max(c.steps, 1));
  }

  /** Jitters the spiking pixels of `img` (silent ones stay silent), clipped to the image window. */
  apply(img: Float64Array, step: number, rng: Rng): void {
    const sigma = this.sigma(step),
      top = this.cfg.tmax,
      silent = this.silent;
    if (!(sigma > 0)) return;
    for (let p = 0; p < PIXELS; p++) {
      const t = img[p];
      if (t >= silent) continue;
      img[p] = Math.min(top, Math.max(0, t + sigma * rng.normal()));
    }
  }
}
