// GAN part: the Spiking-GAN with D trained on the TTFS loss against the same run with Aggressive
// TTFS (ramp recipe and faithful recipe), trained once and cached, then measured: D on real and
// fake images, G, the G→D pipeline (spikes, synaptic events, energy), and the sample quality (the judge's
// metrics).
import { existsSync, readFileSync } from 'node:fs';
import { Rng, saveModel, Simulator, loadModel, valuesToTimes } from '@spiking-gan/core';
import {
  createTrainer,
  fakeImageInput,
  ganSparsity,
  meanStats,
  generatorInput,
  imageGridPng,
  judgeCacheDir,
  loadMnist,
  loadOrTrainJudge,
  makeConfig,
  MNIST_PIXELS,
  MNIST_SIDE,
  qualityReport,
  reluLatency,
  reluNoise,
  sampleGenerator,
  type GanConfig,
  type GanSparsity,
  type Judge,
  type QualityReport,
  type RasterPop,
  type StepStats,
  type Trainer,
} from '@spiking-gan/gan';
import { writeFileAtomic } from '@spiking-gan/core';
import { checkClaim, type ClaimCheck } from './arith.ts';
import { cachePath, cached } from './cache.ts';
import type { GanThreadsRow } from './gan-threads.ts';

/** One trained GAN, measured. */
export interface GanRow {
  name: string;
  preset: string;
  loss: GanConfig['loss'];
  steps: number;
  fromCache: boolean;
  trainSeconds: number;
  stepsPerSecond: number;
  /** Training figures averaged over windows of steps. */
  curve: StepStats[];
  sparsity: GanSparsity;
  quality: Pick<QualityReport, 'n' | 'fid' | 'fidFloor' | 'fidCeiling' | 'score' | 'coverage' | 'judgeAccuracy'>;
  /** 100 samples as a PNG (base64) for the report. */
  gridPng: string;
  /** One G→D pass: spike times per population, in one time axis (D's shifted by G's latency). */
  raster: { tmax: number; pops: RasterPop[] };
}

/** The part's result and the paper's claims checked per recipe. */
export interface GanBenchResult {
  rows: GanRow[];
  claims: ClaimCheck[];
  sparsitySamples: number;
  qualitySamples: number;
  /** Training throughput of the default recipe on 1 and 2 threads (`benchGanThreads`; absent in older reports). */
  threads?: GanThreadsRow[];
}

/**
 * Options: the recipe compared with digits and faithful (a preset, default `relu`), steps of the non-faithful runs
 * and of the faithful runs (default: the presets'), samples for sparsity and quality, seed, retrain.
 */
export interface GanBenchOptions {
  recipe?: string;
  recipeSteps?: number;
  faithfulSteps?: number;
  sparsitySamples?: number;
  qualitySamples?: number;
  seed?: number;
  retrain?: boolean;
  /** Quick mode: `recipeSteps` applies to every non-faithful preset (not only the recipe). */
  quick?: boolean;
  /** The quality judge (default: the one in the cache folder, `judgeCacheDir()`, trained once if missing). */
  judge?: Judge;
  log?: (line: string) => void;
}

function trainOrLoad(cfg: GanConfig, retrain: boolean, log: (l: string) => void, name: string) {
  const path = cachePath(`gan-${name}`, cfg);
  const curvePath = path.replace(/\.safetensors$/, '.json');
  const train = loadMnist('train');
  const tr = createTrainer(cfg, train);
  const dPath = path.replace(/\.safetensors$/, '-D.safetensors');
  if (cached(path, retrain) && existsSync(curvePath) && existsSync(dPath)) {
    const stored = JSON.parse(readFileSync(curvePath, 'utf8')) as { curve: StepStats[]; trainSeconds: number };
    for (const [file, net] of [
      [path, tr.sampler],
      [dPath, tr.D],
    ] as const) {
      const stored = loadModel(file).net;
      stored.projections.forEach((p, k) => {
        net.projections[k].weights.set(p.weights);
        net.projections[k].scale = p.scale;
      });
      stored.populations.forEach((p, k) => net.populations[k].bias.set(p.bias));
    }
    log(`gan: ${name} from the cache (${path})`);
    return { tr, fromCache: true, trainSeconds: stored.trainSeconds, curve: stored.curve };
  }
  const curve: StepStats[] = [];
  const every = Math.max(1, Math.floor(cfg.steps / 50));
  let window: StepStats[] = [];
  const t0 = performance.now();
  while (tr.step < cfg.steps) {
    window.push(tr.trainStep());
    if (window.length === every || tr.step === cfg.steps) {
      const m = meanStats(window);
      curve.push(m);
      window = [];
      if (curve.length % 10 === 0)
        log(
          `gan: ${name} step ${tr.step}/${cfg.steps}: ` +
            `D right real ${m.dRealRight.toFixed(2)} fake ${m.dFakeRight.toFixed(2)}, lit ${m.lit.toFixed(2)}`,
        );
    }
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  saveModel(path, tr.sampler, { metadata: { kind: 'generator', gan: JSON.stringify(cfg) } });
  saveModel(dPath, tr.D, { metadata: { kind: 'discriminator', gan: JSON.stringify(cfg) } });
  writeFileAtomic(curvePath, JSON.stringify({ curve, trainSeconds }));
  return { tr, fromCache: false, trainSeconds, curve };
}

/** One G→D pass from seeded noise as raster populations on one time axis. */
function passRaster(tr: Trainer, seed: number): GanRow['raster'] {
  const { D, cfg } = tr,
    G = tr.sampler;
  const simG = new Simulator(G),
    simD = new Simulator(D),
    relu = cfg.kernel === 'relu';
  const zIn = new Float64Array(G.populations[0].size);
  const z = relu
    ? valuesToTimes(reluNoise(cfg, new Rng(seed), 0, zIn), G.populations[0].window!)
    : generatorInput(cfg, new Rng(seed), 0, zIn);
  const recG = simG.run(z);
  const img = new Float64Array(D.populations[0].size);
  if (relu) {
    // G's pixel at t carries x = end − t; D receives it at 1 − x, i.e. t minus G's latency
    const L = reluLatency(G),
      t = recG.timesOf(G.output);
    for (let p = 0; p < t.length; p++) img[p] = t[p] < G.tmax ? t[p] - L : Infinity;
  } else fakeImageInput(cfg, recG.timesOf(G.output), 0, img);
  const recD = simD.run(img);
  const L = relu ? reluLatency(G) : cfg.gLatency,
    tmax = L + D.tmax;
  const pops: RasterPop[] = [];
  // plain arrays with −1 for silence, so that the raster survives report.json (JSON has no Infinity)
  for (const p of G.populations)
    pops.push({ name: `G ${p.name}`, times: Array.from(recG.timesOf(p), (t) => (t < G.tmax ? t : -1)) });
  for (const p of D.populations.slice(1))
    pops.push({ name: `D ${p.name}`, times: Array.from(recD.timesOf(p), (t) => (t < D.tmax ? t + L : -1)) });
  return { tmax, pops };
}

/** Settings of a relu D with two spiking outputs: no projection, classifier or InfoGAN code (they read potentials). */
const SPIKING_HEADS: Partial<GanConfig> = { projection: false, auxClass: 0, infoCode: false };

/** The D losses compared per preset: the relu recipe also with its default, the potential readout (bce). */
function lossesOf(preset: string): GanConfig['loss'][] {
  return makeConfig(preset).kernel === 'relu' ? ['bce', 'ttfs', 'aggressive'] : ['ttfs', 'aggressive'];
}

/**
 * Trains (or loads) and measures the GANs: {recipe, digits, faithful} × {ttfs, aggressive} (and the relu recipe's
 * readout).
 */
export function benchGan(opts: GanBenchOptions = {}): GanBenchResult {
  const log = opts.log ?? (() => {}),
    seed = opts.seed ?? 0;
  const nS = opts.sparsitySamples ?? 1000,
    nQ = opts.qualitySamples ?? 10_000;
  const test = loadMnist('test');
  const judge = opts.judge ?? loadOrTrainJudge(judgeCacheDir(), { log });
  const rows: GanRow[] = [];
  const recipes = [...new Set([opts.recipe ?? 'relu', 'digits', 'faithful'])];
  for (const preset of recipes) {
    for (const loss of lossesOf(preset)) {
      const steps =
        preset === 'faithful' ? opts.faithfulSteps : preset === recipes[0] || opts.quick ? opts.recipeSteps : undefined;
      // spiking outputs (ttfs, aggressive) replace the readout and the classifier's potentials that relu presets read
      const heads = loss !== 'bce' && makeConfig(preset).kernel === 'relu' ? SPIKING_HEADS : {};
      const cfg = makeConfig(preset, { loss, seed, ...heads, ...(steps !== undefined ? { steps } : {}) });
      const name = `${preset}-${loss}`;
      const { tr, fromCache, trainSeconds, curve } = trainOrLoad(cfg, opts.retrain ?? false, log, name);
      log(`gan: ${name}: sparsity on ${nS} samples, quality on ${nQ}`);
      const sparsity = ganSparsity(tr.sampler, tr.D, cfg, test, nS, seed + 11);
      const { pixels } = sampleGenerator(tr.sampler, cfg, nQ, seed + 1);
      const q = qualityReport(judge, pixels, nQ, { seed });
      const shown = pixels.subarray(0, 100 * MNIST_PIXELS);
      const grid = imageGridPng(shown, Math.min(100, nQ), MNIST_SIDE, MNIST_SIDE, { scale: 2 });
      rows.push({
        name,
        preset,
        loss,
        steps: cfg.steps,
        fromCache,
        trainSeconds,
        stepsPerSecond: cfg.steps / Math.max(trainSeconds, 1e-9),
        curve,
        sparsity,
        quality: {
          n: q.n,
          fid: q.fid,
          fidFloor: q.fidFloor,
          fidCeiling: q.fidCeiling,
          score: q.score,
          coverage: q.coverage,
          judgeAccuracy: q.judgeAccuracy,
        },
        gridPng: Buffer.from(grid).toString('base64'),
        raster: passRaster(tr, seed + 5),
      });
    }
  }
  const claims: ClaimCheck[] = [];
  for (const preset of recipes) {
    const t = rows.find((r) => r.name === `${preset}-ttfs`)!,
      a = rows.find((r) => r.name === `${preset}-aggressive`)!;
    const confident = (r: GanRow) => (100 * r.quality.coverage.confident).toFixed(1);
    const at =
      `classifier score ${t.quality.score.toFixed(2)} → ${a.quality.score.toFixed(2)}, ` +
      `confident ${confident(t)} % → ${confident(a)} %`;
    claims.push(
      checkClaim(
        `GAN (${preset}): Aggressive TTFS D infers > 33 % faster on real images`,
        33,
        t.sparsity.dReal.decisionTime,
        a.sparsity.dReal.decisionTime,
        at,
      ),
    );
    claims.push(
      checkClaim(
        `GAN (${preset}): … and on fake images`,
        33,
        t.sparsity.dFake.decisionTime,
        a.sparsity.dFake.decisionTime,
        at,
      ),
    );
    claims.push(
      checkClaim(
        `GAN (${preset}): Aggressive TTFS pipeline (G→D) uses > 11 % fewer spikes`,
        11,
        t.sparsity.pipeline.spikes,
        a.sparsity.pipeline.spikes,
        at,
      ),
    );
  }
  return { rows, claims, sparsitySamples: nS, qualitySamples: nQ };
}
