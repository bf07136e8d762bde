// The forward pass of a layered network of dense ramp projections in continuous time, layer by
// layer, two neurons per f64x2 lane pair, and its exact gradient (descriptors: RAMP_*, POP_*,
// RAMP_PRJ_* and BWD_* in src/kernels/layout.ts).
//
// The event loop (src/engine/continuous-loop.ts) delivers every arrival of one time as a
// wave (W += x, A += x·t per row, rows in source order), then tests each target: it fires now when
// w·t > θ + A (or ≥ with w > 0), else its predicted spike max(θ + A)/w, t) fires unless the next
// wave into its layer comes first. Each lane here does those same f64 operations in the same order.
//
// Order within one time t. The event loop delivers, as one wave, every arrival queued for t, then
// the arrivals that the spikes fired in that wave send with zero delay (the next step of the
// cascade), and so on (phase 0); then it fires every prediction at exactly t in one batch, and
// delivers that batch's cascade in steps (phase 1); then the predictions at t set meanwhile
// (phase 2), and so on. Each spike keeps the key of the wave that produced it, K = 4096·phase +
// step (inputs and every arrival queued before its time: 0; fired in a wave of key k: k + 1;
// fired in predicted batch b: 4096·b). The waves into a layer are its sources' spikes grouped by
// (arrival time, key), in that order (with a delay every arrival is queued before its time: key 0).
// A prediction at tp belongs to batch 1, or to batch φ + 1 when a wave of phase φ at tp itself set
// it, and fires before a wave at tp whose phase is at least its batch.
import { countSpikes } from './counts';
import {
  BWD_COEF, BWD_DELAY, BWD_DELTA, BWD_F, BWD_FLAGS, BWD_G, BWD_GRADIENT, BWD_KAPPA, BWD_NI, BWD_NJ, BWD_OUT, BWD_POST,
  BWD_PRE, BWD_RHO, BWD_SCALE, BWD_SILENT, BWD_SOURCES, BWD_TMAX, BWD_W, POP_BYTES, POP_FIRED, POP_LIST, POP_OFFSET,
  POP_SIZE, POP_THRESHOLDS, RAMP_A, RAMP_DECISION, RAMP_HEADER, RAMP_K, RAMP_LAYERS, RAMP_OUTPUT, RAMP_P,
  RAMP_PRJ_BYTES, RAMP_PRJ_DELAY, RAMP_PRJ_SCALE, RAMP_PRJ_WEIGHTS, RAMP_ROWS, RAMP_S, RAMP_SORT, RAMP_STOPPED,
  RAMP_SYN, RAMP_T, RAMP_TMAX, RAMP_W, RAMP_WAVE_ENDS, RAMP_WAVE_KEYS, RAMP_WAVE_TIMES,
} from '../src/kernels/layout';

@inline function pop(d: usize, p: i32): usize {
  return d + RAMP_HEADER + (<usize>p) * POP_BYTES;
}

@inline function prj(d: usize, k: i32): usize {
  return d + RAMP_HEADER + (<usize>load<i32>(d, RAMP_LAYERS)) * POP_BYTES + (<usize>k) * RAMP_PRJ_BYTES;
}

/**
 * One forward pass; returns 0, or 1 + i when input neuron i has a time that is not a number ≥ 0 (nothing else is
 * written then).
 */
export function rampForward(d: usize, earlyStop: i32): i32 {
  const L = load<i32>(d, RAMP_LAYERS), outPop = load<i32>(d, RAMP_OUTPUT), tmax = load<f64>(d, RAMP_TMAX);
  const T = load<usize>(d, RAMP_T), P = load<usize>(d, RAMP_P), S = load<usize>(d, RAMP_S), K = load<usize>(d, RAMP_K);
  {
    // inputs: checked, clamped at tmax, potential and slope 0, key 0 (queued before the run)
    const q = pop(d, 0), n = load<i32>(q, POP_SIZE), off = <usize>load<i32>(q, POP_OFFSET);
    for (let i = 0; i < n; i++) if (!(load<f64>(T + (off + <usize>i) * 8) >= 0)) return 1 + i;
    for (let i = 0; i < n; i++) {
      const g = (off + <usize>i) * 8;
      if (load<f64>(T + g) >= tmax) store<f64>(T + g, tmax);
      store<f64>(P + g, 0);
      store<f64>(S + g, 0);
      store<f64>(K + g, 0);
    }
    sortByTime(d, q, T, tmax, L > 1 ? load<f64>(prj(d, 0), RAMP_PRJ_DELAY) : 0, false);
  }
  layers(d, L, tmax, tmax);
  const qo = pop(d, outPop);
  let decision = tmax;
  if (load<i32>(qo, POP_FIRED) > 0) {
    decision = load<f64>(T + (<usize>load<i32>(qo, POP_OFFSET) + <usize>load<i32>(load<usize>(qo, POP_LIST))) * 8);
  }
  let stopped = 0;
  if (earlyStop && decision < tmax) {
    // the event loop stops after the decision time: replay every layer up to it
    layers(d, L, tmax, decision);
    stopped = 1;
  }
  const end = stopped ? decision : tmax;
  countSpikes<f64>(
    d + RAMP_HEADER, L, d + RAMP_HEADER + (<usize>L) * POP_BYTES, RAMP_PRJ_BYTES, RAMP_PRJ_DELAY,
    T, end, decision, tmax, d + RAMP_SYN,
  );
  store<i32>(d, stopped, RAMP_STOPPED);
  store<f64>(d, decision, RAMP_DECISION);
  return 0;
}

/** Every layer after the input over the events up to `limit`. */
function layers(d: usize, L: i32, tmax: f64, limit: f64): void {
  const W = load<usize>(d, RAMP_W), A = load<usize>(d, RAMP_A), T = load<usize>(d, RAMP_T), P = load<usize>(d, RAMP_P),
    S = load<usize>(d, RAMP_S);
  const K = load<usize>(d, RAMP_K), rows = load<usize>(d, RAMP_ROWS), ends = load<usize>(d, RAMP_WAVE_ENDS);
  const times = load<usize>(d, RAMP_WAVE_TIMES), keys = load<usize>(d, RAMP_WAVE_KEYS);
  for (let k = 0; k < L - 1; k++) {
    const qs = pop(d, k), qd = pop(d, k + 1), r = prj(d, k);
    const delay = load<f64>(r, RAMP_PRJ_DELAY), scale = load<f64>(r, RAMP_PRJ_SCALE),
      w = load<usize>(r, RAMP_PRJ_WEIGHTS);
    const nJ = load<i32>(qd, POP_SIZE), offD = <usize>load<i32>(qd, POP_OFFSET), th = load<usize>(qd, POP_THRESHOLDS);
    const list = load<usize>(qs, POP_LIST), nf = load<i32>(qs, POP_FIRED), offS = <usize>load<i32>(qs, POP_OFFSET);
    const rowBytes = <usize>nJ * 8;
    // the waves into this layer: arrivals in (time, key) order, one wave each
    let nr = 0, nw = 0;
    for (let c = 0; c < nf; c++) {
      const i = load<i32>(list + <usize>c * 4), g = (offS + <usize>i) * 8;
      const a = load<f64>(T + g) + delay;
      if (a >= tmax || a > limit) break;
      const key = delay == 0 ? load<f64>(K + g) : 0;
      if (nw == 0 || a != load<f64>(times + <usize>(nw - 1) * 8) || key != load<f64>(keys + <usize>(nw - 1) * 8)) {
        store<f64>(times + <usize>nw * 8, a);
        store<f64>(keys + <usize>nw * 8, key);
        nw++;
      }
      store<u32>(rows + <usize>nr * 4, <u32>(w + <usize>i * rowBytes));
      nr++;
      store<i32>(ends + <usize>(nw - 1) * 4, nr);
    }
    const Wd = W + offD * 8, Ad = A + offD * 8, Td = T + offD * 8;
    const Pd = P + offD * 8, Sd = S + offD * 8, Kd = K + offD * 8;
    memory.fill(Wd, 0, <usize>nJ * 8);
    memory.fill(Ad, 0, <usize>nJ * 8);
    memory.fill(Kd, 0, <usize>nJ * 8);
    for (let j = 0; j < nJ; j++) store<f64>(Td + <usize>j * 8, tmax);
    let row = 0;
    for (let v = 0; v < nw; v++) {
      const t = load<f64>(times + <usize>v * 8), key = load<f64>(keys + <usize>v * 8);
      const end = load<i32>(ends + <usize>v * 4);
      const last = v + 1 == nw;
      const tNext = last ? Infinity : load<f64>(times + <usize>(v + 1) * 8);
      const keyNext = last ? 0 : load<f64>(keys + <usize>(v + 1) * 8);
      wave(Wd, Ad, rows, row, end, nJ, scale, t);
      evaluate(Wd, Ad, Td, Pd, Sd, Kd, th, nJ, t, key, tNext, keyNext, limit, tmax);
      row = end;
    }
    // the neurons that stayed silent: potential and slope at the end
    const endT = limit < tmax ? limit : tmax;
    for (let j = 0; j < nJ; j++) {
      const o = <usize>j * 8;
      if (load<f64>(Td + o) >= tmax) {
        const wj = load<f64>(Wd + o);
        store<f64>(Pd + o, 0 + wj * endT - load<f64>(Ad + o));
        store<f64>(Sd + o, wj);
      }
    }
    const out = k + 2 < L ? load<f64>(prj(d, k + 1), RAMP_PRJ_DELAY) : 0;
    sortByTime(d, qd, T, tmax, out, k + 2 < L && out == 0);
  }
}

/** Adds the rows [from, to) of a wave at time t: per target W += x, A += x·t with x = scale·w. */
function wave(Wd: usize, Ad: usize, rows: usize, from: i32, to: i32, nJ: i32, scale: f64, t: f64): void {
  const s2 = f64x2.splat(scale), t2 = f64x2.splat(t);
  for (let r = from; r < to; r++) {
    const p = <usize>load<u32>(rows + <usize>r * 4);
    let j = 0;
    for (; j + 1 < nJ; j += 2) {
      const o = <usize>j * 8;
      const x = f64x2.mul(s2, v128.load(p + o));
      v128.store(Wd + o, f64x2.add(v128.load(Wd + o), x));
      v128.store(Ad + o, f64x2.add(v128.load(Ad + o), f64x2.mul(x, t2)));
    }
    if (j < nJ) {
      const o = <usize>j * 8, x = scale * load<f64>(p + o);
      store<f64>(Wd + o, load<f64>(Wd + o) + x);
      store<f64>(Ad + o, load<f64>(Ad + o) + x * t);
    }
  }
}

/**
 * After a wave at t of key `key`: every neuron that has not fired fires now (w·t > gap, or ≥ with
 * w > 0; gap = θ + A), or at its prediction tp = max(gap/w, t) < tmax when that is no later than
 * `limit` and comes before the next wave (tNext, keyNext): tp < tNext, or tp = tNext and the next
 * wave's phase is at least the prediction's batch. Records time, potential (0 + W·t) − A, slope W and key.
 */
function evaluate(
  Wd: usize, Ad: usize, Td: usize, Pd: usize, Sd: usize, Kd: usize, th: usize, nJ: i32,
  t: f64, key: f64, tNext: f64, keyNext: f64, limit: f64, tmax: f64,
): void {
  const PHASE = 4096.0;
  const t2 = f64x2.splat(t), next2 = f64x2.splat(tNext), kn2 = f64x2.splat(keyNext);
  const lim2 = f64x2.splat(limit), tm2 = f64x2.splat(tmax);
  const margin = f64x2.splat(1 + 1.0 / <f64>(1 << 30) / <f64>(1 << 10));
  const zero = f64x2.splat(0), now2 = f64x2.splat(key + 1), batch1 = f64x2.splat(PHASE);
  const batchHere = f64x2.splat((Math.floor(key / PHASE) + 1) * PHASE);
  let j = 0;
  for (; j + 1 < nJ; j += 2) {
    const o = <usize>j * 8;
    const Tv = v128.load(Td + o), alive = f64x2.ge(Tv, tm2);
    if (!v128.any_true(alive)) continue;
    const Wv = v128.load(Wd + o), Av = v128.load(Ad + o);
    const gap = f64x2.add(v128.load(th + o), Av), wt = f64x2.mul(Wv, t2), wpos = f64x2.gt(Wv, zero);
    const now = v128.or(f64x2.gt(wt, gap), v128.and(wpos, f64x2.ge(wt, gap)));
    // a prediction can come before the next wave only if gap/w ≤ tNext, so gap ≤ w·tNext up to
    // rounding: with a margin of 2^-40 this test never drops a lane that the exact one keeps
    const maybe = v128.and(wpos, f64x2.le(gap, f64x2.mul(f64x2.mul(Wv, next2), margin)));
    if (!v128.any_true(v128.and(alive, v128.or(now, maybe)))) continue;
    const tc = f64x2.div(gap, Wv);
    const tp = v128.bitselect(t2, tc, f64x2.lt(tc, t2));
    const batch = v128.bitselect(batchHere, batch1, f64x2.eq(tp, t2));
    const before = v128.or(f64x2.lt(tp, next2), v128.and(f64x2.eq(tp, next2), f64x2.ge(kn2, batch)));
    const pred = v128.andnot(v128.and(v128.and(wpos, f64x2.lt(tc, tm2)), v128.and(before, f64x2.le(tp, lim2))), now);
    const fire = v128.and(alive, v128.or(now, pred));
    if (!v128.any_true(fire)) continue;
    const tf = v128.bitselect(t2, tp, now);
    v128.store(Td + o, v128.bitselect(tf, Tv, fire));
    v128.store(Pd + o, v128.bitselect(f64x2.sub(f64x2.add(zero, f64x2.mul(Wv, tf)), Av), v128.load(Pd + o), fire));
    v128.store(Sd + o, v128.bitselect(Wv, v128.load(Sd + o), fire));
    v128.store(Kd + o, v128.bitselect(v128.bitselect(now2, batch, now), v128.load(Kd + o), fire));
  }
  if (j < nJ) {
    const o = <usize>j * 8;
    if (load<f64>(Td + o) < tmax) return;
    const w = load<f64>(Wd + o), A = load<f64>(Ad + o);
    const gap = load<f64>(th + o) + A, wt = w * t;
    let tf = Infinity, k = key + 1;
    if (wt > gap || (w > 0 && wt >= gap)) tf = t;
    else if (w > 0) {
      const tc = gap / w;
      const tp = tc < t ? t : tc, batch = tp == t ? (Math.floor(key / PHASE) + 1) * PHASE : PHASE;
      if (tc < tmax && tp <= limit && (tp < tNext || (tp == tNext && keyNext >= batch))) {
        tf = tp;
        k = batch;
      }
    }
    if (tf < Infinity) {
      store<f64>(Td + o, tf);
      store<f64>(Pd + o, 0 + w * tf - A);
      store<f64>(Sd + o, w);
      store<f64>(Kd + o, k);
    }
  }
}

/**
 * Neurons of population q that fired, into its list in the order of their arrivals through a
 * projection of delay `delay`: by arrival time t + delay (distinct spike times can round to one
 * arrival time), ties in index order (a stable merge sort); with zero delay (`byKey`), by
 * (time, key): the order of the waves they are sent in.
 */
function sortByTime(d: usize, q: usize, T: usize, tmax: f64, delay: f64, byKey: bool): void {
  const n = load<i32>(q, POP_SIZE), off = <usize>load<i32>(q, POP_OFFSET), list = load<usize>(q, POP_LIST),
    tmp = load<usize>(d, RAMP_SORT), Tq = T + off * 8, Kq = load<usize>(d, RAMP_K) + off * 8;
  let m = 0;
  for (let i = 0; i < n; i++) {
    store<i32>(list + <usize>m * 4, i);
    m += <i32>(load<f64>(Tq + <usize>i * 8) < tmax);
  }
  store<i32>(q, m, POP_FIRED);
  let src = list, dst = tmp;
  for (let width = 1; width < m; width <<= 1) {
    for (let lo = 0; lo < m; lo += 2 * width) {
      const mid = min(lo + width, m), hi = min(lo + 2 * width, m);
      let a = lo, b = mid, o = lo;
      while (a < mid && b < hi) {
        const ia = load<i32>(src + <usize>a * 4), ib = load<i32>(src + <usize>b * 4);
        const ta = load<f64>(Tq + <usize>ia * 8) + delay, tb = load<f64>(Tq + <usize>ib * 8) + delay;
        if (tb < ta || (byKey && tb == ta && load<f64>(Kq + <usize>ib * 8) < load<f64>(Kq + <usize>ia * 8))) {
          store<i32>(dst + <usize>o * 4, ib);
          b++;
        } else {
          store<i32>(dst + <usize>o * 4, ia);
          a++;
        }
        o++;
      }
      while (a < mid) store<i32>(dst + <usize>(o++) * 4, load<i32>(src + <usize>(a++) * 4));
      while (b < hi) store<i32>(dst + <usize>(o++) * 4, load<i32>(src + <usize>(b++) * 4));
    }
    const x = src;
    src = dst;
    dst = x;
  }
  if (src != list) memory.copy(list, src, <usize>m * 4);
}

/**
 * The exact gradient of one dense ramp projection (the TypeScript twin's operations, in the same
 * order), on the backward descriptor at `d` (BWD_*): for every source i that fired (pre[i] < tmax;
 * a = pre[i] + delay) and target j with a < t_j:
 *   out[i] = scale · Σ_j f_j·w_ij (sequential in j; the masked terms add +0, which leaves a sum that
 *   started at +0 unchanged), with BWD_SOURCES;
 *   g_ij += (coef·f_j)·(t_j − a), then for silent targets g_ij += coef·(κ·δ_j − ρ) with BWD_SILENT,
 *   with BWD_GRADIENT. The sums run over four sources at a time, one per lane, each in j order.
 */
export function rampBackward(d: usize): void {
  const w = load<usize>(d, BWD_W), g = load<usize>(d, BWD_G), nI = load<i32>(d, BWD_NI), nJ = load<i32>(d, BWD_NJ);
  const pre = load<usize>(d, BWD_PRE), tq = load<usize>(d, BWD_POST), f = load<usize>(d, BWD_F);
  const delta = load<usize>(d, BWD_DELTA), out = load<usize>(d, BWD_OUT), flags = load<i32>(d, BWD_FLAGS);
  const coef = load<f64>(d, BWD_COEF), scale = load<f64>(d, BWD_SCALE), delay = load<f64>(d, BWD_DELAY);
  const tmax = load<f64>(d, BWD_TMAX), kappa = load<f64>(d, BWD_KAPPA), rho = load<f64>(d, BWD_RHO);
  const rowBytes = <usize>nJ * 8, tm2 = f64x2.splat(tmax), zero = f64x2.splat(0);
  if (flags & BWD_SOURCES) {
    let i = 0;
    for (; i + 3 < nI; i += 4) {
      const p = pre + <usize>i * 8;
      const t0 = load<f64>(p), t1 = load<f64>(p, 8), t2 = load<f64>(p, 16), t3 = load<f64>(p, 24);
      if (!(t0 < tmax) && !(t1 < tmax) && !(t2 < tmax) && !(t3 < tmax)) {
        v128.store(out + <usize>i * 8, zero);
        v128.store(out + <usize>i * 8, zero, 16);
        continue;
      }
      const a01 = f64x2.replace_lane(f64x2.splat(t0 + delay), 1, t1 + delay);
      const a23 = f64x2.replace_lane(f64x2.splat(t2 + delay), 1, t3 + delay);
      const r0 = w + <usize>i * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
      let s01 = zero, s23 = zero;
      for (let j = 0; j < nJ; j++) {
        const o = <usize>j * 8;
        const tj = f64x2.splat(load<f64>(tq + o)), fj = f64x2.splat(load<f64>(f + o));
        const w01 = f64x2.replace_lane(f64x2.splat(load<f64>(r0 + o)), 1, load<f64>(r1 + o));
        const w23 = f64x2.replace_lane(f64x2.splat(load<f64>(r2 + o)), 1, load<f64>(r3 + o));
        s01 = f64x2.add(s01, v128.and(f64x2.mul(fj, w01), f64x2.lt(a01, tj)));
        s23 = f64x2.add(s23, v128.and(f64x2.mul(fj, w23), f64x2.lt(a23, tj)));
      }
      store<f64>(out + <usize>i * 8, t0 < tmax ? scale * f64x2.extract_lane(s01, 0) : 0);
      store<f64>(out + <usize>i * 8, t1 < tmax ? scale * f64x2.extract_lane(s01, 1) : 0, 8);
      store<f64>(out + <usize>i * 8, t2 < tmax ? scale * f64x2.extract_lane(s23, 0) : 0, 16);
      store<f64>(out + <usize>i * 8, t3 < tmax ? scale * f64x2.extract_lane(s23, 1) : 0, 24);
    }
    for (; i < nI; i++) {
      const ti = load<f64>(pre + <usize>i * 8);
      let sum = 0.0;
      if (ti < tmax) {
        const a = ti + delay, r = w + <usize>i * rowBytes;
        for (let j = 0; j < nJ; j++)
          if (a < load<f64>(tq + <usize>j * 8)) sum += load<f64>(f + <usize>j * 8) * load<f64>(r + <usize>j * 8);
      }
      store<f64>(out + <usize>i * 8, scale * sum);
    }
  }
  if (!(flags & BWD_GRADIENT)) return;
  const c2 = f64x2.splat(coef), k2 = f64x2.splat(kappa), rho2 = f64x2.splat(rho);
  for (let i = 0; i < nI; i++) {
    const ti = load<f64>(pre + <usize>i * 8);
    if (!(ti < tmax)) continue;
    const a = ti + delay, a2 = f64x2.splat(a), row = g + <usize>i * rowBytes;
    let j = 0;
    for (; j + 1 < nJ; j += 2) {
      const o = <usize>j * 8, tj = v128.load(tq + o), x = v128.load(row + o);
      let y = v128.bitselect(
        f64x2.add(x, f64x2.mul(f64x2.mul(c2, v128.load(f + o)), f64x2.sub(tj, a2))),
        x,
        f64x2.lt(a2, tj),
      );
      if (flags & BWD_SILENT) {
        const silent = f64x2.mul(c2, f64x2.sub(f64x2.mul(k2, v128.load(delta + o)), rho2));
        y = v128.bitselect(f64x2.add(y, silent), y, f64x2.ge(tj, tm2));
      }
      v128.store(row + o, y);
    }
    if (j < nJ) {
      const o = <usize>j * 8, tj = load<f64>(tq + o);
      let y = load<f64>(row + o);
      if (a < tj) y += coef * load<f64>(f + o) * (tj - a);
      if ((flags & BWD_SILENT) && tj >= tmax) y += coef * (kappa * load<f64>(delta + o) - rho);
      store<f64>(row + o, y);
    }
  }
}
