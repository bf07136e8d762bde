// Quality benchmark: trains the judge once (or loads it from its cache) and measures the
// reference figures every quality report is read against: the judge's test accuracy and training
// time, the FID floor (10,000 train images vs test) and ceiling (10,000 uniform-noise images vs
// test), the classifier score and confident share of the test set, and the copy check's reference
// distances (test → train) with its timing.
//
// Runs on its own:
//   pnpm exec tsx packages/bench/src/quality.ts [--seed N] [--epochs N] [--samples N] [--retrain] [--json]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '@spiking-gan/core';
import { judgeCacheDir, loadMnist, MNIST_PIXELS } from '@spiking-gan/gan';
import {
  classCoverage,
  classifierScore,
  copyCheck,
  frechetDistance,
  gaussianStats,
  JUDGE_FEATURES,
  loadOrTrainJudge,
  NearestIndex,
  noiseImages,
  sampleIndices,
} from '@spiking-gan/gan';

/** Options of the quality benchmark. */
export interface QualityBenchOptions {
  /** Judge seed (default 1). */
  seed?: number;
  /** Judge epochs (default: the judge's default, 10). */
  epochs?: number;
  /** Images in the floor and ceiling sets (default 10,000). */
  samples?: number;
  /** Images per side in the copy check (default 1,000). */
  copySample?: number;
  /** Judge cache folder (default: `judgeCacheDir()`, the `judge` folder of the cache folder). */
  cacheDir?: string;
  /** Retrain the judge even if a cache exists. */
  retrain?: boolean;
  /** Print the Markdown table to stdout (default true). */
  print?: boolean;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** The reference figures of the quality measures. */
export interface QualityBenchResult {
  judge: {
    version: string;
    arch: string;
    seed: number;
    epochs: number;
    /** Test accuracy measured now on the 10,000 MNIST test images. */
    testAccuracy: number;
    /** Training time recorded when the judge was trained (s; from the cache metadata when loaded). */
    trainSeconds: number;
    fromCache: boolean;
    cachePath: string;
  };
  samples: number;
  /** FID of `samples` training images against the test set. */
  fidFloor: number;
  /** FID of `samples` uniform-noise images against the test set. */
  fidCeiling: number;
  /** Classifier score of the test set (≈ 9.9 expected) and of the training sample. */
  testScore: number;
  trainScore: number;
  /** Share of the test set classified with confidence ≥ 0.9. */
  testConfident: number;
  /** Copy check of test images as if generated: nearest-train distances (test → train), [0, 1] pixel units. */
  copy: { sample: number; median: number; p5: number; mean: number; closerThanTestP5: number; exactPerQuery: number };
  seconds: { judge: number; features: number; fid: number; copyIndex: number; copyQueries: number; total: number };
}

const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');

/** The result as a Markdown table. */
export function formatQualityBench(r: QualityBenchResult): string {
  const j = r.judge;
  const rows: [string, string, string][] = [
    [
      'judge test accuracy',
      `${fmt(100 * j.testAccuracy)} %`,
      `${j.arch}, seed ${j.seed}, ${j.epochs} epochs (wanted: ≥ 98 %)`,
    ],
    [
      'judge training time',
      `${fmt(j.trainSeconds, 1)} s`,
      j.fromCache ? `from the cache ${j.cachePath}` : `trained now, cached in ${j.cachePath}`,
    ],
    ['FID floor (train vs test)', fmt(r.fidFloor), `${r.samples.toLocaleString('en-US')} train images vs 10,000 test`],
    [
      'FID ceiling (noise vs test)',
      fmt(r.fidCeiling),
      `${r.samples.toLocaleString('en-US')} uniform-noise images vs 10,000 test`,
    ],
    ['classifier score, test set', fmt(r.testScore, 3), `train sample ${fmt(r.trainScore, 3)}; 10 at best`],
    ['confident share (p ≥ 0.9), test set', `${fmt(100 * r.testConfident, 1)} %`, ''],
    [
      'nearest-train distance, test (median / 5th pct)',
      `${fmt(r.copy.median)} / ${fmt(r.copy.p5)}`,
      `${r.copy.sample} test images, [0, 1] pixel units`,
    ],
    [
      'copy check time',
      `${fmt(r.seconds.copyQueries, 1)} s`,
      `index ${fmt(r.seconds.copyIndex, 1)} s (once), ` +
        `${fmt(r.copy.exactPerQuery, 0)} exact distances per query of 60,000`,
    ],
  ];
  return ['| figure | value | notes |', '|:--|--:|:--|', ...rows.map((x) => `| ${x.join(' | ')} |`)].join('\n');
}

/** Trains or loads the judge and measures the reference figures. */
export function benchQuality(opts: QualityBenchOptions = {}): QualityBenchResult {
  const t0 = performance.now();
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const seed = opts.seed ?? 1;
  const train = loadMnist('train');
  const test = loadMnist('test');
  const samples = Math.min(opts.samples ?? 10_000, train.n);
  const copySample = opts.copySample ?? 1000;

  let last = -1;
  const judge = loadOrTrainJudge(opts.cacheDir ?? judgeCacheDir(), {
    seed,
    epochs: opts.epochs,
    retrain: opts.retrain,
    log,
    onProgress: (epoch, batch, batches, acc) => {
      if (batch === batches || epoch !== last)
        log(`judge: epoch ${epoch} ${batch}/${batches} train acc ${(100 * acc).toFixed(2)} %`);
      last = epoch;
    },
  });
  const tJudge = performance.now();
  const testAccuracy = judge.accuracy(test);

  const tf = performance.now();
  const pt = judge.predict(test.images, test.n);
  const pick = sampleIndices(train.n, samples, new Rng(seed + 1000));
  const D = MNIST_PIXELS,
    trainImgs = new Uint8Array(samples * D);
  pick.forEach((j, k) => trainImgs.set(train.images.subarray(j * D, j * D + D), k * D));
  const pr = judge.predict(trainImgs, samples);
  const pn = judge.predict(noiseImages(samples, seed + 2000), samples);
  const tFeat = performance.now();
  const testStats = gaussianStats(pt.features, test.n, JUDGE_FEATURES);
  const fidFloor = frechetDistance(gaussianStats(pr.features, samples, JUDGE_FEATURES), testStats);
  const fidCeiling = frechetDistance(gaussianStats(pn.features, samples, JUDGE_FEATURES), testStats);
  const tFid = performance.now();

  const index = new NearestIndex(train.images, train.n, { seed });
  // test images as the "generated" side, a disjoint-ish second test sample as the reference side
  const copy = copyCheck(test.images, test.n, train.images, train.n, test.images, test.n, {
    sample: copySample,
    seed: seed + 3000,
    index,
  });

  const r: QualityBenchResult = {
    judge: {
      version: judge.info.version,
      arch: judge.info.arch.join('-'),
      seed: judge.info.seed,
      epochs: judge.info.epochs,
      testAccuracy,
      trainSeconds: judge.info.trainSeconds,
      fromCache: judge.info.fromCache ?? false,
      cachePath: judge.info.cachePath ?? '',
    },
    samples,
    fidFloor,
    fidCeiling,
    testScore: classifierScore(pt.probs, test.n),
    trainScore: classifierScore(pr.probs, samples),
    testConfident: classCoverage(pt.probs, test.n).confident,
    copy: {
      sample: copy.generated.n,
      median: copy.generated.median,
      p5: copy.generated.p5,
      mean: copy.generated.mean,
      closerThanTestP5: copy.closerThanTestP5,
      exactPerQuery: copy.exactPerQuery,
    },
    seconds: {
      judge: (tJudge - t0) / 1000,
      features: (tFeat - tf) / 1000,
      fid: (tFid - tFeat) / 1000,
      copyIndex: index.buildSeconds,
      copyQueries: copy.seconds.generated + copy.seconds.test,
      total: (performance.now() - t0) / 1000,
    },
  };
  if (opts.print ?? true) {
    console.log(`\n## quality: judge ${r.judge.version} and reference figures\n`);
    console.log(formatQualityBench(r));
    console.log(
      `\ntiming: judge ${fmt(r.seconds.judge, 1)} s, features ${fmt(r.seconds.features, 1)} s, ` +
        `FID ${fmt(r.seconds.fid, 2)} s, total ${fmt(r.seconds.total, 1)} s`,
    );
  }
  return r;
}

function main(): void {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      seed: { type: 'string' },
      epochs: { type: 'string' },
      samples: { type: 'string' },
      retrain: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: pnpm exec tsx packages/bench/src/quality.ts [--seed N] [--epochs N] [--samples N] [--retrain] [--json]',
    );
    return;
  }
  const int = (name: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got '${v}'`);
    return n;
  };
  const r = benchQuality({
    seed: int('seed', values.seed, 0),
    epochs: int('epochs', values.epochs, 0),
    samples: int('samples', values.samples, 2),
    retrain: values.retrain,
    print: !values.json,
  });
  if (values.json) console.log(JSON.stringify(r, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`bench quality: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
