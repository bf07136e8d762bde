// The float twin of a layered network of ReLU-equivalent neurons: the plain ReLU MLP that its spike
// times map to (x = window end − t; hidden x = clip(D + W·x, 0, B)), on the network's own weights
// and biases, with ordinary backprop into the same gradient sinks as `Backprop`. Tests hold the two
// equal; the GAN uses it as the reference row of every comparison.
import type { Network } from '../engine/network.ts';
import type { GradientSink } from './backprop.ts';
import { reluPass } from './relu-mask.ts';

/** Options of a float twin. */
export interface FloatTwinOptions {
  /** The output layer is a linear readout of its potential u (never clipped), as `Backprop`'s `readout`. */
  readout?: boolean;
  /** Clipped output neurons pass errors that push them back into their window (as `Backprop`'s `clipSurrogate`). */
  clipSurrogate?: boolean;
}

/**
 * The ReLU MLP of a layered network of ReLU-equivalent neurons (kernel `relu`, windows that follow
 * each other). Layer n computes `u = D + W·x` and `x = clip(u, 0, B(n))`; its input values are
 * x = window.end − t of the input spikes. Reads the network's weights, scale and biases live.
 */
export class FloatTwin {
  /** Values x of every population after `forward` (the input's as given). */
  readonly x: Float64Array[];
  /** Potentials u = D + W·x of every layer after `forward` (empty for the input). */
  readonly u: Float64Array[];
  /** ∂L/∂x of every population after `backward` (the input's only when asked for). */
  readonly grad: Float64Array[];
  private readonly readout: boolean;
  private readonly surrogate: boolean;
  private readonly f: Float64Array;

  constructor(
    readonly net: Network,
    opts: FloatTwinOptions = {},
  ) {
    const pops = net.populations;
    if (!net.layered) throw new Error('FloatTwin: the network must be layered (input → hidden … → output)');
    for (const pr of net.projections)
      if (pr.kernel !== 'relu')
        throw new Error(`FloatTwin: projection ${pr.index} has the ${pr.kernel} kernel, not relu`);
    for (let k = 1; k < pops.length; k++) {
      if (pops[k - 1].window!.end !== pops[k].window!.start) {
        throw new Error(
          `FloatTwin: the window of '${pops[k - 1].name}' ends at ${pops[k - 1].window!.end}, ` +
            `not where '${pops[k].name}''s starts (${pops[k].window!.start})`,
        );
      }
    }
    this.readout = opts.readout === true;
    this.surrogate = opts.clipSurrogate === true;
    this.x = pops.map((p) => new Float64Array(p.size));
    this.u = pops.map((p, k) => new Float64Array(k === 0 ? 0 : p.size));
    this.grad = pops.map((p) => new Float64Array(p.size));
    this.f = new Float64Array(Math.max(...pops.map((p) => p.size)));
  }

  /** Runs the MLP on input values `input` (x ≥ 0); returns the output layer's x (its u with `readout`). */
  forward(input: ArrayLike<number>): Float64Array {
    const net = this.net,
      pops = net.populations,
      L = pops.length;
    const x0 = this.x[0];
    if (input.length !== x0.length) throw new RangeError(`FloatTwin.forward: ${x0.length} inputs, got ${input.length}`);
    for (let i = 0; i < x0.length; i++) x0[i] = input[i] > 0 ? input[i] : 0;
    for (let k = 1; k < L; k++) {
      const pr = net.projections[k - 1],
        dst = pops[k],
        n = dst.size;
      const { start, end } = dst.window!,
        B = end - start;
      const xs = this.x[k - 1],
        u = this.u[k],
        x = this.x[k],
        w = pr.weights,
        s = pr.scale,
        bias = dst.bias;
      u.fill(0);
      for (let i = 0; i < xs.length; i++) {
        const xi = xs[i];
        if (xi === 0) continue;
        const row = i * n;
        for (let j = 0; j < n; j++) u[j] += s * w[row + j] * xi;
      }
      for (let j = 0; j < n; j++) {
        const v = bias[j] + u[j];
        u[j] = v;
        x[j] = v <= 0 ? 0 : v >= B ? B : v;
      }
    }
    return this.readout ? this.u[L - 1] : this.x[L - 1];
  }

  /**
   * Backprop of `gOut` = ∂L/∂(output) (∂L/∂u with `readout`) through the last `forward`: adds
   * ∂L/∂w and ∂L/∂D into `sink` (null: none) and returns ∂L/∂x of the input (with `inputGrad`) or of
   * the first layer. The derivative of the clip is 1 where 0 < u < B, else 0 (as the spiking twin's).
   */
  backward(gOut: ArrayLike<number>, sink: GradientSink | null, inputGrad = false): Float64Array {
    const net = this.net,
      pops = net.populations,
      L = pops.length;
    const top = this.grad[L - 1];
    if (gOut.length !== top.length)
      throw new RangeError(`FloatTwin.backward: ${top.length} outputs, got ${gOut.length}`);
    top.set(gOut);
    for (let k = L - 1; k >= 1; k--) {
      const pr = net.projections[k - 1],
        dst = pops[k],
        n = dst.size,
        { start, end } = dst.window!,
        B = end - start;
      const u = this.u[k],
        xs = this.x[k - 1],
        w = pr.weights,
        s = pr.scale,
        g = this.f,
        gx = this.grad[k];
      const linear = this.readout && k === L - 1;
      const sur = this.surrogate && k === L - 1;
      for (let j = 0; j < n; j++) g[j] = reluPass(u[j], B, gx[j], linear, sur);
      const wantPre = k > 1 || inputGrad;
      if (wantPre) {
        const gp = this.grad[k - 1];
        for (let i = 0; i < xs.length; i++) {
          const row = i * n;
          let sum = 0;
          for (let j = 0; j < n; j++) sum += g[j] * w[row + j];
          gp[i] = s * sum;
        }
      }
      const tg = sink ? sink.target(pr.index) : null;
      if (tg) {
        for (let i = 0; i < xs.length; i++) {
          const xi = xs[i];
          if (!(xi > 0)) continue;
          const row = i * n,
            c = tg.coef * xi;
          for (let j = 0; j < n; j++) tg.array[row + j] += c * g[j];
        }
        sink!.afterProjection(pr.index);
      }
      const bt = sink && sink.biasTarget ? sink.biasTarget(dst.index) : null;
      if (bt) for (let j = 0; j < n; j++) bt.array[j] += bt.coef * g[j];
      if (!wantPre) return this.grad[1];
    }
    return this.grad[0];
  }
}
