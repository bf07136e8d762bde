// WebAssembly SIMD kernels of the engine (AssemblyScript, built by `pnpm --filter @spiking-gan/core build:wasm`).
// They work on f64 arrays in the shared kernel memory that the TypeScript side allocates
// (packages/core/src/engine/kernel-memory.ts), laid out as src/kernels/layout.ts says; every result
// is bit-identical to the TypeScript twins (src/kernels/typescript*.ts and the event loop): the same
// f64 operations in the same order per neuron, only two neurons at a time.

// The forward pass's descriptor (header DELTA_*, populations POP_*, projections DELTA_PRJ_*) is laid
// out in src/kernels/layout.ts and written by src/kernels/simd-forward.ts.
//
// In a layered network a layer depends on the layers before it only, so the pass runs layer by
// layer: each neuron sees the same arrivals in the same order as in the step-by-step event loop
// (steps in time order, sources in index order within a step), so every sum is the same f64 sum.
// Twelve neurons are kept in six f64x2 registers while every step's rows are added, and tested
// against their thresholds after each step with arrivals.
import { countSpikes } from './counts';
import {
  DELTA_BAD_INPUT, DELTA_COUNTERS, DELTA_DECISION, DELTA_HEADER, DELTA_LAYERS, DELTA_OUTPUT, DELTA_P, DELTA_PRJ_BYTES,
  DELTA_PRJ_DELAY, DELTA_PRJ_SCALE, DELTA_PRJ_WEIGHTS, DELTA_ROWS, DELTA_SORT, DELTA_STEP_ENDS, DELTA_STEP_TIMES,
  DELTA_STOPPED, DELTA_SYN, DELTA_T, DELTA_TMAX, DELTA_V, POP_BYTES, POP_FIRED, POP_LIST, POP_OFFSET, POP_SIZE,
  POP_THRESHOLDS, POP_UNIFORM,
} from '../src/kernels/layout';
export { rampForward, rampBackward } from './ramp';
export { reluForward, reluBackward } from './relu';

@inline function pop(d: usize, p: i32): usize {
  return d + DELTA_HEADER + (<usize>p) * POP_BYTES;
}

@inline function prj(d: usize, k: i32): usize {
  return d + DELTA_HEADER + (<usize>load<i32>(d, DELTA_LAYERS)) * POP_BYTES + (<usize>k) * DELTA_PRJ_BYTES;
}

/** One forward pass of a layered network of delta synapses in discrete time (delays ≥ 1). */
export function forward(d: usize, earlyStop: i32): void {
  const L = load<i32>(d, DELTA_LAYERS), tmax = load<i32>(d, DELTA_TMAX), outPop = load<i32>(d, DELTA_OUTPUT);
  const T = load<usize>(d, DELTA_T), P = load<usize>(d, DELTA_P);
  {
    const q = pop(d, 0);
    memory.fill(P + (<usize>load<i32>(q, POP_OFFSET)) * 8, 0, (<usize>load<i32>(q, POP_SIZE)) * 8);
    const bad = sortByTime(d, q, T, tmax, true);
    store<i32>(d, bad, DELTA_BAD_INPUT);
    if (bad >= 0) return;
  }
  layers(d, L, tmax, tmax);
  // the decision: the first spike of the output population (its list is in time order)
  const qo = pop(d, outPop);
  let decision = tmax;
  if (load<i32>(qo, POP_FIRED) > 0) {
    decision = <i32>load<f64>(T + (<usize>load<i32>(qo, POP_OFFSET) + <usize>load<i32>(load<usize>(qo, POP_LIST))) * 8);
  }
  let stopped = 0;
  if (earlyStop && decision < tmax) {
    // the run stops after the decision step: replay every layer up to it (same sums, fewer steps)
    layers(d, L, tmax, decision);
    stopped = 1;
  }
  const end = stopped ? decision : tmax;
  countSpikes<i32>(
    d + DELTA_HEADER, L, d + DELTA_HEADER + (<usize>L) * POP_BYTES, DELTA_PRJ_BYTES, DELTA_PRJ_DELAY,
    T, end, decision, tmax, d + DELTA_SYN,
  );
  store<i32>(d, decision, DELTA_DECISION);
  store<i32>(d, stopped, DELTA_STOPPED);
}

/** Runs every non-input layer over the steps up to `limit` (arrivals after it are left out). */
function layers(d: usize, L: i32, tmax: i32, limit: i32): void {
  const V = load<usize>(d, DELTA_V), T = load<usize>(d, DELTA_T), P = load<usize>(d, DELTA_P);
  const rows = load<usize>(d, DELTA_ROWS), ends = load<usize>(d, DELTA_STEP_ENDS);
  const times = load<usize>(d, DELTA_STEP_TIMES);
  const tm = f64x2.splat(<f64>tmax);
  for (let k = 0; k < L - 1; k++) {
    const qs = pop(d, k), qd = pop(d, k + 1), r = prj(d, k);
    const delay = load<i32>(r, DELTA_PRJ_DELAY), w = load<usize>(r, DELTA_PRJ_WEIGHTS);
    const nJ = load<i32>(qd, POP_SIZE), offD = <usize>load<i32>(qd, POP_OFFSET);
    // the rows to add, in arrival order, cut into steps
    const list = load<usize>(qs, POP_LIST), nf = load<i32>(qs, POP_FIRED), offS = <usize>load<i32>(qs, POP_OFFSET);
    const rowBytes = <usize>nJ * 8;
    // (no branch on step changes: the current step's time and end are rewritten with every row)
    let nr = 0, ns = 0, last = -1;
    for (let c = 0; c < nf; c++) {
      const i = load<i32>(list + <usize>c * 4);
      const a = <i32>load<f64>(T + (offS + <usize>i) * 8) + delay;
      if (a >= tmax || a > limit) break;
      ns += <i32>(a != last);
      last = a;
      store<i32>(times + <usize>(ns - 1) * 4, a);
      store<u32>(rows + <usize>nr * 4, <u32>(w + <usize>i * rowBytes));
      nr++;
      store<i32>(ends + <usize>(ns - 1) * 4, nr);
    }
    // the layer starts at rest and silent
    memory.fill(V + offD * 8, 0, <usize>nJ * 8);
    let j = 0;
    for (; j + 1 < nJ; j += 2) v128.store(T + (offD + <usize>j) * 8, tm);
    if (j < nJ) store<f64>(T + (offD + <usize>j) * 8, <f64>tmax);
    const scale = load<f64>(r, DELTA_PRJ_SCALE);
    if (scale == 1.0) pass<i32>(qd, V, T, P, rows, ends, times, ns, scale);
    else pass<f64>(qd, V, T, P, rows, ends, times, ns, scale);
    // potentials of the neurons that stayed silent
    for (let jj = 0; jj < nJ; jj++) {
      const g = (offD + <usize>jj) * 8;
      if (load<f64>(T + g) >= <f64>tmax) store<f64>(P + g, load<f64>(V + g));
    }
    sortByTime(d, qd, T, tmax, false);
  }
}

/**
 * Neurons of population q that fired, into its list in time order (ties in index order): a
 * counting sort over the steps in use, without branches on the data. The counters are left at
 * zero for the next call. For the input population (`check`) it also clamps times ≥ tmax to tmax
 * and returns the first neuron whose time is not a whole step ≥ 0 (−1 when all are), leaving the
 * list unsorted in that case.
 */
function sortByTime(d: usize, q: usize, T: usize, tmax: i32, check: bool): i32 {
  const cnt = load<usize>(d, DELTA_COUNTERS), n = load<i32>(q, POP_SIZE), off = <usize>load<i32>(q, POP_OFFSET);
  const list = load<usize>(q, POP_LIST), ftmax = <f64>tmax, Tq = T + off * 8, tmp = load<usize>(d, DELTA_SORT);
  // 1. the neurons that fired, in index order (two per iteration; every index is written, the
  //    count moves on the fired ones); inputs are checked and clamped on the way
  const tm2 = f64x2.splat(ftmax), zero = f64x2.splat(0);
  let m = 0, okv = v128.splat<i64>(-1), i = 0;
  for (; i + 1 < n; i += 2) {
    const p = Tq + <usize>i * 8, t = v128.load(p), lit = f64x2.lt(t, tm2);
    if (check) {
      okv = v128.and(okv, v128.and(f64x2.ge(t, zero), v128.or(v128.not(lit), f64x2.eq(t, f64x2.floor(t)))));
      v128.store(p, v128.bitselect(tm2, t, f64x2.ge(t, tm2))); // NaN stays, for the search below
    }
    const bits = i64x2.bitmask(lit);
    store<i32>(tmp + <usize>m * 4, i);
    m += bits & 1;
    store<i32>(tmp + <usize>m * 4, i + 1);
    m += bits >> 1;
  }
  let ok = i64x2.all_true(okv);
  if (i < n) {
    const t = load<f64>(Tq + <usize>i * 8), lit = t < ftmax;
    if (check) {
      ok = ok & (t >= 0) & (!lit | (t == Math.floor(t)));
      store<f64>(Tq + <usize>i * 8, select<f64>(ftmax, t, t >= ftmax));
    }
    store<i32>(tmp + <usize>m * 4, i);
    m += <i32>lit;
  }
  if (!ok) {
    for (let i = 0; i < n; i++) {
      const t = load<f64>(Tq + <usize>i * 8);
      if (!(t >= 0) || (t < ftmax && t != Math.floor(t))) return i;
    }
  }
  store<i32>(q, m, POP_FIRED);
  if (m == 0) return -1;
  // 2. count per step, 3. first slot of each step, 4. place (stable: index order within a step)
  let lo = tmax, hi = 0;
  for (let k = 0; k < m; k++) {
    const ti = <i32>load<f64>(Tq + <usize>load<i32>(tmp + <usize>k * 4) * 8);
    const c = cnt + (<usize>ti + 1) * 4;
    store<i32>(c, load<i32>(c) + 1);
    lo = min(lo, ti);
    hi = max(hi, ti);
  }
  for (let s = lo + 1; s <= hi + 1; s++)
    store<i32>(cnt + <usize>s * 4, load<i32>(cnt + <usize>s * 4) + load<i32>(cnt + <usize>(s - 1) * 4));
  for (let k = 0; k < m; k++) {
    const i = load<i32>(tmp + <usize>k * 4);
    const c = cnt + <usize>(<i32>load<f64>(Tq + <usize>i * 8)) * 4;
    const at = load<i32>(c);
    store<i32>(list + <usize>at * 4, i);
    store<i32>(c, at + 1);
  }
  memory.fill(cnt + <usize>lo * 4, 0, <usize>(hi - lo + 2) * 4);
  return -1;
}

/** Adds one weight row's pair of values to `v` (S = f64: scaled by `s2`, as the event loop does when scale ≠ 1). */
@inline function addRow<S>(v: v128, p: usize, s2: v128): v128 {
  if (isFloat<S>()) return f64x2.add(v, f64x2.mul(s2, v128.load(p)));
  return f64x2.add(v, v128.load(p));
}

/**
 * Fires the lanes of `v` above their thresholds at step `ft` (time, potential), returning `v` with them at −∞ (no
 * branch).
 */
@inline function fire2(v: v128, th: v128, Tp: usize, Pp: usize, ft: v128): v128 {
  const m = f64x2.gt(v, th);
  v128.store(Tp, v128.bitselect(ft, v128.load(Tp), m));
  v128.store(Pp, v128.bitselect(v, v128.load(Pp), m));
  return v128.bitselect(f64x2.splat(-Infinity), v, m);
}

/**
 * The step-by-step sums and threshold tests of one layer: blocks of twelve neurons in six f64x2
 * registers (as many as V8 keeps without spilling), then one block of eight, four or two for the
 * rest, then a last odd neuron.
 */
function pass<S>(
  qd: usize, V: usize, T: usize, P: usize, rows: usize, ends: usize, times: usize, ns: i32, scale: f64,
): void {
  const n = load<i32>(qd, POP_SIZE), off = <usize>load<i32>(qd, POP_OFFSET), th = load<usize>(qd, POP_THRESHOLDS);
  const uniform = load<i32>(qd, POP_UNIFORM) != 0;
  const Vd = V + off * 8, Td = T + off * 8, Pd = P + off * 8;
  const j = uniform
    ? blocks<S, i32>(Vd, Td, Pd, th, rows, ends, times, ns, scale, n)
    : blocks<S, f64>(Vd, Td, Pd, th, rows, ends, times, ns, scale, n);
  if (j < n) {
    const o = <usize>j * 8, t0 = load<f64>(th + o);
    let v = 0.0, r = 0;
    for (let s = 0; s < ns; s++) {
      const e = load<i32>(ends + <usize>s * 4);
      for (; r < e; r++) {
        const x = load<f64>(<usize>load<u32>(rows + <usize>r * 4) + o);
        v = isFloat<S>() ? v + scale * x : v + x;
      }
      if (v > t0) {
        store<f64>(Td + o, <f64>load<i32>(times + <usize>s * 4));
        store<f64>(Pd + o, v);
        v = -Infinity;
      }
    }
    store<f64>(Vd + o, v);
  }
}

/**
 * Every whole pair of neurons of a layer, in blocks; returns the index of a last odd neuron (U = i32: one threshold
 * for all).
 */
function blocks<S, U>(
  Vd: usize, Td: usize, Pd: usize, th: usize, rows: usize, ends: usize, times: usize, ns: i32, scale: f64, n: i32,
): i32 {
  let j = 0;
  for (; j + 11 < n; j += 12) block<S, U>(Vd, Td, Pd, th, rows, ends, times, ns, scale, j, 6);
  if (j + 7 < n) {
    block<S, U>(Vd, Td, Pd, th, rows, ends, times, ns, scale, j, 4);
    j += 8;
  }
  if (j + 3 < n) {
    block<S, U>(Vd, Td, Pd, th, rows, ends, times, ns, scale, j, 2);
    j += 4;
  }
  if (j + 1 < n) {
    block<S, U>(Vd, Td, Pd, th, rows, ends, times, ns, scale, j, 1);
    j += 2;
  }
  return j;
}

/** Neurons j … j + 2·R − 1 of a layer through every step (R ≤ 6 registers; R is a constant after inlining). */
@inline function block<S, U>(
  V: usize, T: usize, P: usize, th: usize, rows: usize, ends: usize, times: usize, ns: i32, scale: f64, j: i32, R: i32,
): void {
  const o = <usize>j * 8, h = th + o;
  const s2 = f64x2.splat(scale), th1 = f64x2.splat(load<f64>(th)), zero = f64x2.splat(0), ninf = f64x2.splat(-Infinity);
  let v0 = zero, v1 = zero, v2 = zero, v3 = zero, v4 = zero, v5 = zero;
  let r = 0;
  for (let s = 0; s < ns; s++) {
    const e = load<i32>(ends + <usize>s * 4);
    for (; r < e; r++) {
      const p = <usize>load<u32>(rows + <usize>r * 4) + o;
      v0 = addRow<S>(v0, p, s2);
      if (R > 1) v1 = addRow<S>(v1, p + 16, s2);
      if (R > 2) {
        v2 = addRow<S>(v2, p + 32, s2);
        v3 = addRow<S>(v3, p + 48, s2);
      }
      if (R > 4) {
        v4 = addRow<S>(v4, p + 64, s2);
        v5 = addRow<S>(v5, p + 80, s2);
      }
    }
    // any lane above its threshold? With one threshold for the layer: the largest potential
    // against it (pmax is exact: no NaN here); else the largest v − θ against 0 (v − θ > 0 exactly when v > θ)
    let x: v128;
    if (isInteger<U>()) {
      x = v0;
      if (R > 1) x = f64x2.pmax(x, v1);
      if (R > 2) x = f64x2.pmax(x, f64x2.pmax(v2, v3));
      if (R > 4) x = f64x2.pmax(x, f64x2.pmax(v4, v5));
      x = f64x2.gt(x, th1);
    } else {
      x = f64x2.sub(v0, v128.load(h));
      if (R > 1) x = f64x2.pmax(x, f64x2.sub(v1, v128.load(h, 16)));
      if (R > 2) x = f64x2.pmax(x, f64x2.pmax(f64x2.sub(v2, v128.load(h, 32)), f64x2.sub(v3, v128.load(h, 48))));
      if (R > 4) x = f64x2.pmax(x, f64x2.pmax(f64x2.sub(v4, v128.load(h, 64)), f64x2.sub(v5, v128.load(h, 80))));
      x = f64x2.gt(x, zero);
    }
    if (v128.any_true(x)) {
      const ft = f64x2.splat(<f64>load<i32>(times + <usize>s * 4)), tp = T + o, pp = P + o;
      v0 = fire2(v0, v128.load(h), tp, pp, ft);
      if (R > 1) v1 = fire2(v1, v128.load(h, 16), tp + 16, pp + 16, ft);
      if (R > 2) {
        v2 = fire2(v2, v128.load(h, 32), tp + 32, pp + 32, ft);
        v3 = fire2(v3, v128.load(h, 48), tp + 48, pp + 48, ft);
      }
      if (R > 4) {
        v4 = fire2(v4, v128.load(h, 64), tp + 64, pp + 64, ft);
        v5 = fire2(v5, v128.load(h, 80), tp + 80, pp + 80, ft);
      }
      // when every neuron of the block has fired, later rows cannot change anything (−∞ + w = −∞)
      let spent = f64x2.eq(v0, ninf);
      if (R > 1) spent = v128.and(spent, f64x2.eq(v1, ninf));
      if (R > 2) spent = v128.and(spent, v128.and(f64x2.eq(v2, ninf), f64x2.eq(v3, ninf)));
      if (R > 4) spent = v128.and(spent, v128.and(f64x2.eq(v4, ninf), f64x2.eq(v5, ninf)));
      if (i64x2.all_true(spent)) break;
    }
  }
  const vo = V + o;
  v128.store(vo, v0);
  if (R > 1) v128.store(vo, v1, 16);
  if (R > 2) {
    v128.store(vo, v2, 32);
    v128.store(vo, v3, 48);
  }
  if (R > 4) {
    v128.store(vo, v4, 64);
    v128.store(vo, v5, 80);
  }
}

/**
 * S4NN's weight update of one dense delta projection: for every source i with a spike (pre[i] <
 * tmax) and every target j with an error (δ[j] ≠ 0) whose spike came no earlier than the arrival
 * (pre[i] + delay ≤ post[j]): w[i·nJ + j] += c[j], where `c` holds coef·δ_j, precomputed. Sources
 * arriving after the last spike of a target with an error change nothing and are skipped whole.
 */
export function deltaUpdate(
  w: usize, nI: i32, nJ: i32, pre: usize, post: usize, delta: usize, c: usize, delay: f64, tmax: f64,
): void {
  const rowBytes = <usize>nJ * 8, zero = f64x2.splat(0);
  let last = -Infinity;
  for (let j = 0; j < nJ; j++)
    if (load<f64>(delta + <usize>j * 8) != 0) last = max(last, load<f64>(post + <usize>j * 8));
  for (let i = 0; i < nI; i++) {
    const ti = load<f64>(pre + <usize>i * 8);
    if (!(ti < tmax)) continue;
    const a = ti + delay;
    if (!(a <= last)) continue;
    const a2 = f64x2.splat(a), row = w + <usize>i * rowBytes;
    let j = 0;
    for (; j + 1 < nJ; j += 2) {
      const o = <usize>j * 8;
      const mask = v128.and(f64x2.le(a2, v128.load(post + o)), f64x2.ne(v128.load(delta + o), zero));
      const x = v128.load(row + o);
      v128.store(row + o, v128.bitselect(f64x2.add(x, v128.load(c + o)), x, mask));
    }
    if (j < nJ) {
      const o = <usize>j * 8;
      if (load<f64>(delta + o) != 0 && a <= load<f64>(post + o))
        store<f64>(row + o, load<f64>(row + o) + load<f64>(c + o));
    }
  }
}

/**
 * SGD on n weights from accumulated gradients, then the gradients cleared: w −= ((lr·g)·mean)·inv (the optimiser's
 * own expression).
 */
export function sgdStep(w: usize, g: usize, n: i32, lr: f64, mean: f64, inv: f64): void {
  const l2 = f64x2.splat(lr), m2 = f64x2.splat(mean), i2 = f64x2.splat(inv), zero = f64x2.splat(0);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const o = <usize>i * 8;
    v128.store(w + o, f64x2.sub(v128.load(w + o), f64x2.mul(f64x2.mul(f64x2.mul(l2, v128.load(g + o)), m2), i2)));
    v128.store(g + o, zero);
  }
  if (i < n) {
    const o = <usize>i * 8;
    store<f64>(w + o, load<f64>(w + o) - lr * load<f64>(g + o) * mean * inv);
    store<f64>(g + o, 0);
  }
}

/** dst[i] += src[i], then src[i] = 0, for n values (moves one gradient buffer into another). */
export function drainInto(dst: usize, src: usize, n: i32): void {
  const zero = f64x2.splat(0);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const o = <usize>i * 8;
    v128.store(dst + o, f64x2.add(v128.load(dst + o), v128.load(src + o)));
    v128.store(src + o, zero);
  }
  if (i < n) {
    store<f64>(dst + <usize>i * 8, load<f64>(dst + <usize>i * 8) + load<f64>(src + <usize>i * 8));
    store<f64>(src + <usize>i * 8, 0);
  }
}

/**
 * Adam on n weights from accumulated gradients, then the gradients cleared (the optimiser's own
 * expressions): gi = g·mean; m = β1·m + (1 − β1)·gi; v = β2·v + (1 − β2)·gi·gi;
 * w −= ((lr·(m / bc1)) / (√(v / bc2) + ε))·inv.
 */
export function adamStep(
  w: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f64, mean: f64, inv: f64, b1: f64, b2: f64, bc1: f64, bc2: f64, eps: f64,
): void {
  const lr2 = f64x2.splat(lr), mean2 = f64x2.splat(mean), inv2 = f64x2.splat(inv);
  const b12 = f64x2.splat(b1), b22 = f64x2.splat(b2);
  const c1 = f64x2.splat(1 - b1), c2 = f64x2.splat(1 - b2), bc12 = f64x2.splat(bc1), bc22 = f64x2.splat(bc2);
  const eps2 = f64x2.splat(eps), zero = f64x2.splat(0);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const o = <usize>i * 8;
    const gi = f64x2.mul(v128.load(g + o), mean2);
    const mi = f64x2.add(f64x2.mul(b12, v128.load(m + o)), f64x2.mul(c1, gi));
    const vi = f64x2.add(f64x2.mul(b22, v128.load(v + o)), f64x2.mul(f64x2.mul(c2, gi), gi));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const step = f64x2.mul(
      f64x2.div(f64x2.mul(lr2, f64x2.div(mi, bc12)), f64x2.add(f64x2.sqrt(f64x2.div(vi, bc22)), eps2)),
      inv2,
    );
    v128.store(w + o, f64x2.sub(v128.load(w + o), step));
    v128.store(g + o, zero);
  }
  if (i < n) {
    const o = <usize>i * 8;
    const gi = load<f64>(g + o) * mean;
    const mi = b1 * load<f64>(m + o) + (1 - b1) * gi;
    const vi = b2 * load<f64>(v + o) + (1 - b2) * gi * gi;
    store<f64>(m + o, mi);
    store<f64>(v + o, vi);
    store<f64>(w + o, load<f64>(w + o) - ((lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps)) * inv);
    store<f64>(g + o, 0);
  }
}
