// The Spiking-GAN on ReLU-equivalent neurons: the SNN trains as its float twin does, G's gradient
// through D is exact, checkpoints resume bit for bit, and the recipe refuses pixel-statistics terms.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GradientCollector, type Network } from '@spiking-gan/core';
import { loadMnist } from '../src/data/mnist.ts';
import { makeConfig, type GanConfig } from '../src/models/config.ts';
import { loadCheckpoint, loadGenerator, saveCheckpoint, saveNetwork } from '../src/train/checkpoint.ts';
import { ReluGanTrainer } from '../src/train/relu-trainer.ts';
import { sampleGenerator } from '../src/train/trainer.ts';

const data = loadMnist('test');
const dir = mkdtempSync(join(tmpdir(), 'sgan-relu-'));
// the plain relu GAN (the preset's InfoGAN code off), small
const tiny = (o: Partial<GanConfig> = {}) =>
  makeConfig('relu', { gHidden: 24, dHidden: 24, nz: 8, batch: 4, infoCode: false, auxClass: 0, ...o });

/** Largest relative difference between the parameters (weights with scale, biases) of two networks. */
function worstRelative(a: Network, b: Network): number {
  let worst = 0;
  const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(Math.abs(y), 1e-3);
  a.projections.forEach((p, k) => {
    const q = b.projections[k];
    for (let e = 0; e < p.weights.length; e++)
      worst = Math.max(worst, rel(p.weights[e] * p.scale, q.weights[e] * q.scale));
  });
  a.populations.forEach((p, k) =>
    p.bias.forEach((v, j) => (worst = Math.max(worst, rel(v, b.populations[k].bias[j])))),
  );
  return worst;
}

/** (loss(a[k] + h) − loss(a[k] − h)) / 2h, with a[k] put back. */
function centralDifference(a: Float64Array, k: number, loss: () => number, h = 1e-6): number {
  const w = a[k];
  a[k] = w + h;
  const up = loss();
  a[k] = w - h;
  const dn = loss();
  a[k] = w;
  return (up - dn) / (2 * h);
}

const params = (net: Network) => [
  ...net.projections.map((p) => Array.from(p.weights)),
  ...net.populations.map((p) => Array.from(p.bias)),
];

/**
 * D's error from its last `loss()` (left in `tr.err`) backpropagated to its output weights equals central
 * differences.
 */
function expectOutputGradient(tr: ReluGanTrainer, loss: () => number): void {
  const sink = new GradientCollector(tr.D);
  tr.passD.backward(tr.err, sink);
  const out = tr.D.projections[1];
  let nonzero = 0;
  for (let k = 0; k < out.weights.length; k += 7) {
    const fd = centralDifference(out.weights, k, loss);
    expect(Math.abs(sink.grad[1][k] - fd), `output weight ${k}`).toBeLessThan(1e-6);
    if (Math.abs(fd) > 1e-9) nonzero++;
  }
  expect(nonzero).toBeGreaterThan(3);
}

describe('Spiking-GAN on ReLU-equivalent neurons', () => {
  for (const cond of [false, true]) {
    // the conditional run also packs two images per D input, with leaky pairs, dropout and the clip surrogate
    const extra: Partial<GanConfig> = cond ? { pack: 2, leaky: 0.2, dDropout: 0.3, silentPixel: 'late' } : {};
    const variant = cond ? 'conditional, pack 2, leaky, dropout' : 'unconditional';
    const title = 'the spiking GAN trains as its float twin: 25 steps end with G and D equal to 1e-9 relative';
    it(`${title} (${variant})`, () => {
      const snn = new ReluGanTrainer(tiny({ conditional: cond, gEma: 0.9, ...extra }), data);
      const twin = new ReluGanTrainer(tiny({ conditional: cond, gEma: 0.9, floatTwin: true, ...extra }), data);
      expect(worstRelative(snn.G, twin.G)).toBe(0);
      let moved = 0;
      for (let s = 0; s < 25; s++) {
        const a = snn.trainStep(),
          b = twin.trainStep();
        expect(a.dRealRight).toBe(b.dRealRight);
        moved += a.gLoss;
      }
      expect(moved).toBeGreaterThan(0);
      expect(worstRelative(snn.G, twin.G)).toBeLessThan(1e-9);
      expect(worstRelative(snn.D, twin.D)).toBeLessThan(1e-9);
      expect(worstRelative(snn.emaG!, twin.emaG!)).toBeLessThan(1e-9);
      // and the parameters did move from their initialisation
      expect(worstRelative(snn.G, new ReluGanTrainer(tiny({ conditional: cond, ...extra }), data).G)).toBeGreaterThan(
        1e-3,
      );
    });
  }

  it("G's gradient through D equals central finite differences of the generator loss", () => {
    // the exact gradient: one image per D input, no clip surrogate
    const tr = new ReluGanTrainer(tiny({ pack: 1, silentPixel: 'none' }), data);
    for (let s = 0; s < 5; s++) tr.trainStep(); // away from the initialisation
    const z = new Float64Array(tr.G.populations[0].size);
    for (let i = 0; i < z.length; i++) z[i] = i % 3 === 0 ? 0 : 0.2 + (i % 7) * 0.3;
    const img = new Float64Array(784);
    const loss = () => {
      img.set(tr.passG.forward(z));
      return tr.dLoss(tr.passD.forward(img), 0).loss;
    };
    loss(); // leaves G's and D's passes and D's error at the base point
    const sink = new GradientCollector(tr.G);
    const dx = tr.passD.backward(tr.err, null, true);
    tr.passG.backward(dx.subarray(0, 784), sink);
    let checked = 0,
      nonzero = 0;
    for (const pr of tr.G.projections) {
      for (let k = 0; k < pr.weights.length; k += 53) {
        const fd = centralDifference(pr.weights, k, loss);
        expect(Math.abs(sink.grad[pr.index][k] - fd), `projection ${pr.index} weight ${k}`).toBeLessThan(1e-6);
        checked++;
        if (Math.abs(fd) > 1e-9) nonzero++;
      }
    }
    expect(checked).toBeGreaterThan(30);
    expect(nonzero).toBeGreaterThan(10);
  });

  for (const [what, o, outs] of [
    ['projection D', { projection: true }, 11],
    ['auxiliary classifier', { auxClass: 0.5 }, 21],
  ] as const) {
    it(`${what}: the twin still matches, and D's error is the exact gradient of its loss`, () => {
      const cfg = tiny({ conditional: true, pack: 2, silentPixel: 'late', ...o });
      const snn = new ReluGanTrainer(cfg, data),
        twin = new ReluGanTrainer({ ...cfg, floatTwin: true }, data);
      expect(snn.D.output.size).toBe(outs);
      for (let s = 0; s < 10; s++) expect(snn.trainStep().dRealRight).toBe(twin.trainStep().dRealRight);
      expect(worstRelative(snn.G, twin.G)).toBeLessThan(1e-9);
      expect(worstRelative(snn.D, twin.D)).toBeLessThan(1e-9);
      // the digits of the last fakes stay in place: D's loss on an image pair as a function of its output weights
      const img = new Float64Array(snn.D.populations[0].size);
      for (let i = 0; i < img.length; i++) img[i] = (i * 37) % 11 === 0 ? 0.9 : (i % 5) * 0.1;
      const loss = () => snn.dLoss(snn.passD.forward(img), 0).loss;
      loss();
      const lit = Array.from(snn.err, (e) => e !== 0).filter(Boolean).length;
      // projection: the shared neuron and the digits' neurons; classifier: the readout and all class logits
      if ('projection' in o) expect([2, 3]).toContain(lit);
      else expect(lit).toBe(21);
      expectOutputGradient(snn, loss);
      expect(() => makeConfig('relu', { ...o, infoCode: false })).toThrow(/needs the relu kernel, conditional mode/);
    });
  }

  it("InfoGAN code: no label of the data is used; D learns the fakes' codes; the twin still matches", () => {
    const cfg = tiny({ infoCode: true, auxClass: 0.5, pack: 2, silentPixel: 'late' });
    const snn = new ReluGanTrainer(cfg, data),
      twin = new ReluGanTrainer({ ...cfg, floatTwin: true }, data);
    // the same data with every label changed: labels are not read, so the run is the same bit for bit
    const relabelled = data.labels.map((l) => (l + 3) % 10);
    const blind = new ReluGanTrainer(cfg, { ...data, image: (i: number) => data.image(i), labels: relabelled });
    expect(snn.G.populations[0].size).toBe(2 * 8 + 10); // z+, z- and the code
    expect(snn.D.populations[0].size).toBe(2 * 784); // D never sees the code
    expect(snn.D.output.size).toBe(21);
    for (let s = 0; s < 10; s++) {
      const a = snn.trainStep();
      expect(a.dRealRight).toBe(twin.trainStep().dRealRight);
      expect(blind.trainStep()).toEqual(a);
    }
    expect(params(blind.G)).toEqual(params(snn.G));
    expect(params(blind.D)).toEqual(params(snn.D));
    expect(worstRelative(snn.G, twin.G)).toBeLessThan(1e-9);
    expect(worstRelative(snn.D, twin.D)).toBeLessThan(1e-9);
    const img = new Float64Array(snn.D.populations[0].size);
    for (let i = 0; i < img.length; i++) img[i] = (i * 37) % 11 === 0 ? 0.9 : (i % 5) * 0.1;
    const lit = () => Array.from(snn.err, (e) => e !== 0).filter(Boolean).length;
    // D on real images: the adversarial readout only; D on fakes and G's step: the codes' cross-entropy too
    snn.dLoss(snn.passD.forward(img), 0);
    expect(lit()).toBe(1);
    snn.dLoss(snn.passD.forward(img), 0, 1, true);
    expect(lit()).toBe(21);
    const loss = () => snn.dLoss(snn.passD.forward(img), 1).loss;
    loss();
    expect(lit()).toBe(21);
    expectOutputGradient(snn, loss);
    // samples cycle through the codes, and carry no labels to judge against (eval treats G as unconditional)
    expect(Array.from(snn.sample(12, 1).labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(() => makeConfig('relu', { auxClass: 0 })).toThrow(/infoCode needs the relu kernel, auxClass > 0/);
    expect(() => makeConfig('relu-cond', { infoCode: true, projection: false })).toThrow(/no conditional mode/);
  });

  it('resuming from a checkpoint gives the same weights, biases and moments as not stopping', () => {
    const cfg = tiny({ gEma: 0.99, conditional: true, dDropout: 0.2, leaky: 0.1 });
    const straight = new ReluGanTrainer(cfg, data);
    for (let s = 0; s < 6; s++) straight.trainStep();
    const first = new ReluGanTrainer(cfg, data);
    for (let s = 0; s < 3; s++) first.trainStep();
    const ckpt = join(dir, 'checkpoint.safetensors');
    saveCheckpoint(ckpt, first);
    const resumed = loadCheckpoint(ckpt, data).trainer as ReluGanTrainer;
    for (let s = 0; s < 3; s++) resumed.trainStep();
    for (const k of ['G', 'D', 'emaG'] as const) expect(params(resumed[k]!)).toEqual(params(straight[k]!));
    expect(Array.from(resumed.optG.biasM[1])).toEqual(Array.from(straight.optG.biasM[1]));
  });

  it('a saved generator samples the same images as the trainer; the same seed gives the same bytes', () => {
    const tr = new ReluGanTrainer(tiny({ conditional: true }), data);
    for (let s = 0; s < 3; s++) tr.trainStep();
    const path = join(dir, 'G.safetensors');
    saveNetwork(path, tr, 'generator');
    const { G, cfg } = loadGenerator(path);
    const a = sampleGenerator(G, cfg, 20, 5),
      b = tr.sample(20, 5);
    expect(Array.from(a.pixels)).toEqual(Array.from(b.pixels));
    expect(Array.from(a.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(a.pixels).size).toBeGreaterThan(10); // grey levels, not a binary image
  });

  it('TTFS and Aggressive TTFS outputs train D too (two spiking output neurons)', () => {
    for (const loss of ['ttfs', 'aggressive'] as const) {
      const tr = new ReluGanTrainer(tiny({ loss, pack: 1 }), data);
      expect(tr.D.output.size).toBe(2);
      let right = 0;
      for (let s = 0; s < 15; s++) right += tr.trainStep().dRealRight;
      expect(right).toBeGreaterThan(0);
    }
  });

  it('refuses pixel-statistics terms and settings the relu kernel does not have, naming them', () => {
    expect(() => makeConfig('relu', { mmd: 1 })).toThrow(/adversarial term alone: mmd must be 0/);
    expect(() => makeConfig('relu', { gObjective: 'features' })).toThrow(/non-saturating loss/);
    expect(() => makeConfig('relu', { hiddenWindow: 0 })).toThrow(/hiddenWindow must be a positive number/);
    // found by the metadata fuzz: a window of 5e-324 ended where it started, and the run failed deep inside
    expect(() => makeConfig('relu', { outWindow: 5e-324 })).toThrow(/outWindow must be at least 1e-6, got 5e-324/);
    expect(() => makeConfig('ramp', { floatTwin: true })).toThrow(/floatTwin needs the relu kernel/);
  });
});
