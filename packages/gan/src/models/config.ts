import type { Kernel } from '@spiking-gan/core';

/** Every setting of a Spiking-GAN run; presets fill them, options override them. */
export interface GanConfig {
  /**
   * `relu` (ReLU-equivalent TTFS neurons, exact gradients equal to a ReLU MLP's; the default), `ramp`
   * (continuous time, exact gradients) or `delta` (S4NN: discrete time, approximate gradient).
   */
  kernel: Kernel;
  /** D's loss: `ttfs` (S4NN relative targets), `aggressive` (Aggressive TTFS) or `bce` (softplus on the logit β·(t_fake − t_real)). */
  loss: 'ttfs' | 'aggressive' | 'bce';
  /** Margin γ of the TTFS targets and Aggressive TTFS's γ_a, in time units of the image window. */
  gamma: number;
  gammaA: number;
  /** β of the `bce` logit, per unit of time. */
  beta: number;
  /** Image window: real pixels p map to spike times (1 − p/255)·tmax, black pixels are silent (discrete: 256 steps). */
  tmax: number;
  /** D's window as a multiple of the image window (D's hidden and output neurons may fire later). */
  dWindow: number;
  /** G's pipeline latency subtracted from its output times to give the fake image's times (delta: depth × delay). */
  gLatency: number;
  /** Noise inputs N_z. */
  nz: number;
  /** Noise code: `uniform` (every input spikes, time uniform in [0, noiseSpan)) or `sparse` (each input silent with probability `noiseSilent`). */
  noise: 'uniform' | 'sparse';
  noiseSilent: number;
  /** Noise spike times span [0, noiseSpan) (in image-window units for ramp, steps for delta). */
  noiseSpan: number;
  /** Hidden layer sizes of G and D. */
  gHidden: number;
  dHidden: number;
  /** Thresholds of G and D neurons. */
  gThreshold: number;
  dThreshold: number;
  /** Uniform init ranges [lo, hi] of G's and D's two projections. */
  gInit: [[number, number], [number, number]];
  dInit: [[number, number], [number, number]];
  /** Class-conditional G and D: the digit as `labelCopies` extra input spikes per class at time 0. */
  conditional: boolean;
  labelCopies: number;
  /** Input neurons of G and D that always spike at time 0 (the only way to give IF neurons a bias). */
  bias: number;
  /** G's objective from D: `flip` (D's target real, non-saturating), `features` (match D's mean hidden spike times on real images), `both`, or `none` (D trains, G ignores it: the control for `mmd`). */
  gObjective: 'flip' | 'features' | 'both' | 'none';
  /** How D's error reaches a silent (black) fake pixel: `none` (it cannot) or `late` (treated as a spike at the end of the image window). */
  silentPixel: 'none' | 'late';
  /** Ramp kernel: gradient that pushes silent neurons to fire (Mostafa's penalty), for D, and for G unless `gSilentPenalty` is set. */
  silentPenalty: number;
  /** G's own silent penalty (null: the same as D's). */
  gSilentPenalty: number | null;
  /** Optimiser of both nets, learning rates, Adam β1, L2 decay, samples per update, D steps per G step. */
  optimizer: 'sgd' | 'adam';
  lrD: number;
  lrG: number;
  beta1: number;
  decay: number;
  batch: number;
  dSteps: number;
  /** Instance noise: σ of Gaussian jitter on D's input spike times (image-window units), falling linearly to 0 at `steps`. */
  instanceNoise: number;
  /** One-sided label smoothing: the probability "real" that D's bce loss targets on real images (1 = none). */
  realTarget: number;
  /** Mode-seeking weight λ: G also pushes the pixel times of paired noise samples apart (diversity term, bypasses D). */
  diversity: number;
  /** Learning-rate schedule of G and D over `steps`: `constant` or `cosine` (from the rate down to 0 at the last step). */
  schedule: 'constant' | 'cosine';
  /** Decay β of an exponential moving average of G's weights, which sampling and the saved G use (0 = off; warm-up: min(β, (1 + step)/(10 + step))). */
  gEma: number;
  /** Conditional mode: fakes in a row of a batch that share one digit (1 = each drawn on its own). */
  digitGroup: number;
  /** Weight of D's term (flip / features) in G's objective (1 = the plain GAN). */
  advWeight: number;
  /** Weight λ of a pixel-space MMD term in G's objective: a fake batch's pixel times against a real batch's (Gaussian kernels; in conditional mode only pairs of the same digit count). */
  mmd: number;
  /** relu kernel: the noise z ~ N(0, 1) is clipped to ±zMax, and G's input window is [0, zMax]. */
  zMax: number;
  /** relu kernel: window length B of G's and D's hidden layers (a neuron's x is clipped at B). */
  hiddenWindow: number;
  /** relu kernel: window length of D's output neuron(s) (the readout's spike; TTFS targets' range). */
  outWindow: number;
  /** relu kernel: weights of a layer uniform in ±initGain/√fan_in, biases in ±biasGain/√fan_in. */
  initGain: number;
  biasGain: number;
  /** relu kernel: train the float twin (the ReLU MLP the spike times map to) instead of the SNN: the reference row. */
  floatTwin: boolean;
  /**
   * relu kernel: leaky ReLU hidden layers of G and D with this slope α (0 = plain ReLU): each hidden
   * unit is a tied pair of neurons (its mirror has negated weights and is read with −α times its weights).
   */
  leaky: number;
  /**
   * relu kernel: each noise dimension's two input neurons (z⁺, z⁻) share one weight, negated, so that
   * G's first layer sees the signed z (with free weights, all inputs are ≥ 0 and G's hidden units die).
   */
  tiedNoise: boolean;
  /**
   * relu kernel: D judges `pack` images at once (PacGAN: its input is `pack` images side by side,
   * all real or all fake), which lets it see a lack of variety; the batch must be a multiple of it.
   */
  pack: number;
  /**
   * relu kernel, conditional, loss bce: a projection discriminator (Miyato & Koyama 2018). D's output
   * layer has a shared neuron and one per digit; its logit is the shared potential plus, for each image
   * of the pack, the potential of its digit's neuron (the label still enters D's input as well).
   */
  projection: boolean;
  /**
   * relu kernel, conditional, loss bce: weight λ of an auxiliary classifier (AC-GAN, Odena et al. 2017).
   * D's input then carries no digit; D has 10 more output neurons per image of the pack, read as class
   * logits; D learns to classify real images (cross-entropy, weight λ) and G to have its fakes classified
   * as their digit (weight λ). 0 = off.
   */
  auxClass: number;
  /** relu kernel: dropout in D's hidden layer during training: each hidden neuron inhibited (silent) with this probability per sample. */
  dDropout: number;
  /** Training steps (one step = dSteps D updates on real and fake batches, then one G update). */
  steps: number;
  /** Seed of initialisation, data order and noise. */
  seed: number;
}

/** Settings added after the first checkpoints were written, at their neutral values: the presets start from them, and files written before them load with them. */
const ADDED = {
  gSilentPenalty: null, instanceNoise: 0, realTarget: 1, diversity: 0, mmd: 0, advWeight: 1, gEma: 0, schedule: 'constant', digitGroup: 1,
  zMax: 4, hiddenWindow: 64, outWindow: 8, initGain: 1, biasGain: 1, floatTwin: false, dDropout: 0, leaky: 0, pack: 1, tiedNoise: false, projection: false, auxClass: 0,
} satisfies Partial<GanConfig>;

/** The faithful recipe of the paper as we read it: delta synapses, S4NN gradient and defaults. */
export const FAITHFUL: GanConfig = {
  kernel: 'delta', loss: 'ttfs', gamma: 3, gammaA: 3, beta: 0.05, tmax: 256, dWindow: 1, gLatency: 2,
  nz: 100, noise: 'uniform', noiseSilent: 0, noiseSpan: 256, gHidden: 400, dHidden: 400,
  gThreshold: 100, dThreshold: 100, gInit: [[0, 5], [0, 0.5]], dInit: [[0, 5], [0, 48]],
  conditional: false, labelCopies: 10, bias: 0, gObjective: 'flip', silentPixel: 'none', silentPenalty: 0,
  optimizer: 'sgd', lrD: 0.2, lrG: 0.2, beta1: 0.9, decay: 1e-6, batch: 1, dSteps: 1, ...ADDED, steps: 3000, seed: 0,
};

/** The ramp recipe ("the path to try first"): exact spike-time gradients, standard GAN loss, Adam, mini-batches. */
export const RAMP: GanConfig = {
  kernel: 'ramp', loss: 'bce', gamma: 0.05, gammaA: 0.05, beta: 8, tmax: 1, dWindow: 3, gLatency: 1,
  nz: 100, noise: 'sparse', noiseSilent: 0.5, noiseSpan: 1, gHidden: 400, dHidden: 400,
  gThreshold: 1, dThreshold: 1, gInit: [[-0.4, 0.45], [-0.05, 0.055]], dInit: [[-0.02, 0.065], [-0.05, 0.075]],
  conditional: false, labelCopies: 10, bias: 10, gObjective: 'flip', silentPixel: 'late', silentPenalty: 0.01,
  optimizer: 'adam', lrD: 1e-4, lrG: 2e-4, beta1: 0.5, decay: 0, batch: 32, dSteps: 1, ...ADDED, steps: 400, seed: 0,
};

/**
 * The recipe that draws digits (issue 5): the ramp recipe, class-conditional, with D's hidden neurons
 * firing after the whole image has arrived (θ_D = 4), G's objective a pixel-space MMD per digit plus
 * D's adversarial term at weight 0.3, no silent penalty on G (it lit the background), a cosine
 * learning-rate decay over 400 steps, samples from the moving average of G's weights, and a quiet
 * noise code (each of the 100 noise inputs silent with p = 0.95: the noise's per-pixel jitter was the grain).
 */
export const DIGITS: GanConfig = { ...RAMP, conditional: true, noiseSilent: 0.95, dThreshold: 4, mmd: 2, advWeight: 0.3, gSilentPenalty: 0, gEma: 0.999, schedule: 'cosine', steps: 400 };

/**
 * The real GAN (issue 13): ReLU-equivalent TTFS neurons whose exact spike-time gradient is a ReLU
 * MLP's, signed Gaussian noise whose z⁺ and z⁻ inputs share one weight (G's first layer sees z), D's
 * output read as its potential (a logit), the non-saturating loss alone (no pixel-statistics term),
 * D judging two images at once (PacGAN: without it G collapses to one image), silent or clipped
 * pixels passing the error that pushes them back into range, Adam 2e-4 β1 0.5, batch 32, samples
 * from a moving average of G (β = 0.999), 12,000 steps.
 */
export const RELU: GanConfig = {
  ...RAMP, kernel: 'relu', loss: 'bce', beta: 1, tmax: 1, dWindow: 1, gLatency: 0, noise: 'uniform', noiseSilent: 0, noiseSpan: 1,
  gThreshold: 0, dThreshold: 0, bias: 0, labelCopies: 1, silentPenalty: 0, silentPixel: 'late',
  optimizer: 'adam', lrD: 2e-4, lrG: 2e-4, beta1: 0.5, decay: 0, batch: 32, steps: 12000,
  tiedNoise: true, pack: 2, gEma: 0.999,
};

/**
 * The class-conditional real GAN (the default of `spiking-gan train`): the digit as a one-hot input of G;
 * D a projection discriminator with an auxiliary classifier (weight 1), 18,000 steps.
 */
export const RELU_COND: GanConfig = { ...RELU, conditional: true, projection: true, auxClass: 1, steps: 18000 };

/** Named starting points: `relu-cond` (default), `relu`, `digits`, `ramp` and `faithful`. */
export const PRESETS: Record<string, GanConfig> = { relu: RELU, 'relu-cond': RELU_COND, ramp: RAMP, digits: DIGITS, faithful: FAITHFUL };

/** The preset that `spiking-gan train` uses when none is named. */
export const DEFAULT_PRESET = 'relu-cond';

/** A preset with overrides applied, checked. */
export function makeConfig(preset = DEFAULT_PRESET, overrides: Partial<GanConfig> = {}): GanConfig {
  const base = PRESETS[preset];
  if (!base) throw new RangeError(`unknown preset '${preset}' (have ${Object.keys(PRESETS).join(', ')})`);
  const cfg: GanConfig = { ...base, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  checkConfig(cfg);
  return cfg;
}

/** Settings added after a model or checkpoint was written take their neutral values (the behaviour it was trained with). */
export function withDefaults(cfg: Partial<GanConfig>): GanConfig {
  const out = { ...cfg } as Record<string, unknown>;
  for (const [k, v] of Object.entries(ADDED)) if (!(k in out)) out[k] = v;
  return out as unknown as GanConfig;
}

/** Numeric settings that are whole numbers. */
const WHOLE = [
  'nz', 'gHidden', 'dHidden', 'batch', 'dSteps', 'labelCopies', 'digitGroup', 'bias', 'steps', 'seed', 'pack',
] as const;
/** Numeric settings that are real numbers (gSilentPenalty, which may be null, aside). */
const REAL = [
  'gamma', 'gammaA', 'beta', 'tmax', 'dWindow', 'gLatency', 'noiseSilent', 'noiseSpan', 'gThreshold', 'dThreshold',
  'silentPenalty', 'lrD', 'lrG', 'beta1', 'decay', 'instanceNoise', 'realTarget', 'diversity', 'gEma', 'advWeight',
  'mmd', 'zMax', 'hiddenWindow', 'outWindow', 'initGain', 'biasGain', 'leaky', 'dDropout', 'auxClass',
] as const;
type NumericKey = (typeof WHOLE)[number] | (typeof REAL)[number] | 'gSilentPenalty';

/**
 * Largest value of each numeric setting (1e6 when not listed): they bound what a run allocates
 * (layers, batches, label and bias inputs, time windows) and how long its loops run.
 */
export const LIMITS: Partial<Record<NumericKey, number>> = {
  nz: 4096, gHidden: 4096, dHidden: 4096, batch: 1024, dSteps: 100, labelCopies: 100, digitGroup: 1024, bias: 1000,
  steps: 1e8, seed: 0xffffffff, pack: 16, tmax: 1e4, gLatency: 1e4, noiseSpan: 1e4, dWindow: 100,
};

/** The settings that name one of a few choices, and the choices. */
const CHOICES = {
  kernel: ['relu', 'ramp', 'delta'], loss: ['ttfs', 'aggressive', 'bce'], noise: ['uniform', 'sparse'],
  gObjective: ['flip', 'features', 'both', 'none'], silentPixel: ['none', 'late'], optimizer: ['sgd', 'adam'],
  schedule: ['constant', 'cosine'],
} satisfies Partial<Record<keyof GanConfig, string[]>>;

/** A value as a message shows it: strings quoted, anything long cut. */
function show(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' || (typeof v === 'object' && v !== null) ? JSON.stringify(v) : String(v);
  } catch {
    s = 'a value nested too deep to show';
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A uniform init setting: two [lo, hi] ranges of numbers, lo <= hi. */
function isInitRanges(v: unknown): boolean {
  const number = (x: unknown) => typeof x === 'number' && Math.abs(x) <= 1e6;
  const range = (r: unknown) => Array.isArray(r) && r.length === 2 && r.every(number) && r[0] <= r[1];
  return Array.isArray(v) && v.length === 2 && v.every(range);
}

/** Refuses inconsistent settings, wrong types and values out of bounds with a message naming the setting. */
export function checkConfig(c: GanConfig): void {
  const bad = (what: string): never => {
    throw new RangeError(`GAN config: ${what}`);
  };
  if (typeof c !== 'object' || c === null || Array.isArray(c)) bad(`the settings must be an object, got ${show(c)}`);
  for (const k of [...WHOLE, ...REAL]) {
    const v: unknown = c[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${k} must be a finite number, got ${show(v)}`);
  }
  for (const k of WHOLE) if (!Number.isInteger(c[k]) || c[k] < 0) bad(`${k} must be a whole number, got ${c[k]}`);
  for (const k of ['conditional', 'tiedNoise', 'projection', 'floatTwin'] as const) {
    if (typeof c[k] !== 'boolean') bad(`${k} must be true or false, got ${show(c[k])}`);
  }
  for (const k of ['gInit', 'dInit'] as const) {
    if (!isInitRanges(c[k])) bad(`${k} must be two ranges [lo, hi], lo <= hi, |lo|, |hi| <= 1e6, got ${show(c[k])}`);
  }
  for (const [k, options] of Object.entries(CHOICES)) {
    const v: unknown = c[k as keyof typeof CHOICES];
    const either = `${options.slice(0, -1).join(', ')} or ${options.at(-1)}`;
    if (!options.includes(v as string)) bad(`${k} must be ${either}, got ${show(v)}`);
  }
  if (c.gObjective === 'none' && !(c.mmd > 0)) bad('gObjective none leaves G without an objective: give mmd > 0');
  for (const k of ['nz', 'gHidden', 'dHidden', 'batch', 'dSteps', 'labelCopies', 'digitGroup'] as const) if (!Number.isInteger(c[k]) || c[k] < 1) bad(`${k} must be a positive integer, got ${c[k]}`);
  if (!Number.isInteger(c.bias) || c.bias < 0) bad(`bias must be a whole number, got ${c.bias}`);
  if (!Number.isInteger(c.steps) || c.steps < 0) bad(`steps must be a whole number, got ${c.steps}`);
  for (const k of ['tmax', 'dWindow', 'noiseSpan', 'beta', 'lrG'] as const) if (!(c[k] > 0) || !Number.isFinite(c[k])) bad(`${k} must be a positive number, got ${c[k]}`);
  // lrD 0 freezes D at its initialisation: the ablation that shows what D's learning contributes
  if (!(c.lrD >= 0) || !Number.isFinite(c.lrD)) bad(`lrD must be a number >= 0, got ${c.lrD}`);
  for (const k of ['gamma', 'gammaA', 'gLatency', 'decay', 'silentPenalty', 'gThreshold', 'dThreshold'] as const) if (!(c[k] >= 0) || !Number.isFinite(c[k])) bad(`${k} must be a number >= 0, got ${c[k]}`);
  for (const k of ['instanceNoise', 'diversity', 'mmd', 'advWeight'] as const) if (!(c[k] >= 0) || !Number.isFinite(c[k])) bad(`${k} must be a number >= 0, got ${c[k]}`);
  if (!(c.gEma >= 0 && c.gEma < 1)) bad(`gEma must be in [0, 1), got ${c.gEma}`);
  if (c.gSilentPenalty !== null && !(c.gSilentPenalty >= 0 && Number.isFinite(c.gSilentPenalty))) bad(`gSilentPenalty must be a number >= 0 or null, got ${c.gSilentPenalty}`);
  if (!(c.realTarget > 0.5 && c.realTarget <= 1)) bad(`realTarget must be in (0.5, 1], got ${c.realTarget}`);
  if (c.loss !== 'bce' && c.realTarget !== 1) bad('realTarget (label smoothing) needs the bce loss');
  if (!(c.noiseSilent >= 0 && c.noiseSilent < 1)) bad(`noiseSilent must be in [0, 1), got ${c.noiseSilent}`);
  if (!(c.beta1 >= 0 && c.beta1 < 1)) bad(`beta1 must be in [0, 1), got ${c.beta1}`);
  if (c.kernel === 'delta' && (!Number.isInteger(c.tmax) || !Number.isInteger(c.gLatency) || !Number.isInteger(c.noiseSpan))) bad('the delta kernel runs in discrete time: tmax, gLatency and noiseSpan must be whole steps');
  if (c.kernel === 'delta' && c.loss === 'bce') bad(`loss bce needs the ramp kernel (delta spike times are steps; use ttfs or aggressive)`);
  for (const k of ['zMax', 'hiddenWindow', 'outWindow', 'initGain'] as const) if (!(c[k] > 0) || !Number.isFinite(c[k]) || c[k] > 1e6) bad(`${k} must be a positive number up to 1e6, got ${c[k]}`);
  if (!(c.biasGain >= 0) || !Number.isFinite(c.biasGain)) bad(`biasGain must be a number >= 0, got ${c.biasGain}`);
  if (!(c.dDropout >= 0 && c.dDropout < 1)) bad(`dDropout must be in [0, 1), got ${c.dDropout}`);
  if (c.dDropout > 0 && c.kernel !== 'relu') bad('dDropout needs the relu kernel');
  if (!Number.isInteger(c.pack) || c.pack < 1 || c.pack > 16) bad(`pack must be a whole number from 1 to 16, got ${c.pack}`);
  if (c.pack > 1 && c.kernel !== 'relu') bad('pack needs the relu kernel');
  if (c.batch % c.pack !== 0) bad(`batch (${c.batch}) must be a multiple of pack (${c.pack})`);
  if (!(c.leaky >= 0 && c.leaky < 1)) bad(`leaky must be in [0, 1), got ${c.leaky}`);
  if (c.leaky > 0 && c.kernel !== 'relu') bad('leaky needs the relu kernel');
  if (c.tiedNoise && c.kernel !== 'relu') bad('tiedNoise needs the relu kernel');
  if (!(c.auxClass >= 0 && c.auxClass <= 100)) bad(`auxClass must be a number from 0 to 100, got ${c.auxClass}`);
  if (c.auxClass > 0 && !(c.kernel === 'relu' && c.conditional && c.loss === 'bce')) {
    bad('auxClass needs the relu kernel, conditional mode and loss bce');
  }
  if (c.projection && !(c.kernel === 'relu' && c.conditional && c.loss === 'bce')) {
    bad('projection needs the relu kernel, conditional mode and loss bce (it reads D\'s potentials)');
  }
  if (c.floatTwin && c.kernel !== 'relu') bad('floatTwin needs the relu kernel (only its spike times map to a float network)');
  for (const k of [...WHOLE, ...REAL, 'gSilentPenalty'] as const) {
    const v = c[k], max = LIMITS[k] ?? 1e6;
    if (v !== null && Math.abs(v) > max) bad(`${k} must be at most ${max}, got ${v}`);
  }
  if (c.kernel === 'relu') {
    // the real GAN: D's adversarial term is G's only objective (issue 13)
    const extras = (['mmd', 'diversity', 'instanceNoise'] as const).filter((k) => c[k] !== 0);
    if (extras.length) bad(`the relu kernel trains G by D's adversarial term alone: ${extras.join(', ')} must be 0`);
    if (c.gObjective !== 'flip' || c.advWeight !== 1) bad('the relu kernel trains G by the non-saturating loss (gObjective flip, advWeight 1)');
    if (c.bias !== 0) bad('the relu kernel has biases of its own: bias (always-on input neurons) must be 0');
    if (c.digitGroup !== 1) bad('digitGroup only serves the MMD term, which the relu kernel does not have');
    if (c.conditional && c.labelCopies !== 1) bad('the relu kernel codes the label as one input per digit (labelCopies 1)');
  }
}
