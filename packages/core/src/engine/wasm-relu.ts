// The SIMD forward pass of layered networks of ReLU-equivalent neurons (`reluForward`,
// assembly/relu.ts) behind Simulator.run: the layered form of the event loop (relu-forward.ts) on
// the weights and biases where they live, writing the same record bit for bit
// (test/wasm-relu.test.ts checks every field against both TypeScript paths).
import { allocF64, allocI32, kernels, offsetOf, type Kernels } from './kernel-memory.ts';
import type { Network, Population } from './network.ts';
import type { RunRecord } from './record.ts';
import { reluIneligible } from './relu-forward.ts';
import { kernelDescriptor } from './wasm-forward.ts';

/** Why `net` cannot take the SIMD relu path (null when it can). */
export function wasmReluIneligible(net: Network, output: Population): string | null {
  if (!kernels()) return 'no kernels';
  const why = reluIneligible(net, output);
  if (why) return why;
  for (const p of net.projections) if (offsetOf(p.weights) < 0) return 'weights outside the kernel memory';
  for (const p of net.populations) if (!p.isInput && offsetOf(p.bias) < 0) return 'biases outside the kernel memory';
  return null;
}

/** Byte layout of the descriptor (header, per population; see assembly/relu.ts). */
const HDR = 64;
const POP = 48;

/** One relu network's descriptor and scratch arrays in the kernel memory, and the call that runs it. */
export class WasmRelu {
  /** Spike times of every neuron; the caller writes the input times here before `run`. */
  readonly times: Float64Array;
  private readonly potential: Float64Array;
  private readonly desc: Int32Array;
  private readonly descF64: Float64Array;
  private readonly k: Kernels;
  // the scratch arrays are only reached through the descriptor: keep them alive with it
  private readonly keep: ArrayBufferView[] = [];

  constructor(readonly net: Network, output: Population) {
    const why = wasmReluIneligible(net, output);
    if (why) throw new Error(`WasmRelu: ${why}`);
    this.k = kernels()!;
    const pops = net.populations, L = pops.length, n = net.size, widest = Math.max(...pops.map((p) => p.size));
    const bytes = HDR + L * POP;
    const { desc, f64, own } = kernelDescriptor(bytes, this.keep);
    this.desc = desc;
    this.descF64 = f64;
    const d = this.desc, f = this.descF64;
    this.times = allocF64(n);
    this.potential = allocF64(n);
    d[0] = L;
    f[1] = net.tmax;
    // T, P, row pointers, x per row, sort list and keys, sort scratch list and keys, bucket counters
    const list = () => [allocI32(widest), allocF64(widest)];
    const scratch = [...list(), ...list(), ...list()];
    [d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11]] = [this.times, this.potential, ...scratch].map(own);
    d[1] = own(allocI32(widest + 1));
    for (const p of pops) {
      const q = (HDR + p.index * POP) / 4;
      d[q] = p.size;
      d[q + 1] = p.offset;
      f[q / 2 + 3] = p.window!.start;
      f[q / 2 + 4] = p.window!.end;
      if (p.isInput) continue;
      d[q + 2] = offsetOf(p.bias);
      d[q + 3] = offsetOf(net.projections[p.index - 1].weights);
    }
  }

  /**
   * Runs the kernel on the input times already in `times` and fills `rec`. Returns -1, or the
   * first input neuron whose time the kernel refuses (then `rec` is left alone).
   */
  run(rec: RunRecord, earlyStop: boolean): number {
    const d = this.desc, f = this.descF64, L = this.net.populations.length;
    for (const pr of this.net.projections) f[(HDR + pr.dst.index * POP + 40) / 8] = pr.scale;
    const bad = this.k.reluForward(offsetOf(d), earlyStop ? 1 : 0);
    if (bad > 0) return bad - 1;
    rec.times.set(this.times);
    rec.potential.set(this.potential);
    for (let p = 0; p < L; p++) {
      const q = (HDR + p * POP) / 4;
      rec.spikesToDecision[p] = d[q + 4];
      rec.spikes[p] = d[q + 5];
    }
    rec.synapticEvents = d[12];
    rec.synapticEventsToDecision = d[12]; // every arrival comes before the output's window opens
    rec.stoppedEarly = d[13] === 1;
    rec.decisionTime = f[7];
    return -1;
  }
}
