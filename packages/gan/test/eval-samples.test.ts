// `spiking-gan eval --samples FILE [--labels FILE]` and the variety row of `eval --model`, run for
// real as child processes. The project's judge takes minutes to train, so the judge cache given with
// --judge-cache holds a stand-in: the judge's architecture trained for one epoch on 3,000 digits,
// saved under the full recipe's name and metadata (the cache is trusted by its metadata). The figures
// are therefore not the project's, but every code path of the command is.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensorsFile } from '@spiking-gan/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '../src/data/idx.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { encodeNpy } from '../src/data/npy.ts';
import { judgeCachePath, trainJudge } from '../src/quality/index.ts';
import { runCli, type Result } from './run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'eval-samples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const D = 784;
const JUDGE = ['--judge-cache', 'judge'];
const IMAGES = 'real-images-idx3-ubyte';
const LABELS = 'real-labels-idx1-ubyte';
const G = 'gan/G.safetensors';
const cli = (...args: string[]): Promise<Result> => runCli(tmp, args, 120_000);

/** A failure: non-zero exit, one line `spiking-gan eval: ...` on stderr naming the problem, no stack trace. */
function expectFailure(r: Result, ...mentions: (string | RegExp)[]): void {
  const info = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  expect(r.code, info).toBe(1);
  expect(r.stderr, info).not.toContain('    at ');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, info).toHaveLength(1);
  expect(lines[0].startsWith('spiking-gan eval: '), info).toBe(true);
  for (const m of mentions) {
    if (typeof m === 'string') expect(lines[0], info).toContain(m);
    else expect(lines[0], info).toMatch(m);
  }
}

let samplesRun: Result;
let genRun: Result;

beforeAll(async () => {
  const train = loadMnist('train');
  const test = loadMnist('test');
  // the stand-in judge, cached under the default recipe (seed 1, 15 epochs, batch 64, lr 0.002, shift 1)
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
  writeSafetensorsFile(judgeCachePath(join(tmp, 'judge'), 1), judge.toTensors(), judge.metadata());
  // 400 MNIST test digits as IDX (what `spiking-gan sample` writes) with their labels
  writeFileSync(join(tmp, IMAGES), encodeIdx([400, 28, 28], test.images.subarray(0, 400 * D)));
  writeFileSync(join(tmp, LABELS), encodeIdx([400], test.labels.subarray(0, 400)));
  // bad files
  const f32 = Float32Array.from(test.images.subarray(0, 3 * D), (v) => v / 255);
  f32[D + 5] = NaN;
  writeFileSync(join(tmp, 'nan.npy'), encodeNpy([3, 784], '<f4', new Uint8Array(f32.buffer)));
  writeFileSync(join(tmp, 'one.npy'), encodeNpy([1, 784], '|u1', test.images.subarray(0, D)));
  writeFileSync(join(tmp, 'labels-399.npy'), encodeNpy([399], '|u1', test.labels.subarray(0, 399)));
  spawnSync('mkfifo', [join(tmp, 'fifo')]);
  // a tiny class-conditional generator (one training step) with its discriminator
  const g = await cli(
    'train',
    '--preset',
    'ramp',
    '--steps',
    '1',
    '--batch',
    '1',
    '--samples',
    '4',
    '--conditional',
    '--out',
    'gan',
    '--quiet',
  );
  expect(g.code, g.stderr).toBe(0);
  samplesRun = await cli('eval', '--samples', IMAGES, '--labels', LABELS, '--count', '300', ...JUDGE, '-o', 'r.json');
  genRun = await cli('eval', '--model', G, '--count', '40', '--sparsity-samples', '3', ...JUDGE);
}, 300_000);

describe('spiking-gan eval --samples', () => {
  it('judges the first 300 of 400 digits of an IDX file with labels: variety ≈ 1, judge agrees, no sparsity', () => {
    expect(samplesRun.code, samplesRun.stderr).toBe(0);
    const r = JSON.parse(readFileSync(join(tmp, 'r.json'), 'utf8'));
    expect(r).toMatchObject({ samples: IMAGES, labels: LABELS, file: 'IDX uint8 400 × 28 × 28' });
    expect([r.count, r.imagesInFile, r.quality.n, r.sparsity]).toEqual([300, 400, 300, null]);
    expect(r.note).toMatch(/no sparsity section/);
    const q = r.quality;
    expect(q.fid).toBeLessThan(q.fidFloor * 2 + 5); // real digits: at the floor, far from the noise ceiling
    expect(q.fidCeiling).toBeGreaterThan(10 * q.fid);
    const v = q.variety;
    expect(v.labelSource).toBe(LABELS);
    expect(v.classesCounted).toBe(10);
    expect(v.samples.count.reduce((a: number, b: number) => a + b, 0)).toBe(300);
    for (const x of v.perClass) expect(Math.abs(x - 1)).toBeLessThan(0.25);
    expect(Math.abs(v.mean - 1)).toBeLessThan(0.08);
    expect(q.labelAgreement.overall).toBeGreaterThan(0.8);
    expect(q.labelAgreement.perClass).toHaveLength(10);
  });

  it('prints the report as Markdown with the variety row, its per-digit row and the note on sparsity', () => {
    const out = samplesRun.stdout;
    expect(out).toContain(`## Quality of the first 300 of 400 images in ${IMAGES} (IDX uint8 400 × 28 × 28; seed 1;`);
    expect(out).toMatch(/\| within-class variety \(mean of 10 classes\) \| [01]\.\d\d \| 1\.00 = as varied as MNIST/);
    expect(out).toContain(`as varied as MNIST test digits; classes: ${LABELS} |`);
    expect(out).toMatch(/\| variety( \| \d\.\d\d){10} \|/);
    expect(out).toMatch(/\| judge agrees with the labels \| \d+\.\d % \| labels: real-labels-idx1-ubyte \|/);
    expect(out).toContain('no sparsity section: --samples judges images alone');
    expect(out).not.toContain('## Sparsity');
  });

  it('eval --model prints the variety of a conditional generator by its own labels, then the sparsity', () => {
    expect(genRun.code, genRun.stderr).toBe(0);
    expect(genRun.stdout).toMatch(/\| within-class variety \(mean of 10 classes\) \| \d\.\d\d \| /);
    expect(genRun.stdout).toContain('digits; classes: the conditional generator |');
    expect(genRun.stdout).toMatch(/\| judge agrees with the labels \| \d+\.\d % \|/);
    expect(genRun.stdout).toContain('## Sparsity (3 samples');
  });

  it('--help documents --samples, --labels and the variety', async () => {
    const h = await cli('eval', '--help');
    expect(h.code).toBe(0);
    for (const s of ['--samples <file>', '--labels <file>', 'within-class variety', '.npy', 'eval --samples']) {
      expect(h.stdout).toContain(s);
    }
  });
});

describe('spiking-gan eval --samples refuses misuse and bad files in one line, before loading the judge', () => {
  const cases: [string, string[], (string | RegExp)[]][] = [
    ['neither --model nor --samples', [], ['exactly one of --model', '--samples']],
    ['--labels without --samples', ['--model', G, '--labels', LABELS], ['--labels goes with --samples']],
    ['--discriminator with --samples', ['--samples', IMAGES, '--discriminator', 'x'], ['--discriminator goes with']],
    ['--sparsity-samples too', ['--samples', IMAGES, '--sparsity-samples', '5'], ['--sparsity-samples goes with']],
    ['a missing file', ['--samples', 'nope.npy'], ['nope.npy', 'no such file']],
    ['a NaN', ['--samples', 'nan.npy'], ['nan.npy: image 1, pixel 5 is NaN']],
    ['a model file as samples', ['--samples', G], [`${G}: neither an IDX file`]],
    ['one image', ['--samples', 'one.npy'], ['one.npy', '1 image to judge, need at least 2']],
    ['labels of another count', ['--samples', IMAGES, '--labels', 'labels-399.npy'], ['labels-399.npy: 399 labels']],
    ['images as labels', ['--samples', IMAGES, '--labels', IMAGES], [`${IMAGES}: labels of shape`, 'expected 1-D']],
    ['a FIFO', ['--samples', 'fifo'], ['fifo: is a FIFO']],
  ];
  it.concurrent.each(cases)('%s', async (_what, args, mentions) => {
    const t0 = performance.now();
    // an empty judge cache: were the judge loaded, it would be trained for minutes
    expectFailure(await runCli(tmp, ['eval', ...args, '--judge-cache', 'no-judge'], 30_000), ...mentions);
    expect(performance.now() - t0).toBeLessThan(30_000);
  });
});
