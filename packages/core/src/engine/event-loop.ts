// The general event loop's state and the steps both time modes share: the reset, the input spikes,
// firing (a neuron's spike queues its arrivals), and the record at the end. The time modes process
// the queued events: discrete-loop.ts (steps) and continuous-loop.ts (real times).
import type { Network, Population, Projection } from './network.ts';
import type { RunRecord } from './record.ts';

/**
 * Spike events in time order over any network. Each neuron fires at most once; all arrivals at one
 * time are applied before thresholds are tested (V > θ fires). Weights and `scale` are read live
 * from the network, thresholds when the loop is built.
 */
export abstract class EventLoop {
  protected readonly tmax: number;
  protected readonly projs: Projection[];
  /** Potential from delta arrivals (−∞ once fired). */
  protected readonly V: Float64Array;
  /** Ramp arrivals: summed weights (the slope). */
  protected readonly W: Float64Array;
  /** Ramp arrivals: Σ w·t; relu arrivals: Σ w·x. */
  protected readonly A: Float64Array;
  protected readonly TH: Float64Array;
  protected readonly fired: Uint8Array;
  protected readonly popOf: Int32Array;
  protected readonly stamp: Int32Array;
  protected readonly cand: Int32Array;
  /** Event ids: projection k's arrival from source i is projBase[k] + i. */
  protected readonly projBase: Int32Array;
  protected readonly evProj: Int32Array;
  protected readonly evSrc: Int32Array;
  protected readonly isRelu: Uint8Array;
  private readonly outProj: Int32Array[];
  private readonly outIndex: number;
  private readonly inputs: Population[];
  protected wave = 0;
  protected syn = 0;
  protected decision = Infinity;

  constructor(
    readonly net: Network,
    output: Population,
    readonly record: RunRecord,
  ) {
    const pops = net.populations,
      n = net.size;
    this.tmax = net.tmax;
    this.projs = net.projections.slice();
    this.inputs = net.inputs;
    this.outIndex = output.index;
    this.V = new Float64Array(n);
    this.W = new Float64Array(n);
    this.A = new Float64Array(n);
    this.TH = new Float64Array(n).fill(Infinity);
    this.fired = new Uint8Array(n);
    this.popOf = new Int32Array(n);
    this.stamp = new Int32Array(n);
    this.cand = new Int32Array(n);
    for (const p of pops) {
      this.popOf.fill(p.index, p.offset, p.offset + p.size);
      if (!p.isInput) this.TH.set(p.threshold, p.offset);
    }
    this.projBase = new Int32Array(this.projs.length);
    let events = 0;
    for (const pr of this.projs) {
      this.projBase[pr.index] = events;
      events += pr.src.size;
    }
    this.evProj = new Int32Array(events);
    this.evSrc = new Int32Array(events);
    for (const pr of this.projs) {
      for (let i = 0; i < pr.src.size; i++) {
        this.evProj[this.projBase[pr.index] + i] = pr.index;
        this.evSrc[this.projBase[pr.index] + i] = i;
      }
    }
    this.outProj = pops.map((p) => Int32Array.from(this.projs.filter((pr) => pr.src === p).map((pr) => pr.index)));
    this.isRelu = Uint8Array.from(pops, (p) => (p.relu ? 1 : 0));
  }

  /** Runs on checked input lists (one per input population, Infinity for no spike) and fills the record. */
  run(lists: ArrayLike<number>[], earlyStop: boolean): RunRecord {
    const rec = this.record,
      tmax = this.tmax;
    this.V.fill(0);
    this.fired.fill(0);
    rec.times.fill(tmax);
    rec.stoppedEarly = false;
    this.syn = 0;
    this.decision = Infinity;
    this.reset();
    for (let k = 0; k < this.inputs.length; k++) {
      const pop = this.inputs[k],
        times = lists[k];
      for (let i = 0; i < pop.size; i++) {
        const t = times[i];
        if (t < tmax) this.fire(pop.offset + i, t);
      }
    }
    if (!this.advance(earlyStop)) this.snapshot();
    this.finish();
    return rec;
  }

  /** Clears the time mode's own state before a run. */
  protected abstract reset(): void;

  /** Processes the queued events; returns true when it took the snapshot at the decision. */
  protected abstract advance(earlyStop: boolean): boolean;

  /** Queues arrival event `id` at time `t`. */
  protected abstract queue(t: number, id: number): void;

  /** True when the window of ReLU-equivalent population `pi` opened in this run. */
  protected abstract windowOpened(pi: number): boolean;

  /** Marks neuron g as fired at t and queues its arrivals. */
  protected fire(g: number, t: number): void {
    const rec = this.record,
      pop = this.popOf[g];
    rec.times[g] = t;
    if (!this.isRelu[pop]) {
      rec.potential[g] = this.V[g] + this.W[g] * t - this.A[g];
      rec.slope[g] = this.W[g];
    }
    this.V[g] = -Infinity;
    this.fired[g] = 1;
    if (pop === this.outIndex && t < this.decision) this.decision = t;
    const outs = this.outProj[pop],
      local = g - rec.populations[pop].offset,
      tmax = this.tmax;
    for (let k = 0; k < outs.length; k++) {
      const pr = this.projs[outs[k]];
      const a = t + pr.delay;
      if (a < tmax) this.queue(a, this.projBase[pr.index] + local);
    }
  }

  /** Records the synaptic events up to the decision (called once the decision time has passed). */
  protected snapshot(): void {
    this.record.synapticEventsToDecision = this.syn;
  }

  /** The record's counts and the potentials of the neurons that did not fire. */
  private finish(): void {
    const rec = this.record,
      tmax = this.tmax;
    rec.synapticEvents = this.syn;
    rec.decisionTime = this.decision < tmax ? this.decision : tmax;
    const end = rec.stoppedEarly ? this.decision : tmax;
    const V = this.V,
      W = this.W,
      A = this.A,
      pot = rec.potential,
      times = rec.times;
    const dec = this.decision;
    for (const p of rec.populations) {
      let all = 0,
        toDecision = 0;
      const relu = this.isRelu[p.index] === 1,
        closed = relu && !this.windowOpened(p.index);
      for (let g = p.offset; g < p.offset + p.size; g++) {
        const t = times[g];
        if (t < tmax && t <= end) all++;
        if (t <= dec && t < tmax) toDecision++;
        if (relu) {
          // a window that never opened (the run stopped first): the potential its arrivals built
          if (closed) pot[g] = p.bias[g - p.offset] + A[g];
        } else if (!p.isInput && !this.fired[g]) {
          pot[g] = V[g] + W[g] * end - A[g];
          rec.slope[g] = W[g];
        }
      }
      rec.spikes[p.index] = all;
      rec.spikesToDecision[p.index] = toDecision;
    }
  }
}
