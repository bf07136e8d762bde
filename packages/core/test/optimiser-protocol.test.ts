// The optimiser's sample/batch protocol cannot fail silently: step() refuses gradients of a sample
// that was not ended, and backward passes that pile up without endSample() bring one warning.
import { describe, expect, it } from 'vitest';
import { Network, Optimiser, PASSES_WITHOUT_END_SAMPLE, type OptimiserOptions } from '../src/index.ts';

function setup(opts: OptimiserOptions): { net: Network; opt: Optimiser; pass: () => void } {
  const net = new Network({ tmax: 8 });
  net.addInput(3);
  net.addLayer(2, { threshold: 1, init: { uniform: [0, 1], seed: 1 } });
  const opt = new Optimiser(net, opts);
  // one sample's backward pass, as Backprop writes it: a gradient into the projection's target
  const pass = () => {
    const t = opt.target(0)!;
    for (let i = 0; i < t.array.length; i++) t.array[i] += t.coef * 0.1;
  };
  return { net, opt, pass };
}

/** Warnings emitted while `f` runs (they are delivered on the next tick). */
async function warningsOf(f: () => void): Promise<Error[]> {
  const seen: Error[] = [];
  const on = (w: Error) => seen.push(w);
  process.on('warning', on);
  try {
    f();
    await new Promise((r) => setTimeout(r, 10));
  } finally {
    process.off('warning', on);
  }
  return seen;
}

describe('Optimiser protocol', () => {
  it('applies ended samples: a full batch in endSample(), a partial one in step()', () => {
    for (const kind of ['sgd', 'adam'] as const) {
      const { net, opt, pass } = setup({ kind, batch: 4 });
      const w0 = Float64Array.from(net.projections[0].weights);
      for (let s = 0; s < 6; s++) {
        pass();
        opt.endSample();
      }
      expect(opt.steps).toBe(1);
      opt.step();
      expect(opt.steps).toBe(2);
      expect(Array.from(net.projections[0].weights)).not.toEqual(Array.from(w0));
    }
  });

  it('step() refuses gradients written since the last endSample()', () => {
    for (const kind of ['sgd', 'adam'] as const) {
      const { opt, pass } = setup({ kind, batch: 8 });
      pass();
      expect(() => opt.step()).toThrow(/^Optimiser\.step: gradients were written since the last endSample\(\); call/);
      opt.endSample();
      pass();
      opt.endSample();
      expect(() => opt.step()).not.toThrow();
      expect(opt.steps).toBe(1);
    }
  });

  const title = `warns once after ${PASSES_WITHOUT_END_SAMPLE} backward passes into a projection without endSample()`;
  it(title, async () => {
    const { opt, pass } = setup({ kind: 'adam', batch: 1 });
    const w = await warningsOf(() => {
      for (let s = 0; s < 2 * PASSES_WITHOUT_END_SAMPLE; s++) pass();
    });
    expect(w.map((x) => (x as Error & { code?: string }).code)).toEqual(['SPIKING_GAN_OPTIMISER_PROTOCOL']);
    expect(w[0].message).toMatch(/without endSample\(\)/);
    expect(opt.steps).toBe(0);
  });

  it('per-sample SGD (batch 1) updates in place and needs no endSample() for that', async () => {
    const { net, opt, pass } = setup({});
    const w0 = Float64Array.from(net.projections[0].weights);
    const w = await warningsOf(() => {
      for (let s = 0; s < 2 * PASSES_WITHOUT_END_SAMPLE; s++) pass();
    });
    expect(w).toEqual([]);
    expect(() => opt.step()).not.toThrow();
    expect(Array.from(net.projections[0].weights)).not.toEqual(Array.from(w0));
  });
});
