// The SIMD forward passes of build/kernels.wasm behind Simulator.run: layered networks of dense
// projections, run layer by layer on the weights where they live, either delta synapses in
// discrete time (`forward`, assembly/kernels.ts) or ramp synapses in continuous time
// (`rampForward`, assembly/ramp.ts). Each writes the same record as the event loop of
// simulator.ts, bit for bit (test/wasm-engine.test.ts checks every field).
import { allocF64, allocI32, kernels, offsetOf, type Kernels } from './kernel-memory.ts';
import type { Network, Population } from './network.ts';
import type { RunRecord } from './record.ts';

/** Longest discrete window the delta kernel takes (its counting sort keeps one counter per step). */
const MAX_TMAX = 1 << 20;

/** Why `net` cannot take a SIMD path (null when it can). */
export function wasmIneligible(net: Network, output: Population): string | null {
  if (!kernels()) return 'no kernels';
  if (!net.layered) return 'not a layered chain of dense projections';
  if (output.index === 0) return 'the output is the input population';
  const kernel = net.time === 'discrete' ? 'delta' : 'ramp';
  if (net.time === 'discrete' && net.tmax > MAX_TMAX) return `tmax above ${MAX_TMAX}`;
  for (const p of net.projections) {
    if (p.kernel !== kernel) return `${p.kernel} synapses in ${net.time} time`;
    if (kernel === 'delta' && p.delay < 1) return 'zero delay in discrete time (waves within a step)';
    if (offsetOf(p.weights) < 0) return 'weights outside the kernel memory';
  }
  return null;
}

/** The kernel memory is over its budget: the simulator takes the TypeScript path instead. */
export class KernelMemoryFull extends Error {
  override name = 'KernelMemoryFull';

  constructor() {
    super('kernel memory over its budget');
  }
}

/**
 * A kernel's descriptor of `bytes` in the kernel memory (as Int32 and Float64 views), and `own`,
 * which keeps a scratch array alive in `keep` and returns its offset (both throw KernelMemoryFull
 * when the memory is over its budget).
 */
export function kernelDescriptor(bytes: number, keep: ArrayBufferView[]): { desc: Int32Array; f64: Float64Array; own: (a: Float64Array | Int32Array) => number } {
  const desc = allocI32(bytes / 4);
  if (offsetOf(desc) < 0) throw new KernelMemoryFull();
  const own = (a: Float64Array | Int32Array): number => {
    keep.push(a);
    const off = offsetOf(a);
    if (off < 0) throw new KernelMemoryFull();
    return off;
  };
  return { desc, f64: new Float64Array(desc.buffer, offsetOf(desc), bytes / 8), own };
}

/** Byte layouts of the two descriptors (header, per population, per projection). */
const LAYOUT = {
  delta: { HDR: 64, POP: 32, PRJ: 16, scaleAt: 8 },
  ramp: { HDR: 80, POP: 32, PRJ: 24, scaleAt: 16 },
} as const;

/** One network's descriptor and scratch arrays in the kernel memory, and the call that runs it. */
export class WasmForward {
  /** Spike times of every neuron; the caller writes the input times here before `run`. */
  readonly times: Float64Array;
  private readonly potential: Float64Array;
  private readonly slope: Float64Array | null;
  private readonly desc: Int32Array;
  private readonly descF64: Float64Array;
  private readonly k: Kernels;
  private readonly ramp: boolean;
  // the scratch arrays are only reached through the descriptor: keep them alive with it
  private readonly keep: ArrayBufferView[] = [];

  constructor(readonly net: Network, output: Population) {
    const why = wasmIneligible(net, output);
    if (why) throw new Error(`WasmForward: ${why}`);
    this.k = kernels()!;
    this.ramp = net.time === 'continuous';
    const { HDR, POP, PRJ } = LAYOUT[this.ramp ? 'ramp' : 'delta'];
    const pops = net.populations, L = pops.length, n = net.size, widest = Math.max(...pops.map((p) => p.size));
    const bytes = HDR + L * POP + (L - 1) * PRJ;
    const { desc, f64, own } = kernelDescriptor(bytes, this.keep);
    this.desc = desc;
    this.descF64 = f64;
    const d = this.desc, f = this.descF64;
    this.times = allocF64(n);
    this.potential = allocF64(n);
    d[0] = L;
    if (this.ramp) {
      this.slope = allocF64(n);
      d[1] = output.index;
      f[1] = net.tmax;
      [d[4], d[5], d[6], d[7], d[8], d[9]] = [allocF64(n), allocF64(n), this.times, this.potential, this.slope, allocF64(n)].map(own); // W, A, T, P, S, key
      const waves = widest + 1;
      [d[10], d[11], d[12], d[13], d[14]] = [allocI32(widest), allocI32(waves), allocF64(waves), allocF64(waves), allocI32(widest)].map(own); // rows, wave ends, wave times, wave keys, sort scratch
    } else {
      this.slope = null;
      d[1] = net.tmax;
      d[2] = output.index;
      [d[3], d[4], d[5]] = [allocF64(n), this.times, this.potential].map(own); // V, T, P
      [d[6], d[7], d[12], d[13], d[14]] = [allocI32(widest), allocI32(net.tmax + 1), allocI32(net.tmax), allocI32(net.tmax), allocI32(widest)].map(own); // rows, counters, step ends, step times, sort scratch
    }
    for (const p of pops) {
      const q = (HDR + p.index * POP) / 4;
      d[q] = p.size;
      d[q + 1] = p.offset;
      if (!p.isInput) {
        const th = allocF64(p.size);
        th.set(p.threshold);
        d[q + 2] = own(th);
        if (!this.ramp) d[q + 7] = p.threshold.every((x) => x === p.threshold[0]) ? 1 : 0;
      }
      d[q + 3] = own(allocI32(p.size));
    }
    for (const pr of net.projections) {
      const q = (HDR + L * POP + pr.index * PRJ) / 4;
      d[q] = offsetOf(pr.weights);
      if (this.ramp) f[q / 2 + 1] = pr.delay;
      else d[q + 1] = pr.delay;
    }
  }

  /**
   * Runs the kernel on the input times already in `times` and fills `rec`. Returns -1, or the
   * first input neuron whose time the kernel refuses (then `rec` is left alone).
   */
  run(rec: RunRecord, earlyStop: boolean): number {
    const net = this.net, d = this.desc, f = this.descF64, L = net.populations.length, tmax = net.tmax;
    const { HDR, POP, PRJ, scaleAt } = LAYOUT[this.ramp ? 'ramp' : 'delta'];
    for (const pr of net.projections) f[(HDR + L * POP + pr.index * PRJ + scaleAt) / 8] = pr.scale;
    let decision: number, syn: number, synDecision: number, stopped: boolean;
    if (this.ramp) {
      const bad = this.k.rampForward(offsetOf(d), earlyStop ? 1 : 0);
      if (bad > 0) return bad - 1;
      [syn, synDecision, stopped, decision] = [d[15], d[16], d[17] === 1, f[9]];
      rec.slope.set(this.slope!);
    } else {
      this.k.forward(offsetOf(d), earlyStop ? 1 : 0);
      if (d[15] >= 0) return d[15];
      [syn, synDecision, decision, stopped] = [d[8], d[9], d[10], d[11] === 1];
    }
    rec.times.set(this.times);
    rec.potential.set(this.potential);
    for (let p = 0; p < L; p++) {
      const q = (HDR + p * POP) / 4;
      rec.spikes[p] = d[q + 6];
      rec.spikesToDecision[p] = d[q + 5];
    }
    rec.synapticEvents = syn;
    rec.synapticEventsToDecision = synDecision;
    rec.decisionTime = decision < tmax ? decision : tmax;
    rec.stoppedEarly = stopped;
    return -1;
  }
}
