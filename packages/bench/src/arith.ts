// The suite's own arithmetic: energy from operation counts, synaptic operations of a run, and the
// percent changes the paper's claims are stated in. Kept apart so that tests can check it on known inputs.
import { percentile, PJ_PER_MAC, PJ_PER_SOP } from '@spiking-gan/gan';

/** Energy in nJ of `sops` synaptic operations (0.9 pJ each, a 32-bit float add at 45 nm; memory access not counted). */
export function snnEnergyNj(sops: number): number {
  return (sops * PJ_PER_SOP) / 1000;
}

/** Multiply-accumulates of the same layered network run as an ANN: Σ over layers of n_in × n_out. */
export function annMacs(layerSizes: readonly number[]): number {
  let macs = 0;
  for (let k = 1; k < layerSizes.length; k++) macs += layerSizes[k - 1] * layerSizes[k];
  return macs;
}

/** Energy in nJ of the ANN equivalent (4.6 pJ per MAC). */
export function annEnergyNj(layerSizes: readonly number[]): number {
  return (annMacs(layerSizes) * PJ_PER_MAC) / 1000;
}

/**
 * Synaptic operations of one run of a dense layered network: every spike of layer k that arrives
 * before `tmax` (its time + `delay` < tmax) costs the fan-out of layer k (one SOP per delivered arrival).
 * `times[k]` holds layer k's spike times; a time ≥ tmax means silent.
 */
export function countSops(times: readonly ArrayLike<number>[], tmax: number, delay: number): number {
  let sops = 0;
  for (let k = 0; k + 1 < times.length; k++) {
    const fanOut = times[k + 1].length,
      t = times[k];
    for (let i = 0; i < t.length; i++) if (t[i] < tmax && t[i] + delay < tmax) sops += fanOut;
  }
  return sops;
}

/** Change from `before` to `after` in percent of `before` (negative = fewer / faster); NaN when `before` is 0. */
export function percentChange(before: number, after: number): number {
  return before === 0 ? NaN : (100 * (after - before)) / before;
}

/**
 * How much less `after` is than `before`, in percent of `before` ("33 % faster" = 33 when the time fell by a
 * third).
 */
export function percentLess(before: number, after: number): number {
  return -percentChange(before, after);
}

/** A claim of the form "at least `threshold` % less": what we measured and whether it holds. */
export interface ClaimCheck {
  claim: string;
  thresholdPercent: number;
  before: number;
  after: number;
  measuredPercent: number;
  holds: boolean;
  /** What else changed between the two (the paper claims the saving at equal quality), e.g. accuracy. */
  at?: string;
}

/** Checks "after is at least `thresholdPercent` % less than before". */
export function checkClaim(
  claim: string,
  thresholdPercent: number,
  before: number,
  after: number,
  at?: string,
): ClaimCheck {
  const measuredPercent = percentLess(before, after);
  return {
    claim,
    thresholdPercent,
    before,
    after,
    measuredPercent,
    holds: Number.isFinite(measuredPercent) && measuredPercent > thresholdPercent,
    ...(at ? { at } : {}),
  };
}

/** Median of a list of numbers (NaN for none); the input is not changed. */
export function median(xs: ArrayLike<number>): number {
  return percentile(Float64Array.from(xs).sort(), 50);
}

/** Counts of `xs` in `bins` equal bins over [lo, hi); values outside are clamped into the end bins. */
export function histogram(xs: ArrayLike<number>, lo: number, hi: number, bins: number): number[] {
  if (!(hi > lo) || !Number.isInteger(bins) || bins < 1)
    throw new RangeError(`histogram: need hi > lo and bins >= 1, got [${lo}, ${hi}), ${bins}`);
  const out = new Array<number>(bins).fill(0);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (!Number.isFinite(x)) continue;
    out[Math.min(bins - 1, Math.max(0, Math.floor(((x - lo) / (hi - lo)) * bins)))]++;
  }
  return out;
}
