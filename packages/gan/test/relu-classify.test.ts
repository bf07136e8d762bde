// The relu-kernel classifier (issue 17, item 1): a 784-…-10 network of ReLU-equivalent neurons
// trained with softmax cross-entropy on its output values and Backprop's exact gradient. It learns,
// the spiking network and its float twin train and decide alike, and the CLI refuses what cannot work.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, Simulator, valuesToTimes } from '@spiking-gan/core';
import { buildClassifier } from '../src/classify/model.ts';
import { ClassifierTrainer, softmaxValueError, type TrainOptions } from '../src/classify/train.ts';
import { evaluateClassifier } from '../src/classify/evaluate.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { expectFailure } from './expect-failure.ts';
import { runCli } from './run-cli.ts';

const train = loadMnist('train');
const test = loadMnist('test');
const tmp = mkdtempSync(join(tmpdir(), 'sgan-relu-classify-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The recipe's optimiser (Adam 1e-3, cosine over one epoch) at batch 16 (more updates in a short test). */
function recipe(extra: TrainOptions = {}, hidden = [400]): ClassifierTrainer {
  return new ClassifierTrainer(buildClassifier({ kernel: 'relu', hidden, seed: 0 }), {
    seed: 0,
    schedule: 'cosine',
    epochs: 1,
    optimiser: { kind: 'adam', lr: 1e-3, decay: 0, batch: 16 },
    ...extra,
  });
}

describe('relu classifier', () => {
  it('builds 784-400-10 with windows [0, 1], [1, 17], [17, 25] and weights in ±1/√fan_in', () => {
    const net = buildClassifier({ kernel: 'relu' });
    expect(net.populations.map((p) => p.size)).toEqual([784, 400, 10]);
    const windows = [
      { start: 0, end: 1 },
      { start: 1, end: 17 },
      { start: 17, end: 25 },
    ];
    expect(net.populations.map((p) => p.window)).toEqual(windows);
    const w = net.projections[0].weights;
    expect(w.every((v) => Math.abs(v) <= 1 / 28)).toBe(true);
    expect(w.some((v) => Math.abs(v) > 0.99 / 28)).toBe(true);
    expect(() => buildClassifier({ kernel: 'relu', windows: [1, 16] })).toThrow(/windows/);
    expect(() => buildClassifier({ kernel: 'delta', windows: [1, 16, 16] })).toThrow(/relu/);
  });

  it('learns 2,000 digits in one epoch (spike readout, dropout) and decides as its float twin', () => {
    const tr = recipe({ dropout: 0.3 });
    tr.trainEpoch(train, undefined, 2000);
    const m = evaluateClassifier(tr.net, test, { limit: 1000 });
    expect(m.accuracy).toBeGreaterThan(0.75);
    expect(m.twin!.agreement).toBe(1);
    expect(m.twin!.accuracy).toBe(m.accuracy);
    expect(m.undecided).toBeLessThan(0.05);
    expect(m.spikesPerNeuron.hidden1).toBeCloseTo(m.spikesPerLayer.hidden1 / 400, 12);
    // every arrival comes before the output window opens; the ANN counts every weight
    expect(m.synapticEventsToDecision).toBe(m.synapticEvents);
    expect(m.energy.macs).toBe(784 * 400 + 400 * 10);
  });

  it('learns with the potential readout too', () => {
    const tr = recipe({ readout: 'potential', beta: 0.5 });
    tr.trainEpoch(train, undefined, 1000);
    expect(evaluateClassifier(tr.net, test, { limit: 500 }).accuracy).toBeGreaterThan(0.65);
  });

  it('the spiking network trains exactly as its float twin (same weights, biases and decisions)', () => {
    for (const readout of ['spike', 'potential'] as const) {
      const snn = recipe({ readout, dropout: 0.3 }, [40]);
      const twin = recipe({ readout, dropout: 0.3, floatTwin: true }, [40]);
      const a = snn.trainEpoch(train, undefined, 400),
        b = twin.trainEpoch(train, undefined, 400);
      expect(a).toBe(b); // the same running training accuracy: the same decisions sample by sample
      snn.net.projections.forEach((p, k) => {
        const q = twin.net.projections[k].weights;
        let worst = 0;
        for (let i = 0; i < p.weights.length; i++) worst = Math.max(worst, Math.abs(p.weights[i] - q[i]));
        expect(worst).toBeLessThan(1e-9);
      });
      const bias = (t: ClassifierTrainer) => Array.from(t.net.populations[1].bias);
      bias(snn).forEach((d, j) => expect(d).toBeCloseTo(bias(twin)[j], 9));
      expect(snn.net.populations[1].bias.some((d) => d !== 0)).toBe(true);
    }
  });

  it('the first output spike is the largest output value (ties: the larger potential)', () => {
    const tr = recipe({}, [40]);
    tr.trainEpoch(train, undefined, 500);
    const net = tr.net,
      sim = new Simulator(net),
      x = new Float64Array(784);
    for (let s = 0; s < 50; s++) {
      for (let p = 0; p < 784; p++) x[p] = test.image(s)[p] / 255;
      const rec = sim.run(valuesToTimes(x, net.populations[0].window!));
      const u = rec.potentialOf(net.output);
      expect(rec.prediction()).toBe(u.indexOf(Math.max(...u)));
    }
  });

  it('softmaxValueError is ∂L/∂z of cross-entropy on β·z', () => {
    const z = [0.5, 3, 1.25, 0],
      beta = 1.5,
      y = 2;
    const L = (v: number[]) => {
      const e = v.map((q) => Math.exp(beta * q));
      return -Math.log(e[y] / e.reduce((s, q) => s + q));
    };
    const g = softmaxValueError(z, y, beta, new Float64Array(4));
    for (let k = 0; k < 4; k++) {
      const h = 1e-6,
        up = z.slice(),
        dn = z.slice();
      up[k] += h;
      dn[k] -= h;
      expect(g[k]).toBeCloseTo((L(up) - L(dn)) / (2 * h), 7);
    }
  });

  it('refuses options that do not go with the relu kernel', () => {
    const net = buildClassifier({ kernel: 'relu', hidden: [10] });
    expect(() => new ClassifierTrainer(net, { loss: 'ttfs', readout: 'potential' })).toThrow(/readout spike/);
    expect(() => new ClassifierTrainer(net, { workers: 2, optimiser: { batch: 8 } })).toThrow(/one thread/);
    expect(() => new ClassifierTrainer(net, { dropout: 1 })).toThrow(/dropout/);
    expect(() => new ClassifierTrainer(buildClassifier({ hidden: [10] }), { dropout: 0.2 })).toThrow(/relu/);
  });
});

describe('classify train --kernel relu (CLI)', () => {
  const cli = (...args: string[]) => runCli(tmp, ['classify', ...args], 90_000);
  const bad: [string, string[], string[]][] = [
    [
      'a TTFS loss on the potentials',
      ['--loss', 'ttfs', '--readout', 'potential'],
      ['--loss ttfs', '--readout potential'],
    ],
    ['an unknown readout', ['--readout', 'first'], ['--readout', 'first']],
    ['dropout 1', ['--dropout', '1'], ['--dropout', '1']],
    ['worker threads', ['--workers', '2'], ['--workers 2']],
    ['windows of the wrong count', ['--windows', '1,16'], ['--windows', '3 lengths']],
    ['a zero window', ['--windows', '1,0,16'], ['--windows']],
    ['the ramp penalty', ['--silent-penalty', '0.1'], ['--silent-penalty']],
    ['weight averaging (it leaves the biases out)', ['--average-epochs', '2'], ['--average-epochs 2', 'biases']],
  ];
  for (const [what, args, mentions] of bad) {
    it.concurrent(`refuses ${what}`, async () => {
      expectFailure(await cli('train', '--kernel', 'relu', '--quiet', ...args), 'classify train', mentions);
    });
  }
  it.concurrent('refuses relu options on the delta kernel', async () => {
    expectFailure(await cli('train', '--readout', 'potential', '--quiet'), 'classify train', ['--readout', 'relu']);
  });

  it('trains, saves and evaluates a small relu classifier with its twin beside', async () => {
    const out = join(tmp, 'relu.safetensors');
    const small = ['--epochs', '1', '--train-limit', '300', '--test-limit', '100', '--hidden', '20'];
    const t = await cli('train', '--kernel', 'relu', ...small, '--json', '--out', out);
    expect(t.code, t.stderr).toBe(0);
    const r = JSON.parse(t.stdout);
    expect(r.settings).toMatchObject({
      kernel: 'relu',
      loss: 'softmax',
      optimizer: 'adam',
      batch: 64,
      schedule: 'cosine',
      readout: 'spike',
      dropout: 0.3,
      windows: [1, 16, 8],
      beta: 1,
    });
    const { net } = loadModel(out);
    expect(net.output.window).toEqual({ start: 17, end: 25 });
    const e = await cli('eval', '--model', out, '--limit', '100', '--json');
    expect(e.code, e.stderr).toBe(0);
    const m = JSON.parse(e.stdout);
    expect(m.accuracy).toBe(r.test.accuracy);
    expect(m.twin.agreement).toBe(1);
    expect(Object.keys(m.spikesPerNeuron)).toEqual(['hidden1', 'output']);
    const text = await cli('eval', '--model', out, '--limit', '100');
    expect(text.stdout).toMatch(/float twin \(ANN\)/);
    expect(text.stdout).toMatch(/spikes per neuron/);
  });
});
