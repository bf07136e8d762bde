import { describe, expect, it } from 'vitest';
import { Network, Rng, Simulator } from '../src/index.ts';

/** S4NN's rule for one layer: t_j = 1 + min{τ : Σ_{i: t_i ≤ τ} w_ij > θ}, clipped to tmax (silent). */
function s4nnLayer(
  tin: Float64Array,
  w: (i: number, j: number) => number,
  nOut: number,
  theta: number,
  tmax: number,
): Float64Array {
  const out = new Float64Array(nOut).fill(tmax);
  for (let j = 0; j < nOut; j++) {
    let v = 0;
    for (let tau = 0; tau < tmax; tau++) {
      for (let i = 0; i < tin.length; i++) if (tin[i] === tau) v += w(i, j);
      if (v > theta) {
        out[j] = Math.min(tau + 1, tmax);
        break;
      }
    }
  }
  return out;
}

describe('S4NN rule on a 784-400-10 network (discrete time, delay 1)', () => {
  it('gives exactly the times of the S4NN rule, layer by layer, with S4NN initialisation', () => {
    const net = new Network();
    const input = net.addInput(784);
    const hidden = net.addLayer(400, { init: { uniform: [0, 5], seed: 1 } });
    const out = net.addLayer(10, { init: { uniform: [0, 48], seed: 2 } });
    const sim = new Simulator(net);
    const rng = new Rng(7);
    let hiddenSpikes = 0,
      decided = 0;
    for (let s = 0; s < 12; s++) {
      // MNIST-like: ~80 % background (no spike), strokes with many equal times
      const x = Float64Array.from({ length: 784 }, () =>
        rng.next() < 0.8 ? 256 : rng.next() < 0.5 ? 0 : rng.int(256),
      );
      const rec = sim.run(x);
      const h = s4nnLayer(x, (i, j) => net.projections[0].weight(i, j), 400, 100, 256);
      const o = s4nnLayer(h, (i, j) => net.projections[1].weight(i, j), 10, 100, 256);
      expect(Array.from(rec.timesOf(hidden))).toEqual(Array.from(h));
      expect(Array.from(rec.timesOf(out))).toEqual(Array.from(o));
      hiddenSpikes += rec.spikes[hidden.index];
      if (rec.decided) decided++;
      void input;
    }
    expect(hiddenSpikes).toBeGreaterThan(12 * 50);
    expect(decided).toBeGreaterThan(6);
  });
});
