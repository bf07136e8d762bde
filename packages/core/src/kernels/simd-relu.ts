// The SIMD forward pass of layered networks of ReLU-equivalent neurons (`reluForward`,
// assembly/relu.ts): the layer-by-layer pass of typescript-relu.ts on the weights and biases where
// they live, writing the same record bit for bit (test/wasm-relu.test.ts checks every field against
// both TypeScript paths).
import { allocF64, allocI32, offsetOf, type Kernels } from '../engine/kernel-memory.ts';
import type { Network, Population } from '../engine/network.ts';
import type { RunRecord } from '../engine/record.ts';
import { Descriptor } from './descriptor.ts';
import {
  RELU_COUNTERS,
  RELU_DECISION,
  RELU_HEADER,
  RELU_KEYS,
  RELU_KEYS2,
  RELU_LAYERS,
  RELU_LIST,
  RELU_LIST2,
  RELU_P,
  RELU_POP_BIAS,
  RELU_POP_BYTES,
  RELU_POP_END,
  RELU_POP_OFFSET,
  RELU_POP_SCALE,
  RELU_POP_SIZE,
  RELU_POP_SPIKES,
  RELU_POP_SPIKES_TO_DECISION,
  RELU_POP_START,
  RELU_POP_WEIGHTS,
  RELU_ROWS,
  RELU_STOPPED,
  RELU_SYN,
  RELU_T,
  RELU_TMAX,
  RELU_XS,
} from './layout.ts';
import type { LayeredPass } from './ops.ts';
import { reluLayersIneligible } from './typescript-relu.ts';

/** Why `net` cannot take the SIMD relu pass (null when it can). */
export function simdReluIneligible(net: Network, output: Population): string | null {
  const why = reluLayersIneligible(net, output);
  if (why) return why;
  for (const p of net.projections) if (offsetOf(p.weights) < 0) return 'weights outside the kernel memory';
  for (const p of net.populations) if (!p.isInput && offsetOf(p.bias) < 0) return 'biases outside the kernel memory';
  return null;
}

/** One relu network's descriptor and scratch arrays in the kernel memory, and the call that runs it. */
export class SimdRelu implements LayeredPass {
  readonly backend = 'wasm-simd';
  readonly checksInput = true;
  /** Spike times of every neuron (the input's are written here before each run). */
  private readonly times: Float64Array;
  private readonly potential: Float64Array;
  private readonly d: Descriptor;

  /** Throws KernelMemoryFull when the kernel memory cannot hold the descriptor and its scratch arrays. */
  constructor(
    private readonly k: Kernels,
    readonly net: Network,
    output: Population,
    readonly record: RunRecord,
  ) {
    const why = simdReluIneligible(net, output);
    if (why) throw new Error(`SimdRelu: ${why}`);
    const pops = net.populations,
      L = pops.length,
      n = net.size,
      widest = Math.max(...pops.map((p) => p.size));
    const d = (this.d = new Descriptor(RELU_HEADER + L * RELU_POP_BYTES));
    this.times = allocF64(n);
    this.potential = allocF64(n);
    d.setI32(RELU_LAYERS, L);
    d.setF64(RELU_TMAX, net.tmax);
    d.own(RELU_T, this.times);
    d.own(RELU_P, this.potential);
    d.own(RELU_ROWS, allocI32(widest));
    d.own(RELU_XS, allocF64(widest));
    d.own(RELU_LIST, allocI32(widest));
    d.own(RELU_KEYS, allocF64(widest));
    d.own(RELU_LIST2, allocI32(widest));
    d.own(RELU_KEYS2, allocF64(widest));
    d.own(RELU_COUNTERS, allocI32(widest + 1));
    for (const p of pops) {
      const q = RELU_HEADER + p.index * RELU_POP_BYTES;
      d.setI32(q + RELU_POP_SIZE, p.size);
      d.setI32(q + RELU_POP_OFFSET, p.offset);
      d.setF64(q + RELU_POP_START, p.window!.start);
      d.setF64(q + RELU_POP_END, p.window!.end);
      if (p.isInput) continue;
      d.setPtr(q + RELU_POP_BIAS, p.bias);
      d.setPtr(q + RELU_POP_WEIGHTS, net.projections[p.index - 1].weights);
    }
  }

  run(input: ArrayLike<number>, earlyStop: boolean): number {
    const d = this.d,
      rec = this.record,
      L = this.net.populations.length;
    this.times.set(input);
    for (const pr of this.net.projections) {
      d.setF64(RELU_HEADER + pr.dst.index * RELU_POP_BYTES + RELU_POP_SCALE, pr.scale);
    }
    const bad = this.k.reluForward(d.offset, earlyStop ? 1 : 0);
    if (bad > 0) return bad - 1;
    rec.times.set(this.times);
    rec.potential.set(this.potential);
    for (let p = 0; p < L; p++) {
      const q = RELU_HEADER + p * RELU_POP_BYTES;
      rec.spikesToDecision[p] = d.getI32(q + RELU_POP_SPIKES_TO_DECISION);
      rec.spikes[p] = d.getI32(q + RELU_POP_SPIKES);
    }
    rec.synapticEvents = d.getI32(RELU_SYN);
    rec.synapticEventsToDecision = rec.synapticEvents; // every arrival comes before the output's window opens
    rec.stoppedEarly = d.getI32(RELU_STOPPED) === 1;
    rec.decisionTime = d.getF64(RELU_DECISION);
    return -1;
  }
}
