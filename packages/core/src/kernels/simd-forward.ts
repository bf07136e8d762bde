// The SIMD forward passes of layered networks of dense projections: delta synapses in discrete time
// (`forward`, assembly/kernels.ts) or ramp synapses in continuous time (`rampForward`,
// assembly/ramp.ts), run layer by layer on the weights where they live. Each writes the same record
// as the simulator's event loop, bit for bit (test/wasm-engine.test.ts checks every field).
import { allocF64, allocI32, offsetOf, type Kernels } from '../engine/kernel-memory.ts';
import type { Network, Population } from '../engine/network.ts';
import type { RunRecord } from '../engine/record.ts';
import { Descriptor } from './descriptor.ts';
import {
  DELTA_BAD_INPUT,
  DELTA_COUNTERS,
  DELTA_DECISION,
  DELTA_HEADER,
  DELTA_LAYERS,
  DELTA_OUTPUT,
  DELTA_P,
  DELTA_PRJ_BYTES,
  DELTA_PRJ_DELAY,
  DELTA_PRJ_SCALE,
  DELTA_PRJ_WEIGHTS,
  DELTA_ROWS,
  DELTA_SORT,
  DELTA_STEP_ENDS,
  DELTA_STEP_TIMES,
  DELTA_STOPPED,
  DELTA_SYN,
  DELTA_SYN_TO_DECISION,
  DELTA_T,
  DELTA_TMAX,
  DELTA_V,
  POP_BYTES,
  POP_LIST,
  POP_OFFSET,
  POP_SIZE,
  POP_SPIKES,
  POP_SPIKES_TO_DECISION,
  POP_THRESHOLDS,
  POP_UNIFORM,
  RAMP_A,
  RAMP_DECISION,
  RAMP_HEADER,
  RAMP_K,
  RAMP_LAYERS,
  RAMP_OUTPUT,
  RAMP_P,
  RAMP_PRJ_BYTES,
  RAMP_PRJ_DELAY,
  RAMP_PRJ_SCALE,
  RAMP_PRJ_WEIGHTS,
  RAMP_ROWS,
  RAMP_S,
  RAMP_SORT,
  RAMP_STOPPED,
  RAMP_SYN,
  RAMP_SYN_TO_DECISION,
  RAMP_T,
  RAMP_TMAX,
  RAMP_W,
  RAMP_WAVE_ENDS,
  RAMP_WAVE_KEYS,
  RAMP_WAVE_TIMES,
} from './layout.ts';
import type { LayeredPass } from './ops.ts';

/** Longest discrete window the delta kernel takes (its counting sort keeps one counter per step). */
const MAX_TMAX = 1 << 20;

/** Why `net` cannot take the SIMD delta or ramp pass (null when it can). */
export function simdForwardIneligible(net: Network, output: Population): string | null {
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

/** One network's descriptor and scratch arrays in the kernel memory, and the call that runs it. */
export class SimdForward implements LayeredPass {
  readonly backend = 'wasm-simd';
  readonly checksInput = true;
  /** Spike times of every neuron (the input's are written here before each run). */
  private readonly times: Float64Array;
  private readonly potential: Float64Array;
  private readonly slope: Float64Array | null;
  private readonly d: Descriptor;
  private readonly ramp: boolean;
  /** Byte offsets in the descriptor of the first population and projection records. */
  private readonly pops: number;
  private readonly prjs: number;

  /** Throws KernelMemoryFull when the kernel memory cannot hold the descriptor and its scratch arrays. */
  constructor(
    private readonly k: Kernels,
    readonly net: Network,
    output: Population,
    readonly record: RunRecord,
  ) {
    const why = simdForwardIneligible(net, output);
    if (why) throw new Error(`SimdForward: ${why}`);
    this.ramp = net.time === 'continuous';
    const header = this.ramp ? RAMP_HEADER : DELTA_HEADER,
      prjBytes = this.ramp ? RAMP_PRJ_BYTES : DELTA_PRJ_BYTES;
    const pops = net.populations,
      L = pops.length,
      n = net.size,
      widest = Math.max(...pops.map((p) => p.size));
    this.pops = header;
    this.prjs = header + L * POP_BYTES;
    const d = (this.d = new Descriptor(this.prjs + (L - 1) * prjBytes));
    this.times = allocF64(n);
    this.potential = allocF64(n);
    this.slope = this.ramp ? allocF64(n) : null;
    if (this.ramp) {
      d.setI32(RAMP_LAYERS, L);
      d.setI32(RAMP_OUTPUT, output.index);
      d.setF64(RAMP_TMAX, net.tmax);
      d.own(RAMP_W, allocF64(n));
      d.own(RAMP_A, allocF64(n));
      d.own(RAMP_T, this.times);
      d.own(RAMP_P, this.potential);
      d.own(RAMP_S, this.slope!);
      d.own(RAMP_K, allocF64(n));
      const waves = widest + 1;
      d.own(RAMP_ROWS, allocI32(widest));
      d.own(RAMP_WAVE_ENDS, allocI32(waves));
      d.own(RAMP_WAVE_TIMES, allocF64(waves));
      d.own(RAMP_WAVE_KEYS, allocF64(waves));
      d.own(RAMP_SORT, allocI32(widest));
    } else {
      d.setI32(DELTA_LAYERS, L);
      d.setI32(DELTA_TMAX, net.tmax);
      d.setI32(DELTA_OUTPUT, output.index);
      d.own(DELTA_V, allocF64(n));
      d.own(DELTA_T, this.times);
      d.own(DELTA_P, this.potential);
      d.own(DELTA_ROWS, allocI32(widest));
      d.own(DELTA_COUNTERS, allocI32(net.tmax + 1));
      d.own(DELTA_STEP_ENDS, allocI32(net.tmax));
      d.own(DELTA_STEP_TIMES, allocI32(net.tmax));
      d.own(DELTA_SORT, allocI32(widest));
    }
    for (const p of pops) {
      const q = this.pops + p.index * POP_BYTES;
      d.setI32(q + POP_SIZE, p.size);
      d.setI32(q + POP_OFFSET, p.offset);
      if (!p.isInput) {
        const th = allocF64(p.size);
        th.set(p.threshold);
        d.own(q + POP_THRESHOLDS, th);
        if (!this.ramp) d.setI32(q + POP_UNIFORM, p.threshold.every((x) => x === p.threshold[0]) ? 1 : 0);
      }
      d.own(q + POP_LIST, allocI32(p.size));
    }
    for (const pr of net.projections) {
      const r = this.prjs + pr.index * prjBytes;
      d.setPtr(r + (this.ramp ? RAMP_PRJ_WEIGHTS : DELTA_PRJ_WEIGHTS), pr.weights);
      if (this.ramp) d.setF64(r + RAMP_PRJ_DELAY, pr.delay);
      else d.setI32(r + DELTA_PRJ_DELAY, pr.delay);
    }
  }

  run(input: ArrayLike<number>, earlyStop: boolean): number {
    const net = this.net,
      d = this.d,
      rec = this.record,
      L = net.populations.length,
      tmax = net.tmax;
    const prjBytes = this.ramp ? RAMP_PRJ_BYTES : DELTA_PRJ_BYTES;
    const scaleAt = this.ramp ? RAMP_PRJ_SCALE : DELTA_PRJ_SCALE;
    // (the kernels clamp times at tmax themselves)
    this.times.set(input);
    for (const pr of net.projections) d.setF64(this.prjs + pr.index * prjBytes + scaleAt, pr.scale);
    let decision: number, syn: number, synDecision: number, stopped: boolean;
    if (this.ramp) {
      const bad = this.k.rampForward(d.offset, earlyStop ? 1 : 0);
      if (bad > 0) return bad - 1;
      syn = d.getI32(RAMP_SYN);
      synDecision = d.getI32(RAMP_SYN_TO_DECISION);
      stopped = d.getI32(RAMP_STOPPED) === 1;
      decision = d.getF64(RAMP_DECISION);
      rec.slope.set(this.slope!);
    } else {
      this.k.forward(d.offset, earlyStop ? 1 : 0);
      const bad = d.getI32(DELTA_BAD_INPUT);
      if (bad >= 0) return bad;
      syn = d.getI32(DELTA_SYN);
      synDecision = d.getI32(DELTA_SYN_TO_DECISION);
      decision = d.getI32(DELTA_DECISION);
      stopped = d.getI32(DELTA_STOPPED) === 1;
    }
    rec.times.set(this.times);
    rec.potential.set(this.potential);
    for (let p = 0; p < L; p++) {
      const q = this.pops + p * POP_BYTES;
      rec.spikes[p] = d.getI32(q + POP_SPIKES);
      rec.spikesToDecision[p] = d.getI32(q + POP_SPIKES_TO_DECISION);
    }
    rec.synapticEvents = syn;
    rec.synapticEventsToDecision = synDecision;
    rec.decisionTime = decision < tmax ? decision : tmax;
    rec.stoppedEarly = stopped;
    return -1;
  }
}
