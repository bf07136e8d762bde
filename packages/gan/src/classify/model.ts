import { Network, type Kernel, type TimeMode } from '@spiking-gan/core';

/** Shape and initialisation of a TTFS classifier (784 → hidden → 10 by default). */
export interface ClassifierShape {
  /** Input neurons (784 for MNIST). */
  inputs?: number;
  /** Hidden layer sizes (default [400]). */
  hidden?: number[];
  /** Output neurons (10). */
  outputs?: number;
  /** Synapse kernel: `delta` (S4NN) or `ramp` (exact gradients, continuous time). */
  kernel?: Kernel;
  /** Window length (default 256). */
  tmax?: number;
  /** Threshold of every layer (default 100 for delta, 1 for ramp). */
  threshold?: number;
  /** Uniform init ranges per layer (default S4NN's: [0, 5] hidden, [0, 48] output). */
  init?: [number, number][];
  /** Seed of the initialisation. */
  seed?: number;
}

/** Default init ranges: S4NN's [0, 5] / [0, 48] for delta; for ramp, scaled so that a typical digit fires a hidden layer early in the window. */
export function defaultInit(kernel: Kernel, layers: number): [number, number][] {
  if (kernel === 'ramp') return Array.from({ length: layers }, (_, k) => (k === layers - 1 ? [-0.05, 0.25] : [-0.02, 0.06]) as [number, number]);
  return Array.from({ length: layers }, (_, k) => (k === layers - 1 ? [0, 48] : [0, 5]) as [number, number]);
}

/** Builds a layered TTFS classifier with seeded uniform initialisation. */
export function buildClassifier(shape: ClassifierShape = {}): Network {
  const kernel = shape.kernel ?? 'delta';
  const hidden = shape.hidden ?? [400];
  const time: TimeMode = kernel === 'ramp' ? 'continuous' : 'discrete';
  const tmax = shape.tmax ?? (kernel === 'ramp' ? 4 : 256);
  const threshold = shape.threshold ?? (kernel === 'ramp' ? 1 : 100);
  const init = shape.init ?? defaultInit(kernel, hidden.length + 1);
  const seed = shape.seed ?? 0;
  const net = new Network({ tmax, time, delay: kernel === 'ramp' ? 0 : 1 });
  net.addInput(shape.inputs ?? 784);
  const sizes = [...hidden, shape.outputs ?? 10];
  sizes.forEach((n, k) => {
    net.addLayer(n, {
      name: k === sizes.length - 1 ? 'output' : `hidden${k + 1}`,
      threshold,
      kernel,
      init: { uniform: init[k], seed: seed * 1000 + k + 1 },
    });
  });
  return net;
}
