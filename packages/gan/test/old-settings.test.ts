// Files written before the settings optimizer, lrD and lrG were renamed optimiser, dLr and gLr still
// load under the new names and go on exactly as the old code did. The fixtures were written by the
// code of commit 7ddc3a5: tiny relu-cond and faithful runs, 2 of 4 steps, on the MNIST test set; the
// hashes below are what that code gave for their samples and for their weights after 2 more steps.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors } from '@spiking-gan/core';
import { loadMnist } from '../src/data/mnist.ts';
import { loadCheckpoint, loadGenerator } from '../src/train/checkpoint.ts';
import { sampleGenerator, type Trainer } from '../src/train/trainer.ts';

const DIR = new URL('./fixtures/old-settings/', import.meta.url);
const data = loadMnist('test');

/** sha256 of G's and D's weights, scales and biases. */
function weightsHash(tr: Trainer): string {
  const h = createHash('sha256');
  const bytes = (a: Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (const net of [tr.G, tr.D]) {
    for (const p of net.projections) h.update(bytes(p.weights)).update(String(p.scale));
    for (const p of net.populations) h.update(bytes(p.bias));
  }
  return h.digest('hex');
}

const CASES = [
  {
    name: 'relu-cond',
    dLr: 3e-4,
    gLr: 5e-4,
    optimiser: 'adam',
    samples: 'e46f3671e22130b435384af4fa057df7b81730d8787a1c990576185915b8f2dc',
    step4: '170faafbf0755e3f89a52b9fb071f654e458e70fd40d255d6f162a9aef58951b',
  },
  {
    name: 'faithful',
    dLr: 0.1,
    gLr: 0.2,
    optimiser: 'sgd',
    samples: 'b00cd820a573181c37db022786eec519e6440cc3643181e0449da9c3f8f3e271',
    step4: '2891a4fd9150028a7250e06a0037198bf985cb2a14a715b01a97a7bc25f37d85',
  },
];

describe('files with the old setting names', () => {
  for (const c of CASES) {
    it(`${c.name}: the checkpoint resumes under the new names, step for step as the old code`, () => {
      const path = new URL(`${c.name}-checkpoint.safetensors`, DIR).pathname;
      const { metadata } = decodeSafetensors(readFileSync(path));
      expect(Object.keys(JSON.parse(metadata.config))).toEqual(expect.arrayContaining(['optimizer', 'lrD', 'lrG']));
      const tr = loadCheckpoint(path, data).trainer;
      expect(tr.cfg).toMatchObject({ dLr: c.dLr, gLr: c.gLr, optimiser: c.optimiser });
      for (const old of ['optimizer', 'lrD', 'lrG']) expect(tr.cfg).not.toHaveProperty(old);
      tr.trainStep();
      tr.trainStep();
      expect(weightsHash(tr)).toBe(c.step4);
    });

    it(`${c.name}: the generator model file loads and samples as before`, () => {
      const { G, cfg } = loadGenerator(new URL(`${c.name}-G.safetensors`, DIR).pathname);
      expect(cfg).toMatchObject({ dLr: c.dLr, gLr: c.gLr, optimiser: c.optimiser });
      const { pixels } = sampleGenerator(G, cfg, 4, 1);
      expect(createHash('sha256').update(pixels).digest('hex')).toBe(c.samples);
    });
  }
});
