// The error a GAN trainer throws when training leaves the finite numbers or a network goes silent.

/** Training left the finite numbers, or a network stopped spiking entirely; the message names the step. */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
  constructor(what: string, readonly step: number) {
    super(`training diverged at step ${step}: ${what}`);
  }
}
