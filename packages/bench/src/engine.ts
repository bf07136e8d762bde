// Engine benchmark: forward passes per MNIST test image of the 784-400-10 S4NN network (delta
// synapses, discrete time): the engine on its SIMD kernel, its TypeScript event loop, early stop, a
// plain Float64Array loop and a dense clock-driven loop; and of the 784-400-10 network of
// ReLU-equivalent neurons that classify train --kernel relu starts from: the relu kernel, its
// TypeScript layered pass and the general event loop. Encoding is done once, up front, untimed.
import { loadModel, Simulator, type Network } from '@spiking-gan/core';
import { buildClassifier, loadMnist, percentile } from '@spiking-gan/gan';
import { DenseLoop } from './dense-loop.ts';
import { deltaImpls, encodeSteps, encodeValues, OBS, reluImpls } from './engine-impls.ts';
import { figuresOf, timeInterleaved, warmUp, CHUNK, type ImplFigures } from './engine-timing.ts';

export type { ImplFigures } from './engine-timing.ts';

/** Options of the engine benchmark. */
export interface EngineBenchOptions {
  /** MNIST test images per repeat, from the first (default all 10,000). */
  images?: number;
  /** Timed passes over the images (default 3); figures are the median over passes. */
  repeats?: number;
  /** Seed of the initialisation of both networks, as in classify train (`buildClassifier`; default 0). */
  seed?: number;
  /** A 784-…-10 model file to run instead of the S4NN-initialised network (e.g. a trained classifier). */
  model?: string;
  /** Untimed images run by every implementation before timing (default min(images, 1000)). */
  warmup?: number;
  /** Images run by the dense clock-driven loop (d), a matrix-vector product per step (default min(images, 100)). */
  denseImages?: number;
  /** Progress lines (default none). */
  log?: (line: string) => void;
}

/** Result of `benchEngine`. */
export interface EngineBenchResult {
  part: 'engine';
  network: string;
  tmax: number;
  threshold: number;
  init: string;
  /** The network of ReLU-equivalent neurons of the relu rows (absent in reports from before they existed). */
  relu?: { network: string; windows: number[]; init: string };
  images: number;
  repeats: number;
  warmup: number;
  /** How the per-image time was taken. */
  timing: string;
  impls: ImplFigures[];
  /** Checks that ran: (a), (a') and (c) agree on spikes and synaptic events, (b) on the decision time, … */
  agreement: string;
}

/** Runs the engine benchmark and returns its figures; throws if implementations of one network disagree. */
export function benchEngine(opts: EngineBenchOptions = {}): EngineBenchResult {
  const mnist = loadMnist('test');
  const { images, repeats, seed, warmup, log } = checkedOptions(opts, mnist.n);
  const net = opts.model ? loadModel(opts.model).net : buildClassifier({ seed });
  const relu = buildClassifier({ kernel: 'relu', seed });
  // every image encoded once (10,000 × 784 doubles = 63 MB per network), untimed
  const delta = deltaImpls(net, encodeSteps(mnist, images, net.tmax));
  const reluRows = reluImpls(relu, encodeValues(mnist, images, relu));
  const impls = [...delta, ...reluRows];
  log(`engine: warm-up on ${warmup} images`);
  warmUp(impls, warmup);
  const timing = timeInterleaved(impls, images, repeats, log);
  checkDelta(timing.obs.slice(0, delta.length), images);
  checkSame(
    timing.obs.slice(delta.length),
    reluRows.map((r) => r.label),
    images,
  );
  const nDense = Math.min(opts.denseImages ?? 100, images);
  log(`engine: dense clock-driven loop on ${nDense} images`);
  const tmaxOf = (k: number) => (k < delta.length ? net.tmax : relu.tmax);
  const figures = impls.map((impl, k) => figuresOf(impl, timing, k, repeats, tmaxOf(k)));
  figures.splice(delta.length, 0, timeDenseLoop(net, delta[0].inputs, nDense, figures[0]));
  const windows = relu.populations.map((p) => p.window!.end - p.window!.start);
  return {
    part: 'engine',
    network: '784-400-10, delta synapses, discrete time, delay 1',
    tmax: net.tmax,
    threshold: 100,
    init: opts.model ? `weights from ${opts.model}` : `S4NN: hidden U[0,5], output U[0,48] (classifier seed ${seed})`,
    relu: {
      network: `784-400-10 ReLU-equivalent neurons, continuous time, windows ${windows.join(', ')} laid end to end`,
      windows,
      init: `weights U(±1/√fan_in), biases 0 (classifier seed ${seed}); pixels p/255 in the input window`,
    },
    images,
    repeats,
    warmup,
    timing:
      `process.hrtime.bigint around each run; ${images} MNIST test images (encoded up front) x ${repeats} ` +
      `repeats, chunks of ${CHUNK} images with the implementation order rotating; median of per-repeat medians`,
    impls: figures,
    agreement:
      `(a), (a') and (c) agree on hidden/output spikes, synaptic events and first output time on all ` +
      `${images} images; (b) on the decision time; (d) on every spike time of the first ${nDense} images (timed ` +
      `once each); (r), (r') and (r'') on hidden/output spikes, synaptic events and first output time on all ` +
      `${images} images`,
  };
}

/** The options with their defaults, checked against the `n` test images. */
function checkedOptions(
  opts: EngineBenchOptions,
  n: number,
): Required<Omit<EngineBenchOptions, 'model' | 'denseImages'>> {
  const images = opts.images ?? n,
    repeats = opts.repeats ?? 3;
  if (!Number.isInteger(images) || images < 1 || images > n) {
    throw new RangeError(`benchEngine: images must be 1..${n}, got ${images}`);
  }
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new RangeError(`benchEngine: repeats must be a positive integer, got ${repeats}`);
  }
  const warmup = Math.min(opts.warmup ?? 1000, images);
  return { images, repeats, seed: opts.seed ?? 0, warmup, log: opts.log ?? (() => {}) };
}

/** The observations the plain loop (c) reports, by index. */
const PLAIN_LOOP_CHECKS = [
  [3, 'hidden spikes'],
  [4, 'output spikes'],
  [1, 'synaptic events'],
  [2, 'first output time'],
] as const;

/** (a), (a') and (c) must agree image by image, (b) on the decision time of (a). */
function checkDelta([oa, ots, ob, oc]: Float64Array[], images: number): void {
  checkSame([oa, ots], ['the SIMD kernel', 'the TypeScript event loop'], images);
  for (let i = 0; i < images; i++) {
    const o = i * OBS;
    for (const [f, name] of PLAIN_LOOP_CHECKS) {
      if (oa[o + f] !== oc[o + f]) {
        throw new Error(
          `benchEngine: engine and plain loop disagree on image ${i}: ${name} ${oa[o + f]} (engine) ` +
            `vs ${oc[o + f]} (plain loop)`,
        );
      }
    }
    if (oa[o + 2] !== ob[o + 2]) {
      throw new Error(`benchEngine: early stop changed the decision time of image ${i}: ${ob[o + 2]} vs ${oa[o + 2]}`);
    }
  }
}

/** Implementations of one network must observe the same on every image. */
function checkSame(obs: Float64Array[], names: string[], images: number): void {
  for (let k = 1; k < obs.length; k++) {
    for (let i = 0; i < images * OBS; i++) {
      if (obs[k][i] !== obs[0][i]) {
        const image = Math.floor(i / OBS),
          f = i % OBS;
        throw new Error(
          `benchEngine: ${names[0]} and ${names[k]} disagree on image ${image} ` +
            `(observation ${f}: ${obs[0][i]} vs ${obs[k][i]})`,
        );
      }
    }
  }
}

/**
 * (d) the dense clock-driven loop on the first `n` images, timed once each and checked spike time by
 * spike time against the engine; its useful events and spikes are the engine's (`engine`'s figures).
 */
function timeDenseLoop(net: Network, inputs: Float64Array[], n: number, engine: ImplFigures): ImplFigures {
  const dense = DenseLoop.fromNetwork(net),
    sim = new Simulator(net),
    tmax = net.tmax;
  const ns = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    dense.run(inputs[i]);
    ns[i] = Number(process.hrtime.bigint() - t0);
    const want = sim.run(inputs[i]);
    for (let k = 1; k < net.populations.length; k++) {
      const a = want.timesOf(net.populations[k]),
        b = dense.times[k];
      for (let j = 0; j < b.length; j++) {
        if (Math.min(a[j], tmax) !== b[j]) {
          const where = `image ${i}, ${net.populations[k].name} neuron ${j}`;
          throw new Error(`benchEngine: dense loop and engine disagree on ${where}: ${b[j]} vs ${a[j]}`);
        }
      }
    }
  }
  const sorted = Float64Array.from(ns).sort(),
    seconds = ns.reduce((x, y) => x + y, 0) / 1e9;
  return {
    key: 'dense-loop',
    label: '(d) dense clock-driven loop (S4NN-style)',
    medianUs: percentile(sorted, 50) / 1e3,
    meanUs: (seconds * 1e6) / n,
    p90Us: percentile(sorted, 90) / 1e3,
    repeatMediansUs: [percentile(sorted, 50) / 1e3],
    // the dense loop does the work of every synapse at every step; its useful events are the engine's
    mSynEventsPerSec: (engine.synEventsPerImage * n) / seconds / 1e6,
    synEventsPerImage: engine.synEventsPerImage,
    spikesPerImage: engine.spikesPerImage,
    meanFirstOutputTime: engine.meanFirstOutputTime,
    noOutputShare: engine.noOutputShare,
  };
}
