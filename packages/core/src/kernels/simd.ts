// The WebAssembly SIMD implementation of the kernel operations (build/kernels.wasm, from
// assembly/*.ts). The kernels work on arrays in the kernel memory: inputs that live elsewhere (run
// records, δ) are copied into staging arrays first, and an operation whose weights, gradients or
// moments live elsewhere (the memory was over its budget) runs on its TypeScript twin, which gives
// the same bits.
import { allocF64, KernelMemoryFull, offsetOf, type Kernels } from '../engine/kernel-memory.ts';
import type { Network, Population } from '../engine/network.ts';
import type { RunRecord } from '../engine/record.ts';
import type { AdamStep } from './adam.ts';
import { Descriptor } from './descriptor.ts';
import {
  BWD_BYTES,
  BWD_COEF,
  BWD_DELAY,
  BWD_DELTA,
  BWD_F,
  BWD_FLAGS,
  BWD_G,
  BWD_GRADIENT,
  BWD_KAPPA,
  BWD_NI,
  BWD_NJ,
  BWD_OUT,
  BWD_POST,
  BWD_PRE,
  BWD_RHO,
  BWD_SCALE,
  BWD_SILENT,
  BWD_SOURCES,
  BWD_START,
  BWD_TMAX,
  BWD_W,
} from './layout.ts';
import type { DeltaUpdate, KernelOps, LayeredPass, RampBackward, ReluBackward } from './ops.ts';
import { SimdForward, simdForwardIneligible } from './simd-forward.ts';
import { SimdRelu, simdReluIneligible } from './simd-relu.ts';
import { typescriptKernels } from './typescript.ts';

/** Why a network runs on TypeScript when the kernel memory could not hold its pass. */
export const OVER_BUDGET = 'the kernel memory is over its budget (SPIKING_GAN_KERNEL_MB)';

/** Staging arrays: source times, target times, target errors, coef·δ or f, the sources' errors. */
const PRE = 0,
  POST = 1,
  DELTA = 2,
  F = 3,
  OUT = 4;

/**
 * The SIMD kernels, for one Simulator, Backprop or Optimiser. The operations are own properties
 * (arrow functions), so a copy of the object, such as a wrapper that counts calls, keeps them.
 */
export class SimdKernels implements KernelOps {
  readonly backend = 'wasm-simd';
  /** The descriptor of the backward passes and the staging arrays (none without scratch). */
  private readonly bwd: Descriptor | null;
  private readonly staging: Float64Array[];

  /**
   * `k`: the exports of kernels.wasm (read at each call). `scratch`: length of the staging arrays
   * (the widest layer for Backprop; 0 for no backward passes). Throws KernelMemoryFull when the
   * kernel memory cannot hold them.
   */
  constructor(
    public k: Kernels,
    scratch: number,
  ) {
    this.staging = scratch > 0 ? [PRE, POST, DELTA, F, OUT].map(() => allocF64(scratch)) : [];
    if (this.staging.some((a) => offsetOf(a) < 0)) throw new KernelMemoryFull();
    this.bwd = scratch > 0 ? new Descriptor(BWD_BYTES) : null;
  }

  readonly layeredPass = (
    net: Network,
    output: Population,
    record: RunRecord,
  ): { pass: LayeredPass | null; why: string | null } => {
    const reluWhy = simdReluIneligible(net, output),
      relu = reluWhy === null;
    let why = relu ? null : net.populations.some((p) => p.relu) ? reluWhy : simdForwardIneligible(net, output);
    if (why === null) {
      try {
        const pass = relu ? new SimdRelu(this.k, net, output, record) : new SimdForward(this.k, net, output, record);
        return { pass, why };
      } catch (e) {
        if (!(e instanceof KernelMemoryFull)) throw e;
        why = OVER_BUDGET;
      }
    }
    return { pass: typescriptKernels.layeredPass(net, output, record).pass, why };
  };

  readonly deltaUpdate = (u: DeltaUpdate): void => {
    const g = offsetOf(u.g),
      pre = this.input(u.pre, PRE),
      post = this.input(u.post, POST);
    const delta = this.input(u.delta, DELTA),
      c = this.input(u.c, F);
    if (g < 0 || pre < 0 || post < 0 || delta < 0 || c < 0) return typescriptKernels.deltaUpdate(u);
    // the same update, two targets at a time
    this.k.deltaUpdate(g, u.pre.length, u.post.length, pre, post, delta, c, u.delay, u.tmax);
  };

  readonly rampBackward = (b: RampBackward): void => {
    const d = this.bwd,
      w = offsetOf(b.w),
      g = b.g ? offsetOf(b.g) : 0,
      out = b.out ? this.output(b.out, OUT) : 0;
    const pre = this.input(b.pre, PRE),
      post = this.input(b.post, POST),
      f = this.input(b.f, F);
    const delta = this.input(b.delta, DELTA);
    const staged = pre >= 0 && post >= 0 && f >= 0 && delta >= 0;
    if (!d || w < 0 || g < 0 || out < 0 || !staged) return typescriptKernels.rampBackward(b);
    // the same arithmetic, sums two sources at a time, each in j order
    d.setI32(BWD_W, w);
    d.setI32(BWD_G, g);
    d.setI32(BWD_NI, b.pre.length);
    d.setI32(BWD_NJ, b.post.length);
    d.setI32(BWD_PRE, pre);
    d.setI32(BWD_POST, post);
    d.setI32(BWD_F, f);
    d.setI32(BWD_DELTA, delta);
    d.setI32(BWD_OUT, out);
    d.setI32(BWD_FLAGS, (b.g ? BWD_GRADIENT : 0) | (b.out ? BWD_SOURCES : 0) | (b.silentTerms ? BWD_SILENT : 0));
    d.setF64(BWD_COEF, b.coef);
    d.setF64(BWD_SCALE, b.scale);
    d.setF64(BWD_DELAY, b.delay);
    d.setF64(BWD_TMAX, b.tmax);
    d.setF64(BWD_KAPPA, b.kappa);
    d.setF64(BWD_RHO, b.rho);
    this.k.rampBackward(d.offset);
    if (b.out) this.fetch(b.out, OUT);
  };

  readonly reluBackward = (b: ReluBackward): void => {
    const d = this.bwd,
      w = offsetOf(b.w),
      g = b.g ? offsetOf(b.g) : 0,
      out = b.out ? this.output(b.out, OUT) : 0;
    const pre = this.input(b.pre, PRE),
      f = this.input(b.f, F);
    if (!d || w < 0 || g < 0 || out < 0 || pre < 0 || f < 0) return typescriptKernels.reluBackward(b);
    // the same arithmetic, each sum in j order, eight sources at a time
    d.setI32(BWD_W, w);
    d.setI32(BWD_G, g);
    d.setI32(BWD_NI, b.pre.length);
    d.setI32(BWD_NJ, b.f.length);
    d.setI32(BWD_PRE, pre);
    d.setI32(BWD_F, f);
    d.setI32(BWD_OUT, out);
    d.setI32(BWD_FLAGS, (b.g ? BWD_GRADIENT : 0) | (b.out ? BWD_SOURCES : 0));
    d.setF64(BWD_COEF, b.coef);
    d.setF64(BWD_SCALE, b.scale);
    d.setF64(BWD_START, b.start);
    d.setF64(BWD_TMAX, b.tmax);
    this.k.reluBackward(d.offset);
    if (b.out) this.fetch(b.out, OUT);
  };

  readonly sgdStep = (w: Float64Array, g: Float64Array, lr: number, mean: number, inv: number): void => {
    const ow = offsetOf(w),
      og = offsetOf(g);
    if (ow < 0 || og < 0) return typescriptKernels.sgdStep(w, g, lr, mean, inv);
    this.k.sgdStep(ow, og, w.length, lr, mean, inv); // the same expressions, two weights at a time
  };

  readonly adamStep = (w: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, s: AdamStep): void => {
    const ow = offsetOf(w),
      og = offsetOf(g),
      om = offsetOf(m),
      ov = offsetOf(v);
    if (ow < 0 || og < 0 || om < 0 || ov < 0) return typescriptKernels.adamStep(w, g, m, v, s);
    this.k.adamStep(ow, og, om, ov, w.length, s.lr, s.mean, s.inv, s.beta1, s.beta2, s.bc1, s.bc2, s.eps);
  };

  readonly drainInto = (dst: Float64Array, src: Float64Array): void => {
    const a = offsetOf(dst),
      b = offsetOf(src);
    if (a < 0 || b < 0) return typescriptKernels.drainInto(dst, src);
    this.k.drainInto(a, b, dst.length);
  };

  /** Byte offset of `a` in the kernel memory, or of its copy in staging array `s`; −1 when neither holds it. */
  private input(a: Float64Array, s: number): number {
    const off = offsetOf(a);
    if (off >= 0) return off;
    const st = this.staging[s];
    if (!st || a.length > st.length) return -1;
    st.set(a);
    return offsetOf(st);
  }

  /** Where the kernel writes output `a`: in place, or staging array `s` (copied back by `fetch`); −1 when neither. */
  private output(a: Float64Array, s: number): number {
    const off = offsetOf(a);
    if (off >= 0) return off;
    const st = this.staging[s];
    return st && a.length <= st.length ? offsetOf(st) : -1;
  }

  /** Copies a staged output back into `a` (nothing when the kernel wrote it in place). */
  private fetch(a: Float64Array, s: number): void {
    if (offsetOf(a) < 0) a.set(this.staging[s].subarray(0, a.length));
  }
}
