// The input spike times of a run, as the simulator takes them: one list per input population,
// checked, with null (no spike) read as Infinity.
import type { Population } from './network.ts';

/** Spike times of one input population: a number per neuron, null (or a time >= tmax) for no spike. */
export type SpikeTimes = ArrayLike<number | null>;

/**
 * The lists of `inputs` (one list, or one per input population in creation order), checked: one
 * time per neuron, each a number >= 0 (a whole step in discrete time, unless at or beyond tmax).
 */
export function checkInputs(
  pops: readonly Population[],
  inputs: SpikeTimes | readonly SpikeTimes[],
  tmax: number,
  discrete: boolean,
): ArrayLike<number>[] {
  let lists: SpikeTimes[];
  if (pops.length === 0) lists = [];
  else if (pops.length === 1 && (inputs.length === 0 || typeof inputs[0] !== 'object' || inputs[0] === null)) {
    lists = [inputs as SpikeTimes];
  } else lists = Array.from(inputs as readonly SpikeTimes[]);
  if (lists.length !== pops.length) {
    throw new RangeError(
      `Simulator.run: the network has ${pops.length} input populations, ` + `got ${lists.length} lists of spike times`,
    );
  }
  for (let k = 0; k < pops.length; k++) {
    const pop = pops[k],
      times = lists[k];
    if (!times || times.length !== pop.size) {
      throw new RangeError(
        `Simulator.run: input '${pop.name}' has ${pop.size} neurons, ` +
          `got ${times ? times.length : 'no'} spike times`,
      );
    }
    let nulls = false;
    for (let i = 0; i < pop.size; i++) {
      const t = times[i];
      if (t === null) {
        nulls = true;
        continue;
      }
      if (typeof t !== 'number' || Number.isNaN(t) || t < 0) {
        throw new RangeError(
          `Simulator.run: input '${pop.name}' neuron ${i}: spike time must be a number >= 0 ` +
            `(>= tmax for no spike), got ${String(t)}`,
        );
      }
      if (discrete && t < tmax && !Number.isInteger(t)) {
        throw new RangeError(
          `Simulator.run: input '${pop.name}' neuron ${i}: spike time ${t} is not a whole step ` + '(discrete time)',
        );
      }
    }
    if (nulls) lists[k] = Float64Array.from(times, (t) => t ?? Infinity);
  }
  return lists as ArrayLike<number>[];
}
