// The event loop in discrete time (delta synapses): a bucket queue of arrivals per step; at each
// step, waves of arrivals (a zero delay queues a new wave at the same step), each applied whole
// before the thresholds are tested. Dense rows go to the neurons that have not fired yet through a
// live list per population, compacted as neurons fire.
import { BucketQueue } from './bucket-queue.ts';
import { EventLoop } from './event-loop.ts';
import type { Network, Population } from './network.ts';
import type { RunRecord } from './record.ts';

/** The event loop of a network in discrete time. */
export class DiscreteLoop extends EventLoop {
  private readonly buckets: BucketQueue;
  /** Per population, the neurons (local indices) that had not fired at the last compaction. */
  private readonly live: Int32Array;
  private readonly nLive: Int32Array;
  private readonly offsets: Int32Array;
  private readonly sizes: Int32Array;
  /** The threshold of populations whose neurons share one (NaN otherwise). */
  private readonly uniformTh: Float64Array;
  private readonly popStamp: Int32Array;
  private readonly touched: Int32Array;
  /** Populations with neurons that fired since their last compaction, and how many. */
  private readonly dirty: Int32Array;
  private readonly isDirty: Uint8Array;
  private readonly stale: Int32Array;
  private nDirty = 0;

  constructor(net: Network, output: Population, record: RunRecord) {
    super(net, output, record);
    const pops = net.populations;
    this.buckets = new BucketQueue(this.tmax, this.evProj.length);
    this.live = new Int32Array(net.size);
    this.nLive = new Int32Array(pops.length);
    this.offsets = Int32Array.from(pops, (p) => p.offset);
    this.sizes = Int32Array.from(pops, (p) => p.size);
    const uniform = (th: Float64Array) => th.length > 0 && th.every((x) => x === th[0]);
    this.uniformTh = Float64Array.from(pops, (p) => (uniform(p.threshold) ? p.threshold[0] : NaN));
    this.popStamp = new Int32Array(pops.length);
    this.touched = new Int32Array(pops.length);
    this.dirty = new Int32Array(pops.length);
    this.isDirty = new Uint8Array(pops.length);
    this.stale = new Int32Array(pops.length);
  }

  protected reset(): void {
    for (const p of this.record.populations) {
      this.nLive[p.index] = p.size;
      for (let j = 0; j < p.size; j++) this.live[p.offset + j] = j;
    }
    this.stale.fill(0);
    this.nDirty = 0;
    this.isDirty.fill(0);
    this.buckets.clear();
  }

  protected queue(t: number, id: number): void {
    this.buckets.push(t, id);
  }

  protected windowOpened(): boolean {
    return true; // (no windows in discrete time)
  }

  protected override fire(g: number, t: number): void {
    super.fire(g, t);
    const pop = this.popOf[g];
    this.stale[pop]++;
    if (!this.isDirty[pop]) {
      this.isDirty[pop] = 1;
      this.dirty[this.nDirty++] = pop;
    }
  }

  protected advance(earlyStop: boolean): boolean {
    const q = this.buckets,
      head = q.head,
      tail = q.tail,
      next = q.next;
    const V = this.V,
      TH = this.TH,
      stamp = this.stamp,
      cand = this.cand;
    const evProj = this.evProj,
      evSrc = this.evSrc,
      projs = this.projs;
    const live = this.live,
      nLive = this.nLive,
      popStamp = this.popStamp,
      touched = this.touched;
    const offsets = this.offsets,
      sizes = this.sizes,
      uniformTh = this.uniformTh;
    let snapped = false;
    for (let t = 0; t < this.tmax; t++) {
      let e = head[t];
      while (e >= 0) {
        const wave = ++this.wave;
        let nc = 0,
          nt = 0,
          csr = false;
        const end = tail[t];
        // 1. apply every arrival of the wave: dense rows add to the neurons that have not fired yet
        for (;;) {
          const pr = projs[evProj[e]],
            src = evSrc[e];
          const w = pr.weights,
            sc = pr.scale,
            off = pr.dst.offset;
          if (pr.csr === null) {
            const n = pr.dst.size,
              row = src * n,
              pi = pr.dst.index,
              nl = nLive[pi];
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
          const pi = touched[k],
            off = offsets[pi],
            nl = nLive[pi],
            size = sizes[pi];
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
    const live = this.live,
      fired = this.fired;
    for (let k = 0; k < this.nDirty; k++) {
      const pi = this.dirty[k],
        off = this.offsets[pi],
        nl = this.nLive[pi];
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
