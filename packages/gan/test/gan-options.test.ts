import { describe, expect, it } from 'vitest';
import { Rng, type Network } from '@spiking-gan/core';
import { loadMnist } from '../src/data/mnist.ts';
import { makeConfig, withDefaults, type GanConfig } from '../src/models/config.ts';
import { GanTrainer } from '../src/train/gan-trainer.ts';
import { loadCheckpoint, loadGenerator, saveCheckpoint, saveNetwork } from '../src/train/checkpoint.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mmdGradient } from '../src/train/mmd.ts';

const data = loadMnist('test');
const tiny = (o: Partial<GanConfig> = {}) =>
  makeConfig('ramp', {
    gHidden: 24,
    dHidden: 24,
    nz: 16,
    batch: 4,
    steps: 10,
    gInit: [
      [-0.2, 0.6],
      [0.05, 0.5],
    ],
    ...o,
  });
const weights = (net: Network) => net.projections.flatMap((p) => Array.from(p.weights, (w) => w * p.scale));
const run = (cfg: GanConfig, steps = 2) => {
  const tr = new GanTrainer(cfg, data);
  for (let s = 0; s < steps; s++) tr.trainStep();
  return [...weights(tr.G), ...weights(tr.D)];
};

describe('GAN stabilisers (options, off by default)', () => {
  it('the MMD gradient equals central differences, with and without labels', () => {
    const rng = new Rng(4),
      dim = 6,
      B = 5;
    const mk = () => Array.from({ length: B }, () => Float64Array.from({ length: dim }, () => rng.next() * 3));
    const fakes = mk(),
      reals = mk(),
      out = Array.from({ length: B }, () => new Float64Array(dim));
    for (const labels of [null, [0, 1, 0, 1, 1]]) {
      const lambda = 0.7;
      mmdGradient(fakes, reals, labels, lambda, out);
      const scratch = Array.from({ length: B }, () => new Float64Array(dim));
      const L = () => B * mmdGradient(fakes, reals, labels, lambda, scratch); // out holds −∂(λ·B·MMD²)/∂x
      for (let i = 0; i < B; i++) {
        for (let p = 0; p < dim; p++) {
          const h = 1e-6,
            x = fakes[i][p];
          fakes[i][p] = x + h;
          const up = L();
          fakes[i][p] = x - h;
          const down = L();
          fakes[i][p] = x;
          expect(out[i][p]).toBeCloseTo(-(up - down) / (2 * h), 6);
        }
      }
      expect(out.some((d) => d.some((v) => v !== 0))).toBe(true);
    }
  });

  it('instance noise falls linearly to 0; each stabiliser changes training and stays bit-reproducible', () => {
    const tr = new GanTrainer(tiny({ instanceNoise: 0.2, steps: 10 }), data);
    expect(tr.noiseSigma).toBeCloseTo(0.2, 12);
    for (let s = 0; s < 5; s++) tr.trainStep();
    expect(tr.noiseSigma).toBeCloseTo(0.1, 12);
    const base = run(tiny());
    for (const o of [
      { instanceNoise: 0.2 },
      { realTarget: 0.9 },
      { mmd: 1 },
      { mmd: 1, conditional: true },
      { mmd: 1, gObjective: 'none' as const },
      { mmd: 1, advWeight: 0.1 },
      { schedule: 'cosine' as const },
      { mmd: 1, conditional: true, digitGroup: 2 },
    ]) {
      const a = run(tiny(o)),
        b = run(tiny(o));
      expect(a).toEqual(b);
      expect(a).not.toEqual(base);
    }
  });

  it("G's moving average: what sampling and the saved G use, resumed bit for bit from a checkpoint", () => {
    const cfg = tiny({ gEma: 0.9 }),
      dir = mkdtempSync(join(tmpdir(), 'sgan-ema-'));
    const a = new GanTrainer(cfg, data);
    for (let s = 0; s < 5; s++) a.trainStep();
    expect(a.sampler).toBe(a.emaG);
    expect(weights(a.emaG!)).not.toEqual(weights(a.G));
    const b = new GanTrainer(cfg, data);
    for (let s = 0; s < 3; s++) b.trainStep();
    saveCheckpoint(join(dir, 'c.safetensors'), b);
    const c = loadCheckpoint(join(dir, 'c.safetensors'), data).trainer;
    for (let s = 0; s < 2; s++) c.trainStep();
    expect(weights(c.emaG!)).toEqual(weights(a.emaG!));
    expect(c.sample(4, 1).pixels).toEqual(a.sample(4, 1).pixels);
    saveNetwork(join(dir, 'G.safetensors'), a, 'generator');
    expect(weights(loadGenerator(join(dir, 'G.safetensors')).G).map((w) => Math.fround(w))).toEqual(
      weights(a.emaG!).map((w) => Math.fround(w)),
    );
  });

  it('a conditional generator draws the digit it is given', () => {
    const tr = new GanTrainer(tiny({ conditional: true, mmd: 1, gHidden: 100, gInit: makeConfig('ramp').gInit }), data);
    tr.trainStep();
    const seven = tr.sample(4, 1, 7),
      three = tr.sample(4, 1, 3);
    expect(Array.from(seven.labels)).toEqual([7, 7, 7, 7]);
    expect(seven.pixels).not.toEqual(three.pixels); // same noise, another label
    expect(Array.from(tr.sample(12, 1).labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  });

  it('refuses settings that cannot work and loads configs written before these options existed', () => {
    expect(() => tiny({ gObjective: 'none' })).toThrow(/gObjective none leaves G without an objective/);
    expect(() => tiny({ realTarget: 0.4 })).toThrow(/realTarget must be in \(0.5, 1\]/);
    expect(() => makeConfig('faithful', { realTarget: 0.9 })).toThrow(/needs the bce loss/);
    expect(() => tiny({ instanceNoise: -1 })).toThrow(/instanceNoise must be a number >= 0/);
    const old: Partial<GanConfig> = { ...tiny() };
    delete old.instanceNoise;
    delete old.realTarget;
    delete old.diversity;
    delete old.mmd;
    delete old.advWeight;
    delete old.gSilentPenalty;
    delete old.gEma;
    delete old.schedule;
    delete old.digitGroup;
    expect(withDefaults(old)).toEqual(tiny());
  });
});
