// The shared Adam step and cosine schedule (kernels/adam.ts, learn/schedule.ts): known values, both
// precisions. Their agreement with the SIMD kernel is checked in learn-kernels.test.ts.
import { describe, expect, it } from 'vitest';
import { ADAM_DEFAULTS, adamCorrections, adamUpdate, cosineFactor } from '../src/index.ts';

describe('adamUpdate', () => {
  it('first step: each weight moves by about η against the sign of its mean gradient, in both precisions', () => {
    for (const A of [Float64Array, Float32Array]) {
      const w = A.from([1, 1, 1]),
        g = A.from([4, -2, 0]),
        m = new A(3),
        v = new A(3);
      const { bc1, bc2 } = adamCorrections(ADAM_DEFAULTS.beta1, ADAM_DEFAULTS.beta2, 1);
      adamUpdate(w, g, m, v, { lr: 0.1, mean: 0.5, inv: 1, ...ADAM_DEFAULTS, bc1, bc2 });
      expect(w[0]).toBeCloseTo(0.9, 6);
      expect(w[1]).toBeCloseTo(1.1, 6);
      expect(w[2]).toBe(1);
      expect(m[0]).toBeCloseTo(0.2, 6);
      expect(v[0]).toBeCloseTo(0.004, 6);
      expect(Array.from(g)).toEqual([4, -2, 0]);
    }
  });

  it('divides the step by the lazy scale (inv) and keeps the moments', () => {
    const w = Float64Array.from([0]),
      g = Float64Array.from([1]),
      m = Float64Array.from([0.5]),
      v = Float64Array.from([0.25]);
    const s = { lr: 0.01, mean: 1, inv: 4, beta1: 0.5, beta2: 0.5, eps: 0, bc1: 1, bc2: 1 };
    adamUpdate(w, g, m, v, s);
    expect(m[0]).toBe(0.75);
    expect(v[0]).toBe(0.625);
    expect(w[0]).toBe(-((0.01 * 0.75) / Math.sqrt(0.625)) * 4);
  });
});

describe('cosineFactor', () => {
  it('falls from 1 to 0 over the steps, half way at the middle; a fraction of a run with steps 1', () => {
    expect(cosineFactor(0, 100)).toBe(1);
    expect(cosineFactor(50, 100)).toBeCloseTo(0.5, 12);
    expect(cosineFactor(100, 100)).toBe(0);
    expect(cosineFactor(0.25, 1)).toBeCloseTo((1 + Math.SQRT1_2) / 2, 12);
    expect(cosineFactor(0, 0)).toBe(1);
  });
});
