// The SIMD learning kernels (deltaUpdate, rampBackward, reluBackward, sgdStep, adamStep) against their
// TypeScript twins, bit for bit: Backprop and Optimiser are built with backend 'auto' (the kernels) and
// with backend 'typescript' on the same random layered networks (delta in discrete and continuous
// time, ramp, ReLU-equivalent; odd widths, lazy scales, silent neurons, ties, biases), and every
// gradient, δ, weight, bias, Adam moment and lazy scale is compared with Object.is, with and without
// gradient targets (a collector, frozen projections, no sink, in-place SGD, mini-batches, Adam).
// Spies count the kernel calls, so each test also shows which path ran.
import { describe, expect, it } from 'vitest';
import {
  Backprop,
  Network,
  Optimiser,
  Rng,
  Simulator,
  type BackpropOptions,
  type GradientSink,
  type OptimiserOptions,
} from '../src/index.ts';
import { allocF64, offsetOf, type Kernels } from '../src/engine/kernel-memory.ts';

const forced = process.env.SPIKING_GAN_ENGINE === 'ts';
const LEARNING_KERNELS = ['deltaUpdate', 'rampBackward', 'reluBackward', 'sgdStep', 'adamStep'] as const;
type Counts = Record<(typeof LEARNING_KERNELS)[number], number>;
type Kind = 'delta' | 'ramp' | 'relu';

function sameArray(x: ArrayLike<number>, y: ArrayLike<number>, where: string): void {
  if (x.length !== y.length) throw new Error(`${where}: lengths ${x.length} vs ${y.length}`);
  for (let i = 0; i < x.length; i++) {
    if (!Object.is(x[i], y[i])) throw new Error(`${where}[${i}]: ${x[i]} (wasm) vs ${y[i]} (typescript)`);
  }
}

/** Counts the learning-kernel calls of a Backprop or an Optimiser (zero on the TypeScript path). */
function spy(o: Backprop | Optimiser): Counts {
  const counts = Object.fromEntries(LEARNING_KERNELS.map((k) => [k, 0])) as Counts;
  const wrap = (k: Kernels): Kernels => {
    const w: Record<string, unknown> = { ...k };
    for (const name of LEARNING_KERNELS) {
      const f = k[name] as (...a: number[]) => void;
      w[name] = (...a: number[]) => {
        counts[name]++;
        f(...a);
      };
    }
    return w as unknown as Kernels;
  };
  if (o instanceof Backprop) {
    const s = (o as unknown as { simd: { k: Kernels } | null }).simd;
    if (s) s.k = wrap(s.k);
  } else {
    const h = o as unknown as { kern: Kernels | null };
    if (h.kern) h.kern = wrap(h.kern);
  }
  return counts;
}

/** A random layered network of `kind` (weights and biases in the kernel memory), all drawn from `rng`. */
function randomNet(kind: Kind, rng: Rng, c: number): Network {
  const depth = 1 + rng.int(3);
  const wide = c % 4 === 0;
  const sizes = [1 + rng.int(wide ? 60 : 30), ...Array.from({ length: depth }, () => 1 + rng.int(wide ? 50 : 15))];
  const weights = (k: number, gain: number, lean: number) =>
    Float64Array.from({ length: sizes[k - 1] * sizes[k] }, () => gain * (rng.uniform(-1, 1) + lean));
  let net: Network;
  if (kind === 'delta') {
    const continuous = c % 5 === 0;
    const tmax = c % 4 === 0 ? 256 : 8 + rng.int(30);
    net = continuous
      ? new Network({ tmax, time: 'continuous', delay: rng.uniform(0, 1.5) })
      : new Network({ tmax, delay: 1 + rng.int(2) });
    net.addInput(sizes[0]);
    for (let k = 1; k < sizes.length; k++) {
      const n = sizes[k];
      const threshold = rng.next() < 0.5 ? rng.uniform(0.5, 3) : Array.from({ length: n }, () => rng.uniform(0, 3));
      const delay = continuous ? rng.uniform(0, 2) : 1 + rng.int(3);
      net.addLayer(n, { threshold, delay, weightsPrePost: weights(k, rng.uniform(0.5, 1.5), rng.uniform(-0.3, 0.8)) });
    }
  } else if (kind === 'ramp') {
    const tmax = [1, 4, 10][c % 3];
    net = new Network({ tmax, time: 'continuous', delay: c % 5 === 0 ? rng.uniform(0, 0.5) : 0 });
    net.addInput(sizes[0]);
    for (let k = 1; k < sizes.length; k++) {
      const n = sizes[k];
      const threshold = rng.next() < 0.5 ? rng.uniform(0.05, 1) : Array.from({ length: n }, () => rng.uniform(0, 1));
      const w = weights(k, rng.uniform(0.3, 1.5), rng.uniform(-0.2, 0.8));
      net.addLayer(n, { kernel: 'ramp', threshold, weightsPrePost: w });
    }
  } else {
    const windows = [{ start: 0, end: 1 + rng.int(4) }];
    for (let k = 1; k < sizes.length; k++) {
      const start = windows[k - 1].end + (rng.next() < 0.3 ? rng.int(3) : 0);
      windows.push({ start, end: start + (rng.next() < 0.3 ? 0.5 + rng.int(2) : 2 + rng.int(8)) });
    }
    net = new Network({ tmax: windows[depth].end + rng.int(3), time: 'continuous', delay: 0 });
    net.addInput(sizes[0], 'input', windows[0]);
    for (let k = 1; k < sizes.length; k++) {
      const gain = rng.uniform(0.5, 4) / Math.sqrt(sizes[k - 1]),
        bg = rng.next() < 0.3 ? 0 : rng.uniform(0, 2);
      const bias = Float64Array.from({ length: sizes[k] }, () => bg * rng.uniform(-1, 1));
      net.addLayer(sizes[k], { window: windows[k], bias, weightsPrePost: weights(k, gain, rng.uniform(-0.3, 0.5)) });
    }
  }
  if (c % 3 === 1) for (const p of net.projections) p.scale = rng.uniform(0.5, 1.5);
  return net;
}

/** Input spike times: silent ones (Infinity, tmax), ties on a coarse grid, spread times. */
function randomInput(kind: Kind, rng: Rng, net: Network): Float64Array {
  const n = net.populations[0].size,
    tmax = net.tmax,
    silent = rng.uniform(0, 0.6),
    grid = rng.next() < 0.5;
  const end = kind === 'relu' ? net.populations[0].window!.end : kind === 'ramp' ? tmax : Math.min(tmax, 12);
  return Float64Array.from({ length: n }, () => {
    if (rng.next() < silent) return rng.next() < 0.5 ? Infinity : tmax;
    if (kind === 'delta' && net.time === 'discrete') return rng.int(end);
    return grid ? (rng.int(9) * end) / 8 : rng.uniform(0, end);
  });
}

/** An error vector with some zeros. */
function randomError(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => (rng.next() < 0.2 ? 0 : rng.normal()));
}

/** Weight and bias gradients with coefficients ≠ 1, in the kernel memory; projections in `frozen` get none. */
class Collector implements GradientSink {
  readonly grad: Float64Array[];
  readonly bias: Float64Array[];

  constructor(
    net: Network,
    readonly coef: number,
    readonly frozen: Set<number>,
  ) {
    this.grad = net.projections.map((p) => allocF64(p.weights.length));
    this.bias = net.populations.map((p) => allocF64(p.bias.length));
  }

  target(k: number): { array: Float64Array; coef: number } | null {
    return this.frozen.has(k) ? null : { array: this.grad[k], coef: this.coef };
  }

  afterProjection(): void {}

  biasTarget(p: number): { array: Float64Array; coef: number } {
    return { array: this.bias[p], coef: -this.coef };
  }
}

/** Backprop options for case c of `kind` (normalisation, input δ, silent-input time, silent terms, readout). */
function backpropOptions(kind: Kind, rng: Rng, net: Network, c: number): BackpropOptions {
  const o: BackpropOptions = { normalise: c % 2 === 0, inputDelta: c % 3 !== 2, normaliseInput: c % 7 === 0 };
  if (kind !== 'relu' && c % 4 === 1) o.silentInputTime = rng.uniform(0, net.tmax);
  if (kind === 'ramp' && c % 3 === 0) o.silentPenalty = rng.uniform(0, 0.2);
  if (kind === 'ramp' && c % 5 < 2) o.silentSurrogate = rng.uniform(0, 0.5);
  if (kind === 'relu') Object.assign(o, { readout: c % 5 < 2, clipSurrogate: c % 3 === 0 });
  return o;
}

const KERNEL_OF = { delta: 'deltaUpdate', ramp: 'rampBackward', relu: 'reluBackward' } as const;

describe('Backprop and Optimiser: the backend option', () => {
  it('typescript is the path asked for; auto takes the SIMD kernels when they are available', () => {
    const net = randomNet('delta', new Rng(1), 1);
    expect(new Backprop(net, { backend: 'typescript' }).backend).toBe('typescript');
    expect(new Optimiser(net, { backend: 'typescript' }).backend).toBe('typescript');
    const auto = forced ? 'typescript' : 'wasm-simd';
    expect(new Backprop(net).backend).toBe(auto);
    expect(new Backprop(net, { backend: 'auto' }).backend).toBe(auto);
    expect(new Optimiser(net, { kind: 'adam' }).backend).toBe(auto);
  });

  it('refuses a backend it does not know', () => {
    const net = randomNet('delta', new Rng(2), 2);
    const bad = 'event-loop' as unknown as 'auto';
    expect(() => new Backprop(net, { backend: bad })).toThrow(
      /Backprop: backend must be 'auto' or 'typescript', got event-loop/,
    );
    expect(() => new Optimiser(net, { backend: bad })).toThrow(/Optimiser: backend must be 'auto' or 'typescript'/);
  });
});

describe.skipIf(forced)('SIMD learning kernels against their TypeScript twins, bit for bit', () => {
  const layers = ['delta', 'ramp', 'relu'] as const;
  it.each(layers)('%s layers: every gradient and δ equal the TypeScript loops on 240 random networks', (kind) => {
    const rng = new Rng({ delta: 101, ramp: 202, relu: 303 }[kind]);
    let calls = 0,
      nonzero = 0;
    for (let c = 0; c < 240; c++) {
      const net = randomNet(kind, rng, c),
        L = net.populations.length - 1;
      const o = backpropOptions(kind, rng, net, c);
      const fast = new Backprop(net, o),
        slow = new Backprop(net, { ...o, backend: 'typescript' });
      expect([fast.backend, slow.backend]).toEqual(['wasm-simd', 'typescript']);
      const cf = spy(fast),
        cs = spy(slow);
      const frozen = new Set(c % 4 === 3 ? [rng.int(net.projections.length)] : []);
      const coef = [1, 0.75, -0.3][c % 3];
      const sf = new Collector(net, coef, frozen),
        ss = new Collector(net, coef, frozen);
      const sim = new Simulator(net);
      for (let r = 0; r < 3; r++) {
        const rec = sim.run(randomInput(kind, rng, net)).clone();
        // (from a hidden layer in some runs: a feature-matching error)
        const from = L > 1 && r === 1 ? 1 + rng.int(L) : undefined;
        const err = randomError(rng, net.populations[from ?? L].size);
        const noSink = r === 2 && c % 2 === 1;
        const where = `${kind} case ${c} run ${r}`;
        const df = fast.run(rec, err, noSink ? null : sf, from).slice();
        const ds = slow.run(rec, err, noSink ? null : ss, from);
        sameArray(df, ds, `${where}: returned δ`);
        fast.delta.forEach((d, p) => sameArray(d, slow.delta[p], `${where}: δ of population ${p}`));
      }
      sf.grad.forEach((g, k) => sameArray(g, ss.grad[k], `${kind} case ${c}: gradient of projection ${k}`));
      sf.bias.forEach((g, p) => sameArray(g, ss.bias[p], `${kind} case ${c}: bias gradient of population ${p}`));
      for (const g of sf.grad) nonzero += g.filter((v) => v !== 0).length;
      const where = `${kind} case ${c}: kernels called on the typescript path`;
      expect(
        Object.values(cs).every((n) => n === 0),
        where,
      ).toBe(true);
      calls += cf[KERNEL_OF[kind]];
    }
    expect(calls).toBeGreaterThan(240);
    expect(nonzero).toBeGreaterThan(10_000);
  });

  /** Twins of one random network, trained side by side: SIMD everywhere on one, TypeScript everywhere on the other. */
  function trainTwins(
    kind: Kind,
    seed: number,
    oo: OptimiserOptions,
    steps: number,
  ): { calls: Counts; backward: number; checked: number } {
    const rng = new Rng(seed),
      netSeed = rng.int(1 << 30);
    const A = randomNet(kind, new Rng(netSeed), seed),
      B = randomNet(kind, new Rng(netSeed), seed);
    const bo = backpropOptions(kind, rng, A, seed);
    const simA = new Simulator(A),
      simB = new Simulator(B, { backend: 'typescript' });
    const bpA = new Backprop(A, bo),
      bpB = new Backprop(B, { ...bo, backend: 'typescript' });
    const optA = new Optimiser(A, oo),
      optB = new Optimiser(B, { ...oo, backend: 'typescript' });
    // (simA: SIMD where the network is eligible)
    expect([bpA.backend, optA.backend]).toEqual(['wasm-simd', 'wasm-simd']);
    expect([simB.backend, bpB.backend, optB.backend]).toEqual(['typescript', 'typescript', 'typescript']);
    const calls = spy(optA),
      bpCalls = spy(bpA),
      none = [spy(optB), spy(bpB)];
    let checked = 0;
    const same = (where: string) => {
      A.projections.forEach((p, k) => {
        const q = B.projections[k];
        sameArray(p.weights, q.weights, `${where}: weights of projection ${k}`);
        expect(Object.is(p.scale, q.scale), `${where}: scale of projection ${k}`).toBe(true);
        sameArray(optA.m[k], optB.m[k], `${where}: Adam m of projection ${k}`);
        sameArray(optA.v[k], optB.v[k], `${where}: Adam v of projection ${k}`);
        checked += p.weights.length;
      });
      A.populations.forEach((p, i) => {
        sameArray(p.bias, B.populations[i].bias, `${where}: biases of population ${i}`);
        sameArray(optA.biasM[i], optB.biasM[i], `${where}: Adam m of the biases of population ${i}`);
        sameArray(optA.biasV[i], optB.biasV[i], `${where}: Adam v of the biases of population ${i}`);
      });
    };
    for (let s = 0; s < steps; s++) {
      if (s === steps >> 1) [optA, optB].forEach((o) => o.setRateFactor(0.5));
      const x = randomInput(kind, rng, A),
        ra = simA.run(x),
        rb = simB.run(x);
      sameArray(ra.times, rb.times, `${kind} seed ${seed} step ${s}: spike times`);
      const err = randomError(rng, A.output.size);
      sameArray(bpA.run(ra, err, optA), bpB.run(rb, err, optB), `${kind} seed ${seed} step ${s}: returned δ`);
      optA.endSample();
      optB.endSample();
      same(`${kind} seed ${seed} step ${s} (${oo.kind} batch ${oo.batch})`);
    }
    optA.step();
    optB.step();
    same(`${kind} seed ${seed}, partial batch`);
    for (const c of none) expect(Object.values(c).every((n) => n === 0)).toBe(true);
    return { calls, backward: bpCalls[KERNEL_OF[kind]], checked };
  }

  it.each([
    ['in-place SGD (the kernels write into the weights)', { kind: 'sgd', batch: 1, lr: 0.05, decay: 1e-3 }],
    ['mini-batch SGD (sgdStep)', { kind: 'sgd', batch: 3, lr: 0.1, decay: 1e-4 }],
    ['Adam, batch 1 (adamStep)', { kind: 'adam', batch: 1, lr: 0.01, decay: 0 }],
    ['Adam, batch 4, a frozen projection (adamStep)', { kind: 'adam', batch: 4, lr: 0.02, decay: 1e-4, frozen: [0] }],
  ] as [string, OptimiserOptions][])('%s: twins on the two backends keep equal weights, moments, scales', (_, oo) => {
    let steps = 0,
      checked = 0;
    for (const kind of ['delta', 'ramp', 'relu'] as const) {
      let backward = 0;
      for (let seed = 1; seed <= 12; seed++) {
        const r = trainTwins(kind, seed * 7 + kind.length, oo, 9);
        steps += r.calls.sgdStep + r.calls.adamStep;
        backward += r.backward;
        checked += r.checked;
      }
      expect(backward, `${KERNEL_OF[kind]} calls`).toBeGreaterThan(50);
    }
    const batched = oo.kind === 'adam' || (oo.batch ?? 1) > 1;
    expect(steps > 0).toBe(batched);
    expect(checked).toBeGreaterThan(10_000);
  });

  const kinds = ['sgd', 'adam'] as const;
  it.each(kinds)('Optimiser (%s): steps from given gradients equal the TypeScript steps (any length)', (kind) => {
    const rng = new Rng(kind === 'sgd' ? 5 : 6);
    for (let c = 0; c < 60; c++) {
      const A = randomNet('relu', new Rng(c), c),
        B = randomNet('relu', new Rng(c), c);
      const lr = [0.3, 0.01, 1e-4][c % 3];
      const oo: OptimiserOptions = { kind, batch: 1 + rng.int(4), lr, decay: c % 2 ? 0 : 1e-3 };
      if (kind === 'adam') Object.assign(oo, { beta1: rng.uniform(0.5, 0.95), beta2: rng.uniform(0.9, 0.9999) });
      if (kind === 'sgd' && oo.batch === 1) oo.batch = 2;
      const fast = new Optimiser(A, oo),
        slow = new Optimiser(B, { ...oo, backend: 'typescript' });
      const cf = spy(fast),
        cs = spy(slow);
      for (let s = 0; s < 2 * oo.batch! + 1; s++) {
        A.projections.forEach((p, k) => {
          const g = Float64Array.from({ length: p.weights.length }, () =>
            rng.next() < 0.1 ? 0 : rng.normal() * 10 ** rng.int(4),
          );
          for (const o of [fast, slow]) {
            const t = o.target(k)!;
            expect(offsetOf(t.array)).toBeGreaterThanOrEqual(0);
            for (let i = 0; i < g.length; i++) t.array[i] += t.coef * g[i];
          }
        });
        A.populations.forEach((p, i) => {
          const g = Float64Array.from({ length: p.bias.length }, () => rng.normal());
          for (const o of [fast, slow]) {
            const t = o.biasTarget(i);
            if (t) for (let j = 0; j < g.length; j++) t.array[j] += t.coef * g[j];
          }
        });
        expect(fast.endSample()).toBe(slow.endSample());
      }
      fast.step();
      slow.step();
      A.projections.forEach((p, k) => {
        sameArray(p.weights, B.projections[k].weights, `${kind} case ${c}: weights of projection ${k}`);
        sameArray(fast.grad[k], slow.grad[k], `${kind} case ${c}: gradient left in projection ${k}`);
        sameArray(fast.m[k], slow.m[k], `${kind} case ${c}: m of projection ${k}`);
        sameArray(fast.v[k], slow.v[k], `${kind} case ${c}: v of projection ${k}`);
        expect(p.scale).toBe(B.projections[k].scale);
      });
      A.populations.forEach((p, i) => sameArray(p.bias, B.populations[i].bias, `${kind} case ${c}: biases of ${i}`));
      const projections = A.projections.length,
        biased = A.populations.filter((p) => p.relu).length;
      expect(cf[kind === 'sgd' ? 'sgdStep' : 'adamStep']).toBe(3 * (projections + biased));
      expect(Object.values(cs).every((n) => n === 0)).toBe(true);
    }
  });
});
