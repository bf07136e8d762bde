import { describe, expect, it } from 'vitest';
import {
  decodeBytes,
  decodeUnit,
  encodeBytes,
  encodeUnit,
  Network,
  noiseTimes,
  permutation,
  Rng,
  Simulator,
} from '../src/index.ts';

describe('TTFS coding', () => {
  it('maps 8-bit pixels to floor((255 − p) · tmax / 255)', () => {
    const t128 = Math.floor((127 * 256) / 255);
    expect(Array.from(encodeBytes([0, 255, 128, 1, 254]))).toEqual([Infinity, 0, t128, 254, 1]);
    expect(Array.from(encodeBytes([0, 255, 51], { tmax: 10 }))).toEqual([Infinity, 0, 8]);
    expect(encodeBytes([100], { quantise: false })[0]).toBeCloseTo((155 * 256) / 255, 12);
  });
  it('maps [0, 1] intensities to floor((1 − p) · tmax)', () => {
    expect(Array.from(encodeUnit([0, 1, 0.5, 0.999]))).toEqual([Infinity, 0, 128, 0]);
  });
  it('encodes black as no spike at all, whatever the window of the network that reads it', () => {
    for (const [enc, net] of [
      [1, 3],
      [10, 256],
      [256, 256],
    ]) {
      const n = new Network({ tmax: net });
      n.addInput(3);
      n.addLayer(1, { threshold: 1e9, init: { uniform: [0, 1], seed: 1 } });
      const input = n.populations[0];
      for (const quantise of [true, false]) {
        const unit = new Simulator(n).run(encodeUnit([0, 1, 0], { tmax: enc, quantise })).timesOf(input);
        expect(Array.from(unit)).toEqual([net, 0, net]);
        const bytes = new Simulator(n).run(encodeBytes([0, 255, 0], { tmax: enc, quantise })).timesOf(input);
        expect(Array.from(bytes)).toEqual([net, 0, net]);
      }
    }
  });
  it('decodes spike times as p = 1 − t / tmax, silent as 0', () => {
    expect(Array.from(decodeUnit([0, 128, 256, 1000]))).toEqual([1, 0.5, 0, 0]);
    expect(Array.from(decodeBytes([0, 128, 256]))).toEqual([255, 128, 0]);
    // encode then decode loses at most one step of brightness
    const px = Uint8Array.from({ length: 256 }, (_, i) => i);
    const back = decodeBytes(encodeBytes(px));
    for (let i = 0; i < 256; i++) expect(Math.abs(back[i] - px[i])).toBeLessThanOrEqual(1);
  });
  it('refuses pixels out of range and NaN, naming the index', () => {
    expect(() => encodeBytes([0, 256])).toThrow(/pixel 1 is 256/);
    expect(() => encodeUnit([NaN])).toThrow(/value 0 is NaN/);
  });
  it('draws seeded noise spike times uniform over [0, tmax)', () => {
    const a = noiseTimes(10000, new Rng(4));
    const b = noiseTimes(10000, new Rng(4));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Math.min(...a)).toBe(0);
    expect(Math.max(...a)).toBe(255);
    expect(a.every((t) => Number.isInteger(t))).toBe(true);
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    expect(mean).toBeGreaterThan(122);
    expect(mean).toBeLessThan(133);
    const c = noiseTimes(100, new Rng(4), { quantise: false, tmax: 1 });
    expect(c.every((t) => (t >= 0 && t < 1 && !Number.isInteger(t)) || t === 0)).toBe(true);
  });
});

describe('Rng', () => {
  it('is deterministic per seed, different across seeds, and restores its state', () => {
    const a = new Rng(1),
      b = new Rng(1),
      c = new Rng(2);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    const s = a.state();
    const next = a.next();
    a.setState(s);
    expect(a.next()).toBe(next);
    expect(Array.from(permutation(10, new Rng(3))).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
