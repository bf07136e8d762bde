// A batched update applied in parts (applyUpdatePart on Optimiser.updateArrays, between beginStep
// and endStep), as threads apply it side by side, gives the weights of Optimiser.step bit for bit;
// partRanges covers every value once, in parts cut at multiples of 8 values.
import { describe, expect, it } from 'vitest';
import { applyUpdatePart, Optimiser, partRanges, reducePart, reluNetwork, Rng, type Network } from '../src/index.ts';

function trained(kind: 'sgd' | 'adam', parts: number): Network {
  const net = reluNetwork({ sizes: [13, 21, 5], windows: [1, 6, 1], seed: 3, biasGain: 1 });
  // batches of 3 samples, applied by hand (a batch of 100 is never full)
  const opt = new Optimiser(net, { kind, lr: 0.01, batch: 100, decay: 1e-3 });
  const rng = new Rng(9);
  for (let step = 0; step < 4; step++) {
    // gradients as backward passes would leave them, three samples per batch
    for (let s = 0; s < 3; s++) {
      for (let k = 0; k < 2; k++) {
        const t = opt.target(k)!;
        for (let i = 0; i < t.array.length; i++) t.array[i] += rng.uniform(-1, 1);
      }
      for (const p of [1, 2]) {
        const t = opt.biasTarget(p)!;
        for (let i = 0; i < t.array.length; i++) t.array[i] += rng.uniform(-1, 1);
      }
      opt.endSample();
    }
    if (parts === 0) opt.step();
    else {
      const plan = opt.beginStep()!;
      for (let part = parts - 1; part >= 0; part--) applyUpdatePart(opt.updateArrays(), plan, part, parts);
      opt.endStep();
    }
  }
  return net;
}

const values = (net: Network) => [
  ...net.projections.map((p) => [p.scale, ...p.weights]),
  ...net.populations.map((p) => [...p.bias]),
];

describe('a batched update in parts', () => {
  for (const kind of ['sgd', 'adam'] as const) {
    it(`${kind}: parts applied in any order give the weights of step(), bit for bit`, () => {
      const whole = values(trained(kind, 0));
      for (const parts of [1, 2, 3, 7]) expect(values(trained(kind, parts))).toEqual(whole);
    });
  }

  it('countSamples counts samples whose gradients were summed elsewhere: a full batch updates the same', () => {
    const make = () => reluNetwork({ sizes: [4, 6, 2], windows: [1, 3, 1], seed: 5, biasGain: 1 });
    const a = make(),
      b = make();
    const optA = new Optimiser(a, { kind: 'adam', lr: 0.01, batch: 3 }),
      optB = new Optimiser(b, { kind: 'adam', lr: 0.01, batch: 3 });
    const rng = new Rng(1);
    for (let s = 0; s < 3; s++) {
      const g = optA.target(0)!.array;
      for (let i = 0; i < g.length; i++) {
        const x = rng.uniform(-1, 1);
        g[i] += x;
        optB.grad[0][i] += x;
      }
      optA.endSample();
    }
    expect([optB.countSamples(2), optB.countSamples(1)]).toEqual([false, true]);
    const plan = optB.beginStep()!;
    applyUpdatePart(optB.updateArrays(), plan, 1, 2);
    applyUpdatePart(optB.updateArrays(), plan, 0, 2);
    optB.endStep();
    expect(values(b)).toEqual(values(a));
    expect(() => optB.countSamples(-1)).toThrow(/n must be an integer >= 0, got -1/);
  });

  it("reducePart sums the shards' buffers in shard order, part by part, as one sum would, and clears them", () => {
    const rng = new Rng(4),
      lengths = [37, 3, 120];
    const fill = () =>
      lengths.map((n) => Float64Array.from({ length: n }, () => rng.uniform(-1, 1) * 1e3 ** rng.int(3)));
    const buffers = [fill(), fill(), fill()],
      arrays = lengths.map((n) => ({
        w: new Float64Array(n),
        g: new Float64Array(n),
        m: new Float64Array(0),
        v: new Float64Array(0),
      }));
    const want = lengths.map((n, a) =>
      Float64Array.from({ length: n }, (_, i) => 0 + buffers[0][a][i] + buffers[1][a][i] + buffers[2][a][i]),
    );
    for (const part of [1, 0]) reducePart(arrays, buffers, part, 2);
    expect(arrays.map((a) => a.g)).toEqual(want);
    expect(buffers.every((b) => b.every((x) => x.every((v) => v === 0)))).toBe(true);
    expect(() => reducePart(arrays, [[new Float64Array(2)]], 0, 1)).toThrow(/must match the update arrays/);
  });

  it('partRanges covers each value once, cut inside arrays at multiples of 8', () => {
    const lengths = [273, 0, 21, 5, 1000];
    for (const parts of [1, 2, 3, 5]) {
      const seen = lengths.map((n) => new Int32Array(n));
      for (let part = 0; part < parts; part++) {
        for (const [a, from, to] of partRanges(lengths, part, parts)) {
          if (from > 0) expect(from % 8).toBe(0);
          if (to < lengths[a]) expect(to % 8).toBe(0);
          for (let i = from; i < to; i++) seen[a][i]++;
        }
      }
      expect(seen.every((s) => s.every((c) => c === 1))).toBe(true);
    }
    expect(() => partRanges([4], 2, 2)).toThrow(/part must be an integer in \[0, 2\), got 2 of 2/);
  });
});
