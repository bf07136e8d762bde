// The implementations the engine benchmark times, each with the inputs it runs on and what it
// reports per image: the 784-400-10 S4NN network (delta synapses, discrete time) on the engine's
// SIMD kernel, its TypeScript event loop, with early stop and as a plain Float64Array loop; the
// 784-400-10 network of ReLU-equivalent neurons on the relu kernel, its TypeScript layered pass
// and the general event loop.
import { encodeBytes, Simulator, valuesToTimes, type Network, type SimulatorOptions } from '@spiking-gan/core';
import { MNIST_PIXELS, type loadMnist } from '@spiking-gan/gan';
import { PlainLoop } from './plain-loop.ts';

/** MNIST images and labels. */
type ImageSet = ReturnType<typeof loadMnist>;

/** One timed implementation. */
export interface Impl {
  key: string;
  label: string;
  /** The encoded images it runs on. */
  inputs: Float64Array[];
  /** Runs one image; the result is read by `observe`. */
  run(times: Float64Array): void;
  /** Writes the last run's observations (`OBS` values) at image i of `out`. */
  observe(out: Float64Array, i: number): void;
}

/** Per-image observations: [spikes, synEvents, firstOutputTime, hiddenSpikes, outputSpikes]. */
export const OBS = 5;

/** The first `images` test images as TTFS spike steps (black: no spike), one array each. */
export function encodeSteps(mnist: ImageSet, images: number, tmax: number): Float64Array[] {
  const enc = new Float64Array(images * MNIST_PIXELS);
  return Array.from({ length: images }, (_, i) => {
    const times = enc.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS);
    encodeBytes(mnist.image(i), { tmax }, times);
    return times;
  });
}

/** The first `images` test images as spike times of the pixel values p/255 in the input window of `net`. */
export function encodeValues(mnist: ImageSet, images: number, net: Network): Float64Array[] {
  const window = net.populations[0].window!,
    x = new Float64Array(MNIST_PIXELS);
  return Array.from({ length: images }, (_, i) => {
    const image = mnist.image(i);
    for (let k = 0; k < MNIST_PIXELS; k++) x[k] = image[k] / 255;
    return valuesToTimes(x, window);
  });
}

/** The observations of a simulator's last run (up to the decision when it stopped early). */
function observeRecord(sim: Simulator): (out: Float64Array, i: number) => void {
  const [, hidden, output] = sim.net.populations;
  return (out, i) => {
    const r = sim.record,
      o = i * OBS,
      early = r.stoppedEarly;
    out[o] = r.totalSpikes(early);
    out[o + 1] = r.synapticEvents;
    out[o + 2] = r.decisionTime;
    out[o + 3] = early ? r.spikesToDecision[hidden.index] : r.spikes[hidden.index];
    out[o + 4] = early ? r.spikesToDecision[output.index] : r.spikes[output.index];
  };
}

/** `Simulator.run` on `net` with `opts` as an implementation; `label` may name where the simulator runs. */
function engine(
  key: string,
  label: string | ((where: string) => string),
  net: Network,
  inputs: Float64Array[],
  opts: SimulatorOptions,
  earlyStop = false,
): Impl {
  const sim = new Simulator(net, opts),
    run = { earlyStop };
  const where = sim.backend === 'wasm-simd' ? 'WebAssembly SIMD kernel' : 'TypeScript: no SIMD kernel here';
  const text = typeof label === 'string' ? label : label(where);
  return { key, label: text, inputs, run: (t) => void sim.run(t, run), observe: observeRecord(sim) };
}

/** The S4NN network's rows: (a) the engine, (a') its TypeScript event loop, (b) early stop, (c) the plain loop. */
export function deltaImpls(net: Network, inputs: Float64Array[]): Impl[] {
  const plain = PlainLoop.fromNetwork(net); // shares the network's weight arrays
  return [
    engine('engine', (where) => `(a) engine Simulator.run (${where})`, net, inputs, {}),
    engine('engine-ts', "(a') engine Simulator.run, TypeScript event loop", net, inputs, { backend: 'typescript' }),
    engine('engine-early-stop', '(b) engine, earlyStop', net, inputs, {}, true),
    {
      key: 'plain-loop',
      label: '(c) plain Float64Array loop',
      inputs,
      run: (t) => void plain.run(t),
      observe: (out, i) => {
        const r = plain.record,
          o = i * OBS;
        out[o] = r.hiddenSpikes + r.outputSpikes;
        out[o + 1] = r.synapticEvents;
        out[o + 2] = r.firstOutputTime;
        out[o + 3] = r.hiddenSpikes;
        out[o + 4] = r.outputSpikes;
      },
    },
  ];
}

/** The relu network's rows: (r) the relu kernel, (r') its TypeScript layered pass, (r'') the general event loop. */
export function reluImpls(net: Network, inputs: Float64Array[]): Impl[] {
  return [
    engine('relu', (where) => `(r) relu network, Simulator.run (${where})`, net, inputs, {}),
    engine('relu-ts', "(r') relu network, TypeScript layered pass", net, inputs, { backend: 'typescript' }),
    engine('relu-event-loop', "(r'') relu network, TypeScript event loop", net, inputs, { backend: 'event-loop' }),
  ];
}
