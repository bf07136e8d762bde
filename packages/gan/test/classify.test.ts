import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '@spiking-gan/core';
import { buildClassifier } from '../src/classify/model.ts';
import { ClassifierTrainer, softmaxError } from '../src/classify/train.ts';
import { evaluateClassifier } from '../src/classify/evaluate.ts';
import { loadMnist } from '../src/data/mnist.ts';

const train = loadMnist('train');
const test = loadMnist('test');
const dir = mkdtempSync(join(tmpdir(), 'sgan-classify-'));

describe('TTFS classifier training (S4NN defaults)', () => {
  it('learns from 3,000 images and is bit-identical for the same seed', () => {
    const run = () => {
      const net = buildClassifier({ seed: 3 });
      const tr = new ClassifierTrainer(net, { seed: 4 });
      tr.trainEpoch(train, undefined, 3000);
      return net;
    };
    const a = run(),
      b = run();
    for (let k = 0; k < 2; k++) {
      expect(a.projections[k].scale).toBe(b.projections[k].scale);
      const bytes = (w: Float64Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength);
      expect(bytes(a.projections[k].weights).equals(bytes(b.projections[k].weights))).toBe(true);
    }
    const m = evaluateClassifier(a, test, { limit: 1000 });
    expect(m.accuracy).toBeGreaterThan(0.45); // untrained: ~10 %; 3,000 images give ~58 %
    expect(m.spikesPerLayer.output).toBeLessThanOrEqual(10);
    expect(m.energy.macs).toBe(784 * 400 + 400 * 10);
    expect(m.energy.snnNj).toBeCloseTo((m.synapticEvents * 0.9) / 1000, 9);
  });

  it('re-initialises hidden neurons that stayed silent for the epoch', () => {
    const net = buildClassifier({ seed: 1 });
    const pr = net.projections[0];
    for (let i = 0; i < 784; i++) pr.weights[i * 400 + 7] = 0; // neuron 7 can never fire
    const tr = new ClassifierTrainer(net, { seed: 2 });
    tr.trainEpoch(train, undefined, 500);
    expect(pr.weights[7]).toBe(0); // not before the next epoch starts (S4NN resets after evaluating)
    tr.trainEpoch(train, undefined, 1);
    expect(tr.lastReinit).toBeGreaterThan(0);
    let sum = 0;
    for (let i = 0; i < 784; i++) sum += pr.weights[i * 400 + 7];
    expect(sum).toBeGreaterThan(100); // redrawn from U[0, 5]
  });

  it('softmax error is −∂L/∂t of cross-entropy on −β·t', () => {
    const t = [1, 2, 4],
      beta = 2,
      y = 1;
    const d = softmaxError(t, y, beta, 10, new Float64Array(3));
    const L = (tt: number[]) => {
      const z = tt.map((x) => Math.exp(-beta * x));
      return -Math.log(z[y] / z.reduce((a, b) => a + b));
    };
    for (let k = 0; k < 3; k++) {
      const h = 1e-6,
        up = t.slice(),
        dn = t.slice();
      up[k] += h;
      dn[k] -= h;
      expect(d[k]).toBeCloseTo(-(L(up) - L(dn)) / (2 * h), 6);
    }
  });
});

describe('weights-only model files written with NumPy', () => {
  const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
  it.runIf(hasNumpy)('evaluate as they are, with the same figures as the original (F32 weights)', () => {
    const net = buildClassifier({ seed: 5 });
    new ClassifierTrainer(net, { seed: 5 }).trainEpoch(train, undefined, 1000);
    const f = join(dir, 'trained.safetensors'),
      g = join(dir, 'numpy.safetensors');
    saveModel(f, net, { dtype: 'F32' });
    const py = spawnSync('python3', ['scripts/numpy_weights.py', f, g], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const back = loadModel(g);
    expect(Object.keys(back.metadata)).toEqual([]);
    const a = evaluateClassifier(loadModel(f).net, test, { limit: 500 });
    const b = evaluateClassifier(back.net, test, { limit: 500 });
    expect(b).toEqual(a);
  });
});
