// The backend seam: the kernel operations of the engine and of learning, one interface with two
// implementations that give the same results bit for bit: the WebAssembly SIMD kernels (simd.ts)
// and their TypeScript twins (typescript.ts). `chooseKernels` (choose.ts) picks one, once per
// Simulator, Backprop or Optimiser; those classes then call it without asking which it is.
import type { Network, Population } from '../engine/network.ts';
import type { RunRecord } from '../engine/record.ts';
import type { AdamStep } from './adam.ts';

/** Where a network or a learning step runs: the WebAssembly SIMD kernels or TypeScript. */
export type Backend = 'wasm-simd' | 'typescript';

/** A forward pass of one layered network, layer by layer, into a simulator's record. */
export interface LayeredPass {
  readonly backend: Backend;
  /** True when the pass checks the input times itself (a Float64Array then goes in unchecked). */
  readonly checksInput: boolean;
  /** Runs on the input population's spike times; returns −1, or the first input neuron whose time it refuses. */
  run(input: ArrayLike<number>, earlyStop: boolean): number;
}

/** S4NN's weight update of a dense delta projection (nI = pre.length sources, nJ = post.length targets). */
export interface DeltaUpdate {
  /** The gradient (or the weights), nI·nJ by source row: g_ij += c_j where pre_i + delay ≤ post_j and δ_j ≠ 0. */
  g: Float64Array;
  /** Source spike times (silent: ≥ tmax). */
  pre: Float64Array;
  /** Target spike times. */
  post: Float64Array;
  /** Target errors δ_j (0: none). */
  delta: Float64Array;
  /** coef·δ_j. */
  c: Float64Array;
  delay: number;
  tmax: number;
}

/** The exact gradient of a dense ramp projection (ramp.ts `rampBackward`; nI = pre.length, nJ = post.length). */
export interface RampBackward {
  /** Weights, nI·nJ by source row (read before any update: the forward pass's weights). */
  w: Float64Array;
  /** Gradient added into, g_ij += (coef·f_j)·(t_j − a_i) for a_i < t_j (null: none). */
  g: Float64Array | null;
  /** Source spike times (silent: ≥ tmax). */
  pre: Float64Array;
  /** Target spike times t_j. */
  post: Float64Array;
  /** f_j = δ_j / W_C(j), 0 for silent targets. */
  f: Float64Array;
  /** Target errors δ_j. */
  delta: Float64Array;
  /** Sources' errors, out_i = scale · Σ_{j: a_i < t_j} f_j·w_ij, 0 for silent sources (null: not wanted). */
  out: Float64Array | null;
  coef: number;
  scale: number;
  delay: number;
  tmax: number;
  /** Silent targets with an error: g_ij += coef·(κ·δ_j − ρ) (with `silentTerms`). */
  kappa: number;
  rho: number;
  /** Add the silent targets' terms (some target is silent and κ·δ or ρ is not 0). */
  silentTerms: boolean;
}

/** The exact gradient of a dense relu projection (relu.ts `reluBackward`; nI = pre.length, nJ = f.length). */
export interface ReluBackward {
  /** Weights, nI·nJ by source row (read before any update). */
  w: Float64Array;
  /** Gradient added into, g_ij += (coef·x_i)·f_j with x_i = start − pre_i > 0 (null: none). */
  g: Float64Array | null;
  /** Source spike times (silent: ≥ tmax). */
  pre: Float64Array;
  /** The targets' errors where they pass (see `reluPass`), 0 elsewhere. */
  f: Float64Array;
  /** Sources' errors, out_i = scale · Σ_j f_j·w_ij (null: not wanted). */
  out: Float64Array | null;
  coef: number;
  scale: number;
  /** Start of the targets' window. */
  start: number;
  tmax: number;
}

/** The kernel operations: one implementation per backend, the same bits from each. */
export interface KernelOps {
  readonly backend: Backend;
  /** The layered pass of `net` into `record`, or null (the event loop runs it), and why it is not SIMD (null: is). */
  layeredPass(net: Network, output: Population, record: RunRecord): { pass: LayeredPass | null; why: string | null };
  /** S4NN's update of a dense delta projection's gradient. */
  deltaUpdate(u: DeltaUpdate): void;
  /** The gradient and the sources' errors of a dense ramp projection. */
  rampBackward(b: RampBackward): void;
  /** The gradient and the sources' errors of a dense relu projection. */
  reluBackward(b: ReluBackward): void;
  /** SGD from a summed gradient, w −= ((lr·g)·mean)·inv, then g = 0. */
  sgdStep(w: Float64Array, g: Float64Array, lr: number, mean: number, inv: number): void;
  /** Adam from a summed gradient (see `adamUpdate`), then g = 0. */
  adamStep(w: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, s: AdamStep): void;
  /** dst += src element by element, then src = 0. */
  drainInto(dst: Float64Array, src: Float64Array): void;
}
