// The simulator: runs a network on input spike times, on a layered pass of the chosen kernels
// (src/kernels/) when the network has one, else on the general event loop.
import { chooseKernels, kernelsOf } from '../kernels/choose.ts';
import type { LayeredPass } from '../kernels/ops.ts';
import { ContinuousLoop } from './continuous-loop.ts';
import { DiscreteLoop } from './discrete-loop.ts';
import type { EventLoop } from './event-loop.ts';
import { checkInputs, type SpikeTimes } from './input-times.ts';
import type { Network, Population } from './network.ts';
import { RunRecord } from './record.ts';

export type { SpikeTimes } from './input-times.ts';

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
   * bit for bit); `typescript`: TypeScript only (the event loop, or for layered ReLU-equivalent
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
  private readonly inputs: Population[];
  private readonly shape: string;
  private readonly discrete: boolean;
  /** The layered pass that runs the network, or null: the event loop does. */
  private readonly pass: LayeredPass | null;
  private readonly loop: EventLoop | null;
  private readonly slowReason: string | null;

  constructor(
    readonly net: Network,
    opts: SimulatorOptions = {},
  ) {
    const pops = net.populations;
    if (pops.length === 0) throw new Error('Simulator: the network has no population');
    const output = opts.output ?? net.output;
    if (pops[output.index] !== output)
      throw new Error(`Simulator: output population '${output.name}' is not in this network`);
    this.inputs = net.inputs;
    this.shape = shapeKey(net);
    this.discrete = net.time === 'discrete';
    this.record = new RunRecord(net.tmax, pops.slice(), output, net.size);
    const backend = opts.backend ?? 'auto',
      chosen = chooseKernels(backend);
    const path =
      backend === 'event-loop' ? { pass: null, why: null } : kernelsOf(chosen).layeredPass(net, output, this.record);
    this.pass = path.pass;
    this.slowReason = chosen.reason ?? path.why;
    const Loop = this.discrete ? DiscreteLoop : ContinuousLoop;
    this.loop = this.pass ? null : new Loop(net, output, this.record);
  }

  /**
   * Which path runs this network: the WebAssembly SIMD kernel or TypeScript (the event loop, or its layered ReLU
   * form).
   */
  get backend(): 'wasm-simd' | 'typescript' {
    return this.pass ? this.pass.backend : 'typescript';
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
    if (shapeKey(this.net) !== this.shape)
      throw new Error('Simulator: the network changed shape since the simulator was built; build a new Simulator');
    const earlyStop = opts.earlyStop === true;
    if (this.pass) {
      // a pass that checks the times of a Float64Array itself gets it as it is; anything else is checked here first
      const raw = this.pass.checksInput && inputs instanceof Float64Array && inputs.length === this.inputs[0].size;
      if (this.pass.run(raw ? inputs : this.checked(inputs)[0], earlyStop) >= 0) {
        this.checked(inputs);
        throw new Error('Simulator.run: the SIMD kernel refused an input time that the checks accept');
      }
      return this.record;
    }
    return this.loop!.run(this.checked(inputs), earlyStop);
  }

  private checked(inputs: SpikeTimes | readonly SpikeTimes[]): ArrayLike<number>[] {
    return checkInputs(this.inputs, inputs, this.record.tmax, this.discrete);
  }
}

function shapeKey(net: Network): string {
  return `${net.populations.length}:${net.projections.length}`;
}
