// When a GAN run has diverged: training left the finite numbers, or a network went silent.

/** Training left the finite numbers, or a network stopped spiking entirely; the message names the step. */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
  constructor(
    what: string,
    readonly step: number,
  ) {
    super(`training diverged at step ${step}: ${what}`);
  }
}

/** Steps in a row with no spike at all in G (or in D) after which training is stopped. */
export const SILENT_PATIENCE = 20;

/** Counts the steps in a row in which G or D did not spike at all, and stops a run that went silent. */
export class SilenceWatch {
  private readonly quiet = { G: 0, D: 0 };

  /** Takes the spikes of a step; throws a DivergenceError once G or D was silent `SILENT_PATIENCE` steps in a row. */
  update(gSpikes: number, dSpikes: number, step: number): void {
    this.quiet.G = gSpikes === 0 ? this.quiet.G + 1 : 0;
    this.quiet.D = dSpikes === 0 ? this.quiet.D + 1 : 0;
    for (const name of ['G', 'D'] as const) {
      if (this.quiet[name] < SILENT_PATIENCE) continue;
      const what = `${name} stopped spiking entirely (no spike in any of its layers for ${SILENT_PATIENCE} steps)`;
      throw new DivergenceError(what, step);
    }
  }
}
