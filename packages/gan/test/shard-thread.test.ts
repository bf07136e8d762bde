// The worker threads of data-parallel GAN training (train/shard-thread.ts): tasks and replies in
// order, a worker's error as a reply, a worker that sleeps (no task for SPIN_MS) woken by the next
// task, a worker that stops without replying given up on, and a worker that fails to start rejecting `ready`.
import { describe, expect, it } from 'vitest';
import { ShardThread, SPIN_MS } from '../src/train/shard-thread.ts';

const fixture = (name: string) => new URL(`./fixtures/shard-thread/${name}.mjs`, import.meta.url);

describe('ShardThread', () => {
  it('runs tasks in order, replies with errors, and wakes a sleeping worker', async () => {
    const t = new ShardThread<number, number>(fixture('halve'), {});
    try {
      await t.ready();
      for (const n of [2, 7, 0]) {
        t.post(n);
        expect(t.result()).toEqual({ ok: true, result: n / 2 });
      }
      t.post(-3);
      expect(t.result()).toEqual({ ok: false, error: 'negative task -3' });
      await new Promise((r) => setTimeout(r, 3 * SPIN_MS)); // the worker stops polling and sleeps
      t.post(9);
      expect(t.result()).toEqual({ ok: true, result: 4.5 });
    } finally {
      await t.close();
    }
  }, 30_000);

  it('gives up on a worker that stopped without replying, instead of polling for ever', async () => {
    const t = new ShardThread<number, number>(fixture('dies'), {});
    try {
      await t.ready();
      t.post(1);
      expect(() => t.result(500)).toThrow('a training worker did not reply within 0.5 s (it may have stopped)');
    } finally {
      await t.close();
    }
  }, 30_000);

  it('rejects ready with the error of a worker that cannot start', async () => {
    const t = new ShardThread<number, number>(fixture('broken'), {});
    await expect(t.ready()).rejects.toThrow('cannot set up this shard');
    await t.close();
  }, 30_000);
});
