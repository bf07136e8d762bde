// Leaky ReLU from ReLU-equivalent neurons: a hidden layer of 2H neurons where neuron j + H
// is neuron j's mirror (weights and bias negated) and the next layer reads it with −α times j's
// weights, so that the pair computes x_j − α·x_{j+H} = leaky(u_j) for the layer above (at most one of
// the two fires). The mirror's parameters are tied: their gradients fold into neuron j's.
import type { Network, Projection } from '../engine/network.ts';
import type { Optimiser } from './optimiser.ts';

/** The tie of one hidden layer's neuron pairs: copy (`sync`) and gradient fold (`fold`). */
export class LeakyPairs {
  /** Neurons per half of the layer (H). */
  readonly half: number;
  private readonly into: Projection;
  private readonly out: Projection;

  /** Ties population `layer` of `net` (a hidden layer of ReLU-equivalent neurons of even size) with slope `alpha`. */
  constructor(
    readonly net: Network,
    readonly layer: number,
    readonly alpha: number,
  ) {
    const pop = net.populations[layer];
    if (!net.layered || !pop || !pop.relu || layer >= net.populations.length - 1)
      throw new Error(`LeakyPairs: population ${layer} is not a hidden layer of ReLU-equivalent neurons`);
    if (pop.size % 2 !== 0) throw new Error(`LeakyPairs: '${pop.name}' has ${pop.size} neurons, not pairs`);
    if (!(alpha >= 0 && alpha < 1)) throw new RangeError(`LeakyPairs: alpha must be in [0, 1), got ${alpha}`);
    this.half = pop.size / 2;
    this.into = net.projections[layer - 1];
    this.out = net.projections[layer];
  }

  /** Writes every mirror's parameters from its neuron's: weights and bias negated, outgoing weights × −α. */
  sync(): void {
    const H = this.half,
      n = 2 * H,
      w = this.into.weights,
      bias = this.net.populations[this.layer].bias;
    for (let i = 0; i < this.into.src.size; i++) for (let j = 0; j < H; j++) w[i * n + j + H] = -w[i * n + j];
    for (let j = 0; j < H; j++) bias[j + H] = -bias[j];
    const v = this.out.weights,
      nK = this.out.dst.size,
      a = this.alpha;
    for (let j = 0; j < H; j++) for (let k = 0; k < nK; k++) v[(j + H) * nK + k] = -a * v[j * nK + k];
  }

  /** Folds the mirrors' accumulated gradients into their neurons' (and clears them): the tied parameters' gradient. */
  fold(opt: Optimiser): void {
    const H = this.half,
      n = 2 * H,
      g = opt.grad[this.into.index],
      gb = opt.biasGrad[this.layer],
      a = this.alpha;
    if (g.length) {
      for (let i = 0; i < this.into.src.size; i++) {
        for (let j = 0; j < H; j++) {
          g[i * n + j] -= g[i * n + j + H];
          g[i * n + j + H] = 0;
        }
      }
    }
    if (gb.length) {
      for (let j = 0; j < H; j++) {
        gb[j] -= gb[j + H];
        gb[j + H] = 0;
      }
    }
    const h = opt.grad[this.out.index],
      nK = this.out.dst.size;
    if (h.length) {
      for (let j = 0; j < H; j++) {
        for (let k = 0; k < nK; k++) {
          h[j * nK + k] -= a * h[(j + H) * nK + k];
          h[(j + H) * nK + k] = 0;
        }
      }
    }
  }

  /** Optimiser hooks that keep the tie through batched updates (fold before, sync after). */
  hooks(): { beforeStep: (opt: Optimiser) => void; afterStep: () => void } {
    return tieHooks([this]);
  }
}

/**
 * Signed inputs from pairs of input neurons: input i + n carries the negative part of a signed value
 * whose positive part input i carries (one of the two is silent), and its weights are tied to input
 * i's, negated, so that the layer sees the signed value itself: w·max(z, 0) − w·max(−z, 0) = w·z.
 * Nonnegative spike-coded inputs make all the weight gradients of a neuron share a sign; the tie
 * gives the first layer the signed input a float network would have.
 */
export class SignedInputPairs {
  /** Signed values (input pairs). */
  readonly n: number;
  private readonly proj: Projection;

  /** Ties inputs [0, n) and [n, 2n) of the input population of `net`'s first projection. */
  constructor(
    readonly net: Network,
    n: number,
  ) {
    if (!net.layered) throw new Error('SignedInputPairs: the network must be layered');
    this.proj = net.projections[0];
    if (!Number.isInteger(n) || n < 1 || 2 * n > this.proj.src.size)
      throw new RangeError(`SignedInputPairs: ${n} pairs do not fit ${this.proj.src.size} inputs`);
    this.n = n;
  }

  /** Writes each negative input's weights as the negation of its positive input's. */
  sync(): void {
    const w = this.proj.weights,
      H = this.proj.dst.size,
      n = this.n;
    for (let i = 0; i < n; i++) for (let j = 0; j < H; j++) w[(i + n) * H + j] = -w[i * H + j];
  }

  /** Folds the negative inputs' gradients into their positive inputs' (and clears them). */
  fold(opt: Optimiser): void {
    const g = opt.grad[this.proj.index],
      H = this.proj.dst.size,
      n = this.n;
    if (!g.length) return;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < H; j++) {
        g[i * H + j] -= g[(i + n) * H + j];
        g[(i + n) * H + j] = 0;
      }
    }
  }
}

/** Optimiser hooks that keep several ties through batched updates (each folds before, syncs after). */
export function tieHooks(ties: readonly (LeakyPairs | SignedInputPairs)[]): {
  beforeStep: (opt: Optimiser) => void;
  afterStep: () => void;
} {
  return { beforeStep: (opt) => ties.forEach((t) => t.fold(opt)), afterStep: () => ties.forEach((t) => t.sync()) };
}
