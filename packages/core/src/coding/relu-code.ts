// The value code of ReLU-equivalent neurons: a spike at t in a window [start, end] carries
// x = end − t; no spike carries 0. Signed Gaussian noise is two inputs per dimension (z⁺ and z⁻).
import type { Window } from '../engine/network.ts';
import type { Rng } from './rng.ts';

/**
 * Spike times of values x in `window`: t = end − x, clamped at t ≥ 0 (x above `end` is cut there);
 * x ≤ 0 gives no spike (Infinity). Writes into `out` when given.
 */
export function valuesToTimes(x: ArrayLike<number>, window: Window, out?: Float64Array): Float64Array {
  const t = out ?? new Float64Array(x.length);
  if (t.length < x.length) throw new RangeError(`valuesToTimes: output has ${t.length} slots for ${x.length} values`);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (Number.isNaN(v)) throw new RangeError(`valuesToTimes: value ${i} is NaN`);
    t[i] = v > 0 ? (v < window.end ? window.end - v : 0) : Infinity;
  }
  return t;
}

/** Values of spike times in `window`: x = max(0, end − t) (a silent neuron, t ≥ end, gives 0). */
export function timesToValues(t: ArrayLike<number>, window: Window, out?: Float64Array): Float64Array {
  const x = out ?? new Float64Array(t.length);
  if (x.length < t.length) throw new RangeError(`timesToValues: output has ${x.length} slots for ${t.length} times`);
  for (let i = 0; i < t.length; i++) x[i] = t[i] < window.end ? window.end - t[i] : 0;
  return x;
}

/**
 * Signed Gaussian noise: `nz` draws z ~ N(0, 1) clipped to ±zMax, written as 2·nz values,
 * z⁺ = max(z, 0) in `out[0..nz)` and z⁻ = max(−z, 0) in `out[nz..2nz)` (one of each pair is 0, i.e.
 * silent), each times `scale` (B(0)/zMax maps ±zMax onto the input window). Returns `out`.
 */
export function signedNoise(rng: Rng, nz: number, zMax: number, out: Float64Array, scale = 1): Float64Array {
  if (out.length < 2 * nz) throw new RangeError(`signedNoise: output has ${out.length} slots for 2 × ${nz} values`);
  if (!(zMax > 0)) throw new RangeError(`signedNoise: zMax must be > 0, got ${zMax}`);
  for (let i = 0; i < nz; i++) {
    const z = Math.max(-zMax, Math.min(zMax, rng.normal()));
    out[i] = z > 0 ? z * scale : 0;
    out[nz + i] = z < 0 ? -z * scale : 0;
  }
  return out;
}
