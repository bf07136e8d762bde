// The WebAssembly SIMD kernels of ReLU-equivalent neurons against their TypeScript twins, bit for
// bit: the forward pass (every field of the record) against both the layered form and the event loop,
// and Backprop's relu layers (weight and bias gradients, δ of every layer, in-place SGD) against the
// TypeScript loops, on random networks: odd widths, gaps between windows, biases, a lazy scale,
// silent inputs, inputs exactly at the window start, ties between spike times, clipped neurons.
import { describe, expect, it } from 'vitest';
import { Backprop, Network, Optimiser, Rng, Simulator, type GradientSink, type RunRecord } from '../src/index.ts';
import { allocF64, offsetOf, type Kernels } from '../src/engine/kernel-memory.ts';

const forced = process.env.SPIKING_GAN_ENGINE === 'ts';

function sameArray(x: ArrayLike<number>, y: ArrayLike<number>, where: string): void {
  if (x.length !== y.length) throw new Error(`${where}: lengths ${x.length} vs ${y.length}`);
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) throw new Error(`${where}[${i}]: ${x[i]} vs ${y[i]}`);
}

function sameRecord(a: RunRecord, b: RunRecord, where: string): void {
  for (const k of ['times', 'potential', 'slope', 'spikes', 'spikesToDecision'] as const) {
    sameArray(a[k], b[k], `${where}: ${k}`);
  }
  for (const k of ['synapticEvents', 'synapticEventsToDecision', 'decisionTime', 'stoppedEarly'] as const) {
    if (!Object.is(a[k], b[k])) throw new Error(`${where}: ${k} ${a[k]} vs ${b[k]}`);
  }
}

interface Spec {
  sizes: number[];
  windows: { start: number; end: number }[];
  tmax: number;
  weights: Float64Array[];
  biases: Float64Array[];
}

/**
 * A random layered relu network: 2–4 layers of 1–40 neurons (odd widths often), windows with gaps,
 * weights and biases large enough that some neurons clip (u ≥ B) and some stay silent (u ≤ 0).
 */
function randomSpec(rng: Rng): Spec {
  const depth = 1 + rng.int(3);
  const sizes = [1 + rng.int(40)],
    windows = [{ start: 0, end: 1 + rng.int(4) }];
  for (let k = 0; k < depth; k++) {
    sizes.push(rng.next() < 0.2 ? 1 + rng.int(3) : 1 + rng.int(40));
    const prev = windows[k].end,
      start = prev + (rng.next() < 0.3 ? rng.int(3) : 0);
    windows.push({ start, end: start + (rng.next() < 0.3 ? 0.5 + rng.int(2) : 2 + rng.int(8)) });
  }
  const tmax = windows[depth].end + (rng.next() < 0.5 ? 0 : 1 + rng.int(3));
  const weights: Float64Array[] = [],
    biases: Float64Array[] = [];
  for (let k = 1; k <= depth; k++) {
    const gain = rng.uniform(0.5, 4) / Math.sqrt(sizes[k - 1]),
      lean = rng.uniform(-0.3, 0.5);
    weights.push(Float64Array.from({ length: sizes[k - 1] * sizes[k] }, () => gain * (rng.uniform(-1, 1) + lean)));
    const bg = rng.next() < 0.3 ? 0 : rng.uniform(0, 2);
    biases.push(Float64Array.from({ length: sizes[k] }, () => bg * rng.uniform(-1, 1)));
  }
  return { sizes, windows, tmax, weights, biases };
}

/** The network of `spec`, its weights in the kernel memory (`kernel`) or in ordinary arrays. */
function build(spec: Spec, kernel: boolean): Network {
  const net = new Network({ tmax: spec.tmax, time: 'continuous', delay: 0 });
  net.addInput(spec.sizes[0], 'input', spec.windows[0]);
  for (let k = 1; k < spec.sizes.length; k++) {
    const w = spec.weights[k - 1],
      bias = spec.biases[k - 1],
      window = spec.windows[k];
    if (kernel) net.addLayer(spec.sizes[k], { window, bias, weightsPrePost: w });
    else net.addLayer(spec.sizes[k], { window, bias, storage: Float64Array.from(w) });
  }
  return net;
}

/**
 * Input times: silent ones (Infinity, tmax, beyond), some at 0 or −0, exactly at the first window's
 * start (x = 0), after it (x < 0) up to the output window's start, and many on a coarse grid (ties,
 * broken by index). With `late`, also some after the output window opens (see below).
 */
function randomInput(rng: Rng, net: Network, late = false): Float64Array {
  const n = net.populations[0].size,
    start = net.populations[1].window!.start,
    tmax = net.tmax;
  const outStart = net.output.window!.start,
    lateTime = late ? tmax - 0.5 : outStart;
  const end0 = net.populations[0].window!.end,
    silent = rng.uniform(0, 0.7),
    grid = rng.next() < 0.5;
  return Float64Array.from({ length: n }, () => {
    const r = rng.next();
    if (r < silent) return [Infinity, tmax, tmax + 1.5][rng.int(3)];
    if (r < silent + 0.05) return start;
    if (r < silent + 0.08) return [0, -0, Math.min(start + 0.25, outStart), lateTime][rng.int(4)];
    return grid ? (rng.int(9) * end0) / 8 : rng.uniform(0, end0);
  });
}

/** Backprop's kernels with a count of reluBackward calls (which backend ran). */
function spy(bp: Backprop): { calls: number } {
  const simd = (bp as unknown as { simd: { k: Kernels } | null }).simd;
  const count = { calls: 0 };
  if (!simd) return count;
  const k = simd.k;
  simd.k = { ...k, reluBackward: (...a: Parameters<Kernels['reluBackward']>) => (count.calls++, k.reluBackward(...a)) };
  return count;
}

/** Weight and bias gradients (coefficients ≠ 1), in the kernel memory; projections in `frozen` get none. */
class Collector implements GradientSink {
  readonly grad: Float64Array[];
  readonly bias: Float64Array[];

  constructor(
    net: Network,
    readonly frozen = new Set<number>(),
  ) {
    this.grad = net.projections.map((p) => allocF64(p.weights.length));
    this.bias = net.populations.map((p) => allocF64(p.bias.length));
  }

  target(k: number): { array: Float64Array; coef: number } | null {
    return this.frozen.has(k) ? null : { array: this.grad[k], coef: 0.75 };
  }

  afterProjection(): void {}

  biasTarget(p: number): { array: Float64Array; coef: number } {
    return { array: this.bias[p], coef: 1.25 };
  }
}

describe.skipIf(forced)('WebAssembly SIMD kernels of ReLU-equivalent neurons', () => {
  it('are the backend of layered relu networks whose weights and biases are in the kernel memory', () => {
    const spec = randomSpec(new Rng(1));
    const net = build(spec, true);
    expect(new Simulator(net).backend).toBe('wasm-simd');
    expect(new Simulator(net, { backend: 'typescript' }).backend).toBe('typescript');
    expect(new Simulator(net, { backend: 'event-loop' }).backend).toBe('typescript');
    expect(offsetOf(build(spec, false).projections[0].weights)).toBe(-1);
    expect(new Simulator(build(spec, false)).backend).toBe('typescript');
  });

  it('write the same record as the layered TypeScript form and the event loop on 600 random networks', () => {
    const rng = new Rng(20261201);
    const seen = { clipped: 0, silent: 0, fired: 0, atStart: 0, scaled: 0, decided: 0, stopped: 0 };
    for (let c = 0; c < 600; c++) {
      const spec = randomSpec(rng),
        net = build(spec, true);
      if (c % 4 === 1) for (const p of net.projections) p.scale = rng.uniform(0.5, 1.5);
      const simd = new Simulator(net),
        layered = new Simulator(net, { backend: 'typescript' });
      const events = new Simulator(net, { backend: 'event-loop' });
      expect(simd.backend).toBe('wasm-simd');
      for (let r = 0; r < 4; r++) {
        // (the fourth run has inputs after the output window opens: the layered form, whose record
        // the kernel reproduces, counts them as arrivals before the decision and, with early stop,
        // as spikes; the event loop does not. Inputs inside their window never come that late.)
        const x = randomInput(rng, net, r === 3);
        for (const earlyStop of [false, true]) {
          const where = `case ${c} (sizes ${spec.sizes}, run ${r}, earlyStop ${earlyStop})`;
          const a = simd.run(x, { earlyStop }).clone();
          sameRecord(a, layered.run(x, { earlyStop }), `${where}, layered`);
          if (r < 3) sameRecord(a, events.run(x, { earlyStop }), `${where}, event loop`);
          // (a plain array goes through the TypeScript checks first: same record)
          if (r === 0) sameRecord(a, simd.run(Array.from(x), { earlyStop }), `${where}, plain array`);
          seen.stopped += a.stoppedEarly ? 1 : 0;
          seen.decided += a.decided ? 1 : 0;
          if (earlyStop) continue;
          seen.atStart += x.filter((t) => t === net.populations[1].window!.start).length;
          seen.scaled += net.projections[0].scale !== 1 ? 1 : 0;
          for (const p of net.populations.slice(1)) {
            const B = p.window!.end - p.window!.start,
              u = a.potentialOf(p);
            for (let j = 0; j < p.size; j++) {
              if (u[j] >= B) seen.clipped++;
              else if (u[j] <= 0) seen.silent++;
              else seen.fired++;
            }
          }
        }
      }
    }
    for (const [k, v] of Object.entries(seen)) expect(v, k).toBeGreaterThan(100);
  });

  it('write the same record on wide networks, with spread, tied and clustered spike times', () => {
    const rng = new Rng(33);
    const spec = randomSpec(rng);
    spec.sizes = [301, 257, 63];
    spec.windows = [
      { start: 0, end: 4 },
      { start: 4, end: 20 },
      { start: 21, end: 22 },
    ];
    spec.tmax = 22;
    const uniform = (n: number, lo: number, hi: number) => Float64Array.from({ length: n }, () => rng.uniform(lo, hi));
    spec.weights = [uniform(301 * 257, -0.2, 0.24), uniform(257 * 63, -0.25, 0.3)];
    spec.biases = [uniform(257, -14, 14), uniform(63, -0.5, 0.5)];
    const net = build(spec, true),
      simd = new Simulator(net),
      ts = new Simulator(net, { backend: 'typescript' });
    const events = new Simulator(net, { backend: 'event-loop' });
    expect(simd.backend).toBe('wasm-simd');
    let clipped = 0,
      silent = 0;
    for (let r = 0; r < 24; r++) {
      // spread times, a few levels (ties), one early spike and the rest packed into a tiny interval,
      // or times 0 and the smallest subnormal only
      const kind = r % 4,
        x = new Float64Array(301);
      for (let i = 0; i < 301; i++) {
        const lit = rng.next() < 0.6;
        if (kind === 0) x[i] = lit ? rng.uniform(0, 4) : Infinity;
        else if (kind === 1) x[i] = lit ? rng.int(5) : Infinity;
        else if (kind === 2) x[i] = i === 7 ? 0 : lit ? 3.5 + rng.next() * 1e-9 : Infinity;
        else x[i] = lit ? [0, Number.MIN_VALUE][rng.int(2)] : Infinity;
      }
      for (const earlyStop of [false, true]) {
        const a = simd.run(x, { earlyStop }).clone();
        sameRecord(a, ts.run(x, { earlyStop }), `wide run ${r}, earlyStop ${earlyStop}`);
        sameRecord(a, events.run(x, { earlyStop }), `wide run ${r}, earlyStop ${earlyStop}, event loop`);
        const u = a.potentialOf(net.populations[1]);
        clipped += u.filter((v) => v >= 16).length;
        silent += u.filter((v) => v <= 0).length;
      }
    }
    expect(clipped).toBeGreaterThan(20);
    expect(silent).toBeGreaterThan(20);
  });

  it('read the weights, biases and scale where training writes them, and refuse bad inputs like TypeScript', () => {
    const spec = randomSpec(new Rng(5));
    spec.sizes[0] = 7;
    spec.weights[0] = Float64Array.from({ length: 7 * spec.sizes[1] }, (_, e) => ((e * 37) % 11) / 10 - 0.3);
    const net = build(spec, true),
      simd = new Simulator(net),
      ts = new Simulator(net, { backend: 'typescript' });
    const x = Float64Array.from([0, 0.5, Infinity, 0.25, 0, 1, 0.75]);
    sameRecord(simd.run(x).clone(), ts.run(x), 'before');
    net.projections[0].weights[3] += 2;
    net.populations[1].bias[0] -= 0.5;
    net.projections[net.projections.length - 1].scale = 0.7;
    sameRecord(simd.run(x).clone(), ts.run(x), 'after');
    for (const bad of [
      [0, NaN, 1, 1, 1, 1, 1],
      [0, 1, -1, 1, 1, 1, 1],
    ]) {
      expect(() => ts.run(Float64Array.from(bad))).toThrow(/neuron 1|neuron 2/);
      const want = (() => {
        try {
          ts.run(Float64Array.from(bad));
        } catch (e) {
          return (e as Error).message;
        }
      })()!;
      expect(() => simd.run(Float64Array.from(bad))).toThrow(want);
    }
  });

  it('Backprop: weight and bias gradients and every δ equal the TypeScript loops bit for bit (300 networks)', () => {
    const rng = new Rng(77);
    let simdCalls = 0;
    for (let c = 0; c < 300; c++) {
      const spec = randomSpec(rng),
        A = build(spec, true),
        Bn = build(spec, false);
      if (c % 3 === 1) {
        A.projections.forEach((p, k) => (p.scale = Bn.projections[k].scale = rng.uniform(0.5, 1.5)));
      }
      const L = A.projections.length;
      const opts = { normalise: c % 2 === 0, inputDelta: c % 3 !== 2, readout: c % 5 < 2, normaliseInput: c % 7 === 0 };
      const bpA = new Backprop(A, opts),
        bpB = new Backprop(Bn, opts);
      const spyA = spy(bpA),
        spyB = spy(bpB);
      const frozen = new Set(c % 4 === 3 ? [rng.int(L)] : []);
      const sa = new Collector(A, frozen),
        sb = new Collector(Bn, frozen);
      const sim = new Simulator(A);
      for (let r = 0; r < 3; r++) {
        const rec = sim.run(randomInput(rng, A));
        const err = Float64Array.from({ length: A.output.size }, () => (rng.next() < 0.2 ? 0 : rng.normal()));
        const sink = r === 2 && c % 2 === 1;
        const da = bpA.run(rec, err, sink ? null : sa).slice(),
          db = bpB.run(rec, err, sink ? null : sb);
        sameArray(da, db, `case ${c} run ${r}: returned δ`);
        bpA.delta.forEach((d, p) => sameArray(d, bpB.delta[p], `case ${c} run ${r}: δ of population ${p}`));
      }
      sa.grad.forEach((g, k) => sameArray(g, sb.grad[k], `case ${c}: gradient of projection ${k}`));
      sa.bias.forEach((g, p) => sameArray(g, sb.bias[p], `case ${c}: bias gradient of population ${p}`));
      expect(spyB.calls).toBe(0);
      expect(spyA.calls).toBeGreaterThan(0);
      simdCalls += spyA.calls;
    }
    expect(simdCalls).toBeGreaterThan(600);
  });

  it('Backprop: in-place SGD (the gradient written into the weights) and Adam keep the two paths equal', () => {
    const rng = new Rng(91);
    for (let c = 0; c < 40; c++) {
      const spec = randomSpec(rng),
        A = build(spec, true),
        Bn = build(spec, false);
      const kind = c % 2 === 0 ? 'sgd' : 'adam';
      const oo = { kind, lr: 0.05, batch: kind === 'sgd' ? 1 : 3, decay: 1e-4 } as const;
      const optA = new Optimiser(A, oo),
        optB = new Optimiser(Bn, oo);
      const bo = { normalise: false, inputDelta: true, readout: c % 4 < 2 };
      const bpA = new Backprop(A, bo),
        bpB = new Backprop(Bn, bo),
        spyA = spy(bpA),
        spyB = spy(bpB);
      const simA = new Simulator(A),
        simB = new Simulator(Bn);
      expect([simA.backend, simB.backend]).toEqual(['wasm-simd', 'typescript']);
      for (let s = 0; s < 12; s++) {
        const x = randomInput(rng, A),
          ra = simA.run(x),
          rb = simB.run(x);
        sameRecord(ra, rb, `case ${c} step ${s}: forward`);
        const err = Float64Array.from({ length: A.output.size }, () => rng.normal());
        sameArray(bpA.run(ra, err, optA), bpB.run(rb, err, optB), `case ${c} step ${s}: input δ`);
        optA.endSample();
        optB.endSample();
      }
      A.projections.forEach((p, k) => {
        sameArray(p.weights, Bn.projections[k].weights, `case ${c} (${kind}): weights of projection ${k}`);
        expect(p.scale).toBe(Bn.projections[k].scale);
      });
      A.populations.forEach((p, k) => sameArray(p.bias, Bn.populations[k].bias, `case ${c} (${kind}): biases of ${k}`));
      expect(spyA.calls).toBe(12 * A.projections.length);
      expect(spyB.calls).toBe(0);
    }
  });
});
