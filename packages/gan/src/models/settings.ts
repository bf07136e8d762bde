// Every setting of a Spiking-GAN run described once: its type, its value in the base recipe, its
// bounds or choices, a one-line doc and its `spiking-gan train` flag. The GanConfig type, the presets'
// starting point, the neutral values of settings added later, the validator and the train options
// are all made from this table. Its order is the order of the settings in model files and checkpoints.

/** Numeric bounds: [min, max], an end open where marked; `limit` caps the size of a run (1e6 if not given). */
interface Bounds {
  min: number;
  minOpen?: boolean;
  max?: number;
  maxOpen?: boolean;
  limit?: number;
}

/** The description of one setting whose values have type V. */
export interface Setting<V> {
  readonly kind: 'whole' | 'real' | 'boolean' | 'choice' | 'ranges';
  /** Its value in the base recipe (the ramp recipe), where every preset starts. */
  readonly base: V;
  /** What it does, in one line (also the help of its flag). */
  readonly doc: string;
  readonly bounds?: Bounds;
  /** null is a value too (meaning given in `doc`). */
  readonly nullable?: boolean;
  readonly choices?: readonly string[];
  /** Added after the first files were written: a file without it loads with `base`, which is neutral. */
  readonly added?: boolean;
  /** Its name in older files and flags (still read). */
  readonly was?: string;
  /** The flag's value name (`<eta>`), '' for a switch (with its `--no-` form), null for no flag. */
  readonly flag: string | null;
  /** The flag's smallest value where it is above `bounds.min`. */
  readonly flagMin?: number;
  /** A switch's `--no-` form: what false means. */
  readonly off?: string;
}

type Common<V> = Omit<Setting<V>, 'kind' | 'choices' | 'bounds' | 'nullable'>;

function numeric<V>(kind: 'whole' | 'real', o: Common<V> & Bounds, nullable = false): Setting<V> {
  const { min, minOpen, max, maxOpen, limit, ...rest } = o;
  return { kind, ...rest, bounds: { min, minOpen, max, maxOpen, limit }, ...(nullable ? { nullable } : {}) };
}
const whole = (o: Common<number> & Bounds): Setting<number> => numeric('whole', o);
const real = (o: Common<number> & Bounds): Setting<number> => numeric('real', o);
const realOrNull = (o: Common<number | null> & Bounds): Setting<number | null> => numeric('real', o, true);
const truth = (o: Common<boolean>): Setting<boolean> => ({ kind: 'boolean', ...o });
const choice = <C extends string>(choices: readonly C[], o: Common<C>): Setting<C> => ({
  kind: 'choice',
  choices,
  ...o,
});
const ranges = (o: Common<InitRanges>): Setting<InitRanges> => ({ kind: 'ranges', ...o });

/** Uniform init ranges [lo, hi] of a network's two projections. */
export type InitRanges = [[number, number], [number, number]];

/** The settings, in the order files hold them. */
export const SETTINGS = {
  kernel: choice(['relu', 'ramp', 'delta'], {
    base: 'ramp',
    flag: '<name>',
    doc:
      "synapse kernel: relu (ReLU-equivalent TTFS neurons, exact gradients equal to a ReLU MLP's), ramp " +
      '(continuous time, exact gradients) or delta (S4NN: discrete time, approximate gradient)',
  }),
  loss: choice(['ttfs', 'aggressive', 'bce'], {
    base: 'bce',
    flag: '<name>',
    doc:
      "D's loss: ttfs (S4NN's relative targets), aggressive (Aggressive TTFS) or bce (softplus on D's logit: " +
      'its potential for relu, beta·(t_fake − t_real) for ramp)',
  }),
  gamma: real({
    base: 0.05,
    min: 0,
    flag: '<g>',
    doc: 'TTFS margin γ (image-window units for ramp, output-window units for relu, steps for delta)',
  }),
  gammaA: real({
    base: 0.05,
    min: 0,
    flag: '<g>',
    doc: "Aggressive TTFS: γ_a, how far before the winner the label's neuron is asked to fire (units as --gamma)",
  }),
  beta: real({
    base: 8,
    min: 0,
    minOpen: true,
    flag: '<b>',
    doc: "bce loss, ramp and delta kernels: D's logit is beta·(t_fake − t_real) / image window",
  }),
  tmax: real({
    base: 1,
    min: 0,
    minOpen: true,
    limit: 1e4,
    flag: null,
    doc: 'image window: pixel p spikes at (1 − p/255)·tmax, black pixels stay silent (delta: 256 steps)',
  }),
  dWindow: real({
    base: 3,
    min: 0,
    minOpen: true,
    limit: 100,
    flag: null,
    doc: "D's window as a multiple of the image window (D's hidden and output neurons may fire later)",
  }),
  gLatency: real({
    base: 1,
    min: 0,
    limit: 1e4,
    flag: null,
    doc: "G's pipeline latency, subtracted from its output times to give the fake image's (delta: depth × delay)",
  }),
  nz: whole({ base: 100, min: 1, limit: 4096, flag: '<n>', doc: 'noise inputs N_z of G' }),
  noise: choice(['uniform', 'sparse'], {
    base: 'sparse',
    flag: '<code>',
    doc:
      'noise code: uniform (every input spikes, at a time uniform in [0, --noise-span)) or sparse (each ' +
      'input silent with probability --noise-silent)',
  }),
  noiseSilent: real({
    base: 0.5,
    min: 0,
    max: 1,
    maxOpen: true,
    flag: '<p>',
    doc: 'sparse noise: probability that a noise input stays silent',
  }),
  noiseSpan: real({
    base: 1,
    min: 0,
    minOpen: true,
    limit: 1e4,
    flag: '<t>',
    doc:
      'noise spike times span [0, t) (image-window units for ramp, steps for delta); a tiny span makes the code ' +
      'binary (which inputs spike)',
  }),
  gHidden: whole({ base: 400, min: 1, limit: 4096, flag: '<n>', doc: 'hidden neurons of G' }),
  dHidden: whole({ base: 400, min: 1, limit: 4096, flag: '<n>', doc: 'hidden neurons of D' }),
  gThreshold: real({ base: 1, min: 0, flag: '<theta>', doc: "threshold of G's neurons (ramp, delta)" }),
  dThreshold: real({
    base: 1,
    min: 0,
    flag: '<theta>',
    doc:
      "threshold of D's neurons (ramp: a higher one makes D's hidden neurons fire after the whole image has " +
      'arrived)',
  }),
  gInit: ranges({
    base: [
      [-0.4, 0.45],
      [-0.05, 0.055],
    ],
    flag: null,
    doc: "uniform init ranges [lo, hi] of G's two projections (ramp, delta)",
  }),
  dInit: ranges({
    base: [
      [-0.02, 0.065],
      [-0.05, 0.075],
    ],
    flag: null,
    doc: "uniform init ranges [lo, hi] of D's two projections (ramp, delta)",
  }),
  conditional: truth({
    base: false,
    flag: '',
    off: 'unconditional G and D',
    doc: 'class-conditional G and D: the digit as extra input spikes at time 0 (relu: one input per digit)',
  }),
  labelCopies: whole({
    base: 10,
    min: 1,
    limit: 100,
    flag: null,
    doc: 'conditional: input spikes per digit that code the label (relu: 1)',
  }),
  bias: whole({
    base: 10,
    min: 0,
    limit: 1000,
    flag: '<n>',
    doc: 'input neurons of G and D that always spike at time 0 (the bias of IF neurons; relu: 0, it has biases)',
  }),
  gObjective: choice(['flip', 'features', 'both', 'none'], {
    base: 'flip',
    flag: '<name>',
    doc:
      "G's objective from D: flip (D's target real, non-saturating), features (match D's mean hidden spike " +
      'times on real images), both, or none (G ignores D: the control for --mmd)',
  }),
  silentPixel: choice(['none', 'late'], {
    base: 'late',
    flag: '<name>',
    doc:
      "how D's error reaches a silent (black) fake pixel: none (it cannot) or late (as a spike at the end of " +
      'the image window; relu: a silent or clipped pixel passes the error that brings it back)',
  }),
  silentPenalty: real({
    base: 0.01,
    min: 0,
    flag: '<rho>',
    doc:
      "ramp: gradient that pushes silent neurons to fire (Mostafa's penalty), for D, and for G unless " +
      '--g-silent-penalty is given',
  }),
  optimiser: choice(['sgd', 'adam'], {
    base: 'adam',
    was: 'optimizer',
    flag: '<name>',
    doc: 'optimiser of G and D: sgd or adam',
  }),
  dLr: real({
    base: 1e-4,
    min: 0,
    was: 'lrD',
    flag: '<eta>',
    doc: "D's learning rate (0 freezes D at its initialisation: the ablation that shows what D's learning gives)",
  }),
  gLr: real({ base: 2e-4, min: 0, minOpen: true, was: 'lrG', flag: '<eta>', doc: "G's learning rate" }),
  beta1: real({ base: 0.5, min: 0, max: 1, maxOpen: true, flag: '<b>', doc: 'Adam β1 of G and D' }),
  decay: real({ base: 0, min: 0, flag: null, doc: 'L2 weight decay of G and D' }),
  batch: whole({
    base: 32,
    min: 1,
    limit: 1024,
    flag: '<n>',
    doc: 'samples per update (each D update sees a batch of real and a batch of fake images)',
  }),
  dSteps: whole({ base: 1, min: 1, limit: 100, flag: '<n>', doc: 'D updates per G update' }),
  gSilentPenalty: realOrNull({
    base: null,
    min: 0,
    added: true,
    flag: '<rho>',
    doc: "ramp: G's own silent penalty (null, or no flag: the same as --silent-penalty)",
  }),
  instanceNoise: real({
    base: 0,
    min: 0,
    added: true,
    flag: '<sigma>',
    doc:
      "instance noise: σ of Gaussian jitter on D's input spike times (image-window units), falling linearly to " +
      '0 at the last step',
  }),
  realTarget: real({
    base: 1,
    min: 0.5,
    minOpen: true,
    max: 1,
    added: true,
    flag: '<p>',
    doc: 'bce: one-sided label smoothing, the probability "real" that D targets on real images (1 = none)',
  }),
  diversity: real({
    base: 0,
    min: 0,
    added: true,
    flag: '<lambda>',
    doc: 'mode-seeking weight λ: G also pushes the pixel times of paired noise samples apart (bypasses D)',
  }),
  mmd: real({
    base: 0,
    min: 0,
    added: true,
    flag: '<lambda>',
    doc:
      "weight λ of a pixel-space MMD term in G's objective: a fake batch against a real batch, Gaussian " +
      'kernels (conditional: only pairs of the same digit count)',
  }),
  advWeight: real({
    base: 1,
    min: 0,
    added: true,
    flag: '<w>',
    doc: "weight of D's term (flip, features) in G's objective (1 = the plain GAN)",
  }),
  gEma: real({
    base: 0,
    min: 0,
    max: 1,
    maxOpen: true,
    added: true,
    flag: '<beta>',
    doc:
      "decay β of a moving average of G's weights that sampling and the saved G use (0 = off; warm-up: " +
      'min(β, (1 + step)/(10 + step)))',
  }),
  schedule: choice(['constant', 'cosine'], {
    base: 'constant',
    added: true,
    flag: '<name>',
    doc: 'learning-rate schedule of G and D: constant or cosine (from the rate down to 0 at the last step)',
  }),
  digitGroup: whole({
    base: 1,
    min: 1,
    limit: 1024,
    added: true,
    flag: '<n>',
    doc: 'conditional: fakes in a row of a batch that share one digit (1 = each drawn on its own)',
  }),
  zMax: real({
    base: 4,
    min: 0,
    minOpen: true,
    added: true,
    flag: '<z>',
    doc: "relu: the noise z ~ N(0, 1) is clipped to ±z, and G's input window is [0, z]",
  }),
  hiddenWindow: real({
    base: 64,
    min: 0,
    minOpen: true,
    added: true,
    flag: '<B>',
    doc: "relu: window length B of G's and D's hidden layers (a neuron's x is clipped at B)",
  }),
  outWindow: real({
    base: 8,
    min: 0,
    minOpen: true,
    added: true,
    flag: '<B>',
    doc: "relu: window length of D's output neuron(s) (the readout's spike; the TTFS targets' range)",
  }),
  initGain: real({
    base: 1,
    min: 0,
    minOpen: true,
    added: true,
    flag: '<g>',
    doc: 'relu: weights of a layer uniform in ±g/√fan_in',
  }),
  biasGain: real({ base: 1, min: 0, added: true, flag: '<g>', doc: 'relu: biases uniform in ±g/√fan_in' }),
  floatTwin: truth({
    base: false,
    added: true,
    flag: '',
    off: 'relu: train the SNN',
    doc: 'relu: train the float twin (the ReLU MLP the spike times map to) instead of the SNN: the reference row',
  }),
  dDropout: real({
    base: 0,
    min: 0,
    max: 1,
    maxOpen: true,
    added: true,
    flag: '<p>',
    doc: "relu: dropout in D's hidden layer while training (each neuron inhibited with probability p per sample)",
  }),
  leaky: real({
    base: 0,
    min: 0,
    max: 1,
    maxOpen: true,
    added: true,
    flag: '<alpha>',
    doc:
      'relu: leaky ReLU hidden layers of slope alpha (0 = plain ReLU), each unit a tied pair of neurons (the ' +
      'mirror has negated weights and is read with −alpha)',
  }),
  pack: whole({
    base: 1,
    min: 1,
    limit: 16,
    added: true,
    flag: '<m>',
    doc:
      'relu: D judges m images at once (PacGAN; all real or all fake), which lets it see a lack of variety; ' +
      'batch must be a multiple of m',
  }),
  tiedNoise: truth({
    base: false,
    added: true,
    flag: '',
    off: 'relu: free weights for the z+ and z- inputs',
    doc:
      "relu: each noise dimension's z+ and z- inputs share one weight, negated (G's first layer sees the signed " +
      'z; with free weights its hidden units die)',
  }),
  projection: truth({
    base: false,
    added: true,
    flag: '',
    off: "relu, conditional: one output neuron, the digit only in D's input",
    doc:
      'relu, conditional, bce: projection discriminator (Miyato & Koyama 2018): a shared output neuron and one ' +
      "per digit; the logit adds the potential of each image's digit",
  }),
  auxClass: real({
    base: 0,
    min: 0,
    max: 100,
    added: true,
    flag: '<lambda>',
    doc:
      "relu, conditional or --info-code, bce: weight λ of an auxiliary classifier in D (AC-GAN; D's input " +
      "then has no digit): D learns to classify real images (InfoGAN: the fakes' codes), G to have its fakes " +
      'classified as their digit or code (0 = off)',
  }),
  infoCode: truth({
    base: false,
    added: true,
    flag: '',
    off: 'relu: no InfoGAN code (the plain unconditional GAN; with --aux-class 0)',
    doc:
      'relu, unconditional, with --aux-class: InfoGAN (Chen et al. 2016): G gets a one-hot code drawn uniformly ' +
      "from 10, D's classifier learns to tell the code from G's fakes, and G to make it tellable; no label of " +
      'the data is used',
  }),
  steps: whole({
    base: 400,
    min: 0,
    limit: 1e8,
    flag: '<n>',
    flagMin: 1,
    doc: 'training steps (one step: --d-steps D updates on real and fake batches, then one G update)',
  }),
  seed: whole({ base: 0, min: 0, limit: 0xffffffff, flag: '<s>', doc: 'seed of initialisation, data order and noise' }),
};

/** One setting's name. */
export type SettingKey = keyof typeof SETTINGS;

/** Every setting of a Spiking-GAN run (SETTINGS says what each means); presets fill them, options override them. */
export type GanConfig = { -readonly [K in SettingKey]: (typeof SETTINGS)[K] extends Setting<infer V> ? V : never };

/** The names of the settings, in the order files hold them. */
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** A setting's description (widened: for code that goes over all of them). */
export function settingOf(key: SettingKey): Setting<unknown> {
  return SETTINGS[key] as Setting<unknown>;
}
