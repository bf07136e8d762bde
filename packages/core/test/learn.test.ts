import { describe, expect, it } from 'vitest';
import {
  aggressiveTargets,
  Backprop,
  GradientCollector,
  WeightAverage,
  Network,
  Optimiser,
  outputError,
  Rng,
  Simulator,
  ttfsTargets,
  type GradientSink,
} from '../src/index.ts';

const forced = process.env.SPIKING_GAN_ENGINE === 'ts';
/** The backends the learning tests run on, each with the path Backprop and Optimiser must report. */
const BACKENDS = [
  ['auto', forced ? 'typescript' : 'wasm-simd'],
  ['typescript', 'typescript'],
] as const;

describe('S4NN targets (TTFS) and Aggressive TTFS', () => {
  const o = { tmax: 256, gamma: 3 };
  it('TTFS: pushes neurons within γ of the winner to τ* + γ, the desired one to τ*, leaves the rest', () => {
    expect(Array.from(ttfsTargets([10, 11, 20, 12, 13], 2, o))).toEqual([13, 13, 10, 13, 13]);
    // desired neuron already the winner: no error on it
    expect(Array.from(ttfsTargets([10, 30, 256], 0, o))).toEqual([10, 30, 256]);
    // a tie with the winner: both pushed, desired reset to τ*
    expect(Array.from(ttfsTargets([10, 10, 40], 1, o))).toEqual([13, 10, 40]);
    // near the end of the window targets are clipped at tmax
    expect(Array.from(ttfsTargets([255, 256], 1, o))).toEqual([256, 255]);
  });
  it('TTFS: with no output spike, all at tmax and the desired one at tmax − γ', () => {
    expect(Array.from(ttfsTargets([256, 256, 256], 1, o))).toEqual([256, 253, 256]);
  });
  it('Aggressive TTFS: the desired neuron is asked to fire γ_a before the winner, even when it is the winner', () => {
    expect(Array.from(aggressiveTargets([10, 30, 256], 0, o))).toEqual([7, 30, 256]);
    expect(Array.from(aggressiveTargets([10, 11, 20], 2, { ...o, gammaA: 5 }))).toEqual([13, 13, 5]);
    expect(Array.from(aggressiveTargets([1, 50], 0, o))).toEqual([0, 50]);
    expect(Array.from(aggressiveTargets([256, 256], 0, o))).toEqual([253, 256]);
    expect(Array.from(aggressiveTargets([40, 50, 60], 1, { ...o, variant: 'absolute' }))).toEqual([256, 0, 256]);
  });
  it('refuses a label that is not an output neuron', () => {
    expect(() => ttfsTargets([1, 2], 2, o)).toThrow(/label 2 is not an output neuron/);
  });
});

/** 3 inputs → 2 hidden → 2 outputs, weights chosen by hand, discrete time, delay 1. */
function tiny() {
  const net = new Network({ tmax: 20 });
  net.addInput(3);
  // torch layout [n_out, n_in]
  net.addLayer(2, { name: 'h', threshold: 1, weights: [2, 0, 0, /* h1: */ 0.6, 0.6, 0] });
  net.addLayer(2, { name: 'o', threshold: 1, weights: [2, 0, /* o1: */ 0.7, 0.7] });
  return net;
}

describe.each(BACKENDS)('S4NN gradient on a hand-computed case (backend %s)', (backend, path) => {
  // inputs: i0 at 1, i1 at 4, i2 silent → h0 fires at 2 (arrival of i0), h1 at 5 (i0 + i1 = 1.2), o0 at 3, o1 at 6
  const x = [1, 4, 20];
  it('runs as computed by hand', () => {
    const rec = new Simulator(tiny(), { backend }).run(x);
    expect(Array.from(rec.times)).toEqual([1, 4, 20, 2, 5, 3, 6]);
  });

  it('gives every term its sign and mask', () => {
    const net = tiny();
    const rec = new Simulator(net, { backend }).run(x);
    // label 1: targets TTFS → o0 (winner at 3) pushed to 6... t1 = 6 is 3 later, not within γ = 3: T = [3 → 3?]
    const T = ttfsTargets(rec.timesOf(net.output), 1, { tmax: 20, gamma: 3 });
    expect(Array.from(T)).toEqual([6, 3]); // o0 within γ of itself → τ*+γ = 6; desired o1 → τ* = 3
    const err = outputError(T, rec.timesOf(net.output), 20);
    expect(Array.from(err)).toEqual([3 / 20, -3 / 20]);
    const bp = new Backprop(net, { inputDelta: true, backend });
    expect(bp.backend).toBe(path);
    const sink = new GradientCollector(net);
    bp.run(rec, err, sink);
    const s = Math.SQRT1_2;
    // output δ normalised: [1/√2, −1/√2]
    expect(bp.delta[2][0]).toBeCloseTo(s, 15);
    expect(bp.delta[2][1]).toBeCloseTo(-s, 15);
    // output weight gradients g_jk = δ_k · [t_j < t_k]: h0 (2) before o0 (3) and o1 (6); h1 (5) only before o1 (6)
    const gOut = sink.grad[1]; // engine layout [pre][post]
    expect(Array.from(gOut).map((v) => +v.toFixed(12))).toEqual([s, -s, 0, -s].map((v) => +v.toFixed(12)));
    // hidden δ_j = Σ_k δ_k w_jk [t_j < t_k], before normalisation: h0 = s·2 + (−s)·0.7, h1 = (−s)·0.7
    const h0 = s * 2 - s * 0.7,
      h1 = -s * 0.7,
      nh = Math.hypot(h0, h1);
    expect(bp.delta[1][0]).toBeCloseTo(h0 / nh, 12);
    expect(bp.delta[1][1]).toBeCloseTo(h1 / nh, 12);
    // hidden weight gradients: i0 (1) before h0 (2) and h1 (5); i1 (4) only before h1 (5); i2 silent → none
    const gH = sink.grad[0];
    expect(gH[0 * 2 + 0]).toBeCloseTo(h0 / nh, 12);
    expect(gH[0 * 2 + 1]).toBeCloseTo(h1 / nh, 12);
    expect(gH[1 * 2 + 0]).toBe(0);
    expect(gH[1 * 2 + 1]).toBeCloseTo(h1 / nh, 12);
    expect(gH[2 * 2 + 0]).toBe(0);
    expect(gH[2 * 2 + 1]).toBe(0);
    // input δ (raw): i0 → w·δ over h0, h1; i1 → only h1; silent i2 → 0
    expect(bp.delta[0][0]).toBeCloseTo((2 * h0 + 0.6 * h1) / nh, 12);
    expect(bp.delta[0][1]).toBeCloseTo((0.6 * h1) / nh, 12);
    expect(bp.delta[0][2]).toBe(0);
  });

  it('SGD moves each weight against its gradient: the desired output gets earlier', () => {
    const net = tiny();
    const sim = new Simulator(net, { backend });
    const before = sim.run(x).timesOf(net.output)[1];
    const bp = new Backprop(net, { backend });
    const opt = new Optimiser(net, { lr: 0.5, decay: 0, backend });
    expect([bp.backend, opt.backend]).toEqual([path, path]);
    for (let step = 0; step < 3; step++) {
      const rec = sim.run(x);
      const t = rec.timesOf(net.output);
      bp.run(rec, outputError(ttfsTargets(t, 1, { tmax: 20 }), t, 20), opt);
      opt.endSample();
    }
    expect(sim.run(x).timesOf(net.output)[1]).toBeLessThan(before);
  });

  it('passes no error through silent neurons and skips normalising a zero δ', () => {
    const net = tiny();
    const rec = new Simulator(net, { backend }).run([20, 20, 20]); // nothing fires
    const bp = new Backprop(net, { inputDelta: true, backend });
    expect(bp.backend).toBe(path);
    const sink = new GradientCollector(net);
    bp.run(rec, [0, 0], sink);
    expect(Array.from(bp.delta[2])).toEqual([0, 0]);
    expect(sink.grad.every((g) => g.every((v) => v === 0))).toBe(true);
    // a silent hidden neuron has δ = 0: t_j = tmax is never before t_k
    const rec2 = new Simulator(net, { backend }).run([20, 20, 3]);
    const sink2 = new GradientCollector(net);
    bp.run(rec2, [-0.1, -0.1], sink2);
    expect(Array.from(bp.delta[1])).toEqual([0, 0]);
    // a silent output neuron still learns from every input that fired (S4NN): h0 fires at 2, o1 stays silent
    const sink3 = new GradientCollector(net);
    const rec3 = new Simulator(net, { backend }).run([1, 20, 20]);
    expect(rec3.timesOf(net.output)[1]).toBe(20);
    bp.run(rec3, [0, -1], sink3);
    expect(sink3.grad[1][0 * 2 + 1]).toBe(-1); // h0 → o1
    expect(sink3.grad[1][1 * 2 + 1]).toBe(0); // h1 silent: nothing
  });
});

describe.each(BACKENDS)('Optimiser (backend %s)', (backend, path) => {
  it('keeps the L2 decay as a lazy scale that equals the explicit loop', () => {
    const a = tiny(),
      b = tiny();
    const oa = new Optimiser(a, { lr: 0.2, decay: 0.01, backend });
    const bp = new Backprop(a, { backend });
    expect([oa.backend, bp.backend]).toEqual([path, path]);
    const sim = new Simulator(a, { backend });
    const x = [1, 4, 20];
    for (let s = 0; s < 5; s++) {
      // explicit reference on b: w ← w − η g; w ← w − η λ w
      const rb = new Simulator(b, { backend }).run(x);
      const tb = rb.timesOf(b.output);
      const gb = new GradientCollector(b);
      // backprop on b with the order S4NN uses (output layer updated before δ is propagated through it)
      const bpb = new Backprop(b, { backend });
      const explicit: GradientSink = {
        target: (k) => ({ array: gb.grad[k], coef: 1 }),
        afterProjection: (k) => {
          const w = b.projections[k].weights;
          for (let i = 0; i < w.length; i++) {
            w[i] -= 0.2 * gb.grad[k][i];
            w[i] -= 0.2 * 0.01 * w[i];
          }
        },
      };
      bpb.run(rb, outputError(ttfsTargets(tb, 1, { tmax: 20 }), tb, 20), explicit);
      const ra = sim.run(x);
      const ta = ra.timesOf(a.output);
      bp.run(ra, outputError(ttfsTargets(ta, 1, { tmax: 20 }), ta, 20), oa);
      oa.endSample();
    }
    for (let k = 0; k < 2; k++) {
      expect(a.projections[k].scale).toBeLessThan(1);
      for (let i = 0; i < b.projections[k].weights.length; i++) {
        expect(a.projections[k].scale * a.projections[k].weights[i]).toBeCloseTo(b.projections[k].weights[i], 12);
      }
    }
  });

  it('averages a mini-batch and applies it once', () => {
    const net = tiny();
    const opt = new Optimiser(net, { lr: 1, decay: 0, batch: 2, backend });
    expect(opt.backend).toBe(path);
    const w0 = net.projections[1].weights.slice();
    const t = opt.target(1)!;
    t.array[0] += 2;
    expect(opt.endSample()).toBe(false);
    t.array[0] += 4;
    expect(opt.endSample()).toBe(true);
    expect(net.projections[1].weights[0]).toBeCloseTo(w0[0] - 3, 12);
  });

  it('Adam takes a first step of about lr in the gradient sign, and frozen projections do not move', () => {
    const net = tiny();
    const opt = new Optimiser(net, { kind: 'adam', lr: 0.01, decay: 0, batch: 1, frozen: [0], backend });
    expect(opt.backend).toBe(path);
    const w0 = net.projections[1].weights.slice(),
      h0 = net.projections[0].weights.slice();
    opt.target(1)!.array[1] += 5;
    expect(opt.target(0)).toBeNull();
    opt.endSample();
    expect(net.projections[1].weights[1]).toBeCloseTo(w0[1] - 0.01, 6);
    expect(Array.from(net.projections[0].weights)).toEqual(Array.from(h0));
  });
});

describe.each(BACKENDS)('ramp kernel: exact gradient against finite differences (backend %s)', (backend, path) => {
  it('matches central differences of the engine spike times for weights and input times', () => {
    let checked = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const rng = new Rng(seed);
      const net = new Network({ tmax: 10, time: 'continuous', delay: 0 });
      net.addInput(6);
      net.addLayer(5, {
        kernel: 'ramp',
        threshold: 1,
        weights: Array.from({ length: 30 }, () => rng.uniform(-0.3, 1.2)),
      });
      net.addLayer(3, {
        kernel: 'ramp',
        threshold: 1,
        weights: Array.from({ length: 15 }, () => rng.uniform(-0.3, 1.5)),
        delay: 0.2,
      });
      const x = Array.from({ length: 6 }, () => rng.uniform(0, 3));
      const c = [1, -0.5, 2]; // L = Σ c_k t_k, δ = −c
      const sim = new Simulator(net, { backend });
      const loss = (inp: number[]) => {
        const t = sim.run(inp).timesOf(net.output);
        return c.reduce((s, ck, k) => s + ck * t[k], 0);
      };
      const rec = sim.run(x).clone();
      const out = rec.timesOf(net.output);
      if (out.some((t) => t >= 10)) continue; // FD needs every output to fire
      const bp = new Backprop(net, { normalise: false, inputDelta: true, backend });
      expect(bp.backend).toBe(path);
      const sink = new GradientCollector(net);
      bp.run(
        rec,
        c.map((v) => -v),
        sink,
      );
      const h = 1e-6;
      for (const pr of net.projections) {
        for (let k = 0; k < pr.weights.length; k++) {
          const w = pr.weights[k];
          pr.weights[k] = w + h;
          const up = loss(x);
          pr.weights[k] = w - h;
          const dn = loss(x);
          pr.weights[k] = w;
          const fd = (up - dn) / (2 * h);
          expect(sink.grad[pr.index][k], `seed ${seed} proj ${pr.index} w ${k}`).toBeCloseTo(fd, 5);
          checked++;
        }
      }
      for (let i = 0; i < 6; i++) {
        const up = loss(x.map((v, k) => (k === i ? v + h : v)));
        const dn = loss(x.map((v, k) => (k === i ? v - h : v)));
        expect(-bp.delta[0][i], `seed ${seed} input ${i}`).toBeCloseTo((up - dn) / (2 * h), 5);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(150);
  });
});

describe('WeightAverage', () => {
  it('averages effective weights (scale applied) over snapshots and writes them back with scale 1', () => {
    const net = tiny();
    const avg = new WeightAverage(net);
    const p = net.projections[0];
    const w0 = p.weights[0];
    avg.add();
    p.weights[0] = w0 + 2;
    p.scale = 0.5;
    avg.add();
    avg.apply();
    expect(p.scale).toBe(1);
    expect(p.weights[0]).toBeCloseTo((w0 + 0.5 * (w0 + 2)) / 2, 12);
    expect(avg.count).toBe(2);
  });
});
