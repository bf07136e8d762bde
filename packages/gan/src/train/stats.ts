// The figures of one GAN training step (either trainer), and their mean over a window of steps.

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
  for (const k of Object.keys(m) as (keyof StepStats)[]) {
    if (k !== 'step') m[k] = window.reduce((s, x) => s + x[k], 0) / window.length;
  }
  return m;
}
