import type { Population } from './network.ts';

/**
 * What one run produced: spike times of every neuron (silent neurons report `tmax`), spike counts
 * per population, synaptic events, the first output spike, and the same counts up to that decision.
 * A simulator reuses one record for all its runs: `clone()` it to keep one.
 */
export class RunRecord {
  /** Spike time of every neuron in the network's global numbering; `tmax` means silent. */
  readonly times: Float64Array;
  /** Membrane potential at the firing step for neurons that fired, at the end of the run for the others. */
  readonly potential: Float64Array;
  /**
   * Ramp kernel: summed weight W of the ramp arrivals before each neuron fired (its dV/dt at the crossing); 0 for
   * others.
   */
  readonly slope: Float64Array;
  /** Spikes emitted per population (inputs included) in the whole run. */
  readonly spikes: Int32Array;
  /** Spikes per population up to and including the decision time (equal to `spikes` when nothing decided). */
  readonly spikesToDecision: Int32Array;
  /** Delivered arrivals (Σ over emitted spikes of their fan-out, arrivals at or after tmax excluded). */
  synapticEvents = 0;
  /** Delivered arrivals up to and including the decision time. */
  synapticEventsToDecision = 0;
  /** First spike time of the output population, `tmax` when it stayed silent. */
  decisionTime: number;
  /** True when the run stopped at the decision (early stop). */
  stoppedEarly = false;

  constructor(
    /** Window length; also the spike time reported for silent neurons. */
    readonly tmax: number,
    /** The network's populations, for lookups by population. */
    readonly populations: readonly Population[],
    /** The population whose first spike is the decision. */
    readonly output: Population,
    size: number,
  ) {
    this.times = new Float64Array(size).fill(tmax);
    this.potential = new Float64Array(size);
    this.slope = new Float64Array(size);
    this.spikes = new Int32Array(populations.length);
    this.spikesToDecision = new Int32Array(populations.length);
    this.decisionTime = tmax;
  }

  /** Spike times of one population (a view, silent = tmax). */
  timesOf(pop: Population): Float64Array {
    return this.times.subarray(pop.offset, pop.offset + pop.size);
  }

  /** Potentials of one population (a view). */
  potentialOf(pop: Population): Float64Array {
    return this.potential.subarray(pop.offset, pop.offset + pop.size);
  }

  /** True when the output population fired before tmax. */
  get decided(): boolean {
    return this.decisionTime < this.tmax;
  }

  /** Total spikes over non-input populations, whole run or up to the decision. */
  totalSpikes(toDecision = false): number {
    const s = toDecision ? this.spikesToDecision : this.spikes;
    let n = 0;
    for (const p of this.populations) if (!p.isInput) n += s[p.index];
    return n;
  }

  /**
   * The predicted class: the output neuron that fired first; ties go to the larger
   * potential at that step, then the lower index; if none fired, the largest potential at the end.
   */
  prediction(pop: Population = this.output): number {
    const t = this.timesOf(pop),
      v = this.potentialOf(pop);
    let best = 0;
    for (let k = 1; k < pop.size; k++) {
      if (t[k] < t[best] || (t[k] === t[best] && v[k] > v[best])) best = k;
    }
    return best;
  }

  /** A deep copy that later runs do not overwrite. */
  clone(): RunRecord {
    return new RunRecord(this.tmax, this.populations, this.output, this.times.length).copyFrom(this);
  }

  /** Overwrites this record with `other` (same network), without allocating; returns this. */
  copyFrom(other: RunRecord): RunRecord {
    if (other.times.length !== this.times.length)
      throw new RangeError('RunRecord.copyFrom: records of different networks');
    this.times.set(other.times);
    this.potential.set(other.potential);
    this.slope.set(other.slope);
    this.spikes.set(other.spikes);
    this.spikesToDecision.set(other.spikesToDecision);
    this.synapticEvents = other.synapticEvents;
    this.synapticEventsToDecision = other.synapticEventsToDecision;
    this.decisionTime = other.decisionTime;
    this.stoppedEarly = other.stoppedEarly;
    return this;
  }

  /**
   * Plain JSON form: per population spike times (null = silent) and counts, keyed by name in an object
   * without prototype (so that any name, `__proto__` included, is an own key).
   */
  toJSON(): object {
    type Pop = { times: (number | null)[]; spikes: number; spikesToDecision: number };
    const pops: Record<string, Pop> = Object.create(null);
    for (const p of this.populations) {
      pops[p.name] = {
        times: Array.from(this.timesOf(p), (x) => (x >= this.tmax ? null : x)),
        spikes: this.spikes[p.index],
        spikesToDecision: this.spikesToDecision[p.index],
      };
    }
    return {
      tmax: this.tmax,
      populations: pops,
      synapticEvents: this.synapticEvents,
      synapticEventsToDecision: this.synapticEventsToDecision,
      firstOutputTime: this.decided ? this.decisionTime : null,
      prediction: this.prediction(),
      stoppedEarly: this.stoppedEarly,
    };
  }
}
