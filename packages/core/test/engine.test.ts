import { describe, expect, it } from 'vitest';
import { Network, Rng, Simulator } from '../src/index.ts';
import { clockDriven, integrateRamp } from './reference.ts';

/** Weights on a 1/1024 grid so that every sum is exact whatever the order of additions. */
const dyadic = (rng: Rng, lo: number, hi: number) => Math.round(rng.uniform(lo, hi) * 1024) / 1024;

/** A random network with feed-forward, sparse, skip and recurrent projections, delays 0..3, mixed-sign weights. */
function wiredNetwork(seed: number, time: 'discrete' | 'continuous' = 'discrete') {
  const rng = new Rng(seed);
  const tmax = 40;
  const net = new Network({ tmax, time });
  const size = () => 3 + rng.int(10);
  const input = net.addInput(size());
  const th = (n: number) => Array.from({ length: n }, () => dyadic(rng, 0.5, 6));
  const na = size(),
    nb = size(),
    nc = size();
  const a = net.addPopulation(na, { name: 'a', threshold: th(na) });
  const b = net.addPopulation(nb, { name: 'b', threshold: th(nb) });
  const c = net.addPopulation(nc, { name: 'c', threshold: th(nc) });
  const dense = (s: { size: number }, d: { size: number }, lo: number, hi: number) =>
    Array.from({ length: s.size * d.size }, () => dyadic(rng, lo, hi));
  const delay = () => rng.int(4);
  net.connect(input, a, { weights: dense(a, input, -1, 3), delay: delay() });
  // sparse a -> b
  const indptr = [0],
    indices: number[] = [],
    values: number[] = [];
  for (let i = 0; i < a.size; i++) {
    for (let j = 0; j < b.size; j++)
      if (rng.next() < 0.5) {
        indices.push(j);
        values.push(dyadic(rng, -2, 4));
      }
    indptr.push(indices.length);
  }
  net.connect(a, b, { sparse: { indptr, indices, values }, delay: delay() });
  net.connect(b, c, { weights: dense(c, b, -2, 4), delay: delay() });
  net.connect(input, c, { weights: dense(c, input, -1, 2), delay: delay() }); // skip
  net.connect(c, b, { weights: dense(b, c, -3, 3), delay: rng.int(3) }); // recurrent
  net.connect(b, b, { weights: dense(b, b, -1, 2), delay: rng.int(2) }); // self-recurrent, possibly zero delay
  // many equal times
  const inputs = Array.from({ length: input.size }, () => (rng.next() < 0.2 ? tmax : rng.int(5) * 2));
  return { net, input, a, b, c, inputs, tmax };
}

describe('discrete engine against a dense clock-driven reference', () => {
  it('gives the same spike time to every neuron on 300 random wired networks', () => {
    let spikesSeen = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { net, inputs } = wiredNetwork(seed);
      const rec = new Simulator(net).run(inputs);
      const ref = clockDriven(net, [inputs]);
      expect(Array.from(rec.times), `seed ${seed}`).toEqual(Array.from(ref));
      for (const p of net.populations) if (!p.isInput) spikesSeen += rec.spikes[p.index];
    }
    expect(spikesSeen).toBeGreaterThan(1000); // the cases are not all silent
  });

  it('counts synaptic events as the sum of fan-outs of spikes whose arrival falls inside the window', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const { net, inputs, tmax } = wiredNetwork(seed);
      const rec = new Simulator(net).run(inputs);
      let expected = 0;
      for (const pr of net.projections) {
        for (let i = 0; i < pr.src.size; i++) {
          const t = rec.times[pr.src.offset + i];
          if (t < tmax && t + pr.delay < tmax)
            expected += pr.csr ? pr.csr.indptr[i + 1] - pr.csr.indptr[i] : pr.dst.size;
        }
      }
      expect(rec.synapticEvents).toBe(expected);
      for (const p of net.populations) {
        expect(rec.spikes[p.index]).toBe(Array.from(rec.timesOf(p)).filter((t) => t < tmax).length);
      }
    }
  });
});

describe('continuous engine', () => {
  it('equals the discrete engine when every time and delay is an integer', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const d = wiredNetwork(seed, 'discrete');
      const c = wiredNetwork(seed, 'continuous');
      const rd = new Simulator(d.net).run(d.inputs);
      const rc = new Simulator(c.net).run(c.inputs);
      expect(Array.from(rc.times), `seed ${seed}`).toEqual(Array.from(rd.times));
      expect(rc.synapticEvents).toBe(rd.synapticEvents);
    }
  });

  it('accepts real-valued times and delays', () => {
    const net = new Network({ tmax: 10, time: 'continuous' });
    const inp = net.addInput(2);
    const out = net.addPopulation(1, { threshold: 1.5 });
    net.connect(inp, out, { weights: [1, 1], delay: 0.25 });
    const rec = new Simulator(net).run([0.5, 2.125]);
    expect(rec.timesOf(out)[0]).toBe(2.375);
  });
});

describe('simultaneous arrivals', () => {
  it('applies every arrival of a step before testing thresholds (a negative arrival at the same step cancels)', () => {
    const net = new Network({ tmax: 10 });
    const inp = net.addInput(2);
    const out = net.addPopulation(1, { threshold: 1 });
    net.connect(inp, out, { weights: [2, -1.5] });
    const sim = new Simulator(net);
    expect(sim.run([3, 3]).timesOf(out)[0]).toBe(10); // 0.5 < 1: silent
    expect(sim.run([3, 5]).timesOf(out)[0]).toBe(4); // fires at arrival of the positive one
  });

  it('fires on V > θ strictly', () => {
    const net = new Network({ tmax: 10 });
    const inp = net.addInput(1);
    const out = net.addPopulation(1, { threshold: 2 });
    net.connect(inp, out, { weights: [2] });
    expect(new Simulator(net).run([0]).timesOf(out)[0]).toBe(10);
  });

  it('with zero delays, spikes caused at t form a new wave at the same t', () => {
    const net = new Network({ tmax: 10, delay: 0 });
    const inp = net.addInput(1);
    const a = net.addPopulation(1, { name: 'a', threshold: 0.5 });
    const b = net.addPopulation(1, { name: 'b', threshold: 0.5 });
    net.connect(inp, a, { weights: [1] });
    net.connect(a, b, { weights: [1] });
    net.connect(inp, b, { weights: [-1] }); // inhibition reaches b in the first wave, a's spike in the second
    const rec = new Simulator(net).run([4]);
    expect(rec.timesOf(a)[0]).toBe(4);
    expect(rec.timesOf(b)[0]).toBe(10); // -1 then +1: V = 0, never above 0.5
  });

  it('does not depend on the order in which equal-time inputs are listed', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { net, inputs, input } = wiredNetwork(seed);
      const perm = Array.from({ length: input.size }, (_, i) => input.size - 1 - i);
      // the same network with its input neurons listed in reverse order
      const net2 = new Network({ tmax: net.tmax });
      const in2 = net2.addInput(input.size);
      const pops2 = net.populations
        .slice(1)
        .map((p) => net2.addPopulation(p.size, { name: p.name, threshold: p.threshold }));
      const map = (p: { index: number }) => (p.index === 0 ? in2 : pops2[p.index - 1]);
      for (const pr of net.projections) {
        const src = map(pr.src),
          dst = map(pr.dst);
        const w: number[] = [];
        for (let j = 0; j < dst.size; j++)
          for (let i = 0; i < src.size; i++) w.push(pr.weight(pr.src.isInput ? perm[i] : i, j));
        net2.connect(src, dst, { weights: w, delay: pr.delay });
      }
      const r1 = new Simulator(net).run(inputs);
      const r2 = new Simulator(net2).run(perm.map((i) => inputs[i]));
      for (const p of net.populations.slice(1))
        expect(Array.from(r2.timesOf(map(p)))).toEqual(Array.from(r1.timesOf(p)));
    }
  });
});

describe('early stop and decision counts', () => {
  it('stops after the first output spike step and reports what was spent up to then', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const { net, inputs, c } = wiredNetwork(seed);
      const sim = new Simulator(net, { output: c });
      const full = sim.run(inputs).clone();
      const early = sim.run(inputs, { earlyStop: true });
      expect(early.decisionTime).toBe(full.decisionTime);
      expect(Array.from(early.spikesToDecision)).toEqual(Array.from(full.spikesToDecision));
      expect(early.synapticEventsToDecision).toBe(full.synapticEventsToDecision);
      if (full.decided) {
        expect(early.stoppedEarly).toBe(true);
        expect(full.decisionTime).toBe(Math.min(...full.timesOf(c)));
        expect(Array.from(early.spikes)).toEqual(Array.from(early.spikesToDecision));
        for (const p of net.populations) {
          const upTo = Array.from(full.timesOf(p)).filter((t) => t <= full.decisionTime).length;
          expect(full.spikesToDecision[p.index]).toBe(upTo);
        }
      } else {
        expect(Array.from(full.spikesToDecision)).toEqual(Array.from(full.spikes));
      }
    }
  });
});

describe('ramp kernel', () => {
  it('matches fine-step integration of V(t) within the step on random networks', () => {
    const dt = 1e-3;
    for (let seed = 1; seed <= 30; seed++) {
      const rng = new Rng(1000 + seed);
      const net = new Network({ tmax: 4, time: 'continuous' });
      const inp = net.addInput(6);
      const h = net.addPopulation(5, { name: 'h', threshold: 0.5 });
      const o = net.addPopulation(3, { name: 'o', threshold: 0.3 });
      net.connect(inp, h, {
        weights: Array.from({ length: 30 }, () => rng.uniform(-0.5, 1.5)),
        kernel: 'ramp',
        delay: 0,
      });
      net.connect(h, o, {
        weights: Array.from({ length: 15 }, () => rng.uniform(-0.5, 1.5)),
        kernel: 'ramp',
        delay: 0.1,
      });
      const inputs = Array.from({ length: 6 }, () => Math.round(rng.uniform(0, 2) / dt) * dt);
      const rec = new Simulator(net).run(inputs);
      const ref = integrateRamp(net, [inputs], dt);
      for (let g = 0; g < net.size; g++) {
        // the integrator crosses at most a few steps late (V is sampled on the grid); silent must agree unless the
        // crossing is within a step of tmax
        if (rec.times[g] < net.tmax - 0.01)
          expect(Math.abs(ref[g] - rec.times[g]), `seed ${seed} neuron ${g}`).toBeLessThanOrEqual(3 * dt);
        else expect(ref[g]).toBeGreaterThan(net.tmax - 0.02);
      }
    }
  });

  it('fires at the closed form (θ + A) / W', () => {
    const net = new Network({ tmax: 100, time: 'continuous', delay: 0 });
    const inp = net.addInput(2);
    const out = net.addPopulation(1, { threshold: 10 });
    net.connect(inp, out, { weights: [1, 3], kernel: 'ramp' });
    // V = 1·(t−2) + 3·(t−4) = 4t − 14 > 10 → t = 6; valid because no other arrival comes first
    expect(new Simulator(net).run([2, 4]).timesOf(out)[0]).toBe(6);
    // only the first input: V = t − 2 = 10 at t = 12
    expect(new Simulator(net).run([2, 100]).timesOf(out)[0]).toBe(12);
  });

  it('cancels a predicted spike when a later negative arrival comes first', () => {
    const net = new Network({ tmax: 100, time: 'continuous', delay: 0 });
    const inp = net.addInput(2);
    const out = net.addPopulation(1, { threshold: 10 });
    net.connect(inp, out, { weights: [2, -2], kernel: 'ramp' });
    // alone the first input predicts a spike at 5 + 5 = 10; the negative current from t = 8 cancels it: V stays at 6
    const rec = new Simulator(net).run([5, 8]);
    expect(rec.timesOf(out)[0]).toBe(100);
    expect(rec.potentialOf(out)[0]).toBeCloseTo(6, 12);
    expect(new Simulator(net).run([5, 12]).timesOf(out)[0]).toBe(10);
  });

  it('never fires a neuron whose current is zero or negative', () => {
    const net = new Network({ tmax: 50, time: 'continuous', delay: 0 });
    const inp = net.addInput(3);
    const out = net.addPopulation(1, { threshold: 0.1 });
    net.connect(inp, out, { weights: [-1, 0.5, 0.5], kernel: 'ramp' });
    expect(new Simulator(net).run([1, 1, 1]).timesOf(out)[0]).toBe(50);
  });
});

describe('input validation', () => {
  const net = new Network({ tmax: 16 });
  const inp = net.addInput(3);
  net.addPopulation(2);
  void inp;
  const sim = new Simulator(net);
  it.each([
    [[0, -1, 3], /neuron 1: spike time must be a number >= 0/],
    [[0, NaN, 3], /neuron 1: spike time must be a number/],
    [[0, 1.5, 3], /neuron 1: spike time 1.5 is not a whole step/],
    [[0, '2', 3], /neuron 1: spike time must be a number/],
    [[0, 1], /has 3 neurons, got 2 spike times/],
  ])('refuses %j', (times, msg) => {
    expect(() => sim.run(times as number[])).toThrow(msg);
  });
  it('treats times at or after tmax, and Infinity, as no spike', () => {
    const rec = sim.run([16, 99, Infinity]);
    expect(rec.spikes[0]).toBe(0);
    expect(rec.synapticEvents).toBe(0);
  });
});

describe('network construction errors', () => {
  it('refuses wrong shapes, NaN weights, bad delays and kernels', () => {
    const net = new Network();
    const a = net.addInput(3);
    const b = net.addPopulation(2);
    expect(() => net.connect(a, b, { weights: [1, 2, 3] })).toThrow(/must have 6 values \(shape \[2, 3\]\)/);
    expect(() => net.connect(a, b, { weights: [1, 2, 3, NaN, 5, 6] })).toThrow(/weight 3 is NaN/);
    expect(() => net.connect(a, b, { delay: 0.5 })).toThrow(/whole number of steps/);
    expect(() => net.connect(a, b, { kernel: 'ramp' })).toThrow(/ramp kernel needs continuous time/);
    expect(() => net.connect(b, a)).toThrow(/input population cannot receive/);
    expect(() => net.addPopulation(2, { threshold: [1] })).toThrow(/2 neurons but 1 thresholds/);
    expect(() => net.connect(a, b, { sparse: { indptr: [0, 1, 1, 2], indices: [0, 5], values: [1, 1] } })).toThrow(
      /index 5 of row 2 is outside 0..1/,
    );
  });
});
