// Data-parallel mini-batches on worker threads: the same seed and number of workers give the same
// weights bit for bit; the result matches the in-thread mini-batch path up to the order of the
// gradient sums; and the counts the trainer keeps (accuracy, spikes for the dead-neuron check) match.
import { describe, expect, it } from 'vitest';
import type { Network } from '@spiking-gan/core';
import { kernelMemory } from '@spiking-gan/core/internals';
import { buildClassifier } from '../src/classify/model.ts';
import { ClassifierTrainer } from '../src/classify/train.ts';
import { loadMnist } from '../src/data/mnist.ts';

const train = loadMnist('train');
const bytes = (net: Network) =>
  Buffer.concat(net.projections.map((p) => Buffer.from(p.weights.buffer, p.weights.byteOffset, p.weights.byteLength)));

async function run(
  workers: number,
  limit = 700,
): Promise<{ net: Network; acc: number[]; scales: number[]; lastReinit: number }> {
  const net = buildClassifier({ seed: 8 });
  const tr = new ClassifierTrainer(net, {
    seed: 9,
    workers,
    optimiser: { batch: 48, lr: 9.6 },
    schedule: 'cosine',
    epochs: 2,
    deadShare: 0.5,
  });
  try {
    const acc = [await tr.trainEpochAsync(train, undefined, limit), await tr.trainEpochAsync(train, undefined, limit)];
    return { net, acc, scales: net.projections.map((p) => p.scale), lastReinit: tr.lastReinit };
  } finally {
    await tr.close();
  }
}

// the workers share the weights through the WebAssembly kernel memory (none under SPIKING_GAN_ENGINE=ts)
const shared = kernelMemory() !== null;

describe('data-parallel training (worker threads sharing the weights)', () => {
  it.runIf(!shared)('without the kernel memory, workers are refused with the reason', async () => {
    await expect(run(2)).rejects.toThrow(/data-parallel training needs the WebAssembly kernel memory/);
  });

  it.skipIf(!shared)(
    'gives the same weights, bit for bit, for the same seed and number of workers; close to the in-thread path',
    async () => {
      const a = await run(2),
        b = await run(2),
        one = await run(1);
      expect(bytes(a.net).equals(bytes(b.net))).toBe(true);
      expect(a.acc).toEqual(b.acc);
      // another number of workers sums each batch's gradients in another order: the same up to rounding
      expect(a.acc).toEqual(one.acc);
      expect(a.scales).toEqual(one.scales);
      expect(a.lastReinit).toBe(one.lastReinit);
      for (let k = 0; k < a.net.projections.length; k++) {
        const x = a.net.projections[k].weights,
          y = one.net.projections[k].weights;
        let worst = 0;
        for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
        expect(worst).toBeLessThan(1e-9);
      }
    },
    120_000,
  );

  it.skipIf(!shared)(
    'startWorkers returns once each worker has started',
    async () => {
      const tr = new ClassifierTrainer(buildClassifier({ seed: 8 }), { seed: 9, workers: 3, optimiser: { batch: 48 } });
      try {
        await tr.startWorkers(train);
        const threads = (tr as unknown as { parallel: { threads: { ready(): Promise<void> }[] } }).parallel.threads;
        expect(threads.length).toBe(2);
        const pending = Symbol('pending');
        for (const t of threads) expect(await Promise.race([t.ready(), Promise.resolve(pending)])).toBeUndefined();
      } finally {
        await tr.close();
      }
    },
    60_000,
  );

  it('refuses workers without mini-batches', () => {
    expect(() => new ClassifierTrainer(buildClassifier(), { workers: 2 })).toThrow(/mini-batches/);
    expect(() => new ClassifierTrainer(buildClassifier(), { workers: 0, optimiser: { batch: 4 } })).toThrow(/workers/);
  });
});
