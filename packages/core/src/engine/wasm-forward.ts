// The SIMD forward pass: a layered network of dense delta projections in discrete time, run by the
// `forward` kernel of build/kernels.wasm (layer by layer, eight neurons per pass) on the weights where they live. It writes the same record
// as the event loop of simulator.ts, bit for bit (tests/wasm-engine.test.ts checks every field).
import { allocF64, allocI32, kernels, offsetOf, type Kernels } from './kernel-memory.ts';
import type { Network, Population } from './network.ts';
import type { RunRecord } from './record.ts';

const HDR = 64, POP = 32, PRJ = 16;
/** Longest window the kernel takes (its counting sort keeps one counter per step). */
const MAX_TMAX = 1 << 20;

/** Why `net` cannot take the SIMD path (null when it can). */
export function wasmIneligible(net: Network, output: Population): string | null {
  if (!kernels()) return 'no kernels';
  if (net.time !== 'discrete') return 'continuous time';
  if (!net.layered) return 'not a layered chain of dense projections';
  if (net.tmax > MAX_TMAX) return `tmax above ${MAX_TMAX}`;
  if (output.index === 0) return 'the output is the input population';
  for (const p of net.projections) {
    if (p.kernel !== 'delta') return 'ramp kernel';
    if (p.delay < 1) return 'zero delay (waves within a step)';
    if (offsetOf(p.weights) < 0) return 'weights outside the kernel memory';
  }
  return null;
}

/** One network's descriptor and scratch arrays in the kernel memory, and the call that runs it. */
export class WasmForward {
  /** Spike times of every neuron; the caller writes the input times here before `run`. */
  readonly times: Float64Array;
  private readonly potential: Float64Array;
  private readonly desc: Int32Array;
  private readonly descF64: Float64Array;
  private readonly k: Kernels;
  // the scratch arrays are only reached through the descriptor: keep them alive with it
  private readonly keep: ArrayBufferView[] = [];

  constructor(readonly net: Network, output: Population) {
    const why = wasmIneligible(net, output);
    if (why) throw new Error(`WasmForward: ${why}`);
    this.k = kernels()!;
    const pops = net.populations, L = pops.length, n = net.size;
    const bytes = HDR + L * POP + (L - 1) * PRJ;
    this.desc = allocI32(bytes / 4);
    const off = offsetOf(this.desc);
    this.descF64 = new Float64Array(this.desc.buffer, off, bytes / 8);
    const own = <T extends Float64Array | Int32Array>(a: T): number => {
      this.keep.push(a);
      return offsetOf(a);
    };
    const d = this.desc;
    const V = allocF64(n);
    this.times = allocF64(n);
    this.potential = allocF64(n);
    d[0] = L;
    d[1] = net.tmax;
    d[2] = output.index;
    d[3] = own(V);
    d[4] = own(this.times);
    d[5] = own(this.potential);
    d[6] = own(allocI32(Math.max(...pops.map((p) => p.size))));
    d[7] = own(allocI32(net.tmax + 1));
    d[12] = own(allocI32(net.tmax));
    d[13] = own(allocI32(net.tmax));
    d[14] = own(allocI32(Math.max(...pops.map((p) => p.size))));
    for (const p of pops) {
      const q = (HDR + p.index * POP) / 4;
      d[q] = p.size;
      d[q + 1] = p.offset;
      if (!p.isInput) {
        const th = allocF64(p.size);
        th.set(p.threshold);
        d[q + 2] = own(th);
        d[q + 7] = p.threshold.every((x) => x === p.threshold[0]) ? 1 : 0;
      }
      d[q + 3] = own(allocI32(p.size));
    }
    for (const pr of net.projections) {
      const q = (HDR + L * POP + pr.index * PRJ) / 4;
      d[q] = offsetOf(pr.weights);
      d[q + 1] = pr.delay;
    }
  }

  /**
   * Runs the kernel on the input times already in `times` and fills `rec`. Returns -1, or the
   * first input neuron whose time is not a whole step >= 0 (then `rec` is left alone).
   */
  run(rec: RunRecord, earlyStop: boolean): number {
    const net = this.net, d = this.desc, L = net.populations.length, tmax = net.tmax;
    for (const pr of net.projections) this.descF64[(HDR + L * POP + pr.index * PRJ + 8) / 8] = pr.scale;
    this.k.forward(offsetOf(d), earlyStop ? 1 : 0);
    if (d[15] >= 0) return d[15];
    rec.times.set(this.times);
    rec.potential.set(this.potential);
    for (let p = 0; p < L; p++) {
      const q = (HDR + p * POP) / 4;
      rec.spikes[p] = d[q + 6];
      rec.spikesToDecision[p] = d[q + 5];
    }
    rec.synapticEvents = d[8];
    rec.synapticEventsToDecision = d[9];
    rec.decisionTime = d[10] < tmax ? d[10] : tmax;
    rec.stoppedEarly = d[11] === 1;
    return -1;
  }
}
