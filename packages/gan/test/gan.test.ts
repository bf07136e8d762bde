import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backprop, GradientCollector, Rng, type Network } from '@spiking-gan/core';
import { loadMnist } from '../src/data/mnist.ts';
import { makeConfig, type GanConfig } from '../src/models/config.ts';
import { loadCheckpoint, loadGenerator, saveCheckpoint, saveNetwork } from '../src/train/checkpoint.ts';
import { GanTrainer } from '../src/train/gan-trainer.ts';
import { sampleGenerator } from '../src/train/trainer.ts';

const data = loadMnist('test');
const dir = mkdtempSync(join(tmpdir(), 'sgan-gan-'));
const tiny = (preset: string, o: Partial<GanConfig> = {}) =>
  makeConfig(preset, { gHidden: 24, dHidden: 24, nz: 16, batch: 2, ...o });

const snapshot = (net: Network) => net.projections.map((p) => ({ w: Float64Array.from(p.weights), s: p.scale }));
const same = (a: ReturnType<typeof snapshot>, b: ReturnType<typeof snapshot>) =>
  a.every((x, k) => x.s === b[k].s && x.w.every((v, i) => v === b[k].w[i]));

describe('Spiking-GAN machinery', () => {
  it("ramp recipe: the error reaches G's weights exactly (G loss through D against finite differences)", () => {
    const tr = new GanTrainer(
      tiny('ramp', {
        bias: 0,
        gInit: [
          [-0.2, 0.6],
          [0.05, 0.5],
        ],
        dInit: [
          [-0.02, 0.08],
          [-0.1, 0.5],
        ],
      }),
      data,
    );
    const z = tr.noise(new Rng(3), 0, new Float64Array(tr.G.populations[0].size));
    const img = new Float64Array(tr.D.populations[0].size),
      err = new Float64Array(2);
    const gLoss = () => tr.dError(tr.simD.run((tr.generate(z, 0, img), img)), 0, err);
    const recG = tr.simG.run(z).clone();
    tr.generate(z, 0, img);
    const recD = tr.simD.run(img).clone();
    expect(recD.timesOf(tr.D.output).every((t) => t < tr.D.tmax)).toBe(true); // both D outputs fire: the loss is smooth
    tr.dError(recD, 0, err);
    const dIn = new Backprop(tr.D, { normalise: false, inputDelta: true }).run(recD, err, null).slice();
    // pixels G fires before its latency are clipped to time 0: there the true derivative is 0
    const tG = recG.timesOf(tr.G.output),
      dPix = dIn.slice(0, 784).map((v, p) => (tG[p] < tr.cfg.gLatency ? 0 : v));
    const sink = new GradientCollector(tr.G);
    new Backprop(tr.G, { normalise: false }).run(recG, dPix, sink);
    const h = 1e-7;
    let checked = 0,
      nonzero = 0;
    for (const pr of tr.G.projections) {
      for (let k = 0; k < pr.weights.length; k += 97) {
        const w = pr.weights[k];
        pr.weights[k] = w + h;
        const up = gLoss();
        pr.weights[k] = w - h;
        const dn = gLoss();
        pr.weights[k] = w;
        const fd = (up - dn) / (2 * h);
        expect(sink.grad[pr.index][k], `projection ${pr.index} weight ${k}`).toBeCloseTo(fd, 4);
        checked++;
        if (fd !== 0) nonzero++;
      }
    }
    expect(checked).toBeGreaterThan(30);
    expect(nonzero).toBeGreaterThan(5);
  });

  it("faithful recipe: D's input error reaches G's pixel weights with the right sign (S4NN rule)", () => {
    const tr = new GanTrainer(makeConfig('faithful', { batch: 1, decay: 0 }), data);
    const before = snapshot(tr.G);
    tr.generatorStep();
    const d = tr.lastPixelError,
      out = tr.G.projections[1];
    let agree = 0,
      moved = 0;
    for (let j = 0; j < out.src.size; j++) {
      for (let p = 0; p < 784; p++) {
        const k = j * 784 + p;
        const dw = out.scale * out.weights[k] - before[1].s * before[1].w[k];
        if (Math.abs(dw) < 1e-9) continue;
        moved++;
        // w ← w − η·δ: a pixel asked to fire earlier (δ < 0) gets stronger inputs
        if (Math.sign(dw) === -Math.sign(d[p])) agree++;
      }
    }
    expect(moved).toBeGreaterThan(100);
    expect(agree).toBe(moved);
    expect(d.some((x) => x !== 0)).toBe(true);
  });

  it('a G step leaves D unchanged, and a D step leaves G unchanged', () => {
    for (const preset of ['ramp', 'faithful']) {
      const tr = new GanTrainer(tiny(preset), data);
      const d0 = snapshot(tr.D),
        g0 = snapshot(tr.G);
      tr.generatorStep();
      expect(same(d0, snapshot(tr.D)), preset).toBe(true);
      expect(same(g0, snapshot(tr.G)), preset).toBe(false);
      const g1 = snapshot(tr.G);
      tr.discriminatorStep();
      expect(same(g1, snapshot(tr.G)), preset).toBe(true);
      expect(same(d0, snapshot(tr.D)), preset).toBe(false);
    }
  });

  it('resuming from a checkpoint equals an uninterrupted run, bit for bit', () => {
    for (const preset of ['ramp', 'faithful']) {
      const cfg = tiny(preset);
      const a = new GanTrainer(cfg, data);
      for (let s = 0; s < 4; s++) a.trainStep();
      const b = new GanTrainer(cfg, data);
      for (let s = 0; s < 2; s++) b.trainStep();
      const f = join(dir, `${preset}.ckpt.safetensors`);
      saveCheckpoint(f, b);
      const c = loadCheckpoint(f, data).trainer;
      for (let s = 0; s < 2; s++) c.trainStep();
      expect(c.step).toBe(4);
      expect(same(snapshot(a.G), snapshot(c.G)), preset).toBe(true);
      expect(same(snapshot(a.D), snapshot(c.D)), preset).toBe(true);
      expect(Buffer.from(a.sample(5, 9).pixels).equals(Buffer.from(c.sample(5, 9).pixels))).toBe(true);
    }
  });

  it('the same seed gives the same samples; a saved generator samples the same as the trainer', () => {
    const cfg = tiny('ramp');
    const a = new GanTrainer(cfg, data),
      b = new GanTrainer(cfg, data);
    a.trainStep();
    b.trainStep();
    expect(Buffer.from(a.sample(8, 1).pixels).equals(Buffer.from(b.sample(8, 1).pixels))).toBe(true);
    const f = join(dir, 'G.safetensors');
    saveNetwork(f, a, 'generator');
    const { G, cfg: back } = loadGenerator(f);
    expect(back).toEqual(cfg);
    expect(Buffer.from(sampleGenerator(G, back, 8, 1).pixels).equals(Buffer.from(a.sample(8, 1).pixels))).toBe(true);
  });

  it("conditional mode puts the label on both nets' inputs, then the bias neurons", () => {
    const tr = new GanTrainer(tiny('ramp', { conditional: true, labelCopies: 2, bias: 3 }), data);
    expect(tr.G.populations[0].size).toBe(16 + 20 + 3);
    expect(tr.D.populations[0].size).toBe(784 + 20 + 3);
    const z = tr.noise(new Rng(1), 7, new Float64Array(39));
    expect(Array.from(z.subarray(16)).map((t) => (t === 0 ? 1 : 0))).toEqual([
      ...Array(14).fill(0),
      1,
      1,
      0,
      0,
      0,
      0,
      1,
      1,
      1,
    ]);
    const s = tr.sample(10, 2);
    expect(Array.from(s.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('refuses inconsistent settings with the setting named', () => {
    expect(() => makeConfig('ramp', { batch: 0 })).toThrow(/batch must be a positive integer/);
    expect(() => makeConfig('faithful', { loss: 'bce' })).toThrow(/bce needs the ramp kernel/);
    expect(() => makeConfig('nope')).toThrow(/unknown preset 'nope'/);
  });
});
