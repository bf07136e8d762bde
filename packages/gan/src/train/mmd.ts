// Pixel-space MMD² between a batch of generated images and a batch of real ones, with its gradient
// with respect to the generated images' spike times (a term of G's objective that bypasses D).

/** Squared widths σ² of the Gaussian kernels, in squared pixel units (times scaled to [0, 1], silence at `MMD_SILENT`). */
export const MMD_WIDTHS = [40, 160, 640];

/** Where a silent pixel sits in the MMD's pixel space: apart from the latest lit time (1), so that dim speckle costs. */
export const MMD_SILENT = 1.5;

/**
 * MMD² (without its constant real–real term) of `fakes` against `reals`, both as times scaled to
 * [0, 1]; with `labels`, only pairs of the same label count (a product kernel with a delta on the
 * label, i.e. MMD per digit). Writes `out[i]` = −∂(λ·B·MMD²)/∂x_i (B = fakes) and returns λ·MMD².
 */
export function mmdGradient(fakes: Float64Array[], reals: Float64Array[], labels: ArrayLike<number> | null, lambda: number, out: Float64Array[]): number {
  const B = fakes.length, dim = fakes[0]?.length ?? 0;
  if (reals.length !== B || out.length !== B) throw new RangeError(`mmdGradient: need as many reals and outputs as fakes (${B}), got ${reals.length} and ${out.length}`);
  const same = (i: number, j: number) => labels === null || labels[i] === labels[j];
  let mmd = 0;
  for (let i = 0; i < B; i++) {
    const d = out[i], fi = fakes[i];
    d.fill(0);
    let n = 0;
    for (let j = 0; j < B; j++) if (same(i, j)) n++;
    for (let j = 0; j < B; j++) {
      if (!same(i, j)) continue;
      // fake–fake pairs push apart, fake–real pairs pull together
      for (const [other, sign, w] of [[fakes[j], 1, i !== j && n > 1 ? 1 / (n - 1) : 0], [reals[j], -1, 1 / n]] as const) {
        if (w === 0) continue;
        let d2 = 0;
        for (let p = 0; p < dim; p++) d2 += (fi[p] - other[p]) ** 2;
        let k = 0, kd = 0;
        for (const s2 of MMD_WIDTHS) {
          const e = Math.exp(-d2 / (2 * s2));
          k += e;
          kd += e / s2;
        }
        mmd += ((sign > 0 ? 1 : -2) * w * k) / B;
        // ∂k/∂x_i = −Σ_σ k_σ/σ² (x_i − y); the fake–fake sum holds each pair twice
        const g = 2 * lambda * w * kd * sign;
        for (let p = 0; p < dim; p++) d[p] += g * (fi[p] - other[p]);
      }
    }
  }
  return lambda * mmd;
}
