// A builder of layered networks of ReLU-equivalent neurons: windows laid end to end from time 0.
import { Rng } from '../coding/rng.ts';
import { Network } from './network.ts';

/** Options of `reluNetwork`. */
export interface ReluNetworkOptions {
  /** Layer sizes, input first (e.g. [784, 400, 1]). */
  sizes: number[];
  /** Window lengths B(n), input first (one per entry of `sizes`): the input window is [0, B(0)]. */
  windows: number[];
  /**
   * Weights of layer n uniform in ±gain/√fan_in and biases in ±biasGain/√fan_in (default gain √6, He
   * uniform, and biasGain 0: biases start at 0).
   */
  gain?: number;
  biasGain?: number;
  /** Seed of the initialisation (default 0); layer n draws from seed·1000 + n. */
  seed?: number;
  /** Population names, input first (default input, hidden1 …, output). */
  names?: string[];
}

/** A layered network of ReLU-equivalent neurons (continuous time, relu projections, contiguous windows). */
export function reluNetwork(o: ReluNetworkOptions): Network {
  const { sizes, windows } = o;
  if (sizes.length < 2 || windows.length !== sizes.length)
    throw new RangeError(
      `reluNetwork: need ≥ 2 sizes and one window per size, got ${sizes.length} and ${windows.length}`,
    );
  const ends: number[] = [];
  let t = 0;
  for (const B of windows) {
    if (!(B > 0) || !Number.isFinite(B))
      throw new RangeError(`reluNetwork: windows must be positive numbers, got ${B}`);
    ends.push((t += B));
  }
  const L = sizes.length,
    gain = o.gain ?? Math.sqrt(6),
    biasGain = o.biasGain ?? 0,
    seed = o.seed ?? 0;
  const name = (k: number) => o.names?.[k] ?? (k === 0 ? 'input' : k === L - 1 ? 'output' : `hidden${k}`);
  const net = new Network({ tmax: ends[L - 1], time: 'continuous', delay: 0 });
  net.addInput(sizes[0], name(0), { start: 0, end: ends[0] });
  for (let k = 1; k < L; k++) {
    const rng = new Rng(seed * 1000 + k),
      a = gain / Math.sqrt(sizes[k - 1]),
      b = biasGain / Math.sqrt(sizes[k - 1]);
    const w = rng.fillUniform(new Float64Array(sizes[k] * sizes[k - 1]), -a, a) as Float64Array;
    const bias = b > 0 ? (rng.fillUniform(new Float64Array(sizes[k]), -b, b) as Float64Array) : 0;
    net.addLayer(sizes[k], {
      name: name(k),
      window: { start: ends[k - 1], end: ends[k] },
      bias,
      weights: w,
      kernel: 'relu',
      delay: 0,
    });
  }
  return net;
}
