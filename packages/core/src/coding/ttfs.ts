import type { Rng } from './rng.ts';

/** Options of TTFS encoding. */
export interface EncodeOptions {
  /** Window length (default 256). */
  tmax?: number;
  /** Round times down to whole steps (default true, as S4NN; false for continuous time). */
  quantise?: boolean;
}

/**
 * Time-to-first-spike code of 8-bit pixels: p → floor((255 − p) · tmax / 255); p = 255 spikes at 0,
 * p = 0 gives Infinity (no spike, in a network of any tmax). Writes into `out` when given.
 */
export function encodeBytes(pixels: ArrayLike<number>, opts: EncodeOptions = {}, out?: Float64Array): Float64Array {
  const tmax = opts.tmax ?? 256, q = opts.quantise ?? true;
  const t = out ?? new Float64Array(pixels.length);
  if (t.length !== pixels.length) throw new RangeError(`encodeBytes: output has ${t.length} slots for ${pixels.length} pixels`);
  for (let i = 0; i < pixels.length; i++) {
    const p = pixels[i];
    if (!(p >= 0 && p <= 255)) throw new RangeError(`encodeBytes: pixel ${i} is ${p}, outside 0..255`);
    const x = ((255 - p) * tmax) / 255;
    t[i] = p === 0 ? Infinity : q ? Math.floor(x) : x;
  }
  return t;
}

/** TTFS code of intensities in [0, 1]: p → floor((1 − p) · tmax); p = 0 gives Infinity (no spike, in any network). */
export function encodeUnit(values: ArrayLike<number>, opts: EncodeOptions = {}, out?: Float64Array): Float64Array {
  const tmax = opts.tmax ?? 256, q = opts.quantise ?? true;
  const t = out ?? new Float64Array(values.length);
  if (t.length !== values.length) throw new RangeError(`encodeUnit: output has ${t.length} slots for ${values.length} values`);
  for (let i = 0; i < values.length; i++) {
    const p = values[i];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`encodeUnit: value ${i} is ${p}, outside [0, 1]`);
    const x = (1 - p) * tmax;
    t[i] = p === 0 ? Infinity : q ? Math.floor(x) : x;
  }
  return t;
}

/** Spike times back to intensities in [0, 1]: p = 1 − t / tmax, silent (t ≥ tmax) → 0. */
export function decodeUnit(times: ArrayLike<number>, tmax = 256, out?: Float64Array): Float64Array {
  const p = out ?? new Float64Array(times.length);
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    p[i] = t >= tmax ? 0 : Math.min(1, Math.max(0, 1 - t / tmax));
  }
  return p;
}

/** Spike times back to 8-bit pixels: round(255 · (1 − t / tmax)), silent → 0. */
export function decodeBytes(times: ArrayLike<number>, tmax = 256, out?: Uint8Array): Uint8Array {
  const p = out ?? new Uint8Array(times.length);
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    p[i] = t >= tmax ? 0 : Math.round(255 * Math.min(1, Math.max(0, 1 - t / tmax)));
  }
  return p;
}

/** Generator noise: each of `n` inputs spikes at a time uniform in [0, tmax) (whole steps unless `quantise` is false). */
export function noiseTimes(n: number, rng: Rng, opts: EncodeOptions = {}, out?: Float64Array): Float64Array {
  const tmax = opts.tmax ?? 256, q = opts.quantise ?? true;
  const t = out ?? new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = q ? rng.int(tmax) : rng.next() * tmax;
  return t;
}
