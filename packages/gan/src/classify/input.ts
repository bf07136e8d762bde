// An MNIST image as a classifier's input spike times: S4NN's coding for the delta and ramp kernels,
// pixels p/255 as values in the input window for the relu kernel.
import { encodeBytes, valuesToTimes, type Network } from '@spiking-gan/core';
import { isRelu, pixelValues } from './sample.ts';

/** A classifier's input coding, with its buffers (reused image after image). */
export class ClassifierInput {
  /** The input spike times of the last image. */
  readonly times: Float64Array;
  /** relu kernel: the input values (p/255) of the last image; null for the other kernels. */
  readonly values: Float64Array | null;
  private readonly quantise: boolean;

  /** `quantise` (delta and ramp): integer spike times (default: the network's discrete time). */
  constructor(
    readonly net: Network,
    quantise?: boolean,
  ) {
    const n = net.populations[0].size;
    this.times = new Float64Array(n);
    this.values = isRelu(net) ? new Float64Array(n) : null;
    this.quantise = quantise ?? net.time === 'discrete';
  }

  /** Encodes one image (8-bit pixels); returns its input spike times. */
  encode(image: ArrayLike<number>): Float64Array {
    const net = this.net;
    if (this.values) return valuesToTimes(pixelValues(image, this.values), net.populations[0].window!, this.times);
    return encodeBytes(image, { tmax: net.tmax, quantise: this.quantise }, this.times);
  }
}
