// Sample-quality judge and metrics. The full judge is never trained here (that is the
// quality benchmark's job); the MLP is checked on a 2,000-image subset.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, writeSafetensorsFile } from '@spiking-gan/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type ImageSet } from '../src/data/mnist.ts';
import {
  classCoverage,
  classifierScore,
  copyCheck,
  fid,
  frechetDistance,
  gaussianStats,
  Judge,
  judgeCachePath,
  loadOrTrainJudge,
  NearestIndex,
  noiseImages,
  percentile,
  sampleIndices,
  qualityReport,
  formatQualityReport,
  trainJudge,
  type GaussianStats,
  type LabelledImages,
} from '../src/quality/index.ts';
import { jacobiEigen } from '../src/quality/linalg.ts';

const tmp = mkdtempSync(join(tmpdir(), 'quality-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** n samples of a Gaussian with the given mean and a covariance L Lᵀ (L row-major dim × dim). */
function gaussianSample(rng: Rng, n: number, mean: number[], L: number[][]): Float32Array {
  const dim = mean.length;
  const out = new Float32Array(n * dim);
  const z = new Float64Array(dim);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < dim; i++) z[i] = rng.normal();
    for (let i = 0; i < dim; i++) {
      let v = mean[i];
      for (let k = 0; k < dim; k++) v += L[i][k] * z[k];
      out[s * dim + i] = v;
    }
  }
  return out;
}

function randomSymmetric(rng: Rng, n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = rng.uniform(-1, 1);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

function subset(set: ImageSet, from: number, n: number): LabelledImages {
  return { n, images: set.images.subarray(from * 784, (from + n) * 784), labels: set.labels.subarray(from, from + n) };
}

describe('Jacobi eigenvalue solver', () => {
  it('reconstructs random symmetric matrices with orthonormal eigenvectors, eigenvalues sorted', () => {
    const rng = new Rng(7);
    for (const n of [1, 2, 3, 10, 50, 128]) {
      const a = randomSymmetric(rng, n);
      const { values, vectors } = jacobiEigen(a, n);
      let norm = 0;
      for (const v of a) norm = Math.max(norm, Math.abs(v));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let r = 0;
          let o = 0;
          for (let k = 0; k < n; k++) {
            r += vectors[i * n + k] * values[k] * vectors[j * n + k];
            o += vectors[k * n + i] * vectors[k * n + j];
          }
          expect(Math.abs(r - a[i * n + j])).toBeLessThan(1e-11 * Math.max(1, n * norm));
          expect(Math.abs(o - (i === j ? 1 : 0))).toBeLessThan(1e-12 * Math.max(1, n));
        }
      }
      for (let k = 1; k < n; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
      // the trace is the sum of the eigenvalues
      let tr = 0;
      for (let i = 0; i < n; i++) tr += a[i * n + i];
      expect(values.reduce((x, y) => x + y, 0)).toBeCloseTo(tr, 9);
    }
  });

  it('handles diagonal, repeated and zero eigenvalues', () => {
    const n = 6;
    const id = new Float64Array(n * n);
    for (let i = 0; i < n; i++) id[i * n + i] = 2;
    expect(Array.from(jacobiEigen(id, n).values)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(Array.from(jacobiEigen(new Float64Array(n * n), n).values)).toEqual([0, 0, 0, 0, 0, 0]);
    // rank one: u uᵀ has eigenvalues ‖u‖², 0, ...
    const u = [1, 2, 3, 0, -1, 2];
    const r1 = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) r1[i * n + j] = u[i] * u[j];
    const { values } = jacobiEigen(r1, n);
    expect(values[0]).toBeCloseTo(19, 12);
    for (let k = 1; k < n; k++) expect(Math.abs(values[k])).toBeLessThan(1e-12);
  });
});

describe('FID', () => {
  const rng = new Rng(11);
  const dim = 32;
  // a correlated Gaussian with two dead (always 0) features, like ReLU units that never fire
  const L = Array.from({ length: dim }, (_, i) =>
    Array.from({ length: dim }, (_, k) => (i < 2 ? 0 : k <= i ? rng.uniform(-0.5, 1) : 0)),
  );
  const mean = Array.from({ length: dim }, (_, i) => (i < 2 ? 0 : rng.uniform(-1, 1)));
  const A = gaussianSample(rng, 2000, mean, L);
  const B = gaussianSample(
    rng,
    1500,
    mean.map((m) => m + 0.1),
    L.map((row) => row.map((v) => 1.1 * v)),
  );

  it('is 0 for a set against itself, also with singular covariances', () => {
    expect(Math.abs(fid(A, 2000, A, 2000, dim))).toBeLessThan(1e-6);
    expect(Math.abs(fid(B, 1500, B, 1500, dim))).toBeLessThan(1e-6);
  });

  it('is symmetric', () => {
    const ab = fid(A, 2000, B, 1500, dim);
    const ba = fid(B, 1500, A, 2000, dim);
    expect(ab).toBeGreaterThan(0.1);
    // not bit-symmetric: √ of the (numerically zero) eigenvalues of the dead features amplifies rounding
    expect(Math.abs(ab - ba)).toBeLessThan(1e-6 * ab);
  });

  it('matches the closed form for diagonal covariances within sampling tolerance', () => {
    // N(μA, diag σA²) vs N(μB, diag σB²): ‖μA − μB‖² + Σ (σA − σB)²
    const r = new Rng(3);
    const d = 4;
    const muA = [0, 1, -1, 2],
      muB = [0.5, 1, 0, 2];
    const sA = [1, 2, 0.5, 1],
      sB = [1.5, 1, 0.5, 3];
    const n = 40_000;
    const fa = gaussianSample(
      r,
      n,
      muA,
      sA.map((s, i) => sA.map((_, k) => (k === i ? s : 0))),
    );
    const fb = gaussianSample(
      r,
      n,
      muB,
      sB.map((s, i) => sB.map((_, k) => (k === i ? s : 0))),
    );
    const exact =
      muA.reduce((acc, m, i) => acc + (m - muB[i]) ** 2, 0) + sA.reduce((acc, s, i) => acc + (s - sB[i]) ** 2, 0);
    expect(exact).toBeCloseTo(6.5, 12);
    expect(fid(fa, n, fb, n, d)).toBeCloseTo(exact, 1);
    expect(Math.abs(fid(fa, n, fb, n, d) - exact)).toBeLessThan(0.02 * exact);
  });

  it('matches the closed form for full (non-commuting) covariances given exact statistics', () => {
    // 2 × 2: Tr √M = √(tr M + 2 √det M) for M = ΣA ΣB with positive eigenvalues
    const r = new Rng(5);
    for (let trial = 0; trial < 20; trial++) {
      const spd = (): Float64Array => {
        const a = r.uniform(-1, 1),
          b = r.uniform(-1, 1),
          c = r.uniform(-1, 1),
          e = r.uniform(-1, 1);
        // Lᵀ L + 0.1 I
        return Float64Array.from([a * a + c * c + 0.1, a * b + c * e, a * b + c * e, b * b + e * e + 0.1]);
      };
      const SA = spd(),
        SB = spd();
      const mA = Float64Array.from([r.normal(), r.normal()]),
        mB = Float64Array.from([r.normal(), r.normal()]);
      const M = [
        SA[0] * SB[0] + SA[1] * SB[2],
        SA[0] * SB[1] + SA[1] * SB[3],
        SA[2] * SB[0] + SA[3] * SB[2],
        SA[2] * SB[1] + SA[3] * SB[3],
      ];
      const trSqrt = Math.sqrt(M[0] + M[3] + 2 * Math.sqrt(M[0] * M[3] - M[1] * M[2]));
      const exact = (mA[0] - mB[0]) ** 2 + (mA[1] - mB[1]) ** 2 + SA[0] + SA[3] + SB[0] + SB[3] - 2 * trSqrt;
      const a: GaussianStats = { n: 2, dim: 2, mean: mA, cov: SA };
      const b: GaussianStats = { n: 2, dim: 2, mean: mB, cov: SB };
      expect(frechetDistance(a, b)).toBeCloseTo(exact, 10);
    }
  });

  it('fits the unbiased covariance', () => {
    const f = Float32Array.from([1, 2, 3, 4, 5, 9]); // 3 vectors of 2: (1,2), (3,4), (5,9)
    const s = gaussianStats(f, 3, 2);
    expect(Array.from(s.mean)).toEqual([3, 5]);
    expect(Array.from(s.cov)).toEqual([4, 7, 7, 13]);
  });
});

describe('classifier score and coverage', () => {
  const oneHot = (classes: number[]): Float32Array => {
    const p = new Float32Array(classes.length * 10);
    classes.forEach((c, s) => (p[s * 10 + c] = 1));
    return p;
  };

  it('is 1 for identical predictions and 10 for confident predictions spread evenly over 10 classes', () => {
    const same = new Float32Array(50 * 10);
    for (let s = 0; s < 50; s++) for (let c = 0; c < 10; c++) same[s * 10 + c] = c === 3 ? 0.5 : 0.5 / 9;
    expect(classifierScore(same, 50)).toBeCloseTo(1, 12);
    expect(classifierScore(oneHot(Array.from({ length: 100 }, (_, s) => s % 10)), 100)).toBeCloseTo(10, 5);
    expect(classifierScore(oneHot(Array.from({ length: 100 }, (_, s) => s % 2)), 100)).toBeCloseTo(2, 5);
  });

  it('coverage shares sum to 1 and confident shares to the confident total', () => {
    const rng = new Rng(9);
    const n = 500;
    const p = new Float32Array(n * 10);
    for (let s = 0; s < n; s++) {
      let z = 0;
      for (let c = 0; c < 10; c++) z += p[s * 10 + c] = Math.exp(4 * rng.normal());
      for (let c = 0; c < 10; c++) p[s * 10 + c] /= z;
    }
    const cov = classCoverage(p, n);
    expect(cov.share.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(cov.confidentShare.reduce((a, b) => a + b, 0)).toBeCloseTo(cov.confident, 12);
    expect(cov.confident).toBeGreaterThan(0);
    expect(cov.confident).toBeLessThan(1);

    const fixed = classCoverage(oneHot([0, 0, 0, 1]), 4);
    expect(fixed.share.slice(0, 3)).toEqual([0.75, 0.25, 0]);
    expect(fixed.confident).toBe(1);
    expect(fixed.confidentWithin[0]).toBe(1);
    expect(fixed.confidentWithin[2]).toBeNaN();
    expect(fixed.imbalance).toBeCloseTo(0.5 * (0.65 + 0.15 + 8 * 0.1), 12);
  });
});

describe('copy check', () => {
  let train: ImageSet;
  let test: ImageSet;
  beforeAll(() => {
    train = loadMnist('train');
    test = loadMnist('test');
  });

  it('finds exact copies at distance 0 and the exact nearest neighbour otherwise', () => {
    const nTrain = 6000;
    const trainImgs = train.images.subarray(0, nTrain * 784);
    const index = new NearestIndex(trainImgs, nTrain, { seed: 1 });
    // 20 generated: 10 copies of training images, then 10 test images
    const gen = new Uint8Array(20 * 784);
    const copied = [0, 17, 999, 1234, 2500, 3333, 4096, 5000, 5998, 5999];
    copied.forEach((j, k) => gen.set(trainImgs.subarray(j * 784, j * 784 + 784), k * 784));
    gen.set(test.images.subarray(0, 10 * 784), 10 * 784);
    const r = index.nearest(gen, 20);
    for (let k = 0; k < 10; k++) {
      expect(r.distances[k]).toBe(0);
      // an MNIST training image may have an identical twin; the lowest index is reported
      expect(r.index[k]).toBeLessThanOrEqual(copied[k]);
    }
    for (let k = 10; k < 20; k++) {
      let best = Infinity;
      let bj = -1;
      for (let j = 0; j < nTrain; j++) {
        let s = 0;
        for (let i = 0; i < 784; i++) {
          const d = gen[k * 784 + i] - trainImgs[j * 784 + i];
          s += d * d;
        }
        if (s < best) [best, bj] = [s, j];
      }
      expect(r.distances[k]).toBeCloseTo(Math.sqrt(best) / 255, 10);
      expect(r.index[k]).toBe(bj);
    }

    const cc = copyCheck(gen, 20, trainImgs, nTrain, test.images, 2000, { sample: 1000, testSample: 300, index });
    expect(cc.generated.n).toBe(20);
    expect(cc.test.n).toBe(300);
    expect(cc.exactCopies).toBe(0.5);
    expect(cc.closerThanTestP5).toBeGreaterThanOrEqual(0.5);
    expect(cc.generated.min).toBe(0);
    expect(cc.test.min).toBeGreaterThan(0);
    expect(cc.test.p5).toBeLessThanOrEqual(cc.test.median);
    expect(cc.seconds.total).toBeGreaterThan(0);
  });

  it('percentiles interpolate like NumPy', () => {
    const s = Float64Array.from([1, 2, 3, 4, 5]);
    expect(percentile(s, 50)).toBe(3);
    expect(percentile(s, 5)).toBeCloseTo(1.2, 12);
    expect(percentile(s, 100)).toBe(5);
  });
});

describe('judge MLP', () => {
  let train: ImageSet;
  let test: ImageSet;
  let small: LabelledImages;
  let held: LabelledImages;
  let judge: Judge;
  const recipe = { seed: 1, epochs: 1, batchSize: 10, lr: 0.003, shift: 0, test: null };
  beforeAll(() => {
    train = loadMnist('train');
    test = loadMnist('test');
    small = subset(train, 0, 2000);
    held = subset(test, 0, 1000);
  });

  it('trains deterministically: same seed, bit-identical weights; another seed differs', () => {
    judge = trainJudge({ ...recipe, train: small });
    const again = trainJudge({ ...recipe, train: small });
    const a = judge.toTensors();
    const b = again.toTensors();
    expect(Object.keys(a).sort()).toEqual([
      'layers.0.bias',
      'layers.0.weight',
      'layers.1.bias',
      'layers.1.weight',
      'layers.2.bias',
      'layers.2.weight',
    ]);
    for (const k of Object.keys(a)) {
      expect(
        Buffer.from((a[k].data as Float32Array).buffer).equals(Buffer.from((b[k].data as Float32Array).buffer)),
      ).toBe(true);
    }
    expect(a['layers.0.weight'].shape).toEqual([256, 784]);
    const other = trainJudge({ ...recipe, seed: 43, train: small }).toTensors();
    expect(
      Buffer.from((other['layers.1.weight'].data as Float32Array).buffer).equals(
        Buffer.from((a['layers.1.weight'].data as Float32Array).buffer),
      ),
    ).toBe(false);
  });

  it('learns: at least 85 % on held-out test images after one epoch on 2,000 images', () => {
    const acc = judge.accuracy(held);
    expect(acc).toBeGreaterThanOrEqual(0.85);
  });

  it('predicts probabilities and 128 non-negative features per image; tensors round-trip', () => {
    const { probs, features } = judge.predict(held.images, 50);
    expect(probs.length).toBe(500);
    expect(features.length).toBe(50 * 128);
    for (let s = 0; s < 50; s++) {
      let z = 0;
      for (let c = 0; c < 10; c++) z += probs[s * 10 + c];
      expect(z).toBeCloseTo(1, 5);
    }
    expect(features.every((v) => v >= 0)).toBe(true);
    const copy = Judge.fromTensors(judge.toTensors());
    const p2 = copy.predict(held.images, 50);
    expect(p2.probs).toEqual(probs);
    expect(p2.features).toEqual(features);
    expect(() =>
      Judge.fromTensors(
        {
          ...judge.toTensors(),
          'layers.1.weight': { dtype: 'F32', shape: [128, 255], data: new Float32Array(128 * 255) },
        },
        {},
        'x.safetensors',
      ),
    ).toThrow(/x\.safetensors: layers\.1\.weight: shape \[128,255\], expected \[128,256\]/);
  });

  it('loadOrTrainJudge caches, reloads, and retrains over a mismatched or corrupt cache', () => {
    // epochs: 0 keeps the "training" to an initialisation and a test-set evaluation
    const dir = join(tmp, 'judge');
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    const path = judgeCachePath(dir, 5);
    expect(path).toMatch(/judge-v1-seed5\.safetensors$/);
    // a cache written for another seed under this name is refused
    writeSafetensorsFile(path, judge.toTensors(), { ...judge.metadata(), seed: '42' });
    const first = loadOrTrainJudge(dir, { seed: 5, epochs: 0, log });
    expect(first.info.fromCache).toBe(false);
    expect(lines.join('\n')).toMatch(/refusing the cache.*seed 42 ≠ 5/);
    expect(first.info.testAccuracy).toBeGreaterThan(0);
    const second = loadOrTrainJudge(dir, { seed: 5, epochs: 0, log });
    expect(second.info.fromCache).toBe(true);
    expect(second.info.testAccuracy).toBe(first.info.testAccuracy);
    expect(second.toTensors()).toEqual(first.toTensors());
    // another recipe for the same seed is refused
    lines.length = 0;
    const third = loadOrTrainJudge(dir, { seed: 5, epochs: 0, shift: 2, log });
    expect(third.info.fromCache).toBe(false);
    expect(lines.join('\n')).toMatch(/shift 1 ≠ 2/);
    // a truncated file is refused with its name
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    lines.length = 0;
    expect(loadOrTrainJudge(dir, { seed: 5, epochs: 0, shift: 2, log }).info.fromCache).toBe(false);
    expect(lines.join('\n')).toContain(path);
  });

  it('qualityReport prints FID beside its floor and ceiling', () => {
    const refs = { train: subset(train, 0, 5000), test: subset(test, 0, 2000), copySample: 200 };
    // "perfect" samples: a random sample of training digits not in refs.train (contiguous blocks of
    // MNIST train come from different writers and can sit far from the test set)
    const pick = sampleIndices(50_000, 500, new Rng(4));
    const gen = new Uint8Array(500 * 784);
    pick.forEach((j, k) => gen.set(train.image(10_000 + j), k * 784));
    const r = qualityReport(judge, gen, 500, refs);
    expect(r.n).toBe(500);
    for (const x of [r.fid, r.fidFloor, r.fidCeiling, r.score, r.scoreTest]) expect(Number.isFinite(x)).toBe(true);
    expect(r.fidCeiling).toBeGreaterThan(5 * r.fidFloor);
    expect(r.fid).toBeLessThan(1.5 * r.fidFloor + 1);
    expect(r.coverage.share.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(r.copy.generated.n).toBe(200);
    const noisy = qualityReport(judge, noiseImages(500, 1), 500, refs);
    expect(noisy.fidFloor).toBe(r.fidFloor); // cached per n
    expect(noisy.fid).toBeGreaterThan(5 * r.fid);
  });

  it('qualityReport measures the within-class variety by the judge, or by given labels with the agreement', () => {
    const refs = { train: subset(train, 0, 5000), test: subset(test, 0, 2000), copySample: 100 };
    // 300 real digits (the reference's first 300, by the judge and by their labels); 30 copies of one digit per class
    const real = subset(test, 0, 300);
    const byJudge = qualityReport(judge, real.images, 300, refs);
    expect(byJudge.variety.labelSource).toBe("judge's predictions");
    expect(byJudge.labelAgreement).toBeNull();
    const byLabel = qualityReport(judge, real.images, 300, refs, { labels: real.labels, source: 'MNIST' });
    expect(byLabel.variety.classesCounted).toBe(10);
    for (const x of byLabel.variety.perClass) expect(Math.abs(x! - 1)).toBeLessThan(0.25);
    expect(byLabel.labelAgreement!.overall).toBeCloseTo(judge.accuracy(real), 12);
    const text = formatQualityReport(byLabel);
    expect(text).toMatch(/\| within-class variety \(mean of 10 classes\) \| [01]\.\d\d \| 1\.00 = as varied as MNIST/);
    expect(text).toContain('digits; classes: MNIST |');
    expect(text).toMatch(/\| judge agrees with the labels \| \d+\.\d % \| labels: MNIST \|/);
    const copies = new Uint8Array(300 * 784);
    for (let k = 0; k < 300; k++) copies.set(test.image(k % 10), k * 784);
    const tplLabels = Uint8Array.from({ length: 300 }, (_, k) => k % 10);
    const tpl = qualityReport(judge, copies, 300, refs, { labels: tplLabels, source: 'templates' });
    expect(tpl.variety.perClass).toEqual(new Array(10).fill(0));
    expect(tpl.variety.mean).toBe(0);
    // a single predicted class: the other nine are '-' and left out of the mean
    const twins = new Uint8Array(2 * 784);
    twins.set(test.image(0));
    twins.set(test.image(0), 784);
    const one = qualityReport(judge, twins, 2, refs);
    expect(one.variety.classesCounted).toBe(1);
    expect(formatQualityReport(one)).toMatch(/within-class variety \(mean of 1 class\)/);
    expect(formatQualityReport(one)).toMatch(/\| variety( \| (0\.00|-)){10} \|/);
  });
});
