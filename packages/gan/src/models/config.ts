// The presets of a Spiking-GAN run (recipes over the settings' base values), a config made from one,
// and the settings read from a file of any version.
import { SETTING_KEYS, SETTINGS, settingOf, type GanConfig } from './settings.ts';
import { checkConfig } from './config-check.ts';

export type { GanConfig } from './settings.ts';
export { checkConfig } from './config-check.ts';

/** The ramp recipe ("the path to try first"): exact spike-time gradients, standard GAN loss, Adam, mini-batches. */
export const RAMP: GanConfig = Object.fromEntries(SETTING_KEYS.map((k) => [k, SETTINGS[k].base])) as GanConfig;

/** The faithful recipe of the paper as we read it: delta synapses, S4NN gradient and defaults. */
export const FAITHFUL: GanConfig = {
  ...RAMP,
  kernel: 'delta',
  loss: 'ttfs',
  gamma: 3,
  gammaA: 3,
  beta: 0.05,
  tmax: 256,
  dWindow: 1,
  gLatency: 2,
  noise: 'uniform',
  noiseSilent: 0,
  noiseSpan: 256,
  gThreshold: 100,
  dThreshold: 100,
  gInit: [
    [0, 5],
    [0, 0.5],
  ],
  dInit: [
    [0, 5],
    [0, 48],
  ],
  bias: 0,
  silentPixel: 'none',
  silentPenalty: 0,
  optimiser: 'sgd',
  dLr: 0.2,
  gLr: 0.2,
  beta1: 0.9,
  decay: 1e-6,
  batch: 1,
  steps: 3000,
};

/**
 * The recipe that draws digits (issue 5): the ramp recipe, class-conditional, with D's hidden neurons
 * firing after the whole image has arrived (θ_D = 4), G's objective a pixel-space MMD per digit plus
 * D's adversarial term at weight 0.3, no silent penalty on G (it lit the background), a cosine
 * learning-rate decay over 400 steps, samples from the moving average of G's weights, and a quiet
 * noise code (each of the 100 noise inputs silent with p = 0.95: the noise's per-pixel jitter was the grain).
 */
export const DIGITS: GanConfig = {
  ...RAMP,
  conditional: true,
  noiseSilent: 0.95,
  dThreshold: 4,
  mmd: 2,
  advWeight: 0.3,
  gSilentPenalty: 0,
  gEma: 0.999,
  schedule: 'cosine',
  steps: 400,
};

/**
 * The real GAN (issue 13): ReLU-equivalent TTFS neurons whose exact spike-time gradient is a ReLU
 * MLP's, signed Gaussian noise whose z⁺ and z⁻ inputs share one weight (G's first layer sees z), D's
 * output read as its potential (a logit), the non-saturating loss alone (no pixel-statistics term),
 * D judging two images at once (PacGAN: without it G collapses to one image), silent or clipped
 * pixels passing the error that pushes them back into range, Adam 2e-4 β1 0.5, batch 32, samples
 * from a moving average of G (β = 0.999). Unconditional, it draws too few 1s (1.6 % at 18,000 steps):
 * the `relu` preset adds an InfoGAN code (G gets a one-hot code drawn uniformly, D's classifier of
 * weight 1 learns to tell it from the fakes, G to make it tellable; no label of the data is used),
 * 18,000 steps.
 */
export const RELU: GanConfig = {
  ...RAMP,
  kernel: 'relu',
  loss: 'bce',
  beta: 1,
  tmax: 1,
  dWindow: 1,
  gLatency: 0,
  noise: 'uniform',
  noiseSilent: 0,
  noiseSpan: 1,
  gThreshold: 0,
  dThreshold: 0,
  bias: 0,
  labelCopies: 1,
  silentPenalty: 0,
  silentPixel: 'late',
  optimiser: 'adam',
  dLr: 2e-4,
  gLr: 2e-4,
  beta1: 0.5,
  decay: 0,
  batch: 32,
  steps: 18000,
  tiedNoise: true,
  pack: 2,
  gEma: 0.999,
  infoCode: true,
  auxClass: 1,
};

/**
 * The class-conditional real GAN (the default of `spiking-gan train`): the digit as a one-hot input of G;
 * D a projection discriminator with an auxiliary classifier (weight 1), 24,000 steps.
 */
export const RELU_COND: GanConfig = {
  ...RELU,
  conditional: true,
  infoCode: false,
  projection: true,
  auxClass: 1,
  steps: 24000,
};

/** Named starting points: `relu-cond` (default), `relu`, `digits`, `ramp` and `faithful`. */
export const PRESETS: Record<string, GanConfig> = {
  relu: RELU,
  'relu-cond': RELU_COND,
  ramp: RAMP,
  digits: DIGITS,
  faithful: FAITHFUL,
};

/** The preset that `spiking-gan train` uses when none is named. */
export const DEFAULT_PRESET = 'relu-cond';

/** A preset with overrides applied, checked. */
export function makeConfig(preset = DEFAULT_PRESET, overrides: Partial<GanConfig> = {}): GanConfig {
  const base = PRESETS[preset];
  if (!base) throw new RangeError(`unknown preset '${preset}' (have ${Object.keys(PRESETS).join(', ')})`);
  const given = Object.entries(overrides).filter(([, v]) => v !== undefined);
  const cfg: GanConfig = { ...base, ...Object.fromEntries(given) };
  checkConfig(cfg);
  return cfg;
}

/**
 * The settings as a file of any version holds them, in today's names: a setting under its old name is
 * read as its new one (in its place), and settings added since take their neutral values (the
 * behaviour the file was trained with). Refuses a file that holds a setting under both names.
 */
export function withDefaults(cfg: Partial<GanConfig>): GanConfig {
  const renamed = new Map(SETTING_KEYS.flatMap((k) => (SETTINGS[k].was ? [[SETTINGS[k].was, k] as const] : [])));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cfg)) {
    const now = renamed.get(k);
    if (now !== undefined && now in cfg) {
      throw new RangeError(`GAN config: holds both '${k}' and its new name '${now}'`);
    }
    out[now ?? k] = v;
  }
  for (const k of SETTING_KEYS) if (settingOf(k).added && !(k in out)) out[k] = SETTINGS[k].base;
  return out as GanConfig;
}
