import { Network, reluNetwork, S4NN_DEFAULTS, type Kernel, type TimeMode } from '@spiking-gan/core';
import { MNIST_CLASSES, MNIST_PIXELS } from '../data/mnist.ts';

/** Shape and initialisation of a TTFS classifier (784 → hidden → 10 by default). */
export interface ClassifierShape {
  /** Input neurons (784 for MNIST). */
  inputs?: number;
  /** Hidden layer sizes (default [400]). */
  hidden?: number[];
  /** Output neurons (10). */
  outputs?: number;
  /** Synapse kernel: `delta` (S4NN), `ramp` (exact gradients, continuous time) or `relu` (ReLU-equivalent). */
  kernel?: Kernel;
  /**
   * relu kernel: window lengths, input first, one per layer (default [1, 16 per hidden layer, 8]):
   * pixels p/255 in [0, 1], windows laid end to end (`reluNetwork`).
   */
  windows?: number[];
  /** Window length (default 256). */
  tmax?: number;
  /** Threshold of every layer (default 100 for delta, 1 for ramp). */
  threshold?: number;
  /** Uniform init ranges per layer (default S4NN's: [0, 5] hidden, [0, 48] output). */
  init?: [number, number][];
  /** Seed of the initialisation. */
  seed?: number;
}

/**
 * Default init ranges: S4NN's [0, 5] / [0, 48] for delta; for ramp, scaled so that a typical digit
 * fires a hidden layer early in the window.
 */
export function defaultInit(kernel: Kernel, layers: number): [number, number][] {
  if (kernel === 'ramp')
    return Array.from(
      { length: layers },
      (_, k) => (k === layers - 1 ? [-0.05, 0.25] : [-0.02, 0.06]) as [number, number],
    );
  return Array.from({ length: layers }, (_, k) => (k === layers - 1 ? [0, 48] : [0, 5]) as [number, number]);
}

/** Default window length of the relu classifier's hidden layers (wide: a hidden value is hardly ever clipped). */
export const RELU_HIDDEN_WINDOW = 16;
/** Default window length of its output layer: the largest margin the cross-entropy on x = end − t can ask for. */
export const RELU_OUTPUT_WINDOW = 8;

/** The relu classifier's default windows: input 1 (pixels p/255), `RELU_HIDDEN_WINDOW` per hidden layer, output 8. */
export function defaultReluWindows(hiddenLayers: number): number[] {
  return [1, ...Array.from({ length: hiddenLayers }, () => RELU_HIDDEN_WINDOW), RELU_OUTPUT_WINDOW];
}

/** Builds a layered TTFS classifier with seeded uniform initialisation. */
export function buildClassifier(shape: ClassifierShape = {}): Network {
  const kernel = shape.kernel ?? 'delta';
  const hidden = shape.hidden ?? [400];
  if (kernel === 'relu') return buildReluClassifier(shape, hidden);
  if (shape.windows) throw new RangeError(`buildClassifier: windows are for the relu kernel, not ${kernel}`);
  const time: TimeMode = kernel === 'ramp' ? 'continuous' : 'discrete';
  const tmax = shape.tmax ?? (kernel === 'ramp' ? 4 : S4NN_DEFAULTS.tmax);
  const threshold = shape.threshold ?? (kernel === 'ramp' ? 1 : S4NN_DEFAULTS.threshold);
  const init = shape.init ?? defaultInit(kernel, hidden.length + 1);
  const seed = shape.seed ?? 0;
  const net = new Network({ tmax, time, delay: kernel === 'ramp' ? 0 : 1 });
  net.addInput(shape.inputs ?? MNIST_PIXELS);
  const sizes = [...hidden, shape.outputs ?? MNIST_CLASSES];
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

/**
 * The relu kernel's classifier: ReLU-equivalent neurons in windows laid end to end, weights uniform in
 * ±1/√fan_in, biases 0 (layer k draws from seed·1000 + k); `tmax`, `threshold` and `init` do not apply.
 */
function buildReluClassifier(shape: ClassifierShape, hidden: number[]): Network {
  if (shape.tmax !== undefined || shape.threshold !== undefined || shape.init !== undefined) {
    throw new RangeError('buildClassifier: tmax, threshold and init do not apply to the relu kernel (see windows)');
  }
  const sizes = [shape.inputs ?? MNIST_PIXELS, ...hidden, shape.outputs ?? MNIST_CLASSES];
  const windows = shape.windows ?? defaultReluWindows(hidden.length);
  if (windows.length !== sizes.length) {
    const n = sizes.length;
    throw new RangeError(`buildClassifier: ${windows.length} windows for ${n} layers (input, hidden…, output)`);
  }
  return reluNetwork({ sizes, windows, gain: 1, seed: shape.seed ?? 0 });
}
