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
  return encodeScaled(pixels, 255, opts, out, { who: 'encodeBytes', item: 'pixel', range: '0..255' });
}

/** TTFS code of intensities in [0, 1]: p → floor((1 − p) · tmax); p = 0 gives Infinity (no spike, in any network). */
export function encodeUnit(values: ArrayLike<number>, opts: EncodeOptions = {}, out?: Float64Array): Float64Array {
  return encodeScaled(values, 1, opts, out, { who: 'encodeUnit', item: 'value', range: '[0, 1]' });
}

/** TTFS code of values in [0, full]: p → floor((full − p) · tmax / full), p = 0 silent; errors name `names`. */
function encodeScaled(
  values: ArrayLike<number>,
  full: number,
  opts: EncodeOptions,
  out: Float64Array | undefined,
  names: { who: string; item: string; range: string },
): Float64Array {
  const tmax = opts.tmax ?? 256,
    q = opts.quantise ?? true,
    { who, item, range } = names;
  const t = out ?? new Float64Array(values.length);
  if (t.length !== values.length)
    throw new RangeError(`${who}: output has ${t.length} slots for ${values.length} ${item}s`);
  for (let i = 0; i < values.length; i++) {
    const p = values[i];
    if (!(p >= 0 && p <= full)) throw new RangeError(`${who}: ${item} ${i} is ${p}, outside ${range}`);
    const x = ((full - p) * tmax) / full;
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

/**
 * Generator noise: each of `n` inputs spikes at a time uniform in [0, tmax) (whole steps unless `quantise` is
 * false).
 */
export function noiseTimes(n: number, rng: Rng, opts: EncodeOptions = {}, out?: Float64Array): Float64Array {
  const tmax = opts.tmax ?? 256,
    q = opts.quantise ?? true;
  const t = out ?? new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = q ? rng.int(tmax) : rng.next() * tmax;
  return t;
}
