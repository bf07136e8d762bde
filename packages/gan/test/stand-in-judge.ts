// Test helper: the project's judge takes minutes to train, so tests that run `spiking-gan eval` cache a
// stand-in instead: the judge's architecture trained for one epoch on 3,000 digits, saved under the full
// recipe's name and metadata (the cache is trusted by its metadata). Its figures are not the project's,
// but every code path that loads and uses the judge is.
import { writeSafetensorsFile } from '@spiking-gan/core';
import { loadMnist } from '../src/data/mnist.ts';
import { judgeCachePath, trainJudge } from '../src/quality/index.ts';

const D = 784;

/** Writes the stand-in judge into judge cache folder `dir` (as --judge-cache takes it). */
export function cacheStandInJudge(dir: string): void {
  const train = loadMnist('train');
  const test = loadMnist('test');
  // the default recipe's settings (seed 1, 15 epochs, batch 64, lr 0.002, shift 1), trained for 1 epoch
  const judge = trainJudge({
    seed: 1,
    epochs: 1,
    batchSize: 64,
    lr: 0.002,
    shift: 1,
    test: null,
    train: { n: 3000, images: train.images.subarray(0, 3000 * D), labels: train.labels.subarray(0, 3000) },
  });
  judge.info.epochs = 15;
  judge.info.testAccuracy = judge.accuracy({ n: 1000, images: test.images.subarray(0, 1000 * D), labels: test.labels });
  writeSafetensorsFile(judgeCachePath(dir, 1), judge.toTensors(), judge.metadata());
}
