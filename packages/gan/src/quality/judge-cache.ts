// The judge of a machine: trained once per recipe, then loaded from a cache file whose metadata must
// match the recipe asked for; progress lines while it trains.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFileError, readSafetensorsFile, writeSafetensorsFile } from '@spiking-gan/core';
import { judgeCacheDir } from '../cache-dir.ts';
import { Judge, JUDGE_ARCH, judgeRecipe, JUDGE_VERSION } from './judge.ts';
import { trainJudge, type TrainJudgeOptions } from './judge-train.ts';

/** Options of `loadOrTrainJudge`: the training recipe (always on the full MNIST train set) and a log. */
export interface LoadOrTrainOptions extends Omit<TrainJudgeOptions, 'train' | 'test'> {
  /** Progress lines (cache hit/miss, why a cache was refused, training figures). Default: none. */
  log?: (line: string) => void;
  /** Ignore any cache and retrain (the new weights replace the cache). */
  retrain?: boolean;
}

/**
 * A trainJudge `onProgress` that writes progress lines to `log`: each quarter of the first epoch, then
 * the end of each epoch, with the training accuracy so far, the time spent and an estimate of the time left.
 */
export function judgeProgress(
  log: (line: string) => void,
  epochs: number,
  clock = () => performance.now(),
): NonNullable<TrainJudgeOptions['onProgress']> {
  const t0 = clock();
  let quarter = 0;
  return (epoch, batch, batches, acc) => {
    const q = Math.floor((4 * batch) / batches);
    const due = batch === batches || (epoch === 1 && q > quarter);
    quarter = epoch === 1 ? q : 4;
    if (!due) return;
    const spent = (clock() - t0) / 1000,
      done = epoch - 1 + batch / batches,
      left = (spent / done) * (epochs - done);
    const share = Math.round((100 * batch) / batches);
    log(
      `judge: epoch ${epoch}/${epochs} ${share} %, training accuracy ${(100 * acc).toFixed(1)} %, ` +
        `${spent.toFixed(0)} s so far, about ${left.toFixed(0)} s left`,
    );
  };
}

/** The cache file of a judge with this seed: `<cacheDir>/judge-v1-seed<seed>.safetensors`. */
export function judgeCachePath(cacheDir: string, seed: number): string {
  return join(cacheDir, `${JUDGE_VERSION}-seed${seed}.safetensors`);
}

/**
 * The judge for `opts.seed` (default 1): loaded from `cacheDir` (default: the `judge` folder of the
 * cache folder, see `cacheDir()`) when a cache file with the same version, architecture and recipe
 * (seed, epochs, batch size, lr, shift) exists, otherwise trained on the MNIST train set (with
 * progress lines in `opts.log`), evaluated on the test set and written to the cache (atomically;
 * metadata holds the recipe, the test accuracy and the training time). A corrupt or mismatched cache
 * is retrained over, with the reason logged.
 */
export function loadOrTrainJudge(cacheDir = judgeCacheDir(), opts: LoadOrTrainOptions = {}): Judge {
  const log = opts.log ?? (() => {});
  const recipe = judgeRecipe(opts);
  const want = new Judge(recipe).metadata();
  const path = judgeCachePath(cacheDir, recipe.seed);
  if (!opts.retrain && existsSync(path)) {
    try {
      const judge = loadCached(path, want);
      log(`judge: loaded ${path} (test accuracy ${(100 * judge.info.testAccuracy).toFixed(2)} %)`);
      return judge;
    } catch (e) {
      log(`judge: refusing the cache, retraining: ${(e as Error).message}`);
    }
  }
  log(
    `judge: training ${JUDGE_ARCH.join('-')} (seed ${want.seed}, ${want.epochs} epochs) once; ` +
      `later runs load it from ${path}`,
  );
  const onProgress = opts.onProgress ?? (opts.log ? judgeProgress(log, Number(want.epochs)) : undefined);
  const judge = trainJudge({ ...opts, onProgress, train: undefined, test: undefined });
  judge.info.cachePath = path;
  judge.info.fromCache = false;
  writeSafetensorsFile(path, judge.toTensors(), judge.metadata());
  const { trainSeconds, testAccuracy } = judge.info;
  log(`judge: trained in ${trainSeconds.toFixed(1)} s, test accuracy ${(100 * testAccuracy).toFixed(2)} %`);
  return judge;
}

/** The judge in cache file `path`; throws (naming it) when its metadata is not `want`'s recipe. */
function loadCached(path: string, want: Record<string, string>): Judge {
  const { tensors, metadata } = readSafetensorsFile(path);
  const keys = ['format', 'version', 'arch', 'seed', 'epochs', 'batch_size', 'lr', 'shift'];
  const bad = keys.filter((k) => metadata[k] !== want[k]);
  if (bad.length > 0) {
    const what = bad.map((k) => `${k} ${metadata[k] ?? 'missing'} ≠ ${want[k]}`).join(', ');
    throw new ModelFileError(path, `metadata does not match the requested judge (${what})`);
  }
  return Judge.fromTensors(
    tensors,
    {
      seed: Number(metadata.seed),
      epochs: Number(metadata.epochs),
      batchSize: Number(metadata.batch_size),
      lr: Number(metadata.lr),
      shift: Number(metadata.shift),
      testAccuracy: Number(metadata.test_accuracy),
      trainSeconds: Number(metadata.train_seconds),
      cachePath: path,
      fromCache: true,
    },
    path,
  );
}
