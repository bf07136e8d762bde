// examples/08-training.ts — run with: pnpm exec tsx examples/08-training.ts
// Training through the library API, in miniature: a TTFS classifier (S4NN's learning rule) on 5,000
// MNIST digits, saved and loaded back; then 40 steps of the Spiking-GAN's default recipe (the relu
// preset) with a 4 × 4 grid of its samples. `spiking-gan classify train` and `spiking-gan train` run
// the full-sized versions. Writing a training loop by hand instead (Backprop + Optimiser)? Call
// `optimiser.endSample()` after each sample's backward pass: mini-batches and Adam update there
// (examples/07-relu-neuron.ts shows such a loop).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, saveModel } from '@spiking-gan/core';
import {
  buildClassifier,
  ClassifierTrainer,
  createTrainer,
  evaluateClassifier,
  imageGridPng,
  loadMnist,
  makeConfig,
  sampleGenerator,
} from '@spiking-gan/gan';

const train = loadMnist('train'),
  test = loadMnist('test');
const dir = mkdtempSync(join(tmpdir(), 'spiking-gan-training-'));
try {
  // 1. A 784-100-10 classifier, one pass of per-sample SGD over 5,000 digits.
  const net = buildClassifier({ hidden: [100], seed: 1 });
  const trainer = new ClassifierTrainer(net, { seed: 2 });
  const trainAcc = trainer.trainEpoch(train, undefined, 5000);
  const m = evaluateClassifier(net, test, { limit: 500 });
  console.log(
    `classifier: ${(100 * trainAcc).toFixed(1)} % right while training, ${(100 * m.accuracy).toFixed(1)} % ` +
      `of 500 test digits, decided at step ${m.inferenceTime.toFixed(1)} of ${net.tmax} on average`,
  );
  const file = join(dir, 'classifier.safetensors');
  saveModel(file, net);
  const again = evaluateClassifier(loadModel(file).net, test, { limit: 500 });
  console.log(`classifier: saved and loaded back, same accuracy: ${again.accuracy === m.accuracy}`);

  // 2. The GAN: the relu preset with batches of 8, 40 steps.
  const cfg = makeConfig('relu', { batch: 8, steps: 40, seed: 3 });
  const gan = createTrainer(cfg, train);
  for (let s = 1; s <= cfg.steps; s++) {
    const st = gan.trainStep();
    if (s % 10 === 0) {
      console.log(
        `gan step ${st.step}: D right on ${(100 * st.dRealRight).toFixed(0)} % of real and ` +
          `${(100 * st.dFakeRight).toFixed(0)} % of fake images; G fooled D on ${(100 * st.gFooled).toFixed(0)} %`,
      );
    }
  }
  const { pixels } = sampleGenerator(gan.G, cfg, 16, 4);
  const png = join(dir, 'samples.png');
  writeFileSync(png, imageGridPng(pixels, 16, 4, 4));
  console.log(
    `gan: ${pixels.length / 784} samples written to ${png} (after ${cfg.steps} steps: noise yet; ` +
      `the recipe takes ${makeConfig('relu').steps})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
