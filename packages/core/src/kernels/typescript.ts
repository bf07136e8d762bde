// The TypeScript twins of the SIMD kernels: the same f64 operations in the same order per value,
// on ordinary arrays, so every result is the same bit for bit (test/learn-kernels.test.ts and
// test/wasm-*.test.ts compare them). They run where WebAssembly SIMD is not available, under
// SPIKING_GAN_ENGINE=ts, with backend 'typescript', and for arrays outside the kernel memory.
import type { Network, Population } from '../engine/network.ts';
import type { RunRecord } from '../engine/record.ts';
import { adamUpdate, type AdamStep } from './adam.ts';
import type { DeltaUpdate, KernelOps, RampBackward, ReluBackward } from './ops.ts';
import { reluLayersIneligible, TypeScriptRelu } from './typescript-relu.ts';

/** The layered relu pass in TypeScript, or null (the event loop runs everything else). */
function layeredPass(net: Network, output: Population, record: RunRecord): { pass: TypeScriptRelu | null; why: null } {
  return { pass: reluLayersIneligible(net, output) === null ? new TypeScriptRelu(net, record) : null, why: null };
}

function deltaUpdate({ g, pre, post, delta, c, delay, tmax }: DeltaUpdate): void {
  const nJ = post.length;
  for (let i = 0; i < pre.length; i++) {
    const ti = pre[i];
    if (!(ti < tmax)) continue;
    const a = ti + delay,
      row = i * nJ;
    for (let j = 0; j < nJ; j++) if (delta[j] !== 0 && a <= post[j]) g[row + j] += c[j];
  }
}

function rampBackward(b: RampBackward): void {
  const { w, g, pre, post, f, delta, out, coef, scale, delay, tmax, kappa, rho, silentTerms } = b;
  const nI = pre.length,
    nJ = post.length;
  for (let i = 0; i < nI; i++) {
    const ti = pre[i];
    if (!(ti < tmax)) {
      if (out) out[i] = 0;
      continue;
    }
    const a = ti + delay,
      row = i * nJ;
    let sum = 0;
    if (g !== null) {
      for (let j = 0; j < nJ; j++) {
        const tj = post[j];
        if (a < tj) {
          const fj = f[j];
          sum += fj * w[row + j]; // read before the update (g may be w itself): the forward pass's weights
          g[row + j] += coef * fj * (tj - a); // ∂L/∂w_ij = δ_j (t_j − a_i) / W_C
        }
      }
      if (silentTerms) {
        for (let j = 0; j < nJ; j++) {
          if (post[j] < tmax) continue;
          g[row + j] += coef * (kappa * delta[j] - rho);
        }
      }
    } else if (out) {
      for (let j = 0; j < nJ; j++) if (a < post[j]) sum += f[j] * w[row + j];
    }
    if (out) out[i] = scale * sum;
  }
}

function reluBackward({ w, g, pre, f, out, coef, scale, start, tmax }: ReluBackward): void {
  const nI = pre.length,
    nJ = f.length;
  if (out) {
    // before the update: the exact gradient uses the forward pass's weights
    for (let i = 0; i < nI; i++) {
      const row = i * nJ;
      let sum = 0;
      for (let j = 0; j < nJ; j++) sum += f[j] * w[row + j];
      out[i] = scale * sum;
    }
  }
  if (!g) return;
  for (let i = 0; i < nI; i++) {
    const x = pre[i] < tmax ? start - pre[i] : 0;
    if (!(x > 0)) continue;
    const row = i * nJ,
      c = coef * x;
    for (let j = 0; j < nJ; j++) g[row + j] += c * f[j];
  }
}

function sgdStep(w: Float64Array, g: Float64Array, lr: number, mean: number, inv: number): void {
  for (let i = 0; i < w.length; i++) w[i] -= lr * g[i] * mean * inv;
  g.fill(0);
}

function adamStep(w: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, s: AdamStep): void {
  adamUpdate(w, g, m, v, s);
  g.fill(0);
}

function drainInto(dst: Float64Array, src: Float64Array): void {
  for (let i = 0; i < dst.length; i++) dst[i] += src[i];
  src.fill(0);
}

/** The TypeScript kernels (stateless: one object serves every caller). */
export const typescriptKernels: KernelOps = Object.freeze({
  backend: 'typescript',
  layeredPass,
  deltaUpdate,
  rampBackward,
  reluBackward,
  sgdStep,
  adamStep,
  drainInto,
});
