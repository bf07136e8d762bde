// How the engine's cost grows with input sparsity, layer width and depth: µs per image, spikes and
// synaptic events per image on S4NN-initialised delta networks (θ = 100, tmax 256, delay 1), and
// the same on networks of ReLU-equivalent neurons (the relu kernel; classify train --kernel relu's
// initialisation and windows).
import { encodeBytes, Rng, S4NN_DEFAULTS, Simulator, type Network } from '@spiking-gan/core';
import { buildClassifier, loadMnist, MNIST_PIXELS } from '@spiking-gan/gan';
import { median } from './arith.ts';
import { encodeValues } from './engine-impls.ts';

/** One point of a sweep. */
export interface SweepPoint {
  /** The swept value: input density (share of inputs that spike), hidden width, or hidden layers. */
  x: number;
  medianUs: number;
  spikesPerImage: number;
  synEventsPerImage: number;
  /** Synaptic events per µs of run time (M events/s). */
  mSynEventsPerSec: number;
}

/** The three sweeps of one kind of network. */
export interface Sweeps {
  /** 784-400-10 on random inputs: each input spikes with probability x at a uniform time in its window. */
  density: SweepPoint[];
  /** 784-x-10 on MNIST test images. */
  width: SweepPoint[];
  /** 784-(400 × x)-10 on MNIST test images. */
  depth: SweepPoint[];
}

/** The sweeps of delta networks (S4NN; window [0, tmax)) and of networks of ReLU-equivalent neurons. */
export interface SweepResult extends Sweeps {
  images: number;
  seed: number;
  /** The relu kernel's sweeps (input window [0, 1]; absent in reports from before they existed). */
  relu?: Sweeps;
}

/** Sweep options: images per point (default 500), the networks' seed (`buildClassifier`; 0), the swept values. */
export interface SweepOptions {
  images?: number;
  seed?: number;
  densities?: number[];
  widths?: number[];
  depths?: number[];
  log?: (line: string) => void;
}

/** Times every input once after a warm-up pass; returns the point's figures. */
function measure(net: Network, inputs: Float64Array[], x: number): SweepPoint {
  const sim = new Simulator(net);
  for (const inp of inputs.slice(0, Math.min(100, inputs.length))) sim.run(inp);
  const ns = new Float64Array(inputs.length);
  let spikes = 0,
    events = 0;
  for (let i = 0; i < inputs.length; i++) {
    const t0 = process.hrtime.bigint();
    const rec = sim.run(inputs[i]);
    ns[i] = Number(process.hrtime.bigint() - t0);
    spikes += rec.totalSpikes();
    events += rec.synapticEvents;
  }
  const total = ns.reduce((a, b) => a + b, 0);
  return {
    x,
    medianUs: median(ns) / 1e3,
    spikesPerImage: spikes / inputs.length,
    synEventsPerImage: events / inputs.length,
    mSynEventsPerSec: events / (total / 1e3),
  };
}

/** Runs the density, width and depth sweeps, of delta networks then of relu networks. */
export function sweepEngine(opts: SweepOptions = {}): SweepResult {
  const n = opts.images ?? 500,
    seed = opts.seed ?? 0;
  const test = loadMnist('test');
  const tmax = S4NN_DEFAULTS.tmax;
  const mnist = Array.from({ length: Math.min(n, test.n) }, (_, i) =>
    encodeBytes(test.image(i), { tmax }, new Float64Array(MNIST_PIXELS)),
  );
  const rng = new Rng(seed + 78); // the random inputs of earlier reports (seed 1 + 77)
  const delta = sweeps(
    opts,
    '',
    (hidden) => buildClassifier({ seed, hidden }),
    mnist,
    (d) => {
      const t = new Float64Array(MNIST_PIXELS);
      for (let i = 0; i < MNIST_PIXELS; i++) t[i] = rng.next() < d ? rng.int(tmax) : tmax;
      return t;
    },
  );
  return { images: n, seed, ...delta, relu: sweepRelu(opts, test) };
}

/** The same sweeps on networks of ReLU-equivalent neurons (pixels p/255 in the input window [0, 1]). */
function sweepRelu(opts: SweepOptions, test: ReturnType<typeof loadMnist>): Sweeps {
  const n = opts.images ?? 500,
    seed = opts.seed ?? 0;
  const relu = (hidden: number[]) => buildClassifier({ kernel: 'relu', seed, hidden });
  const mnist = encodeValues(test, Math.min(n, test.n), relu([400]));
  const rng = new Rng(seed + 79);
  return sweeps(opts, 'relu, ', relu, mnist, (d) => {
    const t = new Float64Array(MNIST_PIXELS);
    for (let i = 0; i < MNIST_PIXELS; i++) t[i] = rng.next() < d ? rng.next() : Infinity;
    return t;
  });
}

/**
 * The three sweeps of one kind of network, `build(hidden sizes)`: over input density (`opts.images`
 * inputs from `random(density)`), hidden width and depth (the `mnist` inputs); progress lines start with `label`.
 */
function sweeps(
  opts: SweepOptions,
  label: string,
  build: (hidden: number[]) => Network,
  mnist: Float64Array[],
  random: (density: number) => Float64Array,
): Sweeps {
  const n = opts.images ?? 500,
    log = opts.log ?? (() => {});
  const density = (opts.densities ?? [0.05, 0.1, 0.2, 0.4, 0.8]).map((d) => {
    log(`sweep: ${label}input density ${d}`);
    const inputs = Array.from({ length: n }, () => random(d));
    return measure(build([400]), inputs, d);
  });
  const width = (opts.widths ?? [100, 200, 400, 800, 1600]).map((w) => {
    log(`sweep: ${label}hidden width ${w}`);
    return measure(build([w]), mnist, w);
  });
  const depth = (opts.depths ?? [1, 2, 3, 4]).map((d) => {
    log(`sweep: ${label}${d} hidden layers`);
    return measure(build(Array.from({ length: d }, () => 400)), mnist, d);
  });
  return { density, width, depth };
}
