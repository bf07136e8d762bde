import { LeakyPairs, Network, reluNetwork, SignedInputPairs, signedNoise, type Rng } from '@spiking-gan/core';
import { MNIST_CLASSES, MNIST_PIXELS } from '../data/mnist.ts';
import type { GanConfig } from './config.ts';

/** Pixels of an image: G's pixel neurons, D's image inputs. */
export const PIXELS = MNIST_PIXELS;
/** Extra input neurons carrying the class label in conditional mode. */
export function labelInputs(cfg: GanConfig): number {
  return cfg.conditional ? MNIST_CLASSES * cfg.labelCopies : 0;
}

/** Extra input neurons of G and D beyond noise or pixels: the label code, then the bias neurons. */
export function extraInputs(cfg: GanConfig): number {
  return labelInputs(cfg) + cfg.bias;
}

/**
 * Writes the extra input spikes at `out[at..]`: `labelCopies` spikes at time 0 for the label's
 * neurons (the other label neurons silent), then `bias` neurons that always spike at time 0 (IF
 * neurons have no bias current, so without them an image with no spike leaves a network silent).
 */
export function extraSpikes(cfg: GanConfig, label: number, out: Float64Array, at: number, silent: number): void {
  const n = labelInputs(cfg),
    k = cfg.labelCopies;
  for (let i = 0; i < n; i++) out[at + i] = Math.floor(i / k) === label ? 0 : silent;
  for (let i = 0; i < cfg.bias; i++) out[at + n + i] = 0;
}

/** Time window of G: its latency plus the image window. */
export function generatorWindow(cfg: GanConfig): number {
  return cfg.gLatency + cfg.tmax;
}

/** Time window of D: the image window times dWindow. */
export function discriminatorWindow(cfg: GanConfig): number {
  return cfg.kernel === 'delta' ? cfg.tmax : cfg.tmax * cfg.dWindow;
}

function build(
  cfg: GanConfig,
  inputs: number,
  hidden: number,
  outputs: number,
  threshold: number,
  init: [[number, number], [number, number]],
  tmax: number,
  seedBase: number,
  names: [string, string],
): Network {
  const ramp = cfg.kernel === 'ramp';
  const net = new Network({ tmax, time: ramp ? 'continuous' : 'discrete', delay: ramp ? 0 : 1 });
  net.addInput(inputs, 'input');
  net.addLayer(hidden, {
    name: names[0],
    threshold,
    kernel: cfg.kernel,
    init: { uniform: init[0], seed: seedBase + 1 },
  });
  net.addLayer(outputs, {
    name: names[1],
    threshold,
    kernel: cfg.kernel,
    init: { uniform: init[1], seed: seedBase + 2 },
  });
  return net;
}

/** Whether the relu kernel's G reads a one-hot code after its noise: the digit (conditional) or an InfoGAN code. */
export function gHasCode(cfg: GanConfig): boolean {
  return cfg.conditional || cfg.infoCode;
}

/** Input neurons of the relu kernel's G: z⁺ and z⁻ per noise dimension, then one per digit or code. */
export function reluGeneratorInputs(cfg: GanConfig): number {
  return 2 * cfg.nz + (gHasCode(cfg) ? MNIST_CLASSES : 0);
}

/** Whether the relu kernel's D reads the digit in its input (conditional, without an auxiliary classifier). */
export function dSeesDigit(cfg: GanConfig): boolean {
  return cfg.conditional && !(cfg.auxClass > 0);
}

/** Input values of one image for the relu kernel's D: its pixels, then the one-hot digit (`dSeesDigit`). */
export function reluImageSize(cfg: GanConfig): number {
  return PIXELS + (dSeesDigit(cfg) ? MNIST_CLASSES : 0);
}

/** The first of D's class-logit outputs (auxClass): 10 per image of the pack follow the readout(s). */
export function auxClassStart(cfg: GanConfig): number {
  return cfg.projection ? 1 + MNIST_CLASSES : 1;
}

/**
 * Outputs of the relu kernel's D: one readout neuron (loss bce), a shared one and one per digit
 * (projection), or real and fake neurons (TTFS targets).
 */
export function reluDiscriminatorOutputs(cfg: GanConfig): number {
  const aux = cfg.auxClass > 0 ? MNIST_CLASSES * cfg.pack : 0;
  return (cfg.projection ? 1 + MNIST_CLASSES : cfg.loss === 'bce' ? 1 : 2) + aux;
}

/**
 * D's logit from its output potentials `out` (loss bce): the readout neuron's, or with `projection`
 * the shared neuron's plus, per image k of the pack, that of its digit `digits[k]`'s neuron.
 */
export function reluLogit(cfg: GanConfig, out: ArrayLike<number>, digits: ArrayLike<number>): number {
  let u = out[0];
  if (cfg.projection) for (let k = 0; k < cfg.pack; k++) u += out[1 + digits[k]];
  return u;
}

/**
 * relu kernel: G's windows are [0, zMax] (noise, label at x = 1), hidden B, pixels B = 1; D's are
 * [0, 1] (pixels x = p, label), hidden B, output `outWindow`.
 */
function buildRelu(cfg: GanConfig, which: 'G' | 'D'): Network {
  const [nIn, nHid, nOut, B0] =
    which === 'G'
      ? [reluGeneratorInputs(cfg), cfg.gHidden, PIXELS, cfg.zMax]
      : [reluImageSize(cfg) * cfg.pack, cfg.dHidden, reluDiscriminatorOutputs(cfg), 1];
  const names = which === 'G' ? ['noise', 'hidden', 'pixels'] : ['input', 'hidden', 'decision'];
  const net = reluNetwork({
    sizes: [nIn, cfg.leaky > 0 ? 2 * nHid : nHid, nOut],
    windows: [B0, cfg.hiddenWindow, which === 'G' ? 1 : cfg.outWindow],
    names,
    gain: cfg.initGain,
    biasGain: cfg.biasGain,
    seed: cfg.seed * 10 + (which === 'G' ? 100 : 200),
  });
  for (const t of ties(cfg, net, which)) t.sync();
  return net;
}

/**
 * The tied parameters of a relu G or D: the signed noise pairs of G's input (`tiedNoise`) and the
 * leaky pairs of the hidden layer (`leaky` > 0). Empty for other kernels.
 */
export function ties(cfg: GanConfig, net: Network, which: 'G' | 'D'): (LeakyPairs | SignedInputPairs)[] {
  if (cfg.kernel !== 'relu') return [];
  const out: (LeakyPairs | SignedInputPairs)[] = [];
  if (which === 'G' && cfg.tiedNoise) out.push(new SignedInputPairs(net, cfg.nz));
  if (cfg.leaky > 0) out.push(new LeakyPairs(net, 1, cfg.leaky));
  return out;
}

/** G's latency in the relu kernel: a pixel x at G's time t reaches D at 1 − x, i.e. t − (G's tmax − 1). */
export function reluLatency(G: Network): number {
  return G.tmax - 1;
}

/** The relu kernel's one-hot digit: value 1 for `label`'s input, 0 (silent) for the other nine, at `out[at..at+10)`. */
export function digitCode(label: number, out: Float64Array, at: number): void {
  for (let d = 0; d < MNIST_CLASSES; d++) out[at + d] = d === label ? 1 : 0;
}

/** The relu kernel's G input values: signed noise (z⁺, z⁻) from `rng`, then the one-hot digit (conditional). */
export function reluNoise(cfg: GanConfig, rng: Rng, label: number, out: Float64Array): Float64Array {
  signedNoise(rng, cfg.nz, cfg.zMax, out);
  if (gHasCode(cfg)) digitCode(label, out, 2 * cfg.nz);
  return out;
}

/** The relu kernel's D input values of a real image: pixels p/255, then the one-hot digit (conditional). */
export function reluRealInput(cfg: GanConfig, pixels: Uint8Array, label: number, out: Float64Array): Float64Array {
  for (let p = 0; p < PIXELS; p++) out[p] = pixels[p] / 255;
  if (dSeesDigit(cfg)) digitCode(label, out, PIXELS);
  return out;
}

/** The spiking generator: N_z noise inputs (+ label inputs) → hidden → 784 pixel neurons. */
export function buildGenerator(cfg: GanConfig): Network {
  if (cfg.kernel === 'relu') return buildRelu(cfg, 'G');
  return build(
    cfg,
    cfg.nz + extraInputs(cfg),
    cfg.gHidden,
    PIXELS,
    cfg.gThreshold,
    cfg.gInit,
    generatorWindow(cfg),
    cfg.seed * 10 + 100,
    ['hidden', 'pixels'],
  );
}

/** The spiking discriminator: 784 pixels (+ label inputs) → hidden → 2 (neuron 0 = real, 1 = fake). */
export function buildDiscriminator(cfg: GanConfig): Network {
  if (cfg.kernel === 'relu') return buildRelu(cfg, 'D');
  return build(
    cfg,
    PIXELS + extraInputs(cfg),
    cfg.dHidden,
    2,
    cfg.dThreshold,
    cfg.dInit,
    discriminatorWindow(cfg),
    cfg.seed * 10 + 200,
    ['hidden', 'decision'],
  );
}

/** The time D reads as "no spike" in an image: its window end in discrete time, Infinity in continuous time. */
export function imageSilence(cfg: GanConfig): number {
  return cfg.kernel === 'delta' ? cfg.tmax : Infinity;
}

/**
 * D's input for a real image: each pixel p spikes at (1 − p/255)·tmax (whole steps for delta), black pixels stay
 * silent; then the label and bias spikes.
 */
export function realImageInput(cfg: GanConfig, pixels: Uint8Array, label: number, out: Float64Array): Float64Array {
  const silent = imageSilence(cfg);
  for (let p = 0; p < PIXELS; p++) {
    const v = pixels[p];
    out[p] =
      v === 0
        ? silent
        : cfg.kernel === 'delta'
          ? Math.floor(((255 - v) * cfg.tmax) / 255)
          : ((255 - v) / 255) * cfg.tmax;
  }
  extraSpikes(cfg, label, out, PIXELS, silent);
  return out;
}

/**
 * D's input for a fake: G's pixel spike times minus G's latency (clipped at 0; silent pixels stay silent), then the
 * label and bias spikes.
 */
export function fakeImageInput(
  cfg: GanConfig,
  gTimes: ArrayLike<number>,
  label: number,
  out: Float64Array,
): Float64Array {
  const silent = imageSilence(cfg),
    gT = generatorWindow(cfg),
    L = cfg.gLatency;
  for (let p = 0; p < PIXELS; p++) out[p] = gTimes[p] >= gT ? silent : Math.max(0, gTimes[p] - L);
  extraSpikes(cfg, label, out, PIXELS, silent);
  return out;
}
