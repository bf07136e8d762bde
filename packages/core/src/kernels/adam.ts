// Adam (Kingma & Ba, 2015) in TypeScript: one update of a weight array from its summed gradient.
// The Optimiser's TypeScript kernels (typescript.ts adamStep) and the sample-quality judge both step
// with it; the `adamStep` SIMD kernel (assembly/kernels.ts) is its twin, with the same expressions
// in the same order.

/** A weight array, its gradient or an Adam moment, in double or single precision. */
export type AdamValues = Float64Array | Float32Array;

/** Adam's usual settings: β1 0.9, β2 0.999, ε 1e-8. */
export const ADAM_DEFAULTS = Object.freeze({ beta1: 0.9, beta2: 0.999, eps: 1e-8 });

/** The numbers of one Adam step, the same for every array it updates. */
export interface AdamStep {
  /** Learning rate η. */
  lr: number;
  /** Factor of the summed gradient: 1 / the samples it sums. */
  mean: number;
  /** Factor of the step, for weights stored in units of a lazy scale: 1 / scale (1 for plain weights). */
  inv: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Bias corrections of step t: 1 − β1^t and 1 − β2^t (`adamCorrections`). */
  bc1: number;
  bc2: number;
}

/** The bias corrections 1 − β1^t and 1 − β2^t of step t (1-based). */
export function adamCorrections(beta1: number, beta2: number, t: number): { bc1: number; bc2: number } {
  return { bc1: 1 - Math.pow(beta1, t), bc2: 1 - Math.pow(beta2, t) };
}

/**
 * One Adam step of `w` from the summed gradient `g` (× `mean`), updating the moments `m` and `v`:
 * w −= ((η·(m / bc1)) / (√(v / bc2) + ε))·inv. Leaves `g` as it is.
 */
export function adamUpdate(w: AdamValues, g: AdamValues, m: AdamValues, v: AdamValues, s: AdamStep): void {
  const { lr, mean, inv, beta1, beta2, eps, bc1, bc2 } = s;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i] * mean;
    const mi = beta1 * m[i] + (1 - beta1) * gi;
    const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] -= ((lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps)) * inv;
  }
}
