// How the engine benchmark times its implementations: an untimed warm-up, then repeats over the
// images in chunks, each implementation running a whole chunk in turn with the order rotating, so
// that drift (frequency, GC, neighbours) spreads evenly over them; and the figures of one row.
import { percentile } from '@spiking-gan/gan';
import { median } from './arith.ts';
import { OBS, type Impl } from './engine-impls.ts';

/** Images per chunk. */
export const CHUNK = 50;

/** What the timed passes measured, per implementation (same order as the list timed). */
export interface Timing {
  /** Observations of the first repeat, `OBS` per image. */
  obs: Float64Array[];
  /** Per-repeat median and 90th percentile µs per image. */
  medians: number[][];
  p90s: number[][];
  /** Total timed ns over every repeat. */
  totalNs: Float64Array;
}

/** Runs every implementation on the first `warmup` images, untimed, interleaved. */
export function warmUp(impls: Impl[], warmup: number): void {
  for (let i = 0; i < warmup; i++) for (const impl of impls) impl.run(impl.inputs[i]);
}

/** Times every image of every implementation `repeats` times (process.hrtime.bigint around each run). */
export function timeInterleaved(impls: Impl[], images: number, repeats: number, log: (line: string) => void): Timing {
  const m = impls.length;
  const obs = impls.map(() => new Float64Array(images * OBS));
  const perImage = impls.map(() => new Float64Array(images)); // ns, current repeat
  const timing: Timing = { obs, medians: impls.map(() => []), p90s: impls.map(() => []), totalNs: new Float64Array(m) };
  for (let rep = 0; rep < repeats; rep++) {
    log(`engine: repeat ${rep + 1}/${repeats} (${images} images x ${m} implementations)`);
    for (let c0 = 0, chunk = 0; c0 < images; c0 += CHUNK, chunk++) {
      const c1 = Math.min(images, c0 + CHUNK);
      for (let r = 0; r < m; r++) {
        const k = (chunk + rep + r) % m;
        timeChunk(impls[k], c0, c1, perImage[k], rep === 0 ? obs[k] : null);
      }
    }
    for (let k = 0; k < m; k++) addRepeat(timing, k, perImage[k]);
  }
  return timing;
}

/** Times images [c0, c1) of one implementation into `ns`, observing them into `obs` when given. */
function timeChunk(impl: Impl, c0: number, c1: number, ns: Float64Array, obs: Float64Array | null): void {
  for (let i = c0; i < c1; i++) {
    const x = impl.inputs[i];
    const t0 = process.hrtime.bigint();
    impl.run(x);
    const t1 = process.hrtime.bigint();
    ns[i] = Number(t1 - t0);
    if (obs) impl.observe(obs, i);
  }
}

/** Adds one repeat's per-image times of implementation k to the timing. */
function addRepeat(timing: Timing, k: number, ns: Float64Array): void {
  const sorted = Float64Array.from(ns).sort();
  timing.medians[k].push(percentile(sorted, 50) / 1e3);
  timing.p90s[k].push(percentile(sorted, 90) / 1e3);
  let s = 0;
  for (let i = 0; i < ns.length; i++) s += ns[i];
  timing.totalNs[k] += s;
}

/** Figures of one implementation. */
export interface ImplFigures {
  /** Short key: engine, engine-ts, engine-early-stop, plain-loop, dense-loop, relu, relu-ts, relu-event-loop. */
  key: string;
  /** Row label. */
  label: string;
  /** Median over repeats of the per-repeat median time per image, µs. */
  medianUs: number;
  /** Mean time per image over all repeats, µs. */
  meanUs: number;
  /** Median over repeats of the per-repeat 90th percentile, µs. */
  p90Us: number;
  /** Per-repeat medians, µs (to judge the noise). */
  repeatMediansUs: number[];
  /** Total synaptic events / total timed time, millions per second. */
  mSynEventsPerSec: number;
  /** Synaptic events per image (up to the stop for the early-stop row). */
  synEventsPerImage: number;
  /** Hidden + output spikes per image (up to the decision step for the early-stop row). */
  spikesPerImage: number;
  /** Mean first output time over the images where an output neuron fired (steps; relu rows: time units). */
  meanFirstOutputTime: number;
  /** Share of images where no output neuron fired. */
  noOutputShare: number;
}

/** The figures of implementation k from its timing; `tmax` is its network's (a first output time at tmax: none). */
export function figuresOf(impl: Impl, timing: Timing, k: number, repeats: number, tmax: number): ImplFigures {
  const o = timing.obs[k],
    images = o.length / OBS;
  let spikes = 0,
    syn = 0,
    firstSum = 0,
    decided = 0;
  for (let i = 0; i < images; i++) {
    spikes += o[i * OBS];
    syn += o[i * OBS + 1];
    const t = o[i * OBS + 2];
    if (t < tmax) {
      firstSum += t;
      decided++;
    }
  }
  const seconds = timing.totalNs[k] / 1e9;
  return {
    key: impl.key,
    label: impl.label,
    medianUs: median(timing.medians[k]),
    meanUs: timing.totalNs[k] / 1e3 / (images * repeats),
    p90Us: median(timing.p90s[k]),
    repeatMediansUs: timing.medians[k],
    mSynEventsPerSec: (syn * repeats) / seconds / 1e6,
    synEventsPerImage: syn / images,
    spikesPerImage: spikes / images,
    meanFirstOutputTime: decided > 0 ? firstSum / decided : NaN,
    noOutputShare: (images - decided) / images,
  };
}
