import { allocF64 } from '../engine/kernel-memory.ts';
import { chooseKernels } from '../kernels/choose.ts';
import type { KernelOps } from '../kernels/ops.ts';
import type { SimdKernels } from '../kernels/simd.ts';
import { typescriptKernels } from '../kernels/typescript.ts';
import type { Network, Projection } from '../engine/network.ts';
import type { RunRecord } from '../engine/record.ts';
import { reluPass } from './relu-mask.ts';

/** Where backprop writes weight gradients: an optimiser (see `Optimiser`). */
export interface GradientSink {
  /**
   * Array and coefficient that projection k's gradient g_ij is added into as `array[k_ij] += coef · g_ij` (null:
   * frozen).
   */
  target(k: number): { array: Float64Array; coef: number } | null;
  /** Called once projection k's gradient is written, before δ is propagated through its weights. */
  afterProjection(k: number): void;
  /**
   * ReLU-equivalent population p: array and coefficient its bias gradient ∂L/∂D_j is added into as
   * `array[j] += coef · g_j` (null or absent: biases frozen).
   */
  biasTarget?(p: number): { array: Float64Array; coef: number } | null;
}

/** Options of temporal backpropagation. */
export interface BackpropOptions {
  /** Divide each layer's δ by its L2 norm, per sample (S4NN; default true). */
  normalise?: boolean;
  /** Also compute δ at the input population (to train whatever produced the input spike times). */
  inputDelta?: boolean;
  /** Normalise the input δ as well (default false: it is returned raw). */
  normaliseInput?: boolean;
  /**
   * Treat silent input neurons as if they fired at this time when masking (the silent-pixel gap:
   * a black pixel of G passes no gradient), or null (default) to give them no gradient.
   */
  silentInputTime?: number | null;
  /** Ramp kernel: gradient −ρ on every causal input weight of a silent neuron, pushing it to fire (default 0). */
  silentPenalty?: number;
  /**
   * Ramp kernel: a silent neuron with an error δ_j (which has no exact gradient) gets S4NN's surrogate
   * g_ij = κ·δ_j on the weights of inputs that fired (κ = this value; default 0: none).
   */
  silentSurrogate?: number;
  /**
   * ReLU-equivalent output layer read as its potential u = D + Σ w·x (a linear readout, never clipped):
   * the output error is then ∂L/∂u (default false: the error of the output spike times).
   */
  readout?: boolean;
  /**
   * ReLU-equivalent output layer: clipped neurons pass errors that push them back into their window (see
   * `reluPass`).
   */
  clipSurrogate?: boolean;
  /**
   * `auto` (default): layers whose arrays live in the kernel memory run on the WebAssembly SIMD kernels
   * when they are available (same results, bit for bit); `typescript`: the TypeScript loops only.
   */
  backend?: 'auto' | 'typescript';
}

/**
 * Temporal backpropagation from a run record through a layered network (input → … → output).
 * Delta projections use S4NN's approximate rule (∂t_j/∂w_ij ≈ −1, ∂t_k/∂t_j ≈ w_jk for inputs that
 * arrived before the spike); ramp projections use the exact gradient over the causal set C:
 * ∂t_j/∂a_i = w_ij / W_C and ∂t_j/∂w_ij = (a_i − t_j) / W_C. Errors follow S4NN's sign: δ = −∂L/∂t.
 */
export class Backprop {
  /** δ of every population after `run` (index = population index; the input's only with `inputDelta`). */
  readonly delta: Float64Array[];
  /** Which path the backward passes take: the SIMD kernels (layers with arrays in the kernel memory) or TypeScript. */
  readonly backend: 'wasm-simd' | 'typescript';
  private readonly active: Int32Array;
  /** Per-target factors (f_j, or coef·δ_j) and source times with silent inputs moved, one layer at a time. */
  private readonly wc: Float64Array;
  private readonly pre: Float64Array;
  private readonly opts: Required<BackpropOptions>;
  /** The SIMD kernels (staging arrays for the widest layer) when chosen, else null: their TypeScript twins run. */
  private readonly simd: SimdKernels | null;

  constructor(
    readonly net: Network,
    opts: BackpropOptions = {},
  ) {
    if (!net.layered)
      throw new Error(
        'Backprop: the network must be layered (input → hidden … → output, one dense projection per step)',
      );
    this.opts = {
      normalise: true,
      inputDelta: false,
      normaliseInput: false,
      silentInputTime: null,
      silentPenalty: 0,
      silentSurrogate: 0,
      readout: false,
      clipSurrogate: false,
      backend: 'auto',
      ...opts,
    };
    const backend = this.opts.backend;
    if (backend !== 'auto' && backend !== 'typescript') {
      throw new Error(`Backprop: backend must be 'auto' or 'typescript', got ${String(backend)}`);
    }
    this.delta = net.populations.map((p) => new Float64Array(p.size));
    const widest = Math.max(...net.populations.map((p) => p.size));
    this.active = new Int32Array(widest);
    this.wc = new Float64Array(widest);
    this.pre = new Float64Array(widest);
    this.simd = chooseKernels(backend, widest).simd;
    this.backend = this.simd ? 'wasm-simd' : 'typescript';
  }

  /** The kernels the backward passes run on. */
  private get kernels(): KernelOps {
    return this.simd ?? typescriptKernels;
  }

  /**
   * Propagates the output error `deltaOut` (δ_k = −∂L/∂t_k; for S4NN (T_k − t_k)/tmax) back through
   * every layer, writing weight gradients into `sink` (null: only δ). Returns δ of the first layer
   * reached (the input's when `inputDelta` is on). `from` starts at a hidden layer instead of the
   * output (e.g. a feature-matching error at a discriminator's hidden layer).
   */
  run(rec: RunRecord, deltaOut: ArrayLike<number>, sink: GradientSink | null, from?: number): Float64Array {
    const net = this.net,
      L = from ?? net.populations.length - 1;
    if (!Number.isInteger(L) || L < 1 || L >= net.populations.length)
      throw new RangeError(`Backprop: cannot start at population ${from} (layers 1..${net.populations.length - 1})`);
    const out = this.delta[L];
    if (deltaOut.length !== out.length)
      throw new RangeError(`Backprop: error has ${deltaOut.length} values for the ${out.length} neurons of layer ${L}`);
    for (let k = 0; k < out.length; k++) {
      const d = deltaOut[k];
      if (!Number.isFinite(d)) throw new RangeError(`Backprop: output error ${k} is ${d}`);
      out[k] = d;
    }
    if (this.opts.normalise) normalise(out);
    for (let k = L - 1; k >= 0; k--) {
      const pr = net.projections[k];
      const wantPre = k > 0 || this.opts.inputDelta;
      if (pr.kernel === 'ramp') this.rampLayer(rec, pr, sink, wantPre);
      else if (pr.kernel === 'relu')
        this.reluLayer(rec, pr, sink, wantPre, this.opts.readout && k === net.projections.length - 1);
      else this.deltaLayer(rec, pr, sink, wantPre);
      if (!wantPre) return this.delta[1];
      if (k > 0 ? this.opts.normalise : this.opts.normaliseInput) normalise(this.delta[k]);
    }
    return this.delta[0];
  }

  /** Source spike times of `pr`; silent inputs at `silentInputTime` when it is set. */
  private sourceTimes(rec: RunRecord, pr: Projection): Float64Array {
    const t = rec.timesOf(pr.src),
      s = this.opts.silentInputTime,
      tmax = this.net.tmax;
    if (!pr.src.isInput || s === null) return t;
    const out = this.pre.subarray(0, t.length);
    for (let i = 0; i < t.length; i++) out[i] = t[i] >= tmax ? s : t[i];
    return out;
  }

  private deltaLayer(rec: RunRecord, pr: Projection, sink: GradientSink | null, wantPre: boolean): void {
    const tmax = this.net.tmax,
      d = pr.delay,
      nJ = pr.dst.size;
    const post = this.delta[pr.dst.index],
      pre = this.delta[pr.src.index];
    const tQ = rec.timesOf(pr.dst),
      tP = this.sourceTimes(rec, pr);
    const J = this.active;
    let nj = 0;
    for (let j = 0; j < nJ; j++) if (post[j] !== 0) J[nj++] = j;
    const tg = sink ? sink.target(pr.index) : null;
    if (tg && pr.csr === null) {
      const c = this.wc.subarray(0, nJ);
      for (let j = 0; j < nJ; j++) c[j] = tg.coef * post[j];
      this.kernels.deltaUpdate({ g: tg.array, pre: tP, post: tQ, delta: post, c, delay: d, tmax });
      sink!.afterProjection(pr.index);
    } else if (tg) {
      const { array, coef } = tg,
        { indptr, indices } = pr.csr!;
      for (let i = 0; i < pr.src.size; i++) {
        const ti = tP[i];
        if (ti >= tmax) continue;
        const a = ti + d;
        for (let e = indptr[i]; e < indptr[i + 1]; e++) {
          const j = indices[e];
          if (post[j] !== 0 && a <= tQ[j]) array[e] += coef * post[j];
        }
      }
      sink!.afterProjection(pr.index);
    }
    if (!wantPre) return;
    const w = pr.weights,
      s = pr.scale;
    for (let i = 0; i < pr.src.size; i++) {
      const ti = tP[i];
      let sum = 0;
      if (ti < tmax) {
        const a = ti + d;
        if (pr.csr === null) {
          const row = i * nJ;
          for (let q = 0; q < nj; q++) {
            const j = J[q];
            if (a <= tQ[j]) sum += post[j] * w[row + j];
          }
        } else {
          const { indptr, indices } = pr.csr;
          for (let e = indptr[i]; e < indptr[i + 1]; e++) {
            const j = indices[e];
            if (a <= tQ[j]) sum += post[j] * w[e];
          }
        }
      }
      pre[i] = s * sum;
    }
  }

  /**
   * The exact gradient of ReLU-equivalent neurons (the ReLU MLP's backprop in spike times): where
   * 0 < u_j < B, ∂t_j/∂t_i = w_ij, ∂t_j/∂w_ij = −x_i and ∂t_j/∂D_j = −1; clipped or silent neurons pass
   * nothing (a `linear` layer passes everything: the readout). The sources' δ is not masked by their
   * own firing: a source at or after the window start (x = 0) gets the one-sided derivative of an
   * earlier spike, which is what lets an error turn a silent input on.
   */
  private reluLayer(
    rec: RunRecord,
    pr: Projection,
    sink: GradientSink | null,
    wantPre: boolean,
    linear: boolean,
  ): void {
    if (pr.csr !== null)
      throw new Error(`Backprop: sparse relu projections are not supported (projection ${pr.index})`);
    const nJ = pr.dst.size,
      { start, end } = pr.dst.window!,
      B = end - start;
    const post = this.delta[pr.dst.index],
      pre = this.delta[pr.src.index];
    const u = rec.potentialOf(pr.dst),
      f = this.wc.subarray(0, nJ);
    const sur = this.opts.clipSurrogate && pr.dst === this.net.output;
    for (let j = 0; j < nJ; j++) f[j] = reluPass(u[j], B, post[j], linear, sur);
    const tg = sink ? sink.target(pr.index) : null;
    this.kernels.reluBackward({
      w: pr.weights,
      g: tg ? tg.array : null,
      pre: rec.timesOf(pr.src),
      f,
      out: wantPre ? pre : null,
      coef: tg ? tg.coef : 0,
      scale: pr.scale,
      start,
      tmax: this.net.tmax,
    });
    if (tg) sink!.afterProjection(pr.index);
    const bt = sink && sink.biasTarget ? sink.biasTarget(pr.dst.index) : null;
    if (bt) for (let j = 0; j < nJ; j++) bt.array[j] += bt.coef * f[j];
  }

  /** The exact gradient of ramp synapses over the causal set (see the class comment). */
  private rampLayer(rec: RunRecord, pr: Projection, sink: GradientSink | null, wantPre: boolean): void {
    if (pr.csr !== null)
      throw new Error(`Backprop: sparse ramp projections are not supported (projection ${pr.index})`);
    const tmax = this.net.tmax,
      nJ = pr.dst.size;
    const post = this.delta[pr.dst.index],
      pre = this.delta[pr.src.index];
    const tQ = rec.timesOf(pr.dst),
      slope = rec.slope.subarray(pr.dst.offset, pr.dst.offset + nJ);
    const f = this.wc.subarray(0, nJ),
      rho = this.opts.silentPenalty,
      kappa = this.opts.silentSurrogate;
    // f_j = δ_j / W_C(j), W_C being the neuron's slope when it fired (recorded by the engine); 0 for silent neurons
    let silentTerms = false;
    for (let j = 0; j < nJ; j++) {
      if (tQ[j] < tmax) f[j] = slope[j] > 1e-12 ? post[j] / slope[j] : 0;
      else {
        f[j] = 0;
        if (rho !== 0 || (kappa !== 0 && post[j] !== 0)) silentTerms = true;
      }
    }
    const tg = sink ? sink.target(pr.index) : null;
    this.kernels.rampBackward({
      w: pr.weights,
      g: tg ? tg.array : null,
      pre: this.sourceTimes(rec, pr),
      post: tQ,
      f,
      delta: post,
      out: wantPre ? pre : null,
      coef: tg ? tg.coef : 0,
      scale: pr.scale,
      delay: pr.delay,
      tmax,
      kappa,
      rho,
      silentTerms,
    });
    if (tg) sink!.afterProjection(pr.index);
  }
}

/** Divides `v` by its L2 norm in place (left alone when the norm is 0). */
export function normalise(v: Float64Array): Float64Array {
  let ss = 0;
  for (let k = 0; k < v.length; k++) ss += v[k] * v[k];
  if (ss > 0) {
    const inv = 1 / Math.sqrt(ss);
    for (let k = 0; k < v.length; k++) v[k] *= inv;
  }
  return v;
}

/**
 * A gradient sink that keeps the raw gradients g_ij = ∂L/∂w_ij per projection (engine layout, by presynaptic row),
 * for inspection or a custom optimiser.
 */
export class GradientCollector implements GradientSink {
  /** Accumulated gradients, one array per projection. */
  readonly grad: Float64Array[];

  constructor(net: Network) {
    this.grad = net.projections.map((p) => allocF64(p.weights.length));
  }

  target(k: number): { array: Float64Array; coef: number } {
    return { array: this.grad[k], coef: 1 };
  }

  afterProjection(): void {}

  /** Clears the accumulated gradients. */
  zero(): void {
    for (const g of this.grad) g.fill(0);
  }
}
