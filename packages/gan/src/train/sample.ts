// Images from a trained generator of either kernel: seeded noise (and digit) through G, as 8-bit pixels.
import { decodeBytes, Rng, Simulator, SpikingPass, type Network } from '@spiking-gan/core';
import { MNIST_CLASSES } from '../data/mnist.ts';
import type { GanConfig } from '../models/config.ts';
import { extraInputs, extraSpikes, fakeImageInput, generatorWindow, PIXELS, reluNoise } from '../models/networks.ts';

/** Generated images and their digits. */
export interface Samples {
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** The digit of sample s: `digit` if given, else cycling 0..9 in conditional mode (0 otherwise). */
const digitOf = (cfg: GanConfig, s: number, digit?: number) =>
  digit ?? (cfg.conditional || cfg.infoCode ? s % MNIST_CLASSES : 0);

/** G's input for one sample: N_z noise spike times from `rng` (sparse noise leaves some silent), the label spikes. */
export function generatorInput(cfg: GanConfig, rng: Rng, label: number, out: Float64Array): Float64Array {
  const discrete = cfg.kernel === 'delta',
    gT = generatorWindow(cfg);
  for (let i = 0; i < cfg.nz; i++) {
    const t = discrete ? rng.int(cfg.noiseSpan) : rng.next() * cfg.noiseSpan;
    out[i] = cfg.noise === 'sparse' && rng.next() < cfg.noiseSilent ? gT : t;
  }
  extraSpikes(cfg, label, out, cfg.nz, gT);
  return out;
}

/** Images from a ramp or delta generator (run on `sim` when given, e.g. the trainer's simulator of G). */
export function sampleSpiking(
  G: Network,
  cfg: GanConfig,
  n: number,
  seed: number,
  digit?: number,
  sim?: Simulator,
): Samples {
  const run = sim ?? new Simulator(G),
    rng = new Rng(seed);
  const z = new Float64Array(G.populations[0].size),
    img = new Float64Array(PIXELS + extraInputs(cfg));
  const pixels = new Uint8Array(n * PIXELS),
    labels = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    const label = digitOf(cfg, s, digit);
    labels[s] = label;
    fakeImageInput(cfg, run.run(generatorInput(cfg, rng, label, z)).timesOf(G.output), label, img);
    decodeBytes(img.subarray(0, PIXELS), cfg.tmax, pixels.subarray(s * PIXELS, (s + 1) * PIXELS));
  }
  return { pixels, labels };
}

/** Images from a relu-kernel generator: seeded signed noise (and digit) through the spiking G, pixels x·255. */
export function sampleRelu(G: Network, cfg: GanConfig, n: number, seed: number, digit?: number): Samples {
  const g = new SpikingPass(G),
    rng = new Rng(seed),
    z = new Float64Array(G.populations[0].size);
  const pixels = new Uint8Array(n * PIXELS),
    labels = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    const label = digitOf(cfg, s, digit);
    labels[s] = label;
    const x = g.forward(reluNoise(cfg, rng, label, z));
    for (let p = 0; p < PIXELS; p++) pixels[s * PIXELS + p] = Math.round(255 * Math.min(1, Math.max(0, x[p])));
  }
  return { pixels, labels };
}
