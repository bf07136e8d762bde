// Sample-quality metrics, in the feature space and on the outputs of the judge:
// FID (with its floor and ceiling), the classifier score, class coverage, the copy check and the
// within-class variety.
import { Rng } from '@spiking-gan/core';
import { loadMnist, MNIST_CLASSES, MNIST_PIXELS } from '../data/mnist.ts';
import { traceSqrtProduct } from './linalg.ts';
import { JUDGE_FEATURES, type Judge, type LabelledImages } from './judge.ts';
import { NearestIndex, sampleIndices, type NearestIndexOptions } from './nearest.ts';
import { classDistances, withinClassVariety, type ClassDistances, type WithinClassVariety } from './variety.ts';

export { jacobiEigen, sqrtPsd, traceSqrtProduct } from './linalg.ts';
export type { SymmetricEigen } from './linalg.ts';
export { NearestIndex, sampleIndices } from './nearest.ts';
export type { NearestIndexOptions, NearestResult } from './nearest.ts';

const D = MNIST_PIXELS;
const C = MNIST_CLASSES;

// ---------------------------------------------------------------------------------------------
// FID

/** A Gaussian fitted to a feature set: mean and (unbiased, n − 1) covariance, float64. */
export interface GaussianStats {
  n: number;
  dim: number;
  mean: Float64Array;
  /** dim × dim, row-major, symmetric. */
  cov: Float64Array;
}

/** Mean and covariance of n feature vectors of `dim` values each (row after row). */
export function gaussianStats(features: ArrayLike<number>, n: number, dim: number): GaussianStats {
  if (!Number.isInteger(dim) || dim < 1)
    throw new RangeError(`gaussianStats: dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`gaussianStats: need at least 2 feature vectors, got ${n}`);
  if (features.length < n * dim)
    throw new RangeError(`gaussianStats: ${features.length} values hold fewer than ${n} vectors of ${dim}`);
  const mean = new Float64Array(dim);
  for (let s = 0; s < n; s++) {
    const o = s * dim;
    for (let i = 0; i < dim; i++) mean[i] += features[o + i];
  }
  for (let i = 0; i < dim; i++) mean[i] /= n;
  const cov = new Float64Array(dim * dim);
  const c = new Float64Array(dim);
  for (let s = 0; s < n; s++) {
    const o = s * dim;
    for (let i = 0; i < dim; i++) c[i] = features[o + i] - mean[i];
    for (let i = 0; i < dim; i++) {
      const ci = c[i];
      if (ci === 0) continue;
      const row = i * dim;
      for (let j = i; j < dim; j++) cov[row + j] += ci * c[j];
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = cov[i * dim + j] / (n - 1);
      cov[i * dim + j] = v;
      cov[j * dim + i] = v;
    }
  }
  return { n, dim, mean, cov };
}

/** Fréchet distance between two Gaussians: ‖μA − μB‖² + Tr(ΣA + ΣB − 2 (ΣA ΣB)^{1/2}), float64, at least 0. */
export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  if (a.dim !== b.dim) throw new RangeError(`frechetDistance: dimensions differ (${a.dim} and ${b.dim})`);
  const d = a.dim;
  let m2 = 0;
  let tr = 0;
  for (let i = 0; i < d; i++) {
    const dm = a.mean[i] - b.mean[i];
    m2 += dm * dm;
    tr += a.cov[i * d + i] + b.cov[i * d + i];
  }
  return Math.max(0, m2 + tr - 2 * traceSqrtProduct(a.cov, b.cov, d));
}

/** FID between two feature sets (nA and nB vectors of `dim` values). */
export function fid(
  featuresA: ArrayLike<number>,
  nA: number,
  featuresB: ArrayLike<number>,
  nB: number,
  dim: number,
): number {
  return frechetDistance(gaussianStats(featuresA, nA, dim), gaussianStats(featuresB, nB, dim));
}

// ---------------------------------------------------------------------------------------------
// Classifier score and coverage

function checkProbs(probs: ArrayLike<number>, n: number, who: string): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${who}: need at least one prediction, got n = ${n}`);
  if (probs.length < n * C)
    throw new RangeError(`${who}: ${probs.length} values hold fewer than ${n} rows of ${C} probabilities`);
}

/**
 * The classifier score exp(E_x[KL(p(y|x) ‖ p(y))]) with p(y) the mean prediction: 1 when every image
 * gets the same prediction, 10 at best (confident predictions spread evenly over the 10 digits).
 */
export function classifierScore(probs: ArrayLike<number>, n: number): number {
  checkProbs(probs, n, 'classifierScore');
  const py = new Float64Array(C);
  for (let s = 0; s < n; s++) for (let c = 0; c < C; c++) py[c] += probs[s * C + c];
  for (let c = 0; c < C; c++) py[c] /= n;
  const logPy = py.map((p) => (p > 0 ? Math.log(p) : 0));
  let kl = 0;
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < C; c++) {
      const p = probs[s * C + c];
      if (p > 0) kl += p * (Math.log(p) - logPy[c]);
    }
  }
  return Math.exp(kl / n);
}

/** Which digits the images are classified as, and how confidently. */
export interface ClassCoverage {
  n: number;
  /** Confidence threshold (default 0.9). */
  threshold: number;
  /** share[d]: share of the images whose most probable class is d (sums to 1). */
  share: number[];
  /** Share of the images whose top probability is ≥ threshold. */
  confident: number;
  /** confidentShare[d]: share of all images classified as d with confidence ≥ threshold (sums to `confident`). */
  confidentShare: number[];
  /** confidentWithin[d]: among the images classified as d, the share that is confident (NaN if none). */
  confidentWithin: number[];
  /** Total variation distance of `share` from the uniform 1/10 each (0 = perfectly balanced, 0.9 = one digit only). */
  imbalance: number;
}

/** Class coverage of n predictions (n × 10 probabilities). */
export function classCoverage(probs: ArrayLike<number>, n: number, threshold = 0.9): ClassCoverage {
  checkProbs(probs, n, 'classCoverage');
  const count = new Float64Array(C);
  const conf = new Float64Array(C);
  for (let s = 0; s < n; s++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (probs[s * C + c] > probs[s * C + best]) best = c;
    count[best]++;
    if (probs[s * C + best] >= threshold) conf[best]++;
  }
  const share = Array.from(count, (x) => x / n);
  const confidentShare = Array.from(conf, (x) => x / n);
  return {
    n,
    threshold,
    share,
    confident: conf.reduce((a, b) => a + b, 0) / n,
    confidentShare,
    confidentWithin: Array.from(conf, (x, c) => (count[c] > 0 ? x / count[c] : NaN)),
    imbalance: 0.5 * share.reduce((a, x) => a + Math.abs(x - 1 / C), 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Copy check

/** Summary of a distance distribution ([0, 1] pixel units, L2 over 784 pixels). */
export interface DistanceStats {
  n: number;
  mean: number;
  median: number;
  /** 5th percentile (linear interpolation between order statistics). */
  p5: number;
  min: number;
  max: number;
}

/** Result of the copy check. */
export interface CopyCheck {
  /** Generated images → their nearest training image. */
  generated: DistanceStats;
  /** Test images → their nearest training image (what a fresh, uncopied digit looks like). */
  test: DistanceStats;
  /** Share of the generated images closer to a training image than test.p5. */
  closerThanTestP5: number;
  /** Share of the generated images at distance 0 from a training image (exact copies). */
  exactCopies: number;
  /** Per checked generated image: its index among the generated, the distance and the nearest training image. */
  checked: Int32Array;
  distances: Float64Array;
  nearestTrain: Int32Array;
  /** Average exact distances computed per query (the rest were pruned by the PCA bounds). */
  exactPerQuery: number;
  seconds: { index: number; generated: number; test: number; total: number };
}

/** Options of `copyCheck`. */
export interface CopyCheckOptions {
  /** Generated images checked: a seeded sample of this many (default 1,000; all if fewer). */
  sample?: number;
  /** Test images checked (default `sample`). */
  testSample?: number;
  /** Seed of the samples (default 0). */
  seed?: number;
  /** A prebuilt index of the same training images (reused across calls). */
  index?: NearestIndex;
  /** Options of the index built when none is given. */
  indexOptions?: NearestIndexOptions;
}

/** Percentile q (0..100) of sorted values, linear interpolation (NumPy's default). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = ((n - 1) * q) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Mean, median, 5th percentile, min and max of distances. */
export function distanceStats(d: Float64Array): DistanceStats {
  const s = Float64Array.from(d).sort();
  const n = s.length;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += s[k];
  return {
    n,
    mean: n ? sum / n : NaN,
    median: percentile(s, 50),
    p5: percentile(s, 5),
    min: n ? s[0] : NaN,
    max: n ? s[n - 1] : NaN,
  };
}

function gather(images: Uint8Array, idx: Int32Array): Uint8Array {
  const out = new Uint8Array(idx.length * D);
  for (let k = 0; k < idx.length; k++) out.set(images.subarray(idx[k] * D, idx[k] * D + D), k * D);
  return out;
}

/**
 * Copy check: the L2 distance ([0, 1] pixel units) from each generated image (or a seeded sample) to
 * its nearest training image, against the same for (a sample of) test images; the share of generated
 * images closer than the 5th percentile of the test distances flags memorisation. Exact nearest
 * neighbours (PCA lower bounds prune the search; see nearest.ts).
 */
export function copyCheck(
  generated: Uint8Array,
  nG: number,
  train: Uint8Array,
  nTrain: number,
  test: Uint8Array,
  nTest: number,
  opts: CopyCheckOptions = {},
): CopyCheck {
  const t0 = performance.now();
  for (const [imgs, n, name] of [
    [generated, nG, 'generated'],
    [train, nTrain, 'train'],
    [test, nTest, 'test'],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`copyCheck: need at least one ${name} image, got ${n}`);
    if (imgs.length < n * D)
      throw new RangeError(`copyCheck: ${imgs.length} bytes hold fewer than ${n} ${name} images of ${D} bytes`);
  }
  const index = opts.index ?? new NearestIndex(train, nTrain, { seed: opts.seed, ...opts.indexOptions });
  if (opts.index && opts.index.n !== nTrain)
    throw new RangeError(`copyCheck: the index holds ${opts.index.n} training images, not ${nTrain}`);
  const indexSeconds = opts.index ? 0 : index.buildSeconds;
  const rng = new Rng(opts.seed ?? 0);
  const sample = opts.sample ?? 1000;
  const gIdx = sample >= nG ? Int32Array.from({ length: nG }, (_, k) => k) : sampleIndices(nG, sample, rng);
  const testSample = opts.testSample ?? sample;
  const tIdx =
    testSample >= nTest ? Int32Array.from({ length: nTest }, (_, k) => k) : sampleIndices(nTest, testSample, rng);
  const g = index.nearest(gather(generated, gIdx), gIdx.length);
  const t = index.nearest(gather(test, tIdx), tIdx.length);
  const gs = distanceStats(g.distances);
  const ts = distanceStats(t.distances);
  let closer = 0;
  let copies = 0;
  for (let k = 0; k < g.distances.length; k++) {
    if (g.distances[k] < ts.p5) closer++;
    if (g.distances[k] === 0) copies++;
  }
  const m = g.distances.length;
  return {
    generated: gs,
    test: ts,
    closerThanTestP5: closer / m,
    exactCopies: copies / m,
    checked: gIdx,
    distances: g.distances,
    nearestTrain: g.index,
    exactPerQuery: (g.exactPerQuery * m + t.exactPerQuery * tIdx.length) / (m + tIdx.length),
    seconds: { index: indexSeconds, generated: g.seconds, test: t.seconds, total: (performance.now() - t0) / 1000 },
  };
}

// ---------------------------------------------------------------------------------------------
// The report

/** Images without labels. */
export interface Images {
  n: number;
  images: Uint8Array;
}

/** Reference sets of a quality report (defaults: MNIST train and test), and the copy check's sample. */
export interface QualityRefs {
  train?: Images;
  /** The FID's reference; with labels it is also the variety's reference (otherwise MNIST test is). */
  test?: Images | LabelledImages;
  /** Seed of the floor's train sample, the ceiling's noise and the copy check's samples (default 0). */
  seed?: number;
  /** Generated and test images in the copy check (default 1,000). */
  copySample?: number;
}

/** Per-sample classes of the judged images (e.g. a conditional generator's digits, or a labels file). */
export interface QualityLabels {
  /** n labels 0..9. */
  labels: ArrayLike<number>;
  /** Where they come from, shown in the report (e.g. "generator", a file name). */
  source: string;
}

/** How often the judge's prediction equals the given label: overall and per label (null when a label has no images). */
export interface LabelAgreement {
  overall: number;
  perClass: (number | null)[];
  source: string;
}

/** Everything `qualityReport` measures; the FID comes with its floor and ceiling at the same n. */
export interface QualityReport {
  n: number;
  /** FID of the images against the test set (judge features, 128-d). */
  fid: number;
  /** FID of n training images against the test set: what perfect samples would score at this n. */
  fidFloor: number;
  /** FID of n uniform-noise images against the test set. */
  fidCeiling: number;
  /** Classifier score of the images, and of the test set for reference (≈ 9.9). */
  score: number;
  scoreTest: number;
  coverage: ClassCoverage;
  /** The test set's confident share, for reference. */
  confidentTest: number;
  copy: CopyCheck;
  /** Within-class variety (classes from the given labels, else the judge's predictions) against MNIST test digits. */
  variety: WithinClassVariety;
  /** With given labels: how often the judge agrees with them; null without labels. */
  labelAgreement: LabelAgreement | null;
  /** Judge test accuracy (from its info; NaN if unknown). */
  judgeAccuracy: number;
  seconds: number;
}

interface RefCache {
  train: Images;
  test: Images | LabelledImages;
  testStats: GaussianStats;
  scoreTest: number;
  confidentTest: number;
  index?: NearestIndex;
  /** The variety's reference figures, per seed. */
  variety: Map<number, ClassDistances>;
  floor: Map<number, number>;
  ceiling: Map<number, number>;
}

const caches = new WeakMap<QualityRefs, WeakMap<Judge, RefCache>>();

function refCache(judge: Judge, refs: QualityRefs): RefCache {
  let byJudge = caches.get(refs);
  if (!byJudge) caches.set(refs, (byJudge = new WeakMap()));
  let c = byJudge.get(judge);
  if (!c) {
    const train = refs.train ?? loadMnist('train');
    const test = refs.test ?? loadMnist('test');
    const p = judge.predict(test.images, test.n);
    c = {
      train,
      test,
      testStats: gaussianStats(p.features, test.n, JUDGE_FEATURES),
      scoreTest: classifierScore(p.probs, test.n),
      confidentTest: classCoverage(p.probs, test.n).confident,
      variety: new Map(),
      floor: new Map(),
      ceiling: new Map(),
    };
    byJudge.set(judge, c);
  }
  return c;
}

/** n seeded uniform-noise images (each pixel uniform in 0..255). */
export function noiseImages(n: number, seed = 0): Uint8Array {
  const rng = new Rng(seed);
  const out = new Uint8Array(n * D);
  for (let k = 0; k < out.length; k++) out[k] = rng.nextU32() & 255;
  return out;
}

/** FID of n feature vectors (from `judge`) of `images` against precomputed reference stats. */
function fidAgainst(judge: Judge, images: Uint8Array, n: number, ref: GaussianStats): number {
  const { features } = judge.predict(images, n);
  return frechetDistance(gaussianStats(features, n, JUDGE_FEATURES), ref);
}

/** The class with the highest probability, per image. */
function predictedClasses(probs: ArrayLike<number>, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (probs[s * C + c] > probs[s * C + best]) best = c;
    out[s] = best;
  }
  return out;
}

function labelAgreement(predicted: Uint8Array, labels: ArrayLike<number>, source: string): LabelAgreement {
  const count = new Float64Array(C);
  const agree = new Float64Array(C);
  for (let s = 0; s < predicted.length; s++) {
    count[labels[s]]++;
    if (predicted[s] === labels[s]) agree[labels[s]]++;
  }
  return {
    overall: agree.reduce((a, b) => a + b, 0) / predicted.length,
    perClass: Array.from(count, (m, c) => (m > 0 ? agree[c] / m : null)),
    source,
  };
}

/**
 * The quality report of n images (784 bytes each, at least 2): FID against the test set beside its
 * floor (n training images) and ceiling (n noise images), classifier score, class coverage, copy
 * check and within-class variety (classes from `labels` when given, else the judge's predictions;
 * with labels also how often the judge agrees with them). Reference figures are cached per `refs`
 * object and judge, so reuse the same `refs` across calls (e.g. every epoch) to pay for the test
 * features, the nearest-neighbour index and the test digits' pairwise distances once.
 */
export function qualityReport(
  judge: Judge,
  images: Uint8Array,
  n: number,
  refs: QualityRefs = {},
  labels?: QualityLabels,
): QualityReport {
  const t0 = performance.now();
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`qualityReport: need at least 2 images, got ${n}`);
  if (images.length < n * D)
    throw new RangeError(`qualityReport: ${images.length} bytes hold fewer than ${n} images of ${D} bytes`);
  if (labels && labels.labels.length < n) {
    throw new RangeError(`qualityReport: ${labels.labels.length} labels for ${n} images`);
  }
  const c = refCache(judge, refs);
  const seed = refs.seed ?? 0;
  const { probs, features } = judge.predict(images, n);
  const fidValue = frechetDistance(gaussianStats(features, n, JUDGE_FEATURES), c.testStats);
  if (!c.floor.has(n)) {
    const m = Math.min(n, c.train.n);
    const pick = sampleIndices(c.train.n, m, new Rng(seed + 1));
    c.floor.set(n, m >= 2 ? fidAgainst(judge, gather(c.train.images, pick), m, c.testStats) : NaN);
  }
  if (!c.ceiling.has(n)) c.ceiling.set(n, fidAgainst(judge, noiseImages(n, seed + 2), n, c.testStats));
  c.index ??= new NearestIndex(c.train.images, c.train.n, { seed });
  const copy = copyCheck(images, n, c.train.images, c.train.n, c.test.images, c.test.n, {
    sample: refs.copySample ?? 1000,
    seed,
    index: c.index,
  });
  if (!c.variety.has(seed)) {
    const ref = 'labels' in c.test ? c.test : loadMnist('test');
    c.variety.set(seed, classDistances(ref.images, ref.n, ref.labels, { seed }));
  }
  const predicted = predictedClasses(probs, n);
  const variety = withinClassVariety(images, n, labels?.labels ?? predicted, c.variety.get(seed)!, {
    seed,
    labelSource: labels?.source ?? "judge's predictions",
  });
  return {
    n,
    fid: fidValue,
    fidFloor: c.floor.get(n)!,
    fidCeiling: c.ceiling.get(n)!,
    score: classifierScore(probs, n),
    scoreTest: c.scoreTest,
    coverage: classCoverage(probs, n),
    confidentTest: c.confidentTest,
    copy,
    variety,
    labelAgreement: labels ? labelAgreement(predicted, labels.labels, labels.source) : null,
    judgeAccuracy: judge.info.testAccuracy,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The report as Markdown: a figures table (with floor/ceiling and test-set references) and the digit shares. */
export function formatQualityReport(r: QualityReport): string {
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '-');
  const rows: [string, string, string][] = [
    [
      'FID vs MNIST test (judge features)',
      f(r.fid),
      `floor ${f(r.fidFloor)} (train), ceiling ${f(r.fidCeiling)} (noise), n = ${r.n}`,
    ],
    ['classifier score (10 at best)', f(r.score), `test set ${f(r.scoreTest)}`],
    [`confident (p ≥ ${r.coverage.threshold})`, pct(r.coverage.confident), `test set ${pct(r.confidentTest)}`],
    ['digit imbalance (TV from uniform)', f(r.coverage.imbalance, 3), '0 = balanced, 0.9 = one digit'],
    ['nearest-train distance, median', f(r.copy.generated.median), `test → train ${f(r.copy.test.median)}`],
    ['nearest-train distance, 5th pct', f(r.copy.generated.p5), `test → train ${f(r.copy.test.p5)}`],
    [
      'closer than test 5th pct',
      pct(r.copy.closerThanTestP5),
      `exact copies ${pct(r.copy.exactCopies)}, ${r.copy.generated.n} checked`,
    ],
  ];
  const v = r.variety;
  const classes = `${v.classesCounted} class${v.classesCounted === 1 ? '' : 'es'}`;
  rows.push([
    `within-class variety (mean of ${classes})`,
    v.mean === null ? '-' : f(v.mean),
    `1.00 = as varied as MNIST test digits; classes: ${v.labelSource}`,
  ]);
  const agree = r.labelAgreement;
  if (agree) rows.push(['judge agrees with the labels', pct(agree.overall), `labels: ${agree.source}`]);
  const lines = ['| figure | value | reference |', '|:--|--:|:--|', ...rows.map((x) => `| ${x.join(' | ')} |`)];
  lines.push(
    '',
    '| digit | ' + r.coverage.share.map((_, d) => String(d)).join(' | ') + ' |',
    '|:--|' + r.coverage.share.map(() => '--:').join('|') + '|',
  );
  lines.push('| share | ' + r.coverage.share.map((x) => (100 * x).toFixed(1)).join(' | ') + ' |');
  lines.push(
    '| confident within | ' +
      r.coverage.confidentWithin.map((x) => (Number.isFinite(x) ? (100 * x).toFixed(0) : '-')).join(' | ') +
      ' |',
  );
  lines.push('| variety | ' + v.perClass.map((x) => (x === null ? '-' : x.toFixed(2))).join(' | ') + ' |');
  const cell = (x: number | null) => (x === null ? '-' : (100 * x).toFixed(0));
  if (agree) lines.push(`| judge agrees | ${agree.perClass.map(cell).join(' | ')} |`);
  return lines.join('\n');
}
