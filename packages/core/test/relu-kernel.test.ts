// The ReLU-equivalent kernel: the event loop against its layered form (bit for bit),
// spike times against the closed form and the float twin, the exact gradient against the twin's
// backprop and finite differences, and many Adam steps of the SNN against the twin's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Backprop,
  FloatTwin,
  GradientCollector,
  LeakyPairs,
  loadModel,
  Network,
  SignedInputPairs,
  tieHooks,
  Optimiser,
  reluNetwork,
  Rng,
  saveModel,
  Simulator,
  signedNoise,
  timesToValues,
  valuesToTimes,
  writeSafetensorsFile,
  type RunRecord,
} from '../src/index.ts';
import { reluPass } from '../src/learn/relu-mask.ts';

/** A random layered ReLU-equivalent network (varied depth, widths, windows, biases). */
function randomNet(seed: number): Network {
  const rng = new Rng(seed);
  const depth = 2 + rng.int(3);
  const sizes = [3 + rng.int(20)];
  const windows = [1 + rng.next() * 3];
  for (let k = 0; k < depth; k++) {
    sizes.push(1 + rng.int(25));
    windows.push(k === depth - 1 ? 1 : 2 + rng.next() * 6);
  }
  return reluNetwork({ sizes, windows, seed, biasGain: 1 });
}

/** Random input values in [0, B(0)], a third of them 0 (silent). */
function randomInput(net: Network, rng: Rng): Float64Array {
  const w = net.populations[0].window!;
  return Float64Array.from({ length: net.populations[0].size }, () =>
    rng.next() < 0.3 ? 0 : rng.next() * (w.end - w.start),
  );
}

function sameRecord(a: RunRecord, b: RunRecord): void {
  expect(Array.from(a.times)).toEqual(Array.from(b.times));
  expect(Array.from(a.potential)).toEqual(Array.from(b.potential));
  expect(Array.from(a.spikes)).toEqual(Array.from(b.spikes));
  expect(Array.from(a.spikesToDecision)).toEqual(Array.from(b.spikesToDecision));
  expect([a.synapticEvents, a.synapticEventsToDecision, a.decisionTime, a.stoppedEarly]).toEqual([
    b.synapticEvents,
    b.synapticEventsToDecision,
    b.decisionTime,
    b.stoppedEarly,
  ]);
}

describe('ReLU-equivalent neurons: forward pass', () => {
  it('the event loop and its layered form give the same record, bit for bit (with and without early stop)', () => {
    for (let seed = 0; seed < 25; seed++) {
      const net = randomNet(seed),
        rng = new Rng(seed + 100);
      const events = new Simulator(net, { backend: 'event-loop' }),
        layered = new Simulator(net, { backend: 'typescript' });
      for (let s = 0; s < 8; s++) {
        const t = valuesToTimes(randomInput(net, rng), net.populations[0].window!);
        const early = s % 2 === 1;
        sameRecord(layered.run(t, { earlyStop: early }).clone(), events.run(t, { earlyStop: early }));
      }
    }
  });

  it('spike times equal the closed form t = end − clip(D + Σ w·x, 0, B) and the float twin (x ↔ t) to 1e-12', () => {
    let fired = 0,
      silent = 0,
      clipped = 0;
    for (let seed = 0; seed < 25; seed++) {
      const net = randomNet(seed),
        rng = new Rng(seed + 200),
        sim = new Simulator(net),
        twin = new FloatTwin(net);
      for (let s = 0; s < 8; s++) {
        const x0 = randomInput(net, rng);
        const rec = sim.run(valuesToTimes(x0, net.populations[0].window!));
        twin.forward(x0);
        for (let k = 1; k < net.populations.length; k++) {
          const p = net.populations[k],
            { start, end } = p.window!,
            B = end - start,
            pr = net.projections[k - 1];
          const xs = timesToValues(rec.timesOf(pr.src), pr.src.window!);
          const t = rec.timesOf(p),
            xOut = timesToValues(t, p.window!);
          for (let j = 0; j < p.size; j++) {
            let u = p.bias[j];
            for (let i = 0; i < pr.src.size; i++) u += pr.weight(i, j) * xs[i];
            const closed = u <= 0 ? Infinity : end - Math.min(u, B);
            if (closed === Infinity) expect(t[j]).toBe(net.tmax);
            else expect(Math.abs(t[j] - closed)).toBeLessThan(1e-12);
            expect(Math.abs(xOut[j] - twin.x[k][j])).toBeLessThan(1e-12);
            expect(Math.abs(rec.potentialOf(p)[j] - twin.u[k][j])).toBeLessThan(1e-12);
            if (u <= 0) silent++;
            else if (u >= B) clipped++;
            else fired++;
          }
        }
      }
    }
    // the random networks exercise all three regimes
    expect(Math.min(fired, silent, clipped)).toBeGreaterThan(50);
  });

  it('refuses what the neuron model cannot mean', () => {
    const net = new Network({ tmax: 10, time: 'continuous', delay: 0 });
    const inp = net.addInput(3, 'input', { start: 0, end: 2 });
    const h = net.addPopulation(2, { window: { start: 2, end: 5 } });
    expect(() => net.connect(inp, h, { kernel: 'relu', delay: 1 })).toThrow(/take no delay/);
    expect(() => net.connect(inp, h, { kernel: 'ramp' })).toThrow(/takes relu projections only/);
    const late = net.addPopulation(2, { window: { start: 1, end: 3 } });
    expect(() => net.connect(h, late)).toThrow(/ends at 5, after the target's starts \(1\)/);
    expect(() => net.addPopulation(2, { window: { start: 8, end: 12 } })).toThrow(/ends after the network's tmax 10/);
    expect(() => new Network({ tmax: 10 }).addPopulation(2, { window: { start: 0, end: 1 } })).toThrow(
      /continuous time/,
    );
  });

  it('a model file keeps windows and biases (layers.{k}.bias): the loaded network gives the same record', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relu-model-'));
    try {
      const net = randomNet(4),
        path = join(dir, 'm.safetensors');
      saveModel(path, net);
      const back = loadModel(path).net,
        x = valuesToTimes(randomInput(net, new Rng(1)), net.populations[0].window!);
      expect(back.populations.map((p) => p.window)).toEqual(net.populations.map((p) => p.window));
      sameRecord(new Simulator(back).run(x).clone(), new Simulator(net).run(x));
      // a bias on a layer without a window is refused, naming the tensor
      const w = { dtype: 'F64' as const, shape: [2, 3], data: new Float64Array(6) };
      writeSafetensorsFile(
        path,
        { 'layers.0.weight': w, 'layers.0.bias': { dtype: 'F64', shape: [2], data: new Float64Array(2) } },
        {},
      );
      expect(() => loadModel(path)).toThrow(/layers\.0\.bias.*only ReLU-equivalent neurons/);
      const meta = {
        layers: JSON.stringify([{ window: [1, 'x'] }]),
        input: JSON.stringify({ name: 'input', size: 3, window: [0, 1] }),
      };
      writeSafetensorsFile(path, { 'layers.0.weight': w }, { ...meta, time: 'continuous', tmax: '4' });
      expect(() => loadModel(path)).toThrow(/m\.safetensors.*'window' must be \[start, end\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('signed noise: one of each pair silent, |z| ≤ zMax, the same draws for the same seed', () => {
    const a = signedNoise(new Rng(3), 500, 2, new Float64Array(1000)),
      b = signedNoise(new Rng(3), 500, 2, new Float64Array(1000));
    expect(Array.from(a)).toEqual(Array.from(b));
    let both = 0,
      clippedAt = 0;
    for (let i = 0; i < 500; i++) {
      if (a[i] > 0 && a[500 + i] > 0) both++;
      if (a[i] === 2 || a[500 + i] === 2) clippedAt++;
      expect(Math.max(a[i], a[500 + i])).toBeLessThanOrEqual(2);
    }
    expect(both).toBe(0);
    expect(clippedAt).toBeGreaterThan(5); // P(|z| > 2) ≈ 4.6 %
  });
});

describe('ReLU-equivalent neurons: exact gradient', () => {
  it("equals the float twin's backprop to 1e-12 (weights, biases, input times), with and without the readout", () => {
    for (let seed = 0; seed < 20; seed++) {
      const net = randomNet(seed),
        rng = new Rng(seed + 300),
        readout = seed % 2 === 0;
      const sim = new Simulator(net),
        bp = new Backprop(net, { normalise: false, inputDelta: true, readout }),
        twin = new FloatTwin(net, { readout });
      const a = new Collector(net),
        b = new Collector(net);
      for (let s = 0; s < 4; s++) {
        const x0 = randomInput(net, rng);
        const rec = sim.run(valuesToTimes(x0, net.populations[0].window!));
        const err = Float64Array.from({ length: net.output.size }, () => rng.normal());
        const dIn = bp.run(rec, err, a).slice();
        twin.forward(x0);
        const gIn = twin.backward(err, b, true);
        for (let i = 0; i < dIn.length; i++) expect(Math.abs(dIn[i] - gIn[i])).toBeLessThan(1e-12);
      }
      a.expectClose(b, 1e-12);
    }
  });

  it("the twin's gradient matches central finite differences of the loss", () => {
    const net = reluNetwork({ sizes: [6, 9, 4], windows: [2, 8, 1], seed: 7, biasGain: 1 });
    const twin = new FloatTwin(net),
      rng = new Rng(9);
    const x0 = randomInput(net, rng),
      target = Float64Array.from({ length: 4 }, () => rng.next());
    const loss = () => {
      const y = twin.forward(x0);
      let l = 0;
      for (let j = 0; j < y.length; j++) l += 0.5 * (y[j] - target[j]) ** 2;
      return l;
    };
    loss();
    const y = twin.x[2],
      col = new Collector(net);
    twin.backward(
      Float64Array.from(y, (v, j) => v - target[j]),
      col,
    );
    const h = 1e-6;
    let checked = 0;
    net.projections.forEach((p, k) => {
      for (let e = 0; e < p.weights.length; e++) {
        const w0 = p.weights[e];
        p.weights[e] = w0 + h;
        const up = loss();
        p.weights[e] = w0 - h;
        const down = loss();
        p.weights[e] = w0;
        expect(Math.abs((up - down) / (2 * h) - col.grad[k][e])).toBeLessThan(1e-6);
        checked++;
      }
    });
    expect(checked).toBe(6 * 9 + 9 * 4);
  });

  it('200 Adam steps of the SNN and of the float twin from one init end with weights equal to 1e-9 relative', () => {
    const make = () => reluNetwork({ sizes: [12, 16, 10, 3], windows: [1, 6, 6, 1], seed: 11, biasGain: 0.5 });
    const snn = make(),
      flt = make();
    const sim = new Simulator(snn),
      bp = new Backprop(snn, { normalise: false, readout: true });
    const twin = new FloatTwin(flt, { readout: true });
    const optA = new Optimiser(snn, { kind: 'adam', lr: 1e-2, decay: 0, batch: 4, beta1: 0.5 });
    const optB = new Optimiser(flt, { kind: 'adam', lr: 1e-2, decay: 0, batch: 4, beta1: 0.5 });
    const rng = new Rng(12),
      err = new Float64Array(3);
    for (let step = 0; step < 200; step++) {
      for (let b = 0; b < 4; b++) {
        const x0 = randomInput(snn, rng),
          label = rng.int(3);
        // softmax cross-entropy on the readout: ∂L/∂u = p − onehot
        const grad = (u: Float64Array) => {
          const m = Math.max(...u),
            e = Array.from(u, (v) => Math.exp(v - m)),
            z = e.reduce((s, v) => s + v, 0);
          for (let j = 0; j < 3; j++) err[j] = e[j] / z - (j === label ? 1 : 0);
          return err;
        };
        const rec = sim.run(valuesToTimes(x0, snn.populations[0].window!));
        bp.run(rec, grad(rec.potentialOf(snn.output)), optA);
        optA.endSample();
        twin.backward(grad(twin.forward(x0)), optB);
        optB.endSample();
      }
    }
    expect(optA.steps).toBe(200);
    let worst = 0,
      changed = 0;
    snn.projections.forEach((p, k) => {
      const q = flt.projections[k];
      for (let e = 0; e < p.weights.length; e++) {
        const a = p.weights[e] * p.scale,
          b = q.weights[e] * q.scale;
        worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(b), 1e-3));
      }
    });
    snn.populations.forEach((p, k) => {
      for (let j = 0; j < p.bias.length; j++) {
        worst = Math.max(
          worst,
          Math.abs(p.bias[j] - flt.populations[k].bias[j]) / Math.max(Math.abs(flt.populations[k].bias[j]), 1e-3),
        );
        if (p.bias[j] !== 0) changed++;
      }
    });
    expect(changed).toBeGreaterThan(20); // the biases trained
    expect(worst).toBeLessThan(1e-9);
  });
});

/** Collects weight and bias gradients. */
class Collector extends GradientCollector {
  readonly bias: Float64Array[];

  constructor(net: Network) {
    super(net);
    this.bias = net.populations.map((p) => new Float64Array(p.bias.length));
  }

  biasTarget(p: number): { array: Float64Array; coef: number } {
    return { array: this.bias[p], coef: 1 };
  }

  expectClose(o: Collector, tol: number): void {
    this.grad.forEach((g, k) => {
      for (let e = 0; e < g.length; e++) expect(Math.abs(g[e] - o.grad[k][e])).toBeLessThan(tol);
    });
    this.bias.forEach((b, k) => {
      for (let j = 0; j < b.length; j++) expect(Math.abs(b[j] - o.bias[k][j])).toBeLessThan(tol);
    });
  }
}

describe('ReLU-equivalent neurons: leaky pairs and the clip surrogate', () => {
  it('a tied pair computes leaky ReLU for the layer above, and stays tied through Adam (SNN = twin)', () => {
    const make = () => {
      const net = reluNetwork({ sizes: [5, 12, 3], windows: [1, 20, 20], seed: 3, biasGain: 1 });
      const pairs = new LeakyPairs(net, 1, 0.2);
      pairs.sync();
      return { net, pairs };
    };
    const a = make(),
      b = make(),
      rng = new Rng(4);
    const twin = new FloatTwin(a.net, { readout: true });
    // the output sees w·leaky(u) of the six units: compare with a plain leaky-ReLU MLP of six hidden units
    const x0 = randomInput(a.net, rng),
      out = twin.forward(x0).slice(),
      H = 6,
      pin = a.net.projections[0],
      pout = a.net.projections[1];
    for (let k = 0; k < 3; k++) {
      let v = a.net.output.bias[k];
      for (let j = 0; j < H; j++) {
        let u = a.net.populations[1].bias[j];
        for (let i = 0; i < 5; i++) u += pin.weight(i, j) * x0[i];
        v += pout.weight(j, k) * (u > 0 ? u : 0.2 * u);
      }
      expect(Math.abs(out[k] - v)).toBeLessThan(1e-12);
    }
    const sim = new Simulator(b.net),
      bp = new Backprop(b.net, { normalise: false, readout: true });
    const optA = new Optimiser(a.net, { kind: 'adam', lr: 0.01, decay: 0, batch: 3, hooks: a.pairs.hooks() });
    const optB = new Optimiser(b.net, { kind: 'adam', lr: 0.01, decay: 0, batch: 3, hooks: b.pairs.hooks() });
    for (let s = 0; s < 60; s++) {
      const x = randomInput(a.net, rng),
        err = Float64Array.from({ length: 3 }, () => rng.normal());
      twin.forward(x);
      twin.backward(err, optA);
      optA.endSample();
      bp.run(sim.run(valuesToTimes(x, b.net.populations[0].window!)), err, optB);
      optB.endSample();
    }
    for (const { net } of [a, b]) {
      const w = net.projections[0].weights,
        v = net.projections[1].weights,
        bias = net.populations[1].bias;
      for (let i = 0; i < 5; i++) for (let j = 0; j < H; j++) expect(w[i * 12 + j + H]).toBe(-w[i * 12 + j]);
      for (let j = 0; j < H; j++) {
        expect(bias[j + H]).toBe(-bias[j]);
        for (let k = 0; k < 3; k++) expect(v[(j + H) * 3 + k]).toBe(-0.2 * v[j * 3 + k]);
      }
    }
    a.net.projections.forEach((p, k) =>
      p.weights.forEach((w, e) => expect(Math.abs(w - b.net.projections[k].weights[e])).toBeLessThan(1e-9)),
    );
  });

  it('signed input pairs: the first layer sees w·z of the signed noise, and the tie holds through Adam', () => {
    const net = reluNetwork({ sizes: [8, 5, 2], windows: [3, 30, 1], seed: 8, biasGain: 1 });
    const tie = new SignedInputPairs(net, 4);
    tie.sync();
    const twin = new FloatTwin(net),
      rng = new Rng(6),
      z = new Float64Array(8);
    const opt = new Optimiser(net, { kind: 'adam', lr: 0.01, decay: 0, batch: 2, hooks: tieHooks([tie]) });
    for (let s = 0; s < 20; s++) {
      signedNoise(rng, 4, 3, z);
      twin.forward(z);
      const pr = net.projections[0];
      for (let j = 0; j < 5; j++) {
        let u = net.populations[1].bias[j];
        for (let i = 0; i < 4; i++) u += pr.weight(i, j) * (z[i] - z[4 + i]); // w·z with z = z⁺ − z⁻
        expect(Math.abs(twin.u[1][j] - u)).toBeLessThan(1e-12);
      }
      twin.backward([rng.normal(), rng.normal()], opt);
      opt.endSample();
    }
    const w = net.projections[0].weights;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 5; j++) expect(w[(i + 4) * 5 + j]).toBe(-w[i * 5 + j]);
  });

  it('the clip surrogate passes only errors that push a clipped output back into its window', () => {
    expect(reluPass(-1, 1, -0.5, false, true)).toBe(-0.5); // silent, asked to fire
    expect(reluPass(-1, 1, 0.5, false, true)).toBe(0); // silent, asked to stay off
    expect(reluPass(2, 1, 0.5, false, true)).toBe(0.5); // at its window start, asked to fire later
    expect(reluPass(2, 1, -0.5, false, true)).toBe(0);
    expect(reluPass(-1, 1, -0.5, false, false)).toBe(0); // the exact gradient: nothing
    expect(reluPass(0.5, 1, -0.5, false, false)).toBe(-0.5);
    expect(reluPass(-3, 1, 0.25, true, false)).toBe(0.25); // a readout passes everything
  });
});
