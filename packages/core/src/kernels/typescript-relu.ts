// The TypeScript layered pass of ReLU-equivalent neurons (kernel `relu`), the twin of the SIMD one
// (simd-relu.ts): layer by layer, the spikes of the layer below arrive in time order (ties by
// neuron index, as the event loop's queues order them) and add w·x to their targets' sums; each
// neuron's time then follows in closed form at its window start. Same operations in the same order
// as the simulator's event loop (engine/event-loop.ts), so the same bits.
import type { Network, Population } from '../engine/network.ts';
import type { RunRecord } from '../engine/record.ts';
import type { LayeredPass } from './ops.ts';

/** Why `net` cannot take a layered ReLU pass (null when it can). */
export function reluLayersIneligible(net: Network, output: Population): string | null {
  if (!net.layered) return 'not a layered chain of dense projections';
  if (output !== net.output) return 'the output is not the last layer';
  if (!net.populations[0].window) return 'the input has no window';
  for (const p of net.projections) if (p.kernel !== 'relu') return `${p.kernel} synapses`;
  return null;
}

/** A layered network of ReLU-equivalent neurons run layer by layer into a simulator's record. */
export class TypeScriptRelu implements LayeredPass {
  readonly backend = 'typescript';
  readonly checksInput = false;
  private readonly order: Int32Array;
  private readonly key: Float64Array;
  private readonly order2: Int32Array;
  private readonly key2: Float64Array;

  constructor(
    readonly net: Network,
    readonly record: RunRecord,
  ) {
    const why = reluLayersIneligible(net, net.output);
    if (why) throw new Error(`TypeScriptRelu: ${why}`);
    const widest = Math.max(...net.populations.map((p) => p.size));
    this.order = new Int32Array(widest);
    this.key = new Float64Array(widest);
    this.order2 = new Int32Array(widest);
    this.key2 = new Float64Array(widest);
  }

  /** Runs the network on the input spike times (checked by the caller) into the record; returns −1. */
  run(input: ArrayLike<number>, earlyStop: boolean): number {
    const net = this.net,
      rec = this.record,
      tmax = net.tmax,
      times = rec.times,
      pot = rec.potential;
    const pops = net.populations,
      L = pops.length;
    const in0 = pops[0];
    for (let i = 0; i < in0.size; i++) times[i] = input[i] < tmax ? input[i] : tmax;
    let syn = 0;
    for (let k = 1; k < L; k++) {
      const pr = net.projections[k - 1],
        src = pr.src,
        dst = pr.dst,
        n = dst.size;
      const { start, end } = dst.window!,
        B = end - start;
      const w = pr.weights,
        s = pr.scale,
        off = dst.offset,
        bias = dst.bias;
      for (let j = 0; j < n; j++) pot[off + j] = 0;
      const nf = this.sortFired(src, times, tmax);
      for (let q = 0; q < nf; q++) {
        const i = this.order[q],
          t = times[src.offset + i],
          x = start - t,
          row = i * n;
        if (x > 0) {
          if (s === 1) for (let j = 0; j < n; j++) pot[off + j] += w[row + j] * x;
          else for (let j = 0; j < n; j++) pot[off + j] += s * w[row + j] * x;
        }
        syn += n;
      }
      for (let j = 0; j < n; j++) {
        const u = bias[j] + pot[off + j];
        pot[off + j] = u;
        let t = tmax;
        if (u > 0) {
          t = u >= B ? start : end - u;
          if (!(t < end)) t = tmax;
        }
        times[off + j] = t;
      }
    }
    // counts, the decision (the output's first spike) and what was spent up to it
    const out = pops[L - 1],
      tOut = times.subarray(out.offset, out.offset + out.size);
    let dec = Infinity;
    for (let j = 0; j < out.size; j++) if (tOut[j] < dec) dec = tOut[j];
    const decided = dec < tmax;
    rec.stoppedEarly = earlyStop && decided;
    if (rec.stoppedEarly) for (let j = 0; j < out.size; j++) if (tOut[j] > dec) tOut[j] = tmax;
    for (const p of pops) {
      let all = 0,
        toDecision = 0;
      for (let g = p.offset; g < p.offset + p.size; g++) {
        const t = times[g];
        if (t < tmax) all++;
        if (t < tmax && t <= dec) toDecision++;
      }
      rec.spikes[p.index] = all;
      rec.spikesToDecision[p.index] = toDecision;
    }
    rec.synapticEvents = syn;
    rec.synapticEventsToDecision = syn; // every arrival comes before the output's window opens
    rec.decisionTime = decided ? dec : tmax;
    return -1;
  }

  /** Writes the neurons of `p` that fired into `order`, sorted by time then index; returns how many. */
  private sortFired(p: Population, times: Float64Array, tmax: number): number {
    let order = this.order,
      key = this.key,
      o2 = this.order2,
      k2 = this.key2;
    let nf = 0;
    for (let i = 0; i < p.size; i++) {
      const t = times[p.offset + i];
      if (t < tmax) {
        order[nf] = i;
        key[nf++] = t;
      }
    }
    // bottom-up merge sort, stable: collected in index order, so ties stay in index order
    for (let width = 1; width < nf; width *= 2) {
      for (let lo = 0; lo < nf; lo += 2 * width) {
        const mid = Math.min(lo + width, nf),
          hi = Math.min(lo + 2 * width, nf);
        let a = lo,
          b = mid,
          c = lo;
        while (a < mid && b < hi) {
          if (key[b] < key[a]) {
            o2[c] = order[b];
            k2[c++] = key[b++];
          } else {
            o2[c] = order[a];
            k2[c++] = key[a++];
          }
        }
        for (; a < mid; a++, c++) {
          o2[c] = order[a];
          k2[c] = key[a];
        }
        for (; b < hi; b++, c++) {
          o2[c] = order[b];
          k2[c] = key[b];
        }
      }
      [order, o2] = [o2, order];
      [key, k2] = [k2, key];
    }
    if (order !== this.order) this.order.set(order.subarray(0, nf));
    return nf;
  }
}
