// Engine benchmark: forward passes of the 784-400-10 S4NN network on MNIST test images,
// general engine against the specialised plain loop. Encoding is done once, up front, untimed.
import { encodeBytes, loadModel, Simulator } from '@spiking-gan/core';
import { buildClassifier, loadMnist, MNIST_PIXELS } from '@spiking-gan/gan';
import { median } from './arith.ts';
import { DenseLoop } from './dense-loop.ts';
import { PlainLoop } from './plain-loop.ts';

/** Options of the engine benchmark. */
export interface EngineBenchOptions {
  /** MNIST test images per repeat, from the first (default all 10,000). */
  images?: number;
  /** Timed passes over the images (default 3); figures are the median over passes. */
  repeats?: number;
  /** Seed of the S4NN initialisation, as in classify train (`buildClassifier`; default 0). */
  seed?: number;
  /** A 784-…-10 model file to run instead of the S4NN-initialised network (e.g. a trained classifier). */
  model?: string;
  /** Untimed images run by every implementation before timing (default min(images, 1000)). */
  warmup?: number;
  /** Images run by the dense clock-driven loop (d), which costs a full matrix-vector product per step (default min(images, 100)). */
  denseImages?: number;
  /** Progress lines (default none). */
  log?: (line: string) => void;
}

/** Figures of one implementation. */
export interface ImplFigures {
  /** Short key: `engine`, `engine-ts`, `engine-early-stop`, `plain-loop`, `dense-loop`. */
  key: string;
  /** Row label. */
  label: string;
  /** Median over repeats of the per-repeat median time per image, µs. */
  medianUs: number;
  /** Mean time per image over all repeats, µs. */
  meanUs: number;
  /** Median over repeats of the per-repeat 90th percentile, µs. */
  p90Us: number;
  /** Per-repeat medians, µs (to judge the noise). */
  repeatMediansUs: number[];
  /** Total synaptic events / total timed time, millions per second. */
  mSynEventsPerSec: number;
  /** Synaptic events per image (up to the stop for the early-stop row). */
  synEventsPerImage: number;
  /** Hidden + output spikes per image (up to the decision step for the early-stop row). */
  spikesPerImage: number;
  /** Mean first output spike time over the images where an output neuron fired, steps. */
  meanFirstOutputTime: number;
  /** Share of images where no output neuron fired. */
  noOutputShare: number;
}

/** Result of `benchEngine`. */
export interface EngineBenchResult {
  part: 'engine';
  network: string;
  tmax: number;
  threshold: number;
  init: string;
  images: number;
  repeats: number;
  warmup: number;
  /** How the per-image time was taken. */
  timing: string;
  impls: ImplFigures[];
  /** Checks that ran: (a) and (c) agree on spikes and synaptic events, (b) on the decision time. */
  agreement: string;
}

interface Impl {
  key: string;
  label: string;
  /** Runs image i (its encoded times) and returns nothing; the result is read by `observe`. */
  run(times: Float64Array): void;
  /** Reads the last result: hidden + output spikes, synaptic events, first output time. */
  observe(out: Int32Array, i: number): void;
}

/** Per-image observations: [spikes, synEvents, firstOutputTime, hiddenSpikes, outputSpikes]. */
const OBS = 5;

/** Runs the engine benchmark and returns its figures; throws if (a) and (c) disagree. */
export function benchEngine(opts: EngineBenchOptions = {}): EngineBenchResult {
  const mnist = loadMnist('test');
  const images = opts.images ?? mnist.n;
  const repeats = opts.repeats ?? 3;
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(images) || images < 1 || images > mnist.n) throw new RangeError(`benchEngine: images must be 1..${mnist.n}, got ${images}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`benchEngine: repeats must be a positive integer, got ${repeats}`);
  const warmup = Math.min(opts.warmup ?? 1000, images);
  const log = opts.log ?? (() => {});

  const net = opts.model ? loadModel(opts.model).net : buildClassifier({ seed });
  const [, hidden, output] = net.populations;
  const tmax = net.tmax;
  const nIn = MNIST_PIXELS;
  // All images encoded once (10,000 × 784 doubles = 63 MB), untimed.
  const enc = new Float64Array(images * nIn);
  for (let i = 0; i < images; i++) encodeBytes(mnist.image(i), { tmax }, enc.subarray(i * nIn, (i + 1) * nIn));
  const inputs = Array.from({ length: images }, (_, i) => enc.subarray(i * nIn, (i + 1) * nIn));

  const sim = new Simulator(net);
  const simTs = new Simulator(net, { backend: 'typescript' });
  const simEarly = new Simulator(net);
  const plain = PlainLoop.fromNetwork(net); // shares the network's weight arrays
  const full = { earlyStop: false }, early = { earlyStop: true };
  const engineObserve = (s: Simulator) => (out: Int32Array, i: number) => {
    const r = s.record;
    const o = i * OBS;
    out[o] = r.totalSpikes(r.stoppedEarly);
    out[o + 1] = r.synapticEvents;
    out[o + 2] = r.decisionTime;
    out[o + 3] = r.stoppedEarly ? r.spikesToDecision[hidden.index] : r.spikes[hidden.index];
    out[o + 4] = r.stoppedEarly ? r.spikesToDecision[output.index] : r.spikes[output.index];
  };
  const impls: Impl[] = [
    { key: 'engine', label: `(a) engine Simulator.run (${sim.backend === 'wasm-simd' ? 'WebAssembly SIMD kernel' : 'TypeScript: no SIMD kernel here'})`, run: (t) => void sim.run(t, full), observe: engineObserve(sim) },
    { key: 'engine-ts', label: "(a') engine Simulator.run, TypeScript event loop", run: (t) => void simTs.run(t, full), observe: engineObserve(simTs) },
    { key: 'engine-early-stop', label: '(b) engine, earlyStop', run: (t) => void simEarly.run(t, early), observe: engineObserve(simEarly) },
    {
      key: 'plain-loop',
      label: '(c) plain Float64Array loop',
      run: (t) => void plain.run(t),
      observe: (out, i) => {
        const r = plain.record, o = i * OBS;
        out[o] = r.hiddenSpikes + r.outputSpikes;
        out[o + 1] = r.synapticEvents;
        out[o + 2] = r.firstOutputTime;
        out[o + 3] = r.hiddenSpikes;
        out[o + 4] = r.outputSpikes;
      },
    },
  ];
  const m = impls.length;

  // Warm-up, interleaved, untimed.
  log(`engine: warm-up on ${warmup} images`);
  for (let i = 0; i < warmup; i++) for (const impl of impls) impl.run(inputs[i]);

  // Timed passes. Images go in chunks; each implementation runs the whole chunk (so it keeps its
  // own state warm), and the order of the implementations rotates from chunk to chunk and from
  // repeat to repeat, so that drift (frequency, GC, neighbours) spreads evenly over them.
  const CHUNK = 50;
  const obs = impls.map(() => new Int32Array(images * OBS));
  const perImage = impls.map(() => new Float64Array(images)); // ns, current repeat
  const medians = impls.map(() => [] as number[]);
  const p90s = impls.map(() => [] as number[]);
  const totalNs = new Float64Array(m);
  for (let rep = 0; rep < repeats; rep++) {
    log(`engine: repeat ${rep + 1}/${repeats} (${images} images x ${m} implementations)`);
    let chunk = 0;
    for (let c0 = 0; c0 < images; c0 += CHUNK, chunk++) {
      const c1 = Math.min(images, c0 + CHUNK);
      for (let r = 0; r < m; r++) {
        const k = (chunk + rep + r) % m;
        const impl = impls[k], times = perImage[k], o = obs[k];
        for (let i = c0; i < c1; i++) {
          const x = inputs[i];
          const t0 = process.hrtime.bigint();
          impl.run(x);
          const t1 = process.hrtime.bigint();
          times[i] = Number(t1 - t0);
          if (rep === 0) impl.observe(o, i);
        }
      }
    }
    for (let k = 0; k < m; k++) {
      const sorted = Float64Array.from(perImage[k]).sort();
      medians[k].push(quantile(sorted, 0.5) / 1e3);
      p90s[k].push(quantile(sorted, 0.9) / 1e3);
      let s = 0;
      for (let i = 0; i < images; i++) s += perImage[k][i];
      totalNs[k] += s;
    }
  }

  // (a), (a') and (c) must agree image by image; (b) must find the same decision as (a).
  const [oa, ots, ob, oc] = obs;
  for (let i = 0; i < images; i++) {
    const o = i * OBS;
    for (let f = 0; f < OBS; f++) if (oa[o + f] !== ots[o + f]) throw new Error(`benchEngine: the SIMD kernel and the TypeScript event loop disagree on image ${i} (observation ${f}: ${oa[o + f]} vs ${ots[o + f]})`);
    for (const [f, name] of [[3, 'hidden spikes'], [4, 'output spikes'], [1, 'synaptic events'], [2, 'first output time']] as const) {
      if (oa[o + f] !== oc[o + f]) {
        throw new Error(`benchEngine: engine and plain loop disagree on image ${i}: ${name} ${oa[o + f]} (engine) vs ${oc[o + f]} (plain loop)`);
      }
    }
    if (oa[o + 2] !== ob[o + 2]) throw new Error(`benchEngine: early stop changed the decision time of image ${i}: ${ob[o + 2]} vs ${oa[o + 2]}`);
  }

  // (d) the dense clock-driven loop on the first `denseImages` images, checked against (a)
  const nDense = Math.min(opts.denseImages ?? 100, images);
  const dense = DenseLoop.fromNetwork(net);
  log(`engine: dense clock-driven loop on ${nDense} images`);
  const denseNs = new Float64Array(nDense);
  for (let i = 0; i < nDense; i++) {
    const t0 = process.hrtime.bigint();
    dense.run(inputs[i]);
    denseNs[i] = Number(process.hrtime.bigint() - t0);
    const want = (sim.run(inputs[i], full), sim.record);
    for (let k = 1; k < net.populations.length; k++) {
      const a = want.timesOf(net.populations[k]), b = dense.times[k];
      for (let j = 0; j < b.length; j++) if (Math.min(a[j], tmax) !== b[j]) throw new Error(`benchEngine: dense loop and engine disagree on image ${i}, ${net.populations[k].name} neuron ${j}: ${b[j]} vs ${a[j]}`);
    }
  }
  const denseSorted = Float64Array.from(denseNs).sort();

  const figures: ImplFigures[] = impls.map((impl, k) => {
    const o = obs[k];
    let spikes = 0, syn = 0, firstSum = 0, decided = 0;
    for (let i = 0; i < images; i++) {
      spikes += o[i * OBS];
      syn += o[i * OBS + 1];
      const t = o[i * OBS + 2];
      if (t < tmax) {
        firstSum += t;
        decided++;
      }
    }
    const seconds = totalNs[k] / 1e9;
    return {
      key: impl.key,
      label: impl.label,
      medianUs: median(medians[k]),
      meanUs: totalNs[k] / 1e3 / (images * repeats),
      p90Us: median(p90s[k]),
      repeatMediansUs: medians[k],
      mSynEventsPerSec: (syn * repeats) / seconds / 1e6,
      synEventsPerImage: syn / images,
      spikesPerImage: spikes / images,
      meanFirstOutputTime: decided > 0 ? firstSum / decided : NaN,
      noOutputShare: (images - decided) / images,
    };
  });

  const a = figures[0], denseSeconds = denseNs.reduce((x, y) => x + y, 0) / 1e9;
  figures.push({
    key: 'dense-loop', label: '(d) dense clock-driven loop (S4NN-style)',
    medianUs: quantile(denseSorted, 0.5) / 1e3, meanUs: (denseSeconds * 1e6) / nDense, p90Us: quantile(denseSorted, 0.9) / 1e3, repeatMediansUs: [quantile(denseSorted, 0.5) / 1e3],
    // the dense loop does the work of every synapse at every step; its useful events are the engine's
    mSynEventsPerSec: (a.synEventsPerImage * nDense) / denseSeconds / 1e6, synEventsPerImage: a.synEventsPerImage, spikesPerImage: a.spikesPerImage,
    meanFirstOutputTime: a.meanFirstOutputTime, noOutputShare: a.noOutputShare,
  });

  return {
    part: 'engine',
    network: '784-400-10, delta synapses, discrete time, delay 1',
    tmax,
    threshold: 100,
    init: opts.model ? `weights from ${opts.model}` : `S4NN: hidden U[0,5], output U[0,48] (classifier seed ${seed})`,
    images,
    repeats,
    warmup,
    timing: `process.hrtime.bigint around each run; ${images} MNIST test images (TTFS-encoded up front) x ${repeats} repeats, chunks of ${CHUNK} images with the implementation order rotating; median of per-repeat medians`,
    impls: figures,
    agreement: `(a), (a') and (c) agree on hidden/output spikes, synaptic events and first output time on all ${images} images; (b) on the decision time; (d) on every spike time of the first ${nDense} images (timed once each)`,
  };
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const x = (sorted.length - 1) * q, lo = Math.floor(x), hi = Math.ceil(x);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - lo);
}


