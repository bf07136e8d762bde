import { ArrivalHeap } from './arrival-heap.ts';
import { BucketQueue } from './bucket-queue.ts';
import type { Network, Population, Projection } from './network.ts';
import { RunRecord } from './record.ts';
import { SpikeQueue } from './spike-queue.ts';
import { engineBackend } from './kernel-memory.ts';
import { KernelMemoryFull, WasmForward, wasmIneligible } from './wasm-forward.ts';
import { ReluForward, reluIneligible } from './relu-forward.ts';
import { WasmRelu, wasmReluIneligible } from './wasm-relu.ts';

/** Spike times of one input population: a number per neuron, null (or a time >= tmax) for no spike. */
export type SpikeTimes = ArrayLike<number | null>;

/** Options of one run. */
export interface RunOptions {
  /** Stop after the time step of the output population's first spike (default false). */
  earlyStop?: boolean;
}

/** Options of a simulator. */
export interface SimulatorOptions {
  /** Population whose first spike is the decision (default: the network's last population). */
  output?: Population;
  /**
   * `auto` (default): layered networks of dense projections (delta in discrete time, ramp or relu
   * in continuous time) run on the WebAssembly SIMD kernels when they are available (same results,
   * bit for bit); `typescript`: TypeScript only (the event loop below, or for layered ReLU-equivalent
   * networks its layer-by-layer form, same bits); `event-loop`: always the general event loop.
   */
  backend?: 'auto' | 'typescript' | 'event-loop';
}

/**
 * Runs a network on input spike times, processing spike events in time order. Each neuron fires at
 * most once; all arrivals at one time are applied before thresholds are tested (V > θ fires).
 * Discrete time uses a bucket queue, continuous time a heap plus a queue of predicted (ramp) spikes.
 * Weights and `scale` are read live from the network; thresholds are read when the simulator is
 * built. Rebuild the simulator after adding populations or projections or changing thresholds.
 */
export class Simulator {
  /** The record every run writes into (reused: clone it to keep it). */
  readonly record: RunRecord;
  private readonly tmax: number;
  private readonly n: number;
  private readonly projs: Projection[];
  private readonly V: Float64Array;
  private readonly W: Float64Array;
  private readonly A: Float64Array;
  private readonly TH: Float64Array;
  private readonly fired: Uint8Array;
  private readonly popOf: Int32Array;
  private readonly stamp: Int32Array;
  private readonly cand: Int32Array;
  private readonly outProj: Int32Array[];
  private readonly projBase: Int32Array;
  private readonly evProj: Int32Array;
  private readonly evSrc: Int32Array;
  private readonly buckets: BucketQueue | null;
  private readonly heap: ArrivalHeap | null;
  private readonly predicted: SpikeQueue | null;
  private readonly outIndex: number;
  private readonly inputs: Population[];
  private readonly shape: string;
  private readonly live: Int32Array;
  private readonly nLive: Int32Array;
  private readonly offsets: Int32Array;
  private readonly sizes: Int32Array;
  /** The threshold of populations whose neurons share one (NaN otherwise). */
  private readonly uniformTh: Float64Array;
  private readonly popStamp: Int32Array;
  private readonly touched: Int32Array;
  private readonly dirty: Int32Array;
  private readonly isDirty: Uint8Array;
  private readonly stale: Int32Array;
  private nDirty = 0;
  private wave = 0;
  private nc = 0;
  private sorted = true;
  private syn = 0;
  private decision = Infinity;
  private readonly fast: WasmForward | WasmRelu | null;
  private readonly slowReason: string | null;
  private readonly reluFast: ReluForward | null;
  /** ReLU-equivalent populations by window start (then index), opened in that order during a run. */
  private readonly openings: Int32Array;
  private readonly isRelu: Uint8Array;
  private nextOpen = 0;

  constructor(readonly net: Network, opts: SimulatorOptions = {}) {
    const pops = net.populations;
    if (pops.length === 0) throw new Error('Simulator: the network has no population');
    const output = opts.output ?? net.output;
    if (pops[output.index] !== output) throw new Error(`Simulator: output population '${output.name}' is not in this network`);
    this.tmax = net.tmax;
    this.n = net.size;
    this.projs = net.projections.slice();
    this.inputs = net.inputs;
    this.shape = shapeKey(net);
    this.outIndex = output.index;
    this.record = new RunRecord(net.tmax, pops.slice(), output, this.n);
    this.V = new Float64Array(this.n);
    this.W = new Float64Array(this.n);
    this.A = new Float64Array(this.n);
    this.TH = new Float64Array(this.n).fill(Infinity);
    this.fired = new Uint8Array(this.n);
    this.popOf = new Int32Array(this.n);
    this.stamp = new Int32Array(this.n);
    this.cand = new Int32Array(this.n);
    for (const p of pops) {
      this.popOf.fill(p.index, p.offset, p.offset + p.size);
      if (!p.isInput) this.TH.set(p.threshold, p.offset);
    }
    this.live = new Int32Array(this.n);
    this.nLive = new Int32Array(pops.length);
    this.offsets = Int32Array.from(pops, (p) => p.offset);
    this.sizes = Int32Array.from(pops, (p) => p.size);
    this.uniformTh = Float64Array.from(pops, (p) => (p.threshold.length > 0 && p.threshold.every((x) => x === p.threshold[0]) ? p.threshold[0] : NaN));
    this.popStamp = new Int32Array(pops.length);
    this.touched = new Int32Array(pops.length);
    this.dirty = new Int32Array(pops.length);
    this.isDirty = new Uint8Array(pops.length);
    this.stale = new Int32Array(pops.length);
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
    const discrete = net.time === 'discrete';
    this.buckets = discrete ? new BucketQueue(this.tmax, events) : null;
    this.heap = discrete ? null : new ArrivalHeap(events);
    this.predicted = discrete ? null : new SpikeQueue(this.n);
    this.isRelu = Uint8Array.from(pops, (p) => (p.relu ? 1 : 0));
    this.openings = Int32Array.from(pops.filter((p) => p.relu).sort((a, b) => a.window!.start - b.window!.start || a.index - b.index), (p) => p.index);
    const backend = opts.backend ?? 'auto';
    const path = backend === 'auto' ? fastPath(net, output)
      : { fast: null, why: `the '${backend}' backend was asked for` };
    this.fast = path.fast;
    this.slowReason = path.why;
    const layeredRelu = backend !== 'event-loop' && this.fast === null && reluIneligible(net, output) === null;
    this.reluFast = layeredRelu ? new ReluForward(net, this.record) : null;
  }

  /** Which path runs this network: the WebAssembly SIMD kernel or TypeScript (the event loop, or its layered ReLU form). */
  get backend(): 'wasm-simd' | 'typescript' {
    return this.fast ? 'wasm-simd' : 'typescript';
  }

  /** Why this network runs on TypeScript rather than the SIMD kernels (null when it runs on them). */
  get backendReason(): string | null {
    return this.slowReason;
  }

  /**
   * Runs the network once. `inputs` holds the spike times of the input population (or, with
   * several input populations, one array per input population in creation order). A time at or
   * beyond tmax, Infinity or null (as `RunRecord.toJSON` writes silence) means no spike; negative,
   * NaN or (in discrete time) fractional times are refused. Returns the simulator's reused record.
   */
  run(inputs: SpikeTimes | readonly SpikeTimes[], opts: RunOptions = {}): RunRecord {
    if (shapeKey(this.net) !== this.shape) throw new Error('Simulator: the network changed shape since the simulator was built; build a new Simulator');
    const rec = this.record, tmax = this.tmax;
    if (this.fast) {
      // the kernel checks the times of a Float64Array itself; anything else is checked here first
      const T = this.fast.times;
      // (the kernels clamp times at tmax themselves)
      T.set(inputs instanceof Float64Array && inputs.length === this.inputs[0].size ? inputs : this.inputLists(inputs)[0]);
      if (this.fast.run(rec, opts.earlyStop === true) >= 0) {
        this.inputLists(inputs);
        throw new Error('Simulator.run: the SIMD kernel refused an input time that the checks accept');
      }
      return rec;
    }
    const lists = this.inputLists(inputs);
    if (this.reluFast) return this.reluFast.run(lists[0], opts.earlyStop === true);
    this.V.fill(0);
    this.fired.fill(0);
    for (const p of rec.populations) {
      this.nLive[p.index] = p.size;
      for (let j = 0; j < p.size; j++) this.live[p.offset + j] = j;
    }
    this.stale.fill(0);
    this.nDirty = 0;
    this.isDirty.fill(0);
    rec.times.fill(tmax);
    rec.stoppedEarly = false;
    this.syn = 0;
    this.decision = Infinity;
    if (this.buckets) this.buckets.clear();
    else {
      this.W.fill(0);
      this.A.fill(0);
      this.heap!.clear();
      this.predicted!.clear();
      this.nextOpen = 0;
    }
    for (let k = 0; k < this.inputs.length; k++) {
      const pop = this.inputs[k], times = lists[k];
      for (let i = 0; i < pop.size; i++) {
        const t = times[i];
        if (t < tmax) this.fire(pop.offset + i, t);
      }
    }
    let snapped: boolean;
    if (this.buckets) snapped = this.runDiscrete(opts.earlyStop === true);
    else snapped = this.runContinuous(opts.earlyStop === true);
    if (!snapped) this.snapshot();
    rec.synapticEvents = this.syn;
    rec.decisionTime = this.decision < tmax ? this.decision : tmax;
    const end = rec.stoppedEarly ? this.decision : tmax;
    const V = this.V, W = this.W, A = this.A, pot = rec.potential, times = rec.times;
    const dec = this.decision;
    for (const p of rec.populations) {
      let all = 0, toDecision = 0;
      const relu = this.isRelu[p.index] === 1, closed = relu && !this.opened(p.index);
      for (let g = p.offset; g < p.offset + p.size; g++) {
        const t = times[g];
        if (t < tmax && (t <= end)) all++;
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
    return rec;
  }

  private runDiscrete(earlyStop: boolean): boolean {
    const q = this.buckets!, head = q.head, tail = q.tail, next = q.next;
    const V = this.V, TH = this.TH, stamp = this.stamp, cand = this.cand;
    const evProj = this.evProj, evSrc = this.evSrc, projs = this.projs;
    const live = this.live, nLive = this.nLive, popStamp = this.popStamp, touched = this.touched, offsets = this.offsets, sizes = this.sizes, uniformTh = this.uniformTh;
    let snapped = false;
    for (let t = 0; t < this.tmax; t++) {
      let e = head[t];
      while (e >= 0) {
        const wave = ++this.wave;
        let nc = 0, nt = 0, csr = false;
        const end = tail[t];
        // 1. apply every arrival of the wave: dense rows add to the neurons that have not fired yet
        for (;;) {
          const pr = projs[evProj[e]], src = evSrc[e];
          const w = pr.weights, sc = pr.scale, off = pr.dst.offset;
          if (pr.csr === null) {
            const n = pr.dst.size, row = src * n, pi = pr.dst.index, nl = nLive[pi];
            if (nl * 2 >= n) {
              // mostly live: the contiguous row is faster than the gather (fired neurons sit at −∞)
              if (sc === 1) for (let j = 0; j < n; j++) V[off + j] += w[row + j];
              else for (let j = 0; j < n; j++) V[off + j] += sc * w[row + j];
            } else {
              for (let k = 0; k < nl; k++) {
                const j = live[off + k];
                V[off + j] += sc * w[row + j];
              }
            }
            this.syn += n;
            if (popStamp[pi] !== wave) {
              popStamp[pi] = wave;
              touched[nt++] = pi;
            }
          } else {
            const { indptr, indices } = pr.csr;
            for (let k = indptr[src]; k < indptr[src + 1]; k++) {
              const g = off + indices[k];
              const v = V[g] + sc * w[k];
              V[g] = v;
              if (v > TH[g] && stamp[g] !== wave) {
                stamp[g] = wave;
                cand[nc++] = g;
                csr = true;
              }
            }
            this.syn += indptr[src + 1] - indptr[src];
          }
          if (e === end) break;
          e = next[e];
        }
        // 2. test thresholds of the populations that received dense rows, in neuron order
        if (nt > 1) sortSmall(touched, nt);
        for (let k = 0; k < nt; k++) {
          const pi = touched[k], off = offsets[pi], nl = nLive[pi], size = sizes[pi];
          const th = uniformTh[pi];
          if (nl * 2 >= size && th === th) {
            // mostly live, one threshold: a contiguous scan (fired neurons sit at −∞ and never pass)
            for (let g = off; g < off + size; g++) {
              if (V[g] > th && stamp[g] !== wave) {
                stamp[g] = wave;
                cand[nc++] = g;
              }
            }
          } else if (nl * 2 >= size) {
            for (let g = off; g < off + size; g++) {
              if (V[g] > TH[g] && stamp[g] !== wave) {
                stamp[g] = wave;
                cand[nc++] = g;
              }
            }
          } else {
            for (let m = 0; m < nl; m++) {
              const g = off + live[off + m];
              if (V[g] > TH[g] && stamp[g] !== wave) {
                stamp[g] = wave;
                cand[nc++] = g;
              }
            }
          }
        }
        if (csr && nc > 1) cand.subarray(0, nc).sort();
        // 3. fire (a zero delay queues a new wave at this same step)
        let fired = false;
        for (let c = 0; c < nc; c++) {
          const g = cand[c];
          if (V[g] > TH[g]) {
            this.fire(g, t);
            fired = true;
          }
        }
        if (fired) this.compactLive();
        e = next[end];
      }
      if (!snapped && this.decision === t) {
        this.snapshot();
        snapped = true;
        if (earlyStop) {
          this.record.stoppedEarly = true;
          return true;
        }
      }
    }
    return snapped;
  }

  /** Drops neurons that fired from the live list of every population where a quarter of the list has fired since. */
  private compactLive(): void {
    const live = this.live, fired = this.fired;
    for (let k = 0; k < this.nDirty; k++) {
      const pi = this.dirty[k], off = this.offsets[pi], nl = this.nLive[pi];
      if (this.stale[pi] * 4 < nl) continue; // fired neurons left in a live list are harmless (V = −∞)
      this.stale[pi] = 0;
      let m = 0;
      for (let q = 0; q < nl; q++) {
        const j = live[off + q];
        if (!fired[off + j]) live[off + m++] = j;
      }
      this.nLive[pi] = m;
    }
  }

  private runContinuous(earlyStop: boolean): boolean {
    const heap = this.heap!, sq = this.predicted!;
    const V = this.V, W = this.W, A = this.A, TH = this.TH, fired = this.fired;
    const stamp = this.stamp, cand = this.cand, tmax = this.tmax;
    let snapped = false;
    for (;;) {
      const ta = heap.peekTime(), tp = sq.peekTime(), to = this.nextOpenTime();
      const t = Math.min(ta, tp, to);
      if (!snapped && t > this.decision) {
        this.snapshot();
        snapped = true;
        if (earlyStop) {
          this.record.stoppedEarly = true;
          return true;
        }
      }
      if (!(t < tmax)) return snapped;
      const wave = ++this.wave;
      this.nc = 0;
      if (ta > t && to === t) {
        // a window opens (after the arrivals of this time): its neurons' firing times in closed form
        this.open(this.openings[this.nextOpen++]);
        continue;
      }
      if (ta <= tp) {
        this.sorted = true;
        while (heap.peekTime() === t) this.deliverContinuous(heap.pop(), t, wave);
        const nc = this.nc;
        if (nc > 1 && !this.sorted) cand.subarray(0, nc).sort();
        for (let c = 0; c < nc; c++) {
          const g = cand[c];
          if (fired[g]) continue;
          const w = W[g], th = TH[g], gap = th - V[g] + A[g]; // V(t) > θ  ⇔  w·t > gap
          const wt = w * t;
          if (wt > gap || (w > 0 && wt >= gap)) {
            sq.remove(g);
            this.fire(g, t);
          } else if (w > 0) {
            const tc = gap / w;
            if (tc < tmax) sq.set(g, tc < t ? t : tc);
            else sq.remove(g);
          } else sq.remove(g);
        }
      } else {
        let nc = 0;
        while (sq.peekTime() === t) {
          const g = sq.peek();
          sq.remove(g);
          cand[nc++] = g;
        }
        if (nc > 1) cand.subarray(0, nc).sort();
        for (let c = 0; c < nc; c++) {
          const g = cand[c];
          stamp[g] = wave;
          this.fire(g, t);
        }
      }
    }
  }

  /** Start of the next window to open, or Infinity. */
  private nextOpenTime(): number {
    return this.nextOpen < this.openings.length ? this.net.populations[this.openings[this.nextOpen]].window!.start : Infinity;
  }

  /** True when ReLU-equivalent population `pi` has opened in this run. */
  private opened(pi: number): boolean {
    for (let k = 0; k < this.nextOpen; k++) if (this.openings[k] === pi) return true;
    return false;
  }

  /**
   * Opens the window of ReLU-equivalent population `pi`: u = D + Σ w·x (the potential above its
   * threshold line, recorded), firing at `end − u`, at `start` when u ≥ B, silent when u ≤ 0.
   */
  private open(pi: number): void {
    const p = this.net.populations[pi], { start, end } = p.window!, B = end - start;
    const A = this.A, pot = this.record.potential, bias = p.bias, sq = this.predicted!;
    for (let j = 0; j < p.size; j++) {
      const g = p.offset + j, u = bias[j] + A[g];
      pot[g] = u;
      if (u > 0) {
        const t = u >= B ? start : end - u;
        if (t < end) sq.set(g, t);
      }
    }
  }

  /** A relu arrival at t: adds w·x, x = start − t > 0, to each target's sum (kept in A). */
  private deliverRelu(pr: Projection, src: number, t: number): void {
    const x = pr.dst.window!.start - t, w = pr.weights, s = pr.scale, off = pr.dst.offset, A = this.A;
    if (pr.csr === null) {
      const n = pr.dst.size, row = src * n;
      if (x > 0) {
        if (s === 1) for (let j = 0; j < n; j++) A[off + j] += w[row + j] * x;
        else for (let j = 0; j < n; j++) A[off + j] += s * w[row + j] * x;
      }
      this.syn += n;
    } else {
      const { indptr, indices } = pr.csr;
      if (x > 0) for (let k = indptr[src]; k < indptr[src + 1]; k++) A[off + indices[k]] += s * w[k] * x;
      this.syn += indptr[src + 1] - indptr[src];
    }
  }

  private deliverContinuous(e: number, t: number, wave: number): void {
    const pr = this.projs[this.evProj[e]], src = this.evSrc[e];
    if (pr.kernel === 'relu') return this.deliverRelu(pr, src, t);
    const w = pr.weights, s = pr.scale, off = pr.dst.offset;
    const V = this.V, W = this.W, A = this.A, stamp = this.stamp, cand = this.cand;
    let nc = this.nc;
    if (pr.csr === null) {
      // a dense row: every target becomes a candidate, in increasing order
      const n = pr.dst.size, row = src * n;
      if (nc > 0 && cand[nc - 1] >= off) this.sorted = false;
      if (pr.kernel === 'ramp') {
        for (let j = 0; j < n; j++) {
          const g = off + j, x = s * w[row + j];
          W[g] += x;
          A[g] += x * t;
        }
      } else {
        for (let j = 0; j < n; j++) V[off + j] += s * w[row + j];
      }
      for (let j = 0; j < n; j++) {
        const g = off + j;
        if (stamp[g] !== wave) {
          stamp[g] = wave;
          cand[nc++] = g;
        }
      }
      this.syn += n;
    } else {
      const { indptr, indices } = pr.csr, ramp = pr.kernel === 'ramp';
      for (let k = indptr[src]; k < indptr[src + 1]; k++) {
        const g = off + indices[k], x = s * w[k];
        if (ramp) {
          W[g] += x;
          A[g] += x * t;
        } else V[g] += x;
        if (stamp[g] !== wave) {
          stamp[g] = wave;
          if (nc > 0 && cand[nc - 1] > g) this.sorted = false;
          cand[nc++] = g;
        }
      }
      this.syn += indptr[src + 1] - indptr[src];
    }
    this.nc = nc;
  }

  /** Marks neuron g as fired at t and queues its arrivals. */
  private fire(g: number, t: number): void {
    const rec = this.record, pop = this.popOf[g];
    rec.times[g] = t;
    if (!this.isRelu[pop]) {
      rec.potential[g] = this.V[g] + this.W[g] * t - this.A[g];
      rec.slope[g] = this.W[g];
    }
    this.V[g] = -Infinity;
    this.fired[g] = 1;
    this.stale[pop]++;
    if (!this.isDirty[pop]) {
      this.isDirty[pop] = 1;
      this.dirty[this.nDirty++] = pop;
    }
    if (pop === this.outIndex && t < this.decision) this.decision = t;
    const outs = this.outProj[pop], local = g - rec.populations[pop].offset, tmax = this.tmax;
    for (let k = 0; k < outs.length; k++) {
      const pr = this.projs[outs[k]];
      const a = t + pr.delay;
      if (a < tmax) {
        const id = this.projBase[pr.index] + local;
        if (this.buckets) this.buckets.push(a, id);
        else this.heap!.push(a, id);
      }
    }
  }

  private snapshot(): void {
    this.record.synapticEventsToDecision = this.syn;
  }

  /** The input lists, checked, with null (no spike) as Infinity. */
  private inputLists(inputs: SpikeTimes | readonly SpikeTimes[]): ArrayLike<number>[] {
    const pops = this.inputs;
    let lists: SpikeTimes[];
    if (pops.length === 0) lists = [];
    else if (pops.length === 1 && (inputs.length === 0 || typeof inputs[0] !== 'object' || inputs[0] === null)) {
      lists = [inputs as SpikeTimes];
    } else lists = Array.from(inputs as readonly SpikeTimes[]);
    if (lists.length !== pops.length) throw new RangeError(`Simulator.run: the network has ${pops.length} input populations, got ${lists.length} lists of spike times`);
    const discrete = this.buckets !== null;
    for (let k = 0; k < pops.length; k++) {
      const pop = pops[k], times = lists[k];
      if (!times || times.length !== pop.size) throw new RangeError(`Simulator.run: input '${pop.name}' has ${pop.size} neurons, got ${times ? times.length : 'no'} spike times`);
      let nulls = false;
      for (let i = 0; i < pop.size; i++) {
        const t = times[i];
        if (t === null) {
          nulls = true;
          continue;
        }
        if (typeof t !== 'number' || Number.isNaN(t) || t < 0) throw new RangeError(`Simulator.run: input '${pop.name}' neuron ${i}: spike time must be a number >= 0 (>= tmax for no spike), got ${String(t)}`);
        if (discrete && t < this.tmax && !Number.isInteger(t)) throw new RangeError(`Simulator.run: input '${pop.name}' neuron ${i}: spike time ${t} is not a whole step (discrete time)`);
      }
      if (nulls) lists[k] = Float64Array.from(times, (t) => t ?? Infinity);
    }
    return lists as ArrayLike<number>[];
  }
}

/** The SIMD forward pass of `net`, or null when no kernel takes it or the kernel memory cannot hold its scratch arrays. */
/** The SIMD path of `net`, or why it has none. */
function fastPath(net: Network, output: Population): { fast: WasmForward | WasmRelu | null; why: string | null } {
  const engine = engineBackend();
  if (engine.reason !== null) return { fast: null, why: engine.reason };
  const reluWhy = wasmReluIneligible(net, output), relu = reluWhy === null;
  const why = relu ? null : net.populations.some((p) => p.relu) ? reluWhy : wasmIneligible(net, output);
  if (why !== null) return { fast: null, why };
  try {
    return { fast: relu ? new WasmRelu(net, output) : new WasmForward(net, output), why: null };
  } catch (e) {
    if (e instanceof KernelMemoryFull) {
      return { fast: null, why: 'the kernel memory is over its budget (SPIKING_GAN_KERNEL_MB)' };
    }
    throw e;
  }
}

function shapeKey(net: Network): string {
  return `${net.populations.length}:${net.projections.length}`;
}

/** Sorts the first n entries of a small array in place (insertion sort; n is a handful of populations). */
function sortSmall(a: Int32Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}
