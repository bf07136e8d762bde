// The event loop in continuous time: a heap of arrivals, a queue of predicted spikes (ramp neurons
// cross their threshold between arrivals) and the windows of ReLU-equivalent populations, which open
// in order of their start and fire their neurons in closed form.
import { ArrivalHeap } from './arrival-heap.ts';
import { EventLoop } from './event-loop.ts';
import type { Network, Population, Projection } from './network.ts';
import type { RunRecord } from './record.ts';
import { SpikeQueue } from './spike-queue.ts';

/** The event loop of a network in continuous time. */
export class ContinuousLoop extends EventLoop {
  private readonly heap: ArrivalHeap;
  private readonly predicted: SpikeQueue;
  /** ReLU-equivalent populations by window start (then index), opened in that order during a run. */
  private readonly openings: Int32Array;
  private nextOpen = 0;
  /** Candidates of the current wave, and whether they were added in neuron order. */
  private nc = 0;
  private sorted = true;

  constructor(net: Network, output: Population, record: RunRecord) {
    super(net, output, record);
    const pops = net.populations;
    this.heap = new ArrivalHeap(this.evProj.length);
    this.predicted = new SpikeQueue(net.size);
    const relu = pops.filter((p) => p.relu).sort((a, b) => a.window!.start - b.window!.start || a.index - b.index);
    this.openings = Int32Array.from(relu, (p) => p.index);
  }

  protected reset(): void {
    this.W.fill(0);
    this.A.fill(0);
    this.heap.clear();
    this.predicted.clear();
    this.nextOpen = 0;
  }

  protected queue(t: number, id: number): void {
    this.heap.push(t, id);
  }

  protected advance(earlyStop: boolean): boolean {
    const heap = this.heap,
      sq = this.predicted;
    const V = this.V,
      W = this.W,
      A = this.A,
      TH = this.TH,
      fired = this.fired;
    const stamp = this.stamp,
      cand = this.cand,
      tmax = this.tmax;
    let snapped = false;
    for (;;) {
      const ta = heap.peekTime(),
        tp = sq.peekTime(),
        to = this.nextOpenTime();
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
        while (heap.peekTime() === t) this.deliver(heap.pop(), t, wave);
        const nc = this.nc;
        if (nc > 1 && !this.sorted) cand.subarray(0, nc).sort();
        for (let c = 0; c < nc; c++) {
          const g = cand[c];
          if (fired[g]) continue;
          const w = W[g],
            th = TH[g],
            gap = th - V[g] + A[g]; // V(t) > θ  ⇔  w·t > gap
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
    if (this.nextOpen >= this.openings.length) return Infinity;
    return this.net.populations[this.openings[this.nextOpen]].window!.start;
  }

  protected windowOpened(pi: number): boolean {
    for (let k = 0; k < this.nextOpen; k++) if (this.openings[k] === pi) return true;
    return false;
  }

  /**
   * Opens the window of ReLU-equivalent population `pi`: u = D + Σ w·x (the potential above its
   * threshold line, recorded), firing at `end − u`, at `start` when u ≥ B, silent when u ≤ 0.
   */
  private open(pi: number): void {
    const p = this.net.populations[pi],
      { start, end } = p.window!,
      B = end - start;
    const A = this.A,
      pot = this.record.potential,
      bias = p.bias,
      sq = this.predicted;
    for (let j = 0; j < p.size; j++) {
      const g = p.offset + j,
        u = bias[j] + A[g];
      pot[g] = u;
      if (u > 0) {
        const t = u >= B ? start : end - u;
        if (t < end) sq.set(g, t);
      }
    }
  }

  /** A relu arrival at t: adds w·x, x = start − t > 0, to each target's sum (kept in A). */
  private deliverRelu(pr: Projection, src: number, t: number): void {
    const x = pr.dst.window!.start - t,
      w = pr.weights,
      s = pr.scale,
      off = pr.dst.offset,
      A = this.A;
    if (pr.csr === null) {
      const n = pr.dst.size,
        row = src * n;
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

  /** Arrival event `e` at t: delta (V += x), ramp (W += x, A += x·t) or relu; its targets become candidates. */
  private deliver(e: number, t: number, wave: number): void {
    const pr = this.projs[this.evProj[e]],
      src = this.evSrc[e];
    if (pr.kernel === 'relu') return this.deliverRelu(pr, src, t);
    const w = pr.weights,
      s = pr.scale,
      off = pr.dst.offset;
    const V = this.V,
      W = this.W,
      A = this.A,
      stamp = this.stamp,
      cand = this.cand;
    let nc = this.nc;
    if (pr.csr === null) {
      // a dense row: every target becomes a candidate, in increasing order
      const n = pr.dst.size,
        row = src * n;
      if (nc > 0 && cand[nc - 1] >= off) this.sorted = false;
      if (pr.kernel === 'ramp') {
        for (let j = 0; j < n; j++) {
          const g = off + j,
            x = s * w[row + j];
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
      const { indptr, indices } = pr.csr,
        ramp = pr.kernel === 'ramp';
      for (let k = indptr[src]; k < indptr[src + 1]; k++) {
        const g = off + indices[k],
          x = s * w[k];
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
}
