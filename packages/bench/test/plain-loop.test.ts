import { encodeBytes, Network, Simulator } from '@spiking-gan/core';
import { buildClassifier, loadMnist } from '@spiking-gan/gan';
import { describe, expect, it } from 'vitest';
import { PlainLoop } from '../src/plain-loop.ts';

describe('plain loop against the engine', () => {
  it('gives the same spike times, counts and synaptic events on the first 300 MNIST test images', () => {
    const net = buildClassifier({ seed: 0 }); // hidden U[0,5] seed 1, output U[0,48] seed 2, θ = 100, tmax 256
    const [input, hidden, output] = net.populations;
    expect([input.size, hidden.size, output.size]).toEqual([784, 400, 10]);
    expect(net.tmax).toBe(256);
    const sim = new Simulator(net);
    const plain = PlainLoop.fromNetwork(net);
    const mnist = loadMnist('test');
    const times = new Float64Array(784);
    let hiddenSpikes = 0,
      outputSpikes = 0,
      decided = 0;
    for (let i = 0; i < 300; i++) {
      encodeBytes(mnist.image(i), { tmax: 256 }, times);
      const rec = sim.run(times);
      const p = plain.run(times);
      const where = `image ${i}`;
      expect(Array.from(p.hiddenTimes), where).toEqual(Array.from(rec.timesOf(hidden)));
      expect(Array.from(p.outputTimes), where).toEqual(Array.from(rec.timesOf(output)));
      expect(p.hiddenSpikes, where).toBe(rec.spikes[hidden.index]);
      expect(p.outputSpikes, where).toBe(rec.spikes[output.index]);
      expect(p.synapticEvents, where).toBe(rec.synapticEvents);
      expect(p.firstOutputTime, where).toBe(rec.decisionTime);
      hiddenSpikes += p.hiddenSpikes;
      outputSpikes += p.outputSpikes;
      if (p.firstOutputTime < 256) decided++;
    }
    // The comparison is not vacuous: both layers fire on these images.
    expect(hiddenSpikes).toBeGreaterThan(300);
    expect(outputSpikes).toBeGreaterThan(0);
    expect(decided).toBeGreaterThan(0);
  });

  it('follows S4NN rule on a hand-made case (delay 1, strict threshold, silent = tmax, late arrivals dropped)', () => {
    // 3 inputs -> 2 hidden -> 1 output, θ = 1, tmax 8.
    const net = new Network({ tmax: 8 });
    net.addInput(3);
    net.addLayer(2, { threshold: 1, weightsPrePost: [0.6, 1, 0.5, 0, 0.4, 0] });
    net.addLayer(1, { threshold: 1, weightsPrePost: [2, 0.5] });
    const plain = PlainLoop.fromNetwork(net);
    // Inputs at 0, 2, 7 (the one at 7 arrives at 8 = tmax: dropped).
    const r = plain.run([0, 2, 7]);
    // hidden 0: 0.6 at step 1, 1.1 at step 3 -> fires at 3; hidden 1: 1 at step 1 (not > 1) -> silent.
    expect(Array.from(r.hiddenTimes)).toEqual([3, 8]);
    // output: 2 arrives at 4 -> fires at 4.
    expect(Array.from(r.outputTimes)).toEqual([4]);
    expect(r.hiddenSpikes).toBe(1);
    expect(r.outputSpikes).toBe(1);
    expect(r.firstOutputTime).toBe(4);
    // inputs at 0 and 2: 2 * 2 arrivals; input at 7: none; hidden 0 at 3: 1 arrival.
    expect(r.synapticEvents).toBe(5);
    const rec = new Simulator(net).run([0, 2, 7]);
    expect(Array.from(rec.times)).toEqual([0, 2, 7, 3, 8, 4]);
    expect(rec.synapticEvents).toBe(5);
  });

  it('refuses networks it is not specialised for', () => {
    const net = new Network({ tmax: 8 });
    net.addInput(3);
    net.addLayer(2, { delay: 2 });
    net.addLayer(1);
    expect(() => PlainLoop.fromNetwork(net)).toThrow(/delay 1/);
  });
});
