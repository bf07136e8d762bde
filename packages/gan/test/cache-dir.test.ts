// One cache folder for the judge and the benchmark's models ($SPIKING_GAN_CACHE, else the XDG cache
// folder), used from any working folder, and progress lines while the judge trains.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensorsFile } from '@spiking-gan/core';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheDir, judgeCacheDir } from '../src/cache-dir.ts';
import { encodeIdx } from '../src/data/idx.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { judgeCachePath, judgeProgress, trainJudge } from '../src/quality/index.ts';
import { BIN } from './run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sgan-cache-dir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the CLI in `cwd` with the cache variables replaced by `env`. */
function cli(cwd: string, env: Record<string, string>, ...args: string[]) {
  const base = { ...process.env };
  for (const k of ['SPIKING_GAN_CACHE', 'XDG_CACHE_HOME', 'SPIKING_GAN_DEBUG']) delete base[k];
  const opts = { cwd, env: { ...base, ...env }, encoding: 'utf8' as const, timeout: 120_000 };
  return spawnSync(process.execPath, [BIN, ...args], opts);
}

describe('cacheDir', () => {
  it('is $SPIKING_GAN_CACHE, else $XDG_CACHE_HOME/spiking-gan, else ~/.cache/spiking-gan', () => {
    expect(cacheDir({ SPIKING_GAN_CACHE: '/srv/c', XDG_CACHE_HOME: '/x' })).toBe('/srv/c');
    expect(cacheDir({ SPIKING_GAN_CACHE: 'rel' })).toBe(join(process.cwd(), 'rel'));
    expect(cacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/spiking-gan');
    expect(cacheDir({ XDG_CACHE_HOME: 'not/absolute' })).toBe(join(homedir(), '.cache', 'spiking-gan'));
    expect(cacheDir({})).toBe(join(homedir(), '.cache', 'spiking-gan'));
    expect(judgeCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/spiking-gan/judge');
  });
});

describe('judge progress', () => {
  it('reports each quarter of the first epoch, then each epoch, with the time left', () => {
    const lines: string[] = [];
    let now = 0;
    const progress = judgeProgress(
      (l) => lines.push(l),
      3,
      () => now,
    );
    for (let epoch = 1; epoch <= 3; epoch++) {
      for (let b = 1; b <= 8; b++) {
        now += 1000;
        progress(epoch, b, 8, 0.5);
      }
    }
    expect(lines).toEqual([
      'judge: epoch 1/3 25 %, training accuracy 50.0 %, 2 s so far, about 22 s left',
      'judge: epoch 1/3 50 %, training accuracy 50.0 %, 4 s so far, about 20 s left',
      'judge: epoch 1/3 75 %, training accuracy 50.0 %, 6 s so far, about 18 s left',
      'judge: epoch 1/3 100 %, training accuracy 50.0 %, 8 s so far, about 16 s left',
      'judge: epoch 2/3 100 %, training accuracy 50.0 %, 16 s so far, about 8 s left',
      'judge: epoch 3/3 100 %, training accuracy 50.0 %, 24 s so far, about 0 s left',
    ]);
  });
});

describe('spiking-gan eval and the cache folder', () => {
  it('finds the judge in $SPIKING_GAN_CACHE from any working folder, and writes nothing into that folder', () => {
    const test = loadMnist('test');
    // a stand-in judge (initialised only) saved under the default recipe's name and metadata
    const ten = { n: 10, images: test.images.subarray(0, 7840), labels: test.labels };
    const judge = trainJudge({ seed: 1, epochs: 0, test: null, train: ten });
    judge.info.epochs = 15;
    judge.info.testAccuracy = 0.5;
    const cache = join(tmp, 'cache'),
      work = join(tmp, 'work');
    writeSafetensorsFile(judgeCachePath(join(cache, 'judge'), 1), judge.toTensors(), judge.metadata());
    mkdirSync(work);
    writeFileSync(join(work, 's.idx'), encodeIdx([50, 28, 28], test.images.subarray(0, 50 * 784)));
    const r = cli(work, { SPIKING_GAN_CACHE: cache }, 'eval', '--samples', 's.idx');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`judge: loaded ${judgeCachePath(join(cache, 'judge'), 1)}`);
    expect(existsSync(join(work, '.cache'))).toBe(false);
  }, 120_000);

  it('shows the folder it will use in eval --help', () => {
    const r = cli(tmp, { XDG_CACHE_HOME: join(tmp, 'xdg') }, 'eval', '--help');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(join(tmp, 'xdg', 'spiking-gan', 'judge'));
  }, 60_000);
});
