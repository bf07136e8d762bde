// Data-parallel training of the relu GAN (train/parallel-gan.ts): one shard is the one-thread trainer
// bit for bit (weights, moments, EMA, figures); a seed and a number of threads give the same weights
// every time; 2 threads stay within summation-order rounding of 1 after a few steps; a checkpoint
// resumes on threads bit for bit; what cannot train on threads is refused with the reason.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Network } from '@spiking-gan/core';
import { kernelMemory } from '@spiking-gan/core/internals';
import { loadMnist } from '../src/data/mnist.ts';
import { makeConfig, type GanConfig } from '../src/models/config.ts';
import { loadCheckpoint, saveCheckpoint } from '../src/train/checkpoint.ts';
import { parallelRefusal, startParallelGan } from '../src/train/parallel-gan.ts';
import { ReluGanTrainer } from '../src/train/relu-trainer.ts';
import type { StepStats } from '../src/train/stats.ts';
import { runCli } from './run-cli.ts';

const data = loadMnist('test');
const dir = mkdtempSync(join(tmpdir(), 'sgan-parallel-'));
// relu-cond, small: tied noise in G (its update folds between the sum and the step); `ties`: D with
// leaky pairs and dropout too (D's own copy of its hidden biases, masks drawn up front)
const small = (o: Partial<GanConfig> = {}) =>
  makeConfig('relu-cond', { gHidden: 24, dHidden: 24, nz: 8, batch: 8, ...o });
const recipes: [string, Partial<GanConfig>][] = [
  ['relu-cond', {}],
  ['relu-cond with D dropout and leaky pairs, 2 D steps', { dDropout: 0.25, leaky: 0.2, dSteps: 2 }],
];

/** Every stored value of the trainer: G, D, the EMA, Adam moments, lazy scales, random states. */
function state(tr: ReluGanTrainer): Buffer {
  const parts: Buffer[] = [];
  const arr = (a: Float64Array) => parts.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  for (const opt of [tr.optG, tr.optD]) for (const a of opt.updateArrays()) [a.w, a.m, a.v, a.g].forEach(arr);
  const nets = [tr.G, tr.D, ...(tr.emaG ? [tr.emaG] : [])];
  for (const net of nets) {
    net.projections.forEach((p) => arr(Float64Array.of(p.scale, ...p.weights)));
    net.populations.forEach((p) => arr(p.bias));
  }
  arr(Float64Array.of(tr.step, tr.optG.steps, tr.optD.steps, tr.rngData.next(), tr.rngNoise.next()));
  return Buffer.concat(parts);
}

async function train(cfg: GanConfig, workers: number | null, steps: number): Promise<[ReluGanTrainer, StepStats[]]> {
  const tr = new ReluGanTrainer(cfg, data),
    stats: StepStats[] = [];
  if (workers === null) {
    for (let s = 0; s < steps; s++) stats.push(tr.trainStep());
    return [tr, stats];
  }
  const par = await startParallelGan(tr, workers);
  try {
    for (let s = 0; s < steps; s++) stats.push(await par.trainStep());
  } finally {
    await par.close();
  }
  return [tr, stats];
}

/** Largest difference between the parameters (weights with scale, biases) of two networks, over their largest. */
function worstDifference(a: Network, b: Network): number {
  let diff = 0,
    size = 0;
  const see = (x: number, y: number) => {
    diff = Math.max(diff, Math.abs(x - y));
    size = Math.max(size, Math.abs(y));
  };
  a.projections.forEach((p, k) => {
    const q = b.projections[k];
    for (let e = 0; e < p.weights.length; e++) see(p.weights[e] * p.scale, q.weights[e] * q.scale);
  });
  a.populations.forEach((p, k) => p.bias.forEach((v, j) => see(v, b.populations[k].bias[j])));
  return diff / size;
}

// the threads share the weights through the WebAssembly kernel memory (none under SPIKING_GAN_ENGINE=ts)
const shared = kernelMemory() !== null;

describe.skipIf(!shared)('data-parallel GAN training', () => {
  for (const [name, o] of recipes) {
    it(`${name}: one shard is the one-thread trainer, bit for bit`, async () => {
      const cfg = small(o);
      const [plain, plainStats] = await train(cfg, null, 3),
        [one, oneStats] = await train(cfg, 1, 3);
      expect(state(one).equals(state(plain))).toBe(true);
      expect(oneStats).toEqual(plainStats);
    });

    it(`${name}: 2 threads give the same weights every time, within rounding of 1 thread`, async () => {
      const cfg = small(o);
      const [a] = await train(cfg, 2, 3),
        [b] = await train(cfg, 2, 3),
        [one] = await train(cfg, null, 3);
      expect(state(a).equals(state(b))).toBe(true);
      expect(state(a).equals(state(one))).toBe(false);
      // Only the order of the gradient sums differs (each shard's sum, then theirs): a rounding of
      // 2^-53 relative per addition, δg ≲ 1e-15 for gradients of order 0.1 summed over 16 packs.
      // Adam's step lr·m̂/(√v̂ + ε) changes by at most lr·δg/ε (its slope in g is largest at g = 0):
      // 2e-4 · 1e-15 / 1e-8 = 2e-11 per step, about 2e-10 of the largest parameter (of order 0.1),
      // so three steps stay below 1e-9 of it (measured here: 1.4e-16).
      for (const k of ['G', 'D'] as const) expect(worstDifference(a[k], one[k])).toBeLessThan(1e-9);
    });
  }

  it('3 threads: each shard keeps its thread from D phase to G phase (the same weights twice)', async () => {
    const cfg = small({ batch: 12 });
    const [a] = await train(cfg, 3, 2),
      [b] = await train(cfg, 3, 2);
    expect(state(a).equals(state(b))).toBe(true);
  });

  it('a non-finite update stops training with the error of the one-thread trainer', async () => {
    // a negative Adam moment makes the next update NaN: in G (noticed after the step), in D (G's step fails)
    for (const spoil of [
      (tr: ReluGanTrainer) => (tr.optG.v[1][5] = -1),
      (tr: ReluGanTrainer) => (tr.optD.v[0][5] = -1),
    ]) {
      const errors: unknown[] = [];
      for (const workers of [null, 2]) {
        const tr = new ReluGanTrainer(small(), data),
          par = workers === null ? null : await startParallelGan(tr, workers);
        try {
          await (par ? par.trainStep() : tr.trainStep());
          spoil(tr);
          await (par ? par.trainStep() : tr.trainStep());
          errors.push('no error');
        } catch (e) {
          errors.push(`${(e as Error).name}: ${(e as Error).message}`);
        } finally {
          await par?.close();
        }
      }
      expect(errors[1]).toBe(errors[0]);
      expect(errors[0]).not.toBe('no error');
    }
  });

  it('a checkpoint resumes on threads bit for bit', async () => {
    const cfg = small({ dDropout: 0.25, steps: 4 });
    const [whole] = await train(cfg, 2, 4);
    const [half] = await train(cfg, 2, 2);
    const ckpt = join(dir, 'checkpoint.safetensors');
    saveCheckpoint(ckpt, half);
    const resumed = loadCheckpoint(ckpt, data).trainer as ReluGanTrainer;
    const par = await startParallelGan(resumed, 2);
    try {
      while (resumed.step < 4) await par.trainStep();
    } finally {
      await par.close();
    }
    expect(state(resumed).equals(state(whole))).toBe(true);
  });
});

describe.skipIf(!shared)('spiking-gan train --workers', () => {
  it('resumes on 2 threads to the files of a run that did not stop', async () => {
    const small = ['--g-hidden', '24', '--d-hidden', '24', '--nz', '8', '--batch', '8', '--samples', '4', '--quiet'];
    const go = (out: string, ...more: string[]) =>
      runCli(dir, ['train', ...small, '--workers', '2', '--out', out, ...more]);
    const [whole, first] = await Promise.all([go('whole', '--steps', '4'), go('cut', '--steps', '2')]);
    const rest = await runCli(dir, ['train', '--resume', '--steps', '4', '--workers', '2', '--out', 'cut', '--quiet']);
    for (const r of [whole, first, rest]) expect(r.stderr).toBe('');
    for (const f of ['G.safetensors', 'D.safetensors']) {
      expect(readFileSync(join(dir, 'cut', f)).equals(readFileSync(join(dir, 'whole', f)))).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(dir, 'cut', 'figures.json'), 'utf8')).workers).toBe(2);
  });
});

describe('what data-parallel GAN training refuses', () => {
  it('spiking-gan train refuses --workers for a preset of another kernel, saying why', async () => {
    const r = await runCli(dir, ['train', '--preset', 'digits', '--workers', '2', '--out', 'refused']);
    expect([r.code, r.stderr.trim()]).toEqual([
      1,
      "spiking-gan train: --workers 2: data-parallel training is for the relu kernel's GAN (presets relu-cond " +
        'and relu); this run uses the ramp kernel, which trains in one thread',
    ]);
  });

  it('other kernels, the float twin, fewer packs than threads, without the kernel memory', async () => {
    expect(parallelRefusal(makeConfig('digits'), 2)).toMatch(
      /for the relu kernel's GAN \(presets relu-cond and relu\); this run uses the ramp kernel/,
    );
    expect(parallelRefusal(small({ floatTwin: true }), 2)).toMatch(/the float twin trains in one thread/);
    expect(parallelRefusal(small({ batch: 4 }), 3)).toBe(
      '3 threads need at least 3 packs of D per step (batch/pack is 2)',
    );
    expect(parallelRefusal(makeConfig('digits'), 1)).toBeNull();
    const tr = new ReluGanTrainer(small(), data);
    if (shared) expect(parallelRefusal(small(), 2)).toBeNull();
    else await expect(startParallelGan(tr, 2)).rejects.toThrow(/needs the WebAssembly kernel memory/);
  });
});
