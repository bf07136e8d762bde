import { encodeBytes, Network, Rng, Simulator } from '@spiking-gan/core';
import { buildClassifier, loadMnist } from '@spiking-gan/gan';
import { describe, expect, it } from 'vitest';
import { DenseLoop } from '../src/dense-loop.ts';

describe('dense clock-driven loop (the S4NN way) against the engine', () => {
  it("gives the engine's spike times on 20 MNIST test images (784-400-10, S4NN init)", () => {
    const net = buildClassifier({ seed: 0 }),
      sim = new Simulator(net),
      dense = DenseLoop.fromNetwork(net);
    const mnist = loadMnist('test'),
      x = new Float64Array(784);
    let spikes = 0;
    for (let i = 0; i < 20; i++) {
      encodeBytes(mnist.image(i), { tmax: 256 }, x);
      dense.run(x);
      const rec = sim.run(x);
      for (let k = 1; k < 3; k++) {
        expect(Array.from(dense.times[k])).toEqual(
          Array.from(rec.timesOf(net.populations[k]), (t) => Math.min(t, 256)),
        );
        spikes += dense.times[k].filter((t) => t < 256).length;
      }
    }
    expect(spikes).toBeGreaterThan(1000);
  });

  it('agrees on random deeper networks with mixed-sign weights and random inputs', () => {
    const rng = new Rng(9);
    for (let n = 0; n < 30; n++) {
      const sizes = [5 + rng.int(20), 3 + rng.int(15), 3 + rng.int(15), 2 + rng.int(5)],
        tmax = 20 + rng.int(20);
      const net = new Network({ tmax, time: 'discrete', delay: 1 });
      net.addInput(sizes[0]);
      for (let k = 1; k < sizes.length; k++)
        net.addLayer(sizes[k], { threshold: 1, init: { uniform: [-0.5, 1], seed: n * 10 + k } });
      const dense = DenseLoop.fromNetwork(net),
        sim = new Simulator(net);
      const x = Float64Array.from({ length: sizes[0] }, () => (rng.next() < 0.7 ? rng.int(tmax) : tmax));
      dense.run(x);
      const rec = sim.run(x);
      for (let k = 1; k < sizes.length; k++)
        expect(Array.from(dense.times[k])).toEqual(
          Array.from(rec.timesOf(net.populations[k]), (t) => Math.min(t, tmax)),
        );
    }
  });

  it('refuses networks it cannot run', () => {
    const net = new Network({ tmax: 10, time: 'continuous' });
    net.addInput(2);
    net.addLayer(2, { kernel: 'ramp', threshold: 1 });
    expect(() => DenseLoop.fromNetwork(net)).toThrow(/discrete time/);
    expect(() => new DenseLoop([2, 2], [new Float64Array(3)], 1, 10)).toThrow(/weights 0 must have 4 values/);
  });
});
