// A layered network of ReLU-equivalent neurons used in value space (x = window end − t): the spiking
// network (engine run, exact gradient from its record) and its float twin behind one interface, so
// that a trainer can run either and compare them step for step.
import type { Network } from '../engine/network.ts';
import { Simulator } from '../engine/simulator.ts';
import type { RunRecord } from '../engine/record.ts';
import { timesToValues, valuesToTimes } from '../coding/relu-code.ts';
import { Backprop, type GradientSink } from './backprop.ts';
import { FloatTwin } from './float-twin.ts';

/** Forward and backward of a layered ReLU-equivalent network on input values. */
export interface ValuePass {
  /** The network whose weights and biases are used (and trained through a sink). */
  readonly net: Network;
  /** Runs on input values x ≥ 0; returns the output values (the potential readout u with `readout`). */
  forward(x: ArrayLike<number>): Float64Array;
  /** Backprop of ∂L/∂output through the last forward into `sink`; returns ∂L/∂x of the input (with `inputGrad`). */
  backward(gOut: ArrayLike<number>, sink: GradientSink | null, inputGrad?: boolean): Float64Array;
  /** Spikes (neurons with x > 0, outside the input) of the last forward, per non-input layer. */
  spikesPerLayer(out: Float64Array): Float64Array;
  /** Synaptic events (delivered arrivals) of the last forward. */
  readonly synapticEvents: number;
}

/** Options of a value pass. */
export interface ValuePassOptions {
  /** The output layer is read as its potential u (a linear readout, as a logit). */
  readout?: boolean;
  /** Clipped output neurons pass errors that push them back into their window (`reluPass`). */
  clipSurrogate?: boolean;
}

/** The spiking network: values → input spike times → event-driven run → output times → values. */
export class SpikingPass implements ValuePass {
  /** The simulator (its record holds the last run). */
  readonly sim: Simulator;
  private readonly bp: Backprop;
  private readonly bpIn: Backprop;
  private readonly times: Float64Array;
  private readonly out: Float64Array;
  private readonly readout: boolean;

  constructor(
    readonly net: Network,
    opts: ValuePassOptions = {},
  ) {
    this.readout = opts.readout === true;
    this.sim = new Simulator(net);
    const o = { normalise: false, readout: this.readout, clipSurrogate: opts.clipSurrogate === true };
    this.bp = new Backprop(net, o);
    this.bpIn = new Backprop(net, { ...o, inputDelta: true });
    this.times = new Float64Array(net.populations[0].size);
    this.out = new Float64Array(net.output.size);
  }

  /** The record of the last run. */
  get record(): RunRecord {
    return this.sim.record;
  }

  forward(x: ArrayLike<number>): Float64Array {
    const rec = this.sim.run(valuesToTimes(x, this.net.populations[0].window!, this.times));
    const o = this.net.output;
    if (this.readout) this.out.set(rec.potentialOf(o));
    else timesToValues(rec.timesOf(o), o.window!, this.out);
    return this.out;
  }

  backward(gOut: ArrayLike<number>, sink: GradientSink | null, inputGrad = false): Float64Array {
    // δ = −∂L/∂t equals ∂L/∂x (x = end − t) and ∂L/∂u where the neuron is not clipped
    return (inputGrad ? this.bpIn : this.bp).run(this.sim.record, gOut, sink);
  }

  spikesPerLayer(out: Float64Array): Float64Array {
    const rec = this.sim.record;
    for (let k = 1; k < this.net.populations.length; k++) out[k - 1] = rec.spikes[k];
    return out;
  }

  get synapticEvents(): number {
    return this.sim.record.synapticEvents;
  }
}

/** The float twin (a ReLU MLP on the same weights) behind the same interface: the reference row. */
export class TwinPass implements ValuePass {
  readonly twin: FloatTwin;

  constructor(
    readonly net: Network,
    opts: ValuePassOptions = {},
  ) {
    this.twin = new FloatTwin(net, opts);
  }

  forward(x: ArrayLike<number>): Float64Array {
    return this.twin.forward(x);
  }

  backward(gOut: ArrayLike<number>, sink: GradientSink | null, inputGrad = false): Float64Array {
    return this.twin.backward(gOut, sink, inputGrad);
  }

  spikesPerLayer(out: Float64Array): Float64Array {
    for (let k = 1; k < this.net.populations.length; k++) {
      const x = this.twin.x[k];
      let n = 0;
      for (let j = 0; j < x.length; j++) if (x[j] > 0) n++;
      out[k - 1] = n;
    }
    return out;
  }

  /** The arrivals the spiking twin would deliver: each nonzero value times its fan-out. */
  get synapticEvents(): number {
    let n = 0;
    for (let k = 0; k < this.net.projections.length; k++) {
      const x = this.twin.x[k];
      let m = 0;
      for (let j = 0; j < x.length; j++) if (x[j] > 0) m++;
      n += m * this.net.projections[k].dst.size;
    }
    return n;
  }
}
