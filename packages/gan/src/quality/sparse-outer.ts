// Weight gradients of a mini-batch whose layer inputs are sparse: the sum over samples of outer
// products (sparse input row) × (dense error row), regrouped so that each gradient row is touched
// once per four samples.

/**
 * Batch weight gradients g[r][:] += Σ_s val(s, r) · dmat[s][:] over the samples s whose sparse row
 * (cnt[s] entries of idx/val at s * stride) holds r. Samples are regrouped by r (a CSC of the batch)
 * so that each gradient row is loaded and stored once per four samples; sums run in sample order.
 */
export class SparseOuter {
  private readonly start: Int32Array;
  private readonly cursor: Int32Array;
  private readonly sIdx: Int32Array;
  private readonly sVal: Float32Array;
  constructor(maxRows: number, maxEntries: number) {
    this.start = new Int32Array(maxRows + 1);
    this.cursor = new Int32Array(maxRows);
    this.sIdx = new Int32Array(maxEntries);
    this.sVal = new Float32Array(maxEntries);
  }

  /** Adds the B samples' outer products into g (rows × cols). */
  accumulate(
    g: Float32Array,
    rows: number,
    cols: number,
    B: number,
    cnt: Int32Array,
    idx: Int32Array,
    val: Float32Array,
    stride: number,
    dmat: Float32Array,
  ): void {
    const { start, cursor, sIdx, sVal } = this;
    start.fill(0, 0, rows + 1);
    for (let s = 0; s < B; s++) for (let k = 0, e = cnt[s], o = s * stride; k < e; k++) start[idx[o + k] + 1]++;
    for (let r = 0; r < rows; r++) start[r + 1] += start[r];
    cursor.set(start.subarray(0, rows));
    for (let s = 0; s < B; s++) {
      for (let k = 0, e = cnt[s], o = s * stride; k < e; k++) {
        const r = idx[o + k];
        const c = cursor[r]++;
        sIdx[c] = s * cols;
        sVal[c] = val[o + k];
      }
    }
    for (let r = 0; r < rows; r++) {
      let a = start[r];
      const e = start[r + 1];
      const o = r * cols;
      for (; a + 4 <= e; a += 4) {
        const s0 = sIdx[a],
          s1 = sIdx[a + 1],
          s2 = sIdx[a + 2],
          s3 = sIdx[a + 3];
        const v0 = sVal[a],
          v1 = sVal[a + 1],
          v2 = sVal[a + 2],
          v3 = sVal[a + 3];
        for (let j = 0; j < cols; j++) {
          g[o + j] += v0 * dmat[s0 + j] + v1 * dmat[s1 + j] + v2 * dmat[s2 + j] + v3 * dmat[s3 + j];
        }
      }
      for (; a < e; a++) {
        const s0 = sIdx[a];
        const v0 = sVal[a];
        for (let j = 0; j < cols; j++) g[o + j] += v0 * dmat[s0 + j];
      }
    }
  }
}
