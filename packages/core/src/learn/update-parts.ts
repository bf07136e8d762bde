// A batched optimiser update cut into parts that threads apply side by side: every update is one
// element at a time (SGD or Adam), so each part of the arrays can be stepped by another thread and
// the result is the same, bit for bit, as one thread stepping the whole.
import type { AdamStep } from '../kernels/adam.ts';
import { attachArray, drainInto, shareArray, type SharedArray } from '../engine/shared-memory.ts';
import { chooseKernels, kernelsOf } from '../kernels/choose.ts';
import type { KernelOps } from '../kernels/ops.ts';

/** The arrays one trained array's update reads and writes: values, summed gradient, Adam moments (empty for SGD). */
export interface UpdateArrays {
  w: Float64Array;
  g: Float64Array;
  m: Float64Array;
  v: Float64Array;
}

/** One batched update: the optimiser's kind and each array's numbers (null: frozen, its gradient already cleared). */
export interface UpdatePlan {
  kind: 'sgd' | 'adam';
  steps: (AdamStep | null)[];
}

/** Update arrays described for worker threads (`shareUpdateArrays`; structured-clone safe). */
export type SharedUpdateArrays = { w: SharedArray; g: SharedArray; m: SharedArray; v: SharedArray }[];

/** Describes update arrays of the kernel memory (`Optimiser.updateArrays`) for `attachUpdateArrays` in a worker. */
export function shareUpdateArrays(arrays: readonly UpdateArrays[]): SharedUpdateArrays {
  return arrays.map((a) => ({ w: shareArray(a.w), g: shareArray(a.g), m: shareArray(a.m), v: shareArray(a.v) }));
}

/** The shared update arrays in this thread: the same values, not copies. */
export function attachUpdateArrays(d: SharedUpdateArrays): UpdateArrays[] {
  return d.map((a) => ({ w: attachArray(a.w), g: attachArray(a.g), m: attachArray(a.m), v: attachArray(a.v) }));
}

/**
 * Adds part `part` of `parts` of the shards' gradient buffers ([shard][array], in the arrays' order)
 * into the update's gradients, in shard order, and clears them there: each thread sums one part.
 */
export function reducePart(
  arrays: readonly UpdateArrays[],
  buffers: readonly (readonly Float64Array[])[],
  part: number,
  parts: number,
): void {
  const lengths = arrays.map((a) => a.g.length);
  for (const b of buffers) {
    if (b.length !== arrays.length || b.some((x, k) => x.length !== lengths[k]))
      throw new RangeError('reducePart: gradient buffers must match the update arrays in number and length');
  }
  for (const [a, from, to] of partRanges(lengths, part, parts)) {
    const g = arrays[a].g.subarray(from, to);
    for (const b of buffers) drainInto(g, b[a].subarray(from, to));
  }
}

/** Values per cache line: parts are cut at multiples of it, so two threads never write one line. */
const LINE_VALUES = 8;

/**
 * Part `part` of `parts` of arrays of these lengths, as [array, from, to) ranges: the arrays laid end
 * to end and cut into nearly equal parts, each cut inside an array moved down to a multiple of 8 values.
 */
export function partRanges(lengths: readonly number[], part: number, parts: number): [number, number, number][] {
  if (!Number.isInteger(parts) || parts < 1 || !Number.isInteger(part) || part < 0 || part >= parts)
    throw new RangeError(`partRanges: part must be an integer in [0, ${parts}), got ${part} of ${parts}`);
  const total = lengths.reduce((n, l) => n + l, 0),
    lo = Math.floor((total * part) / parts),
    hi = Math.floor((total * (part + 1)) / parts);
  const out: [number, number, number][] = [];
  let start = 0;
  lengths.forEach((len, a) => {
    const cut = (b: number) => Math.min(len, Math.max(0, Math.floor((b - start) / LINE_VALUES) * LINE_VALUES));
    const from = part === 0 ? 0 : cut(lo),
      to = part === parts - 1 ? len : cut(hi);
    if (to > from) out.push([a, from, to]);
    start += len;
  });
  return out;
}

/**
 * Applies part `part` of `parts` of a batched update (the whole: part 0 of 1), clearing those
 * gradients; `arrays` in the plan's order (`Optimiser.updateArrays`); on the SIMD kernels where they run.
 */
export function applyUpdatePart(
  arrays: readonly UpdateArrays[],
  plan: UpdatePlan,
  part: number,
  parts: number,
  kernels: KernelOps = kernelsOf(chooseKernels('auto')),
): void {
  const ranges =
    parts === 1
      ? arrays.map((a, k): [number, number, number] => [k, 0, a.w.length])
      : partRanges(
          arrays.map((a) => a.w.length),
          part,
          parts,
        );
  for (const [k, from, to] of ranges) {
    const s = plan.steps[k];
    if (s === null) continue;
    const { w, g, m, v } = arrays[k],
      whole = from === 0 && to === w.length;
    const cut = (x: Float64Array) => (whole || x.length === 0 ? x : x.subarray(from, to));
    if (plan.kind === 'sgd') kernels.sgdStep(cut(w), cut(g), s.lr, s.mean, s.inv);
    else kernels.adamStep(cut(w), cut(g), cut(m), cut(v), s);
  }
}
