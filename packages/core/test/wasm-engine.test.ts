// The WebAssembly SIMD forward passes against the TypeScript event loop: every field of the record,
// bit for bit, on random layered networks (odd widths, per-neuron thresholds, negative weights,
// delays, a lazy scale, a hidden output population, early stop) and on MNIST-like inputs; for the
// ramp kernel also on networks built for exact ties (dyadic weights, inputs on a grid), where the
// order of waves and predicted spikes at one time decides the last bit.
import { describe, expect, it } from 'vitest';
import { Network, Rng, Simulator, type RunRecord } from '../src/index.ts';
import { allocF64, engineBackend, offsetOf } from '../src/engine/kernel-memory.ts';

const forced = process.env.SPIKING_GAN_ENGINE === 'ts';

function sameRecord(a: RunRecord, b: RunRecord, where: string): void {
  const arrays = ['times', 'potential', 'slope', 'spikes', 'spikesToDecision'] as const;
  for (const k of arrays) {
    const x = a[k],
      y = b[k];
    for (let i = 0; i < x.length; i++)
      if (!Object.is(x[i], y[i])) throw new Error(`${where}: ${k}[${i}] ${x[i]} (wasm) vs ${y[i]} (typescript)`);
  }
  for (const k of ['synapticEvents', 'synapticEventsToDecision', 'decisionTime', 'stoppedEarly'] as const) {
    if (a[k] !== b[k]) throw new Error(`${where}: ${k} ${a[k]} (wasm) vs ${b[k]} (typescript)`);
  }
}

/** A random layered network: widths from `sizes`, uniform or per-neuron thresholds, weights with both signs. */
function randomNet(rng: Rng, sizes: number[], tmax: number): Network {
  const net = new Network({ tmax, delay: 1 + rng.int(2) });
  net.addInput(sizes[0]);
  for (let k = 1; k < sizes.length; k++) {
    const n = sizes[k];
    const threshold =
      rng.uniform(0, 1) < 0.5 ? rng.uniform(0.5, 3) : Array.from({ length: n }, () => rng.uniform(0, 3));
    const lo = rng.uniform(-1.5, 0),
      hi = rng.uniform(0.3, 2);
    net.addLayer(n, { threshold, delay: 1 + rng.int(3), init: { uniform: [lo, hi], seed: rng.int(1 << 30) } });
  }
  return net;
}

function randomInputs(rng: Rng, n: number, tmax: number): Float64Array {
  const x = new Float64Array(n);
  const density = rng.uniform(0.05, 0.9);
  for (let i = 0; i < n; i++)
    x[i] = rng.uniform(0, 1) < density ? rng.int(Math.min(tmax, 12)) : rng.uniform(0, 1) < 0.5 ? tmax : Infinity;
  return x;
}

describe.skipIf(forced)('WebAssembly SIMD forward pass', () => {
  const title =
    'is the backend of layered dense networks (delta in discrete time, ramp in continuous time), and only of those';
  it(title, () => {
    expect(engineBackend()).toEqual({ backend: 'wasm-simd', reason: null });
    const net = new Network();
    net.addInput(5);
    net.addLayer(3);
    expect(new Simulator(net).backend).toBe('wasm-simd');
    expect(new Simulator(net, { backend: 'typescript' }).backend).toBe('typescript');
    const zero = new Network({ delay: 0 });
    zero.addInput(4);
    zero.addLayer(2);
    expect(new Simulator(zero).backend).toBe('typescript');
    const ramp = new Network({ time: 'continuous', tmax: 4, delay: 0 });
    ramp.addInput(4);
    ramp.addLayer(2, { kernel: 'ramp' });
    expect(new Simulator(ramp).backend).toBe('wasm-simd');
    const mixed = new Network({ time: 'continuous', tmax: 4, delay: 0 });
    mixed.addInput(4);
    mixed.addLayer(2, { kernel: 'ramp' });
    mixed.addLayer(2, { kernel: 'delta' });
    expect(new Simulator(mixed).backend).toBe('typescript');
    const sparse = new Network();
    const a = sparse.addInput(3),
      b = sparse.addPopulation(2);
    sparse.connect(a, b, { sparse: { indptr: [0, 1, 1, 2], indices: [0, 1], values: [150, 150] } });
    expect(new Simulator(sparse).backend).toBe('typescript');
  });

  it('writes the same record as the TypeScript event loop, field by field, on 600 random networks and inputs', () => {
    const rng = new Rng(20261128);
    for (let c = 0; c < 600; c++) {
      const depth = 1 + rng.int(3);
      const sizes = [1 + rng.int(40), ...Array.from({ length: depth }, () => 1 + rng.int(c % 3 === 0 ? 60 : 15))];
      const tmax = c % 4 === 0 ? 256 : 8 + rng.int(30);
      const net = randomNet(rng, sizes, tmax);
      if (c % 5 === 0) for (const p of net.projections) p.scale = rng.uniform(0.5, 1.5);
      const output = c % 7 === 0 && depth > 1 ? net.populations[1 + rng.int(depth - 1)] : undefined;
      const fast = new Simulator(net, { output }),
        slow = new Simulator(net, { output, backend: 'typescript' });
      expect([fast.backend, slow.backend]).toEqual(['wasm-simd', 'typescript']);
      for (let r = 0; r < 3; r++) {
        const x = randomInputs(rng, sizes[0], tmax);
        for (const earlyStop of [false, true]) {
          const a = fast.run(x, { earlyStop }).clone(),
            b = slow.run(x, { earlyStop });
          sameRecord(a, b, `case ${c} (sizes ${sizes}, tmax ${tmax}, earlyStop ${earlyStop})`);
        }
      }
    }
  });

  it.each([
    ['random weights, inputs anywhere', false],
    ['dyadic weights, inputs on a grid (exact ties between waves and predictions)', true],
  ])('ramp kernel: writes the same record as the TypeScript event loop on 1,000 random networks (%s)', (_, dyadic) => {
    const rng = new Rng(dyadic ? 11 : 12);
    for (let c = 0; c < 1000; c++) {
      const tmax = dyadic ? 8 : [1, 4, 10][c % 3];
      const depth = 1 + rng.int(3);
      const sizes = [1 + rng.int(30), ...Array.from({ length: depth }, () => 1 + rng.int(c % 4 === 0 ? 50 : 12))];
      const net = new Network({
        tmax,
        time: 'continuous',
        delay: c % 5 === 0 ? (dyadic ? 1 : rng.uniform(0, 0.5)) : 0,
      });
      net.addInput(sizes[0]);
      for (let k = 1; k < sizes.length; k++) {
        const n0 = net.output.size,
          n = sizes[k];
        if (dyadic)
          net.addLayer(n, {
            kernel: 'ramp',
            threshold: Array.from({ length: n }, () => rng.int(4)),
            weightsPrePost: Array.from({ length: n0 * n }, () => [0.5, 1, 2, -1, 0.25, 1, 0][rng.int(7)]),
          });
        else
          net.addLayer(n, {
            kernel: 'ramp',
            threshold:
              rng.uniform(0, 1) < 0.5 ? rng.uniform(0.05, 1) : Array.from({ length: n }, () => rng.uniform(0, 1)),
            init: { uniform: [rng.uniform(-1, 0), rng.uniform(0.2, 2)], seed: rng.int(1 << 30) },
          });
      }
      if (c % 7 === 0) for (const p of net.projections) p.scale = rng.uniform(0.5, 1.5);
      const fast = new Simulator(net),
        slow = new Simulator(net, { backend: 'typescript' });
      expect([fast.backend, slow.backend]).toEqual(['wasm-simd', 'typescript']);
      for (let r = 0; r < 2; r++) {
        const grid = dyadic || c % 2 === 0;
        const x = new Float64Array(sizes[0]).map(() =>
          rng.uniform(0, 1) < 0.7 ? (grid ? (rng.int(5) * tmax) / 4 : rng.uniform(0, tmax)) : Infinity,
        );
        for (const earlyStop of [false, true])
          sameRecord(
            fast.run(x, { earlyStop }).clone(),
            slow.run(x, { earlyStop }),
            `ramp case ${c} (sizes ${sizes}, earlyStop ${earlyStop})`,
          );
      }
    }
  });

  it('matches on an S4NN-sized 784-400-10 network with MNIST-like inputs, and a plain-array input', () => {
    const rng = new Rng(7);
    const net = new Network();
    net.addInput(784);
    net.addLayer(400, { init: { uniform: [0, 5], seed: 1 } });
    net.addLayer(10, { init: { uniform: [0, 48], seed: 2 } });
    const fast = new Simulator(net),
      slow = new Simulator(net, { backend: 'typescript' });
    expect([fast.backend, slow.backend]).toEqual(['wasm-simd', 'typescript']);
    for (let i = 0; i < 40; i++) {
      const x = new Float64Array(784).map(() => (rng.uniform(0, 1) < 0.2 ? rng.int(256) : 256));
      for (const earlyStop of [false, true])
        sameRecord(fast.run(x, { earlyStop }).clone(), slow.run(x, { earlyStop }), `image ${i}`);
      sameRecord(fast.run(Array.from(x)).clone(), slow.run(x), `image ${i} as a plain array`);
    }
  });

  it('reads the weights where training writes them (no stale copy)', () => {
    const net = new Network({ tmax: 16 });
    net.addInput(4);
    const pr = net.connect(net.populations[0], net.addPopulation(6, { threshold: 1 }), {
      init: { uniform: [0, 0.1], seed: 3 },
    });
    expect(offsetOf(pr.weights)).toBeGreaterThan(0);
    const fast = new Simulator(net),
      slow = new Simulator(net, { backend: 'typescript' });
    expect([fast.backend, slow.backend]).toEqual(['wasm-simd', 'typescript']);
    const x = [0, 1, 2, 3];
    expect(fast.run(x).spikes[1]).toBe(0);
    pr.weights[2 * 6 + 4] = 5; // input 2 → neuron 4
    const a = fast.run(x).clone();
    expect(a.timesOf(net.populations[1])[4]).toBe(3);
    sameRecord(a, slow.run(x), 'after a weight change');
    pr.scale = 0.1;
    sameRecord(fast.run(x).clone(), slow.run(x), 'after a scale change');
  });

  it('refuses the same input times as the TypeScript path, with the same messages', () => {
    const net = new Network({ tmax: 10 });
    net.addInput(3);
    net.addLayer(2, { threshold: 1 });
    const fast = new Simulator(net),
      slow = new Simulator(net, { backend: 'typescript' });
    expect([fast.backend, slow.backend]).toEqual(['wasm-simd', 'typescript']);
    const bad = [
      [0, NaN, 1],
      [0, -1, 1],
      [0, 1.5, 1],
      [0, 1],
      ['0', 1, 2],
    ] as unknown as number[][]; // null is no spike (library-edges.test.ts)
    for (const x of bad) {
      for (const input of [x, Float64Array.from(x as number[])]) {
        let want = '';
        try {
          slow.run(input);
        } catch (e) {
          want = (e as Error).message;
        }
        if (
          input instanceof Float64Array &&
          input.length === 3 &&
          input.every((t) => t >= 0 && (t >= 10 || Number.isInteger(t)))
        )
          continue; // '0' becomes a number in a Float64Array
        expect(want).not.toBe('');
        expect(() => fast.run(input)).toThrow(want);
      }
    }
    const ramp = new Network({ tmax: 4, time: 'continuous', delay: 0 });
    ramp.addInput(3);
    ramp.addLayer(2, { kernel: 'ramp', threshold: 0.5 });
    const rf = new Simulator(ramp),
      rs = new Simulator(ramp, { backend: 'typescript' });
    expect([rf.backend, rs.backend]).toEqual(['wasm-simd', 'typescript']);
    for (const x of [
      [0, NaN, 1],
      [0.5, -0.25, 1],
    ]) {
      expect(() => rs.run(Float64Array.from(x))).toThrow(/neuron 1/);
      expect(() => rf.run(Float64Array.from(x))).toThrow(/neuron 1/);
    }
    sameRecord(
      rf.run(Float64Array.from([0.5, Infinity, 7])).clone(),
      rs.run([0.5, Infinity, 7]),
      'ramp, no spike past the window',
    );
    // times at or after tmax, and Infinity, mean no spike (also fractional ones past the window)
    const ok = fast.run(Float64Array.from([10, Infinity, 12.5])).clone();
    sameRecord(ok, slow.run([10, Infinity, 12.5]), 'no input spike');
    expect(Array.from(ok.timesOf(net.populations[0]))).toEqual([10, 10, 10]);
  });

  it('hands out zeroed arrays in the kernel memory', () => {
    const a = allocF64(5),
      b = allocF64(3);
    expect(Array.from(a)).toEqual([0, 0, 0, 0, 0]);
    expect(offsetOf(a) % 16).toBe(0);
    expect(offsetOf(b)).toBeGreaterThanOrEqual(offsetOf(a) + 40);
    expect(offsetOf(new Float64Array(2))).toBe(-1);
  });
});

describe('the engine backend', () => {
  it('is the SIMD kernels, or TypeScript with the reason under SPIKING_GAN_ENGINE=ts', () => {
    const net = new Network();
    net.addInput(5);
    net.addLayer(3);
    const sim = new Simulator(net);
    if (forced) {
      expect(engineBackend()).toEqual({ backend: 'typescript', reason: 'SPIKING_GAN_ENGINE=ts' });
      expect([sim.backend, sim.backendReason]).toEqual(['typescript', 'SPIKING_GAN_ENGINE=ts']);
      expect(offsetOf(allocF64(4))).toBe(-1);
    } else {
      expect(engineBackend()).toEqual({ backend: 'wasm-simd', reason: null });
      expect([sim.backend, sim.backendReason]).toEqual(['wasm-simd', null]);
      expect(offsetOf(allocF64(4))).toBeGreaterThan(0);
    }
  });
});
