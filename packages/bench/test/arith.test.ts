import { Network, Rng, Simulator } from '@spiking-gan/core';
import { evaluateClassifier, buildClassifier, loadMnist } from '@spiking-gan/gan';
import { describe, expect, it } from 'vitest';
import {
  annEnergyNj,
  annMacs,
  checkClaim,
  countSops,
  histogram,
  median,
  percentChange,
  percentLess,
  snnEnergyNj,
} from '../src/arith.ts';

describe('suite arithmetic on known inputs', () => {
  it('energy: 0.9 pJ per SOP, 4.6 pJ per MAC of the ANN equivalent', () => {
    expect(snnEnergyNj(1000)).toBeCloseTo(0.9, 12);
    expect(snnEnergyNj(0)).toBe(0);
    expect(annMacs([784, 400, 10])).toBe(784 * 400 + 400 * 10);
    expect(annEnergyNj([784, 400, 10])).toBeCloseTo((317_600 * 4.6) / 1000, 9);
    expect(annMacs([5])).toBe(0);
  });

  it('percent changes: signs, "less" and the claim thresholds (strictly more than)', () => {
    expect(percentChange(100, 67)).toBeCloseTo(-33, 12);
    expect(percentLess(100, 67)).toBeCloseTo(33, 12);
    expect(percentLess(80, 100)).toBeCloseTo(-25, 12);
    expect(percentChange(0, 5)).toBeNaN();
    expect(checkClaim('x', 33, 90, 60).holds).toBe(true); // 33.3 % less
    expect(checkClaim('x', 33, 100, 67).holds).toBe(false); // exactly 33 % is not "over 33 %"
    expect(checkClaim('x', 11, 100, 120).holds).toBe(false);
    expect(checkClaim('x', 11, 0, 0).holds).toBe(false);
  });

  it('median and histogram', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(histogram([0, 0.5, 1, 9.99, 10, -3, NaN], 0, 10, 5)).toEqual([4, 0, 0, 0, 2]);
    expect(() => histogram([1], 1, 1, 3)).toThrow(/hi > lo/);
  });

  it("SOP counting by hand on a 3-2-2 network equals the engine's synaptic events", () => {
    const net = new Network({ tmax: 10, time: 'discrete', delay: 1 });
    net.addInput(3);
    // [n_out, n_in]: hidden0 ← in0 (2), hidden1 ← in2 (0.5)
    net.addLayer(2, { threshold: 1, weights: [2, 0, 0, 0, 0, 0.5] });
    net.addLayer(2, { threshold: 0.5, weights: [1, 0, 0, 1] });
    // in0 at 0, in1 silent, in2 at 9 (its arrival at 10 falls outside the window)
    const rec = new Simulator(net).run([0, 10, 9]);
    const times = net.populations.map((p) => rec.timesOf(p));
    expect(Array.from(times[1])).toEqual([1, 10]);
    expect(Array.from(times[2])).toEqual([2, 10]);
    // in0 → 2 targets, hidden0 → 2 targets; in2's arrival is at tmax; output spikes have no targets
    expect(countSops(times, 10, 1)).toBe(4);
    expect(rec.synapticEvents).toBe(4);
  });

  it('SOP counting equals the engine on random S4NN networks and MNIST, and energy follows from it', () => {
    const mnist = loadMnist('test');
    const net = buildClassifier({ seed: 3 });
    const sim = new Simulator(net);
    const rng = new Rng(5);
    for (let k = 0; k < 20; k++) {
      const x = new Float64Array(784);
      const img = mnist.image(rng.int(mnist.n));
      for (let i = 0; i < 784; i++) x[i] = img[i] > 0 ? Math.floor((1 - img[i] / 255) * 256) : 256;
      const rec = sim.run(x);
      expect(
        countSops(
          net.populations.map((p) => rec.timesOf(p)),
          256,
          1,
        ),
      ).toBe(rec.synapticEvents);
    }
    const m = evaluateClassifier(net, mnist, { limit: 50 });
    expect(m.energy.snnNj).toBeCloseTo(snnEnergyNj(m.synapticEvents), 9);
    expect(m.energy.annNj).toBeCloseTo(annEnergyNj([784, 400, 10]), 9);
  });
});
