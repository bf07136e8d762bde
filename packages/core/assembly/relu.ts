// The forward pass and the exact gradient of a layered network of dense `relu` projections
// (ReLU-equivalent TTFS neurons), two neurons per f64x2 (descriptors: RELU_* and BWD_* in
// src/kernels/layout.ts). Each lane does the f64 operations of the TypeScript twins
// (src/kernels/typescript-relu.ts, src/kernels/typescript.ts reluBackward) in the same order, so
// every result is the same, bit for bit.
//
// Forward, layer by layer: the sources that fired before the layer's window opens (t < start) in
// (time, index) order; each adds w·x (or (s·w)·x with a scale s ≠ 1), x = start − t, to its
// targets' sums, which start at +0; then u = D + sum, and the time t = end − u (start when u ≥ B,
// silent when u ≤ 0 or t ≥ end). Sources at or after the window start add nothing (x ≤ 0) but
// count as synaptic events like every source that fired.
import {
  BWD_COEF, BWD_F, BWD_FLAGS, BWD_G, BWD_GRADIENT, BWD_NI, BWD_NJ, BWD_OUT, BWD_PRE, BWD_SCALE, BWD_SOURCES, BWD_START,
  BWD_TMAX, BWD_W, RELU_COUNTERS, RELU_DECISION, RELU_HEADER, RELU_KEYS, RELU_KEYS2, RELU_LAYERS, RELU_LIST, RELU_LIST2,
  RELU_P, RELU_POP_BIAS, RELU_POP_BYTES, RELU_POP_END, RELU_POP_OFFSET, RELU_POP_SCALE, RELU_POP_SIZE, RELU_POP_SPIKES,
  RELU_POP_SPIKES_TO_DECISION, RELU_POP_START, RELU_POP_WEIGHTS, RELU_ROWS, RELU_STOPPED, RELU_SYN, RELU_T, RELU_TMAX,
  RELU_XS,
} from '../src/kernels/layout';

@inline function pop(d: usize, p: i32): usize {
  return d + RELU_HEADER + (<usize>p) * RELU_POP_BYTES;
}

@inline function ptr(d: usize, at: usize): usize {
  return <usize>load<u32>(d + at);
}

/**
 * One forward pass on the input times in T; returns 0, or 1 + i when input neuron i has a time
 * that is not a number ≥ 0 (nothing else is written then).
 */
export function reluForward(d: usize, earlyStop: i32): i32 {
  const L = load<i32>(d, RELU_LAYERS), tmax = load<f64>(d, RELU_TMAX), T = load<usize>(d, RELU_T),
    P = load<usize>(d, RELU_P);
  {
    const q = pop(d, 0), n = load<i32>(q, RELU_POP_SIZE), Tq = T + (<usize>load<i32>(q, RELU_POP_OFFSET)) * 8;
    for (let i = 0; i < n; i++) if (!(load<f64>(Tq + <usize>i * 8) >= 0)) return 1 + i;
    for (let i = 0; i < n; i++) {
      const p = Tq + <usize>i * 8, t = load<f64>(p);
      store<f64>(p, t < tmax ? t : tmax);
    }
  }
  let syn = 0;
  for (let k = 1; k < L; k++) syn += layer(d, pop(d, k - 1), pop(d, k), T, P, tmax);
  // the decision: the output's first spike; with early stop, later output spikes are dropped
  const qo = pop(d, L - 1), no = load<i32>(qo, RELU_POP_SIZE), To = T + (<usize>load<i32>(qo, RELU_POP_OFFSET)) * 8;
  let dec = Infinity;
  for (let j = 0; j < no; j++) {
    const t = load<f64>(To + <usize>j * 8);
    if (t < dec) dec = t;
  }
  const decided = dec < tmax, stopped = earlyStop != 0 && decided;
  if (stopped) {
    for (let j = 0; j < no; j++) if (load<f64>(To + <usize>j * 8) > dec) store<f64>(To + <usize>j * 8, tmax);
  }
  for (let p = 0; p < L; p++) {
    const q = pop(d, p), n = load<i32>(q, RELU_POP_SIZE), Tq = T + (<usize>load<i32>(q, RELU_POP_OFFSET)) * 8;
    let all = 0, toDecision = 0;
    for (let i = 0; i < n; i++) {
      const t = load<f64>(Tq + <usize>i * 8), lit = t < tmax;
      all += <i32>lit;
      toDecision += <i32>(lit & (t <= dec));
    }
    store<i32>(q, toDecision, RELU_POP_SPIKES_TO_DECISION);
    store<i32>(q, all, RELU_POP_SPIKES);
  }
  store<i32>(d, syn, RELU_SYN);
  store<i32>(d, <i32>stopped, RELU_STOPPED);
  store<f64>(d, decided ? dec : tmax, RELU_DECISION);
  return 0;
}

/** Population qd from population qs below it; returns the synaptic events (fired sources × targets). */
function layer(d: usize, qs: usize, qd: usize, T: usize, P: usize, tmax: f64): i32 {
  const n = load<i32>(qd, RELU_POP_SIZE), off = <usize>load<i32>(qd, RELU_POP_OFFSET);
  const bias = load<usize>(qd, RELU_POP_BIAS), w = load<usize>(qd, RELU_POP_WEIGHTS);
  const start = load<f64>(qd, RELU_POP_START), end = load<f64>(qd, RELU_POP_END), scale = load<f64>(qd, RELU_POP_SCALE);
  const B = end - start, rows = load<usize>(d, RELU_ROWS), xs = load<usize>(d, RELU_XS),
    list = load<usize>(d, RELU_LIST);
  const keys = load<usize>(d, RELU_KEYS);
  // the sources that fired, and among them those before the window start (x > 0), sorted
  const ns = load<i32>(qs, RELU_POP_SIZE), Ts = T + (<usize>load<i32>(qs, RELU_POP_OFFSET)) * 8;
  let nf = 0, m = 0;
  for (let i = 0; i < ns; i++) {
    const t = load<f64>(Ts + <usize>i * 8);
    store<i32>(list + <usize>m * 4, i);
    store<f64>(keys + <usize>m * 8, t);
    m += <i32>(t < start);
    nf += <i32>(t < tmax);
  }
  const sorted = sortByTime(d, m);
  const rowBytes = <usize>n * 8, sk = sorted == list ? keys : load<usize>(d, RELU_KEYS2);
  for (let c = 0; c < m; c++) {
    store<u32>(rows + <usize>c * 4, <u32>(w + <usize>load<i32>(sorted + <usize>c * 4) * rowBytes));
    store<f64>(xs + <usize>c * 8, start - load<f64>(sk + <usize>c * 8));
  }
  const Pd = P + off * 8, Td = T + off * 8;
  if (scale == 1.0) accumulate<i32>(Pd, n, rows, xs, m, scale);
  else accumulate<f64>(Pd, n, rows, xs, m, scale);
  // u = D + sum, and the neuron's time in closed form
  const st2 = f64x2.splat(start), en2 = f64x2.splat(end), B2 = f64x2.splat(B), tm2 = f64x2.splat(tmax);
  const zero = f64x2.splat(0);
  let j = 0;
  for (; j + 1 < n; j += 2) {
    const o = <usize>j * 8, u = f64x2.add(v128.load(bias + o), v128.load(Pd + o));
    v128.store(Pd + o, u);
    let t = v128.bitselect(st2, f64x2.sub(en2, u), f64x2.ge(u, B2));
    t = v128.bitselect(t, tm2, f64x2.gt(u, zero));
    v128.store(Td + o, v128.bitselect(t, tm2, f64x2.lt(t, en2)));
  }
  if (j < n) {
    const o = <usize>j * 8, u = load<f64>(bias + o) + load<f64>(Pd + o);
    store<f64>(Pd + o, u);
    let t = tmax;
    if (u > 0) {
      t = u >= B ? start : end - u;
      if (!(t < end)) t = tmax;
    }
    store<f64>(Td + o, t);
  }
  return nf * n;
}

/**
 * Sorts the first m entries of the list (indices, in index order) by their keys (times), ties in
 * index order; the keys move with the indices. Returns the list that holds the result: the
 * header's list, or its scratch list (whose keys are then in the scratch keys).
 *
 * A bucket sort: m buckets over [min, max] (the bucket of a key, ⌊(t − min)·m/(max − min)⌋, never
 * decreases with t: each step rounds monotonically), filled in list order, then an insertion sort
 * that moves an entry only past larger keys (stable), and only within its bucket. Clustered keys,
 * where that could take more than 16·m moves, go to a stable merge sort instead.
 */
function sortByTime(d: usize, m: i32): usize {
  const list = load<usize>(d, RELU_LIST), keys = load<usize>(d, RELU_KEYS), dst = load<usize>(d, RELU_LIST2),
    dk = load<usize>(d, RELU_KEYS2);
  const cnt = load<usize>(d, RELU_COUNTERS);
  if (m < 2) return list;
  let lo = Infinity, hi = -Infinity;
  for (let c = 0; c < m; c++) {
    const t = load<f64>(keys + <usize>c * 8);
    lo = min(lo, t);
    hi = max(hi, t);
  }
  if (!(hi > lo)) return list; // all equal: index order
  const scale = <f64>m / (hi - lo), top = <f64>(m - 1);
  if (!(scale < Infinity)) return mergeSort(d, m);
  // counts per bucket, then the first slot of each (and the moves an insertion sort would need)
  memory.fill(cnt, 0, <usize>(m + 1) * 4);
  for (let c = 0; c < m; c++) {
    const b = cnt + (<usize>(<i32>min((load<f64>(keys + <usize>c * 8) - lo) * scale, top)) + 1) * 4;
    store<i32>(b, load<i32>(b) + 1);
  }
  let work: i64 = 0;
  for (let b = 1; b <= m; b++) {
    const nb = load<i32>(cnt + <usize>b * 4);
    work += <i64>nb * <i64>nb;
    store<i32>(cnt + <usize>b * 4, nb + load<i32>(cnt + <usize>(b - 1) * 4));
  }
  if (work > 32 * <i64>m) return mergeSort(d, m);
  for (let c = 0; c < m; c++) {
    const t = load<f64>(keys + <usize>c * 8);
    const b = cnt + <usize>(<i32>min((t - lo) * scale, top)) * 4, at = load<i32>(b);
    store<i32>(dst + <usize>at * 4, load<i32>(list + <usize>c * 4));
    store<f64>(dk + <usize>at * 8, t);
    store<i32>(b, at + 1);
  }
  for (let c = 1; c < m; c++) {
    const t = load<f64>(dk + <usize>c * 8);
    if (!(load<f64>(dk + <usize>(c - 1) * 8) > t)) continue;
    const i = load<i32>(dst + <usize>c * 4);
    let p = c;
    do {
      store<i32>(dst + <usize>p * 4, load<i32>(dst + <usize>(p - 1) * 4));
      store<f64>(dk + <usize>p * 8, load<f64>(dk + <usize>(p - 1) * 8));
      p--;
    } while (p > 0 && load<f64>(dk + <usize>(p - 1) * 8) > t);
    store<i32>(dst + <usize>p * 4, i);
    store<f64>(dk + <usize>p * 8, t);
  }
  return dst;
}

/** The same order by a stable bottom-up merge sort (for clustered keys); returns the list that holds it. */
function mergeSort(d: usize, m: i32): usize {
  let src = load<usize>(d, RELU_LIST), sk = load<usize>(d, RELU_KEYS), dst = load<usize>(d, RELU_LIST2),
    dk = load<usize>(d, RELU_KEYS2);
  for (let width = 1; width < m; width <<= 1) {
    for (let lo = 0; lo < m; lo += 2 * width) {
      const mid = min(lo + width, m), hi = min(lo + 2 * width, m);
      let a = lo, b = mid, o = lo;
      while (a < mid && b < hi) {
        const ka = load<f64>(sk + <usize>a * 8), kb = load<f64>(sk + <usize>b * 8);
        if (kb < ka) {
          store<i32>(dst + <usize>o * 4, load<i32>(src + <usize>b * 4));
          store<f64>(dk + <usize>o * 8, kb);
          b++;
        } else {
          store<i32>(dst + <usize>o * 4, load<i32>(src + <usize>a * 4));
          store<f64>(dk + <usize>o * 8, ka);
          a++;
        }
        o++;
      }
      for (; a < mid; a++, o++) {
        store<i32>(dst + <usize>o * 4, load<i32>(src + <usize>a * 4));
        store<f64>(dk + <usize>o * 8, load<f64>(sk + <usize>a * 8));
      }
      for (; b < hi; b++, o++) {
        store<i32>(dst + <usize>o * 4, load<i32>(src + <usize>b * 4));
        store<f64>(dk + <usize>o * 8, load<f64>(sk + <usize>b * 8));
      }
    }
    const x = src, xk = sk;
    src = dst;
    sk = dk;
    dst = x;
    dk = xk;
  }
  return src;
}

/** One row's term at byte offset o: w·x, or (s·w)·x when S = f64 (a scale ≠ 1). */
@inline function term<S>(p: usize, x: v128, s2: v128): v128 {
  if (isFloat<S>()) return f64x2.mul(f64x2.mul(s2, v128.load(p)), x);
  return f64x2.mul(v128.load(p), x);
}

/** The scalar form of `term` for a last odd target. */
@inline function term1<S>(p: usize, x: f64, s: f64): f64 {
  if (isFloat<S>()) return s * load<f64>(p) * x;
  return load<f64>(p) * x;
}

/**
 * The sums of one layer: Pd[j] = +0, then += w_r[j]·x_r for the rows r in order, four rows per
 * pass over the targets (each target's sum still takes them one after another).
 */
function accumulate<S>(Pd: usize, n: i32, rows: usize, xs: usize, nr: i32, s: f64): void {
  memory.fill(Pd, 0, <usize>n * 8);
  const s2 = f64x2.splat(s);
  let r = 0;
  for (; r + 3 < nr; r += 4) {
    const pr = rows + <usize>r * 4, px = xs + <usize>r * 8;
    const p0 = ptr(pr, 0), p1 = ptr(pr, 4), p2 = ptr(pr, 8), p3 = ptr(pr, 12);
    const y0 = load<f64>(px), y1 = load<f64>(px, 8), y2 = load<f64>(px, 16), y3 = load<f64>(px, 24);
    const x0 = f64x2.splat(y0), x1 = f64x2.splat(y1), x2 = f64x2.splat(y2), x3 = f64x2.splat(y3);
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const o = <usize>j * 8;
      let v = v128.load(Pd + o);
      v = f64x2.add(v, term<S>(p0 + o, x0, s2));
      v = f64x2.add(v, term<S>(p1 + o, x1, s2));
      v = f64x2.add(v, term<S>(p2 + o, x2, s2));
      v = f64x2.add(v, term<S>(p3 + o, x3, s2));
      v128.store(Pd + o, v);
    }
    if (j < n) {
      const o = <usize>j * 8;
      let v = load<f64>(Pd + o);
      v += term1<S>(p0 + o, y0, s);
      v += term1<S>(p1 + o, y1, s);
      v += term1<S>(p2 + o, y2, s);
      v += term1<S>(p3 + o, y3, s);
      store<f64>(Pd + o, v);
    }
  }
  for (; r < nr; r++) {
    const p0 = ptr(rows + <usize>r * 4, 0), y0 = load<f64>(xs + <usize>r * 8), x0 = f64x2.splat(y0);
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const o = <usize>j * 8;
      v128.store(Pd + o, f64x2.add(v128.load(Pd + o), term<S>(p0 + o, x0, s2)));
    }
    if (j < n) store<f64>(Pd + <usize>j * 8, load<f64>(Pd + <usize>j * 8) + term1<S>(p0 + <usize>j * 8, y0, s));
  }
}

/**
 * The exact gradient of one dense relu projection (the TypeScript twin's operations, in the same
 * order), on the backward descriptor at `d` (BWD_*; no post, δ, delay, κ or ρ): with BWD_SOURCES,
 * out[i] = scale · Σ_j f_j·w_ij for every source i (sequential in j from +0; computed first, on the
 * weights of the forward pass); with BWD_GRADIENT, for every source that fired before the window
 * start (x = start − pre[i] > 0): g_ij += (coef·x)·f_j. The sums run over eight sources at a time,
 * one per lane, each in j order.
 */
export function reluBackward(d: usize): void {
  const w = load<usize>(d, BWD_W), g = load<usize>(d, BWD_G), nI = load<i32>(d, BWD_NI), nJ = load<i32>(d, BWD_NJ);
  const pre = load<usize>(d, BWD_PRE), f = load<usize>(d, BWD_F), out = load<usize>(d, BWD_OUT);
  const coef = load<f64>(d, BWD_COEF), scale = load<f64>(d, BWD_SCALE), start = load<f64>(d, BWD_START);
  const tmax = load<f64>(d, BWD_TMAX), flags = load<i32>(d, BWD_FLAGS);
  const rowBytes = <usize>nJ * 8;
  if (flags & BWD_SOURCES) {
    let i = 0;
    for (; i + 7 < nI; i += 8) sums(w + <usize>i * rowBytes, rowBytes, nJ, f, out + <usize>i * 8, scale, 4);
    if (i + 3 < nI) {
      sums(w + <usize>i * rowBytes, rowBytes, nJ, f, out + <usize>i * 8, scale, 2);
      i += 4;
    }
    if (i + 1 < nI) {
      sums(w + <usize>i * rowBytes, rowBytes, nJ, f, out + <usize>i * 8, scale, 1);
      i += 2;
    }
    if (i < nI) {
      const r = w + <usize>i * rowBytes;
      let sum = 0.0;
      for (let j = 0; j < nJ; j++) sum += load<f64>(f + <usize>j * 8) * load<f64>(r + <usize>j * 8);
      store<f64>(out + <usize>i * 8, scale * sum);
    }
  }
  if (!(flags & BWD_GRADIENT)) return;
  for (let i = 0; i < nI; i++) {
    const ti = load<f64>(pre + <usize>i * 8), x = ti < tmax ? start - ti : 0;
    if (!(x > 0)) continue;
    const c = coef * x, c2 = f64x2.splat(c), row = g + <usize>i * rowBytes;
    let j = 0;
    for (; j + 1 < nJ; j += 2) {
      const o = <usize>j * 8;
      v128.store(row + o, f64x2.add(v128.load(row + o), f64x2.mul(c2, v128.load(f + o))));
    }
    if (j < nJ) store<f64>(row + <usize>j * 8, load<f64>(row + <usize>j * 8) + c * load<f64>(f + <usize>j * 8));
  }
}

/** One lane pair's sum: two rows' next pair of terms, taken in j order (f0 then f1). */
@inline function pair(s: v128, a: v128, b: v128, f0: v128, f1: v128): v128 {
  return f64x2.add(f64x2.add(s, f64x2.mul(f0, f64x2.shuffle(a, b, 0, 2))), f64x2.mul(f1, f64x2.shuffle(a, b, 1, 3)));
}

/** The last odd j of one lane pair: rows at r and r + rowBytes. */
@inline function last(s: v128, r: usize, rowBytes: usize, o: usize, f0: v128): v128 {
  return f64x2.add(s, f64x2.mul(f0, f64x2.replace_lane(f64x2.splat(load<f64>(r + o)), 1, load<f64>(r + rowBytes + o))));
}

/** Σ_j f_j·w_ij of 2·R consecutive rows from row r (R ≤ 4 lane pairs; a constant after inlining). */
@inline function sums(r: usize, rowBytes: usize, nJ: i32, f: usize, out: usize, scale: f64, R: i32): void {
  const zero = f64x2.splat(0), rb2 = rowBytes * 2;
  let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
  let j = 0;
  for (; j + 1 < nJ; j += 2) {
    const o = <usize>j * 8, F = v128.load(f + o);
    const f0 = f64x2.shuffle(F, F, 0, 0), f1 = f64x2.shuffle(F, F, 1, 1);
    const p = r + o;
    s0 = pair(s0, v128.load(p), v128.load(p + rowBytes), f0, f1);
    if (R > 1) s1 = pair(s1, v128.load(p + rb2), v128.load(p + rb2 + rowBytes), f0, f1);
    if (R > 2) {
      s2 = pair(s2, v128.load(p + 2 * rb2), v128.load(p + 2 * rb2 + rowBytes), f0, f1);
      s3 = pair(s3, v128.load(p + 3 * rb2), v128.load(p + 3 * rb2 + rowBytes), f0, f1);
    }
  }
  if (j < nJ) {
    const o = <usize>j * 8, f0 = f64x2.splat(load<f64>(f + o));
    s0 = last(s0, r, rowBytes, o, f0);
    if (R > 1) s1 = last(s1, r + rb2, rowBytes, o, f0);
    if (R > 2) {
      s2 = last(s2, r + 2 * rb2, rowBytes, o, f0);
      s3 = last(s3, r + 3 * rb2, rowBytes, o, f0);
    }
  }
  const sc = f64x2.splat(scale);
  v128.store(out, f64x2.mul(sc, s0));
  if (R > 1) v128.store(out, f64x2.mul(sc, s1), 16);
  if (R > 2) {
    v128.store(out, f64x2.mul(sc, s2), 32);
    v128.store(out, f64x2.mul(sc, s3), 48);
  }
}
