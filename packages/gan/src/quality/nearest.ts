// Exact nearest-neighbour search of 28 × 28 byte images under the L2 distance, for the copy check.
//
// Brute force over 60,000 training images is ≈ 47 M multiply-adds per query; instead each training
// image gets a K-dimensional PCA projection (top principal components of the training set, from a
// seeded sample) and the norm of its residual outside that subspace. For any orthonormal basis P,
//   ‖q − t‖² = ‖P(q − t)‖² + ‖(I − P)(q − t)‖² ≥ Σ_k (q̂_k − t̂_k)² + (‖r_q‖ − ‖r_t‖)²,
// and the partial sums over k are increasing lower bounds: a training image is discarded as soon as
// its bound passes the best exact distance found so far; the few survivors get the exact distance,
// computed in integer byte units over the training image's non-zero pixels (so an exact copy is at
// distance 0, exactly). The result is the exact nearest neighbour, not an approximation.
import { Rng } from '@spiking-gan/core';
import { MNIST_PIXELS } from '../data/mnist.ts';
import { jacobiEigen, matMul, orthonormaliseColumns } from './linalg.ts';

const D = MNIST_PIXELS;
/** Dimensions of the first, cheap bound computed for every training image. */
const FIRST = 8;

/** Options of `NearestIndex`. */
export interface NearestIndexOptions {
  /** PCA dimensions kept (default 32, at least 8). */
  dims?: number;
  /** Training images sampled to estimate the principal components (default 10,000). */
  pcaSample?: number;
  /** Seed of that sample and of the subspace iteration's start (default 0). */
  seed?: number;
}

/** Nearest training image of each query: distance in [0, 1] pixel units (L2 over 784 pixels) and its index. */
export interface NearestResult {
  distances: Float64Array;
  index: Int32Array;
  /** Exact distances computed per query, on average (the rest was pruned by the bounds). */
  exactPerQuery: number;
  seconds: number;
}

/** An index over n training images (784 bytes each) answering exact L2 nearest-neighbour queries. */
export class NearestIndex {
  readonly n: number;
  readonly dims: number;
  /** Seconds spent building the index. */
  readonly buildSeconds: number;
  private readonly images: Uint8Array;
  /** Pixel-major basis: basis[i * dims + k]. */
  private readonly basis: Float64Array;
  /** Mean image in [0, 1] units. */
  private readonly mean: Float64Array;
  /** Projections: first FIRST dims [n][FIRST], the rest [n][dims − FIRST]. */
  private readonly projA: Float64Array;
  private readonly projB: Float64Array;
  /** Residual norms ‖(I − P)(t − μ)‖ in [0, 1] units. */
  private readonly resid: Float64Array;
  /** Squared norms in byte units, and CSR lists of non-zero pixels. */
  private readonly norm2: Float64Array;
  private readonly nzStart: Int32Array;
  private readonly nzIdx: Uint16Array;

  constructor(images: Uint8Array, n: number, opts: NearestIndexOptions = {}) {
    const t0 = performance.now();
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`NearestIndex: need at least one image, got n = ${n}`);
    if (images.length < n * D)
      throw new RangeError(`NearestIndex: ${images.length} bytes hold fewer than ${n} images of ${D} bytes`);
    const K = Math.min(D, Math.max(FIRST, opts.dims ?? 32));
    this.n = n;
    this.dims = K;
    this.images = images;

    // non-zero pixel lists and byte norms
    let total = 0;
    for (let k = 0; k < n * D; k++) if (images[k] !== 0) total++;
    this.nzStart = new Int32Array(n + 1);
    this.nzIdx = new Uint16Array(total);
    this.norm2 = new Float64Array(n);
    for (let j = 0, pos = 0; j < n; j++) {
      this.nzStart[j] = pos;
      let s = 0;
      for (let i = 0, b = j * D; i < D; i++) {
        const v = images[b + i];
        if (v !== 0) {
          this.nzIdx[pos++] = i;
          s += v * v;
        }
      }
      this.norm2[j] = s;
      this.nzStart[j + 1] = pos;
    }

    // mean image
    const mean = new Float64Array(D);
    for (let j = 0; j < n; j++) {
      for (let p = this.nzStart[j], e = this.nzStart[j + 1]; p < e; p++)
        mean[this.nzIdx[p]] += images[j * D + this.nzIdx[p]];
    }
    for (let i = 0; i < D; i++) mean[i] /= 255 * n;
    this.mean = mean;

    // covariance of a seeded sample (upper triangle by sparse outer products, then centred and mirrored)
    const rng = new Rng(opts.seed ?? 0);
    const m = Math.min(n, opts.pcaSample ?? 10_000);
    const pick = sampleIndices(n, m, rng);
    const cov = new Float64Array(D * D);
    const smean = new Float64Array(D);
    for (let s = 0; s < m; s++) {
      const j = pick[s];
      const b = j * D;
      const p0 = this.nzStart[j],
        p1 = this.nzStart[j + 1];
      for (let p = p0; p < p1; p++) {
        const a = this.nzIdx[p];
        const va = images[b + a] / 255;
        smean[a] += va;
        const row = a * D;
        for (let q = p; q < p1; q++) {
          const c = this.nzIdx[q];
          cov[row + c] += va * (images[b + c] / 255);
        }
      }
    }
    for (let i = 0; i < D; i++) smean[i] /= m;
    for (let i = 0; i < D; i++) {
      for (let j = i; j < D; j++) {
        const v = cov[i * D + j] / m - smean[i] * smean[j];
        cov[i * D + j] = v;
        cov[j * D + i] = v;
      }
    }

    // top-K principal subspace by subspace iteration, then Rayleigh-Ritz to order it by variance
    let V: Float64Array = new Float64Array(D * K);
    for (let k = 0; k < V.length; k++) V[k] = rng.normal();
    orthonormaliseColumns(V, D, K);
    for (let it = 0; it < 12; it++) {
      V = matMul(cov, V, D, D, K);
      orthonormaliseColumns(V, D, K);
    }
    const CV = matMul(cov, V, D, D, K);
    const H = new Float64Array(K * K);
    for (let a = 0; a < K; a++) {
      for (let b = a; b < K; b++) {
        let s = 0;
        for (let i = 0; i < D; i++) s += V[i * K + a] * CV[i * K + b];
        H[a * K + b] = s;
        H[b * K + a] = s;
      }
    }
    const basis = matMul(V, jacobiEigen(H, K).vectors, D, K, K);
    orthonormaliseColumns(basis, D, K); // guard against rounding: the bound needs an orthonormal basis
    this.basis = basis;

    // projections and residual norms of every training image
    const muP = new Float64Array(K);
    let muNorm2 = 0;
    for (let i = 0; i < D; i++) {
      muNorm2 += mean[i] * mean[i];
      for (let k = 0; k < K; k++) muP[k] += mean[i] * basis[i * K + k];
    }
    this.projA = new Float64Array(n * FIRST);
    this.projB = new Float64Array(n * (K - FIRST));
    this.resid = new Float64Array(n);
    const pr = new Float64Array(K);
    for (let j = 0; j < n; j++) {
      const b = j * D;
      for (let k = 0; k < K; k++) pr[k] = -muP[k];
      let xmu = 0;
      for (let p = this.nzStart[j], e = this.nzStart[j + 1]; p < e; p++) {
        const i = this.nzIdx[p];
        const v = images[b + i] / 255;
        xmu += v * mean[i];
        const o = i * K;
        for (let k = 0; k < K; k++) pr[k] += v * basis[o + k];
      }
      let pn = 0;
      for (let k = 0; k < K; k++) pn += pr[k] * pr[k];
      const centred = this.norm2[j] / 65025 - 2 * xmu + muNorm2;
      this.resid[j] = Math.sqrt(Math.max(0, centred - pn));
      for (let k = 0; k < FIRST; k++) this.projA[j * FIRST + k] = pr[k];
      for (let k = FIRST; k < K; k++) this.projB[j * (K - FIRST) + k - FIRST] = pr[k];
    }
    this.buildSeconds = (performance.now() - t0) / 1000;
  }

  /** The nearest indexed image of each of the n query images (784 bytes each). */
  nearest(queries: Uint8Array, nq: number): NearestResult {
    const t0 = performance.now();
    if (!Number.isInteger(nq) || nq < 0)
      throw new RangeError(`NearestIndex.nearest: n must be a non-negative integer, got ${nq}`);
    if (queries.length < nq * D)
      throw new RangeError(`NearestIndex.nearest: ${queries.length} bytes hold fewer than ${nq} images of ${D} bytes`);
    const { n, dims: K, images, basis, mean, projA, projB, resid, norm2, nzStart, nzIdx } = this;
    const KB = K - FIRST;
    const distances = new Float64Array(nq);
    const index = new Int32Array(nq);
    const q = new Float64Array(D);
    const qp = new Float64Array(K);
    const lb = new Float64Array(n);
    const SEEDS = 8;
    const seedIdx = new Int32Array(SEEDS);
    const seedLb = new Float64Array(SEEDS);
    let exactCount = 0;

    for (let t = 0; t < nq; t++) {
      const qb = t * D;
      let qn2 = 0;
      let c2 = 0;
      qp.fill(0);
      for (let i = 0; i < D; i++) {
        const v = queries[qb + i];
        q[i] = v;
        qn2 += v * v;
        const c = v / 255 - mean[i];
        c2 += c * c;
        const o = i * K;
        for (let k = 0; k < K; k++) qp[k] += c * basis[o + k];
      }
      let pn = 0;
      for (let k = 0; k < K; k++) pn += qp[k] * qp[k];
      const rq = Math.sqrt(Math.max(0, c2 - pn));

      // exact squared distance to training image j, in [0, 1] units
      const exact = (j: number): number => {
        let dot = 0;
        const b = j * D;
        for (let p = nzStart[j], e = nzStart[j + 1]; p < e; p++) {
          const i = nzIdx[p];
          dot += q[i] * images[b + i];
        }
        exactCount++;
        return (qn2 + norm2[j] - 2 * dot) / 65025;
      };

      // pass 1: the cheap bound for every image; keep the SEEDS smallest as first candidates
      seedLb.fill(Infinity);
      seedIdx.fill(-1);
      const q0 = qp[0],
        q1 = qp[1],
        q2 = qp[2],
        q3 = qp[3],
        q4 = qp[4],
        q5 = qp[5],
        q6 = qp[6],
        q7 = qp[7];
      let worstSeed = Infinity;
      for (let j = 0; j < n; j++) {
        const o = j * FIRST;
        const dr = rq - resid[j];
        const d0 = q0 - projA[o],
          d1 = q1 - projA[o + 1],
          d2 = q2 - projA[o + 2],
          d3 = q3 - projA[o + 3];
        const d4 = q4 - projA[o + 4],
          d5 = q5 - projA[o + 5],
          d6 = q6 - projA[o + 6],
          d7 = q7 - projA[o + 7];
        const s = dr * dr + d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4 + d5 * d5 + d6 * d6 + d7 * d7;
        lb[j] = s;
        if (s < worstSeed) {
          // replace the largest of the kept candidates
          let w = 0;
          for (let k = 1; k < SEEDS; k++) if (seedLb[k] > seedLb[w]) w = k;
          seedLb[w] = s;
          seedIdx[w] = j;
          worstSeed = seedLb[0];
          for (let k = 1; k < SEEDS; k++) if (seedLb[k] > worstSeed) worstSeed = seedLb[k];
        }
      }
      let best = Infinity;
      let bestJ = -1;
      for (let k = 0; k < SEEDS; k++) {
        const j = seedIdx[k];
        if (j < 0) continue;
        const d = exact(j);
        if (d < best || (d === best && j < bestJ)) {
          best = d;
          bestJ = j;
        }
      }
      // pass 2: extend the bound over the remaining dimensions; exact distance for the survivors
      for (let j = 0; j < n; j++) {
        // slack: the bounds are rounded float sums, never let rounding discard a true nearest
        const limit = best * (1 + 1e-9) + 1e-12;
        let s = lb[j];
        if (s > limit || j === bestJ) continue;
        const o = j * KB;
        for (let k = 0; k < KB && s <= limit; k++) {
          const d = qp[FIRST + k] - projB[o + k];
          s += d * d;
        }
        if (s > limit) continue;
        const d = exact(j);
        if (d < best || (d === best && j < bestJ)) {
          best = d;
          bestJ = j;
        }
      }
      distances[t] = Math.sqrt(Math.max(0, best));
      index[t] = bestJ;
    }
    return { distances, index, exactPerQuery: nq > 0 ? exactCount / nq : 0, seconds: (performance.now() - t0) / 1000 };
  }
}

/** m distinct indices of 0..n-1 drawn with `rng` (a partial Fisher-Yates), in draw order. */
export function sampleIndices(n: number, m: number, rng: Rng): Int32Array {
  if (m > n) throw new RangeError(`sampleIndices: cannot draw ${m} of ${n}`);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p.slice(0, m);
}
