// Small dense linear algebra in float64 for the quality metrics: a cyclic Jacobi eigenvalue solver
// for symmetric matrices, the square root of a positive semi-definite matrix, products, and
// Gram-Schmidt. Matrices are row-major Float64Array of n × n (or rows × cols).

/** Eigen-decomposition of a symmetric matrix: A = V diag(values) Vᵀ. */
export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** n × n row-major; column k (`vectors[i * n + k]`) is the unit eigenvector of `values[k]`. */
  vectors: Float64Array;
  /** Jacobi sweeps used. */
  sweeps: number;
}

/**
 * Eigenvalues and eigenvectors of the symmetric n × n matrix `a` (row-major; only symmetric input is
 * meaningful, the lower triangle is read as the mirror of the upper) by cyclic Jacobi rotations, in
 * float64, until the off-diagonal mass is below `tol` (relative to the Frobenius norm, default 1e-15)
 * or `maxSweeps` (default 60) sweeps are done. `a` is not modified.
 */
export function jacobiEigen(
  a: ArrayLike<number>,
  n: number,
  opts: { tol?: number; maxSweeps?: number } = {},
): SymmetricEigen {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`jacobiEigen: n must be a non-negative integer, got ${n}`);
  if (a.length < n * n) throw new RangeError(`jacobiEigen: ${a.length} values for a ${n} × ${n} matrix`);
  const tol = opts.tol ?? 1e-15;
  const maxSweeps = opts.maxSweeps ?? 60;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = a[i * n + j];
      if (!Number.isFinite(v)) throw new RangeError(`jacobiEigen: entry (${i}, ${j}) is ${v}`);
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
  }
  // Vt: row k is eigenvector k (contiguous updates); transposed into `vectors` at the end.
  const Vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Vt[i * n + i] = 1;
  let norm2 = 0;
  for (let k = 0; k < n * n; k++) norm2 += A[k] * A[k];
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] * A[p * n + q];
    if (off <= tol * tol * norm2 || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        const app = A[p * n + p];
        const aqq = A[q * n + q];
        // skip rotations that cannot change the diagonal in float64
        if (sweeps > 3 && Math.abs(apq) < 1e-18 * Math.abs(app) && Math.abs(apq) < 1e-18 * Math.abs(aqq)) {
          A[p * n + q] = 0;
          A[q * n + p] = 0;
          continue;
        }
        const theta = (aqq - app) / (2 * apq);
        const t =
          Math.abs(theta) > 1e150
            ? 1 / (2 * theta)
            : Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        const tau = s / (1 + c);
        A[p * n + p] = app - t * apq;
        A[q * n + q] = aqq + t * apq;
        A[p * n + q] = 0;
        A[q * n + p] = 0;
        const rp = p * n,
          rq = q * n;
        for (let r = 0; r < n; r++) {
          if (r === p || r === q) continue;
          const arp = A[rp + r];
          const arq = A[rq + r];
          const np = arp - s * (arq + tau * arp);
          const nq = arq + s * (arp - tau * arq);
          A[rp + r] = np;
          A[r * n + p] = np;
          A[rq + r] = nq;
          A[r * n + q] = nq;
        }
        for (let r = 0; r < n; r++) {
          const vp = Vt[rp + r];
          const vq = Vt[rq + r];
          Vt[rp + r] = vp - s * (vq + tau * vp);
          Vt[rq + r] = vq + s * (vp - tau * vq);
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, k) => k).sort((x, y) => A[y * n + y] - A[x * n + x] || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((k, col) => {
    values[col] = A[k * n + k];
    for (let i = 0; i < n; i++) vectors[i * n + col] = Vt[k * n + i];
  });
  return { values, vectors, sweeps };
}

/** C = A B for row-major A (r × m) and B (m × c). */
export function matMul(a: Float64Array, b: Float64Array, r: number, m: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    const o = i * c;
    for (let k = 0; k < m; k++) {
      const v = a[i * m + k];
      if (v === 0) continue;
      const bk = k * c;
      for (let j = 0; j < c; j++) out[o + j] += v * b[bk + j];
    }
  }
  return out;
}

/** V diag(f(values)) Vᵀ of an eigen-decomposition (n × n). */
export function fromEigen(e: SymmetricEigen, n: number, f: (x: number) => number): Float64Array {
  const { values, vectors } = e;
  const fv = values.map(f);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[i * n + k] * fv[k] * vectors[j * n + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/**
 * The symmetric square root of a symmetric positive semi-definite matrix (negative eigenvalues, rounding noise,
 * clamped to 0).
 */
export function sqrtPsd(a: Float64Array, n: number): Float64Array {
  return fromEigen(jacobiEigen(a, n), n, (x) => Math.sqrt(Math.max(0, x)));
}

/**
 * Tr((A B)^{1/2}) for symmetric positive semi-definite A and B: the trace of the square root of
 * A^{1/2} B A^{1/2} (similar to A B, symmetric PSD), from its eigenvalues clamped at 0.
 */
export function traceSqrtProduct(a: Float64Array, b: Float64Array, n: number): number {
  const sa = sqrtPsd(a, n);
  const m = matMul(matMul(sa, b, n, n, n), sa, n, n, n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (m[i * n + j] + m[j * n + i]);
      m[i * n + j] = v;
      m[j * n + i] = v;
    }
  }
  const { values } = jacobiEigen(m, n);
  let tr = 0;
  for (let k = 0; k < n; k++) tr += Math.sqrt(Math.max(0, values[k]));
  return tr;
}

/**
 * Orthonormalises the `cols` (≤ rows) columns of the row-major rows × cols matrix `v` in place (modified
 * Gram-Schmidt, twice).
 */
export function orthonormaliseColumns(v: Float64Array, rows: number, cols: number): void {
  if (cols > rows)
    throw new RangeError(`orthonormaliseColumns: ${cols} columns cannot be orthonormal in ${rows} dimensions`);
  const project = (k: number): number => {
    for (let pass = 0; pass < 2; pass++) {
      for (let q = 0; q < k; q++) {
        let d = 0;
        for (let i = 0; i < rows; i++) d += v[i * cols + k] * v[i * cols + q];
        for (let i = 0; i < rows; i++) v[i * cols + k] -= d * v[i * cols + q];
      }
    }
    let s = 0;
    for (let i = 0; i < rows; i++) s += v[i * cols + k] * v[i * cols + k];
    return Math.sqrt(s);
  };
  for (let k = 0; k < cols; k++) {
    let before = 0;
    for (let i = 0; i < rows; i++) before += v[i * cols + k] * v[i * cols + k];
    let s = project(k);
    // a column (numerically) inside the span of the previous ones: replace it by the first unit vector that is not
    for (let e = 0; !(s > 1e-8 * Math.sqrt(before)) || s === 0; e++) {
      for (let i = 0; i < rows; i++) v[i * cols + k] = i === e ? 1 : 0;
      before = 1;
      s = project(k);
    }
    for (let i = 0; i < rows; i++) v[i * cols + k] /= s;
  }
}
