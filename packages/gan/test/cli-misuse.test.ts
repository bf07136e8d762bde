// Misuse of every `spiking-gan` command, run for real as child processes: unknown flags, missing
// required options, missing files, corrupt model files, the wrong model kind and bad numbers each
// exit non-zero with exactly one line on stderr that names the problem, and no stack trace.
// (The demo/simulate cases of cli.test.ts are not repeated here.)
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type Result } from './run-cli.ts';
import { Network, Rng, saveModel } from '@spiking-gan/core';

const tmp = mkdtempSync(join(tmpdir(), 'cli-misuse-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cli = (...args: string[]): Promise<Result> => runCli(tmp, args, 90_000);

/**
 * A failure: non-zero exit, exactly one line `spiking-gan <cmd>: ...` on stderr, no stack trace, naming the
 * problem.
 */
function expectFailure(r: Result, cmd: string, mentions: (string | RegExp)[]): void {
  const info = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  expect(r.code, info).not.toBe(0);
  expect(r.code, info).not.toBeNull(); // exited, was not killed by the timeout
  expect(r.stderr, info).not.toContain('    at ');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, info).toHaveLength(1);
  expect(lines[0].startsWith(`spiking-gan ${cmd}: `), info).toBe(true);
  for (const m of mentions)
    expect(lines[0], info).toMatch(typeof m === 'string' ? new RegExp(m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : m);
}

const G = 'gan/G.safetensors',
  D = 'gan/D.safetensors',
  CKPT = 'gan/checkpoint.safetensors',
  CLF = 'clf.safetensors';

beforeAll(async () => {
  // real fixtures from the real commands, tiny settings
  const [c, g] = await Promise.all([
    cli(
      'classify',
      'train',
      '--epochs',
      '1',
      '--train-limit',
      '50',
      '--test-limit',
      '50',
      '--hidden',
      '10',
      '--out',
      CLF,
      '--quiet',
    ),
    cli('train', '--preset', 'ramp', '--steps', '1', '--batch', '1', '--samples', '4', '--out', 'gan', '--quiet'),
  ]);
  expect(c.code, c.stderr).toBe(0);
  expect(g.code, g.stderr).toBe(0);
  const rng = new Rng(7);
  writeFileSync(
    join(tmp, 'corrupt.safetensors'),
    Uint8Array.from({ length: 4096 }, () => rng.int(256)),
  );
  writeFileSync(join(tmp, 'afile'), 'not a folder\n');
  const gBytes = readFileSync(join(tmp, G));
  writeFileSync(join(tmp, 'truncated.safetensors'), gBytes.subarray(0, gBytes.length >> 1));
  // a weights-only file with a NaN weight: must be refused, not half loaded
  const nan = new Network();
  nan.addInput(784);
  nan.addLayer(10, { weights: new Float64Array(7840).fill(1) });
  nan.projections[0].weights[123] = NaN;
  saveModel(join(tmp, 'nan.safetensors'), nan, { metadata: { kind: 'classifier' } });
  // "generators" that are not: no GAN settings, and the wrong number of pixels
  const tiny = new Network({ tmax: 1, time: 'continuous', delay: 0 });
  tiny.addInput(4);
  tiny.addLayer(10, { kernel: 'ramp', threshold: 1 });
  saveModel(join(tmp, 'nogan.safetensors'), tiny, { metadata: { kind: 'generator' } });
  const gan = JSON.parse(readFileSync(join(tmp, 'gan/figures.json'), 'utf8')).config;
  saveModel(join(tmp, 'fewpixels.safetensors'), tiny, { metadata: { kind: 'generator', gan: JSON.stringify(gan) } });
  // train --resume on folders holding the wrong files
  for (const [dir, from] of [
    ['resume-corrupt', 'corrupt.safetensors'],
    ['resume-model', G],
    ['resume-clf', CLF],
  ]) {
    mkdirSync(join(tmp, dir));
    copyFileSync(join(tmp, from), join(tmp, dir, 'checkpoint.safetensors'));
  }
  // a generator without its discriminator beside it
  mkdirSync(join(tmp, 'lone'));
  copyFileSync(join(tmp, G), join(tmp, 'lone/G.safetensors'));
}, 180_000);

type Case = [what: string, args: string[], mentions: (string | RegExp)[]];

/** Runs each case (side by side) and checks the one-line failure. */
function misuse(cmd: string, cases: Case[]): void {
  describe(`spiking-gan ${cmd}`, () => {
    it.concurrent.each(cases)('%s', async (_what, args, mentions) => {
      expectFailure(await cli(...cmd.split(' '), ...args), cmd, mentions);
    });
  });
}

const WHOLE = /whole number/;

misuse('demo', [
  ['unknown flag', ['--bogus'], ['--bogus']],
  ['an unexpected argument', ['extra'], ['too many arguments']],
  ['negative --digit-index', ['--digit-index', '-1'], ['--digit-index', '-1', WHOLE]],
  ['fractional --digit-index', ['--digit-index', '1.5'], ['--digit-index', '1.5', WHOLE]],
  ['non-numeric --digit-index', ['--digit-index', 'abc'], ['--digit-index', 'abc', WHOLE]],
  ['--digit-index past the test set', ['--digit-index', '10000'], ['--digit-index', '0..9999', '10000']],
  ['--out is a file', ['--out', 'afile'], ['afile']],
]);

misuse('simulate', [
  ['missing --out', ['--model', CLF, '--mnist-test', '2'], ['--out']],
  ['negative --mnist-test', ['--model', CLF, '--mnist-test', '-1', '--out', 'x.json'], ['--mnist-test', '-1']],
  [
    '--mnist-test past the test set',
    ['--model', CLF, '--mnist-test', '10001', '--out', 'x.json'],
    ['--mnist-test', '10001'],
  ],
  ['missing --input file', ['--model', CLF, '--input', 'nope.json', '--out', 'x.json'], ['nope.json', 'no such']],
  [
    'a checkpoint instead of a model',
    ['--model', CKPT, '--mnist-test', '2', '--out', 'x.json'],
    [CKPT, 'not a model file'],
  ],
  ['a generator on MNIST digits', ['--model', G, '--mnist-test', '2', '--out', 'x.json'], [G, '784']],
]);

misuse('classify train', [
  ['unknown flag', ['--bogus'], ['--bogus']],
  ['negative --epochs', ['--epochs', '-1'], ['--epochs', '-1']],
  ['fractional --epochs', ['--epochs', '1.5'], ['--epochs', '1.5']],
  ['non-numeric --epochs', ['--epochs', 'abc'], ['--epochs', 'abc']],
  ['negative --lr', ['--lr', '-0.1'], ['--lr', '-0.1']],
  ['infinite --lr', ['--lr', '1e999'], ['--lr', '1e999']],
  ['--hidden with a word', ['--hidden', '10,x'], ['--hidden', '10,x']],
  ['unknown --loss', ['--loss', 'foo'], ['--loss', 'foo']],
  ['ramp kernel with a TTFS loss', ['--kernel', 'ramp'], ['--kernel ramp', '--loss softmax']],
  ['unknown --optimiser', ['--optimiser', 'foo'], ['--optimiser', 'foo']],
  ['unknown --optimizer (its old name)', ['--optimizer', 'foo'], ['--optimiser', 'foo']],
  ['--optimiser and --optimizer', ['--optimiser', 'adam', '--optimizer', 'sgd'], ['--optimiser', '--optimizer']],
  [
    '--out below a file',
    [
      '--epochs',
      '1',
      '--train-limit',
      '50',
      '--test-limit',
      '50',
      '--hidden',
      '10',
      '--quiet',
      '--out',
      'afile/x.safetensors',
    ],
    ['afile'],
  ],
]);

misuse('classify eval', [
  ['missing --model', [], ['--model']],
  ['unknown flag', ['--model', CLF, '--bogus'], ['--bogus']],
  ['model file that does not exist', ['--model', 'nope.safetensors'], ['nope.safetensors', 'no such file']],
  ['corrupt model file (random bytes)', ['--model', 'corrupt.safetensors'], ['corrupt.safetensors']],
  ['a folder', ['--model', 'gan'], ['gan']],
  ['a NaN weight', ['--model', 'nan.safetensors'], ['nan.safetensors', 'NaN']],
  ['a generator', ['--model', G], [G, '784']],
  ['a discriminator', ['--model', D], [D, /inputs|neurons/]],
  ['a checkpoint', ['--model', CKPT], [CKPT, 'not a model file']],
  ['negative --limit', ['--model', CLF, '--limit', '-5'], ['--limit', '-5']],
  ['fractional --limit', ['--model', CLF, '--limit', '2.5'], ['--limit', '2.5']],
  ['non-numeric --limit', ['--model', CLF, '--limit', 'abc'], ['--limit', 'abc']],
  ['--out is a folder', ['--model', CLF, '--limit', '5', '--out', 'gan'], ['gan', 'directory']],
]);

misuse('train', [
  ['unknown flag', ['--bogus'], ['--bogus']],
  ['negative --steps', ['--steps', '-3'], ['--steps', '-3']],
  ['fractional --steps', ['--steps', '1.5'], ['--steps', '1.5']],
  ['non-numeric --steps', ['--steps', 'abc'], ['--steps', 'abc']],
  ['negative --lr-d', ['--lr-d', '-1'], ['--lr-d', '-1']],
  ['--lr-g 0 (the old name of --g-lr)', ['--lr-g', '0'], ['gLr', '0']],
  ['--g-lr 0', ['--g-lr', '0'], ['gLr', '0']],
  ['--g-lr and its old name --lr-g', ['--g-lr', '1', '--lr-g', '2'], ['--g-lr', '--lr-g']],
  ['unknown --preset', ['--preset', 'foo'], ['preset', 'foo']],
  ['bce loss on the faithful preset', ['--preset', 'faithful', '--loss', 'bce'], ['bce']],
  ['--out is a file', ['--out', 'afile', '--steps', '1'], ['afile']],
  ['--resume with no checkpoint', ['--resume', '--out', 'nowhere'], ['--resume', 'nowhere/checkpoint.safetensors']],
  ['--resume with changed settings', ['--resume', '--out', 'gan', '--batch', '4'], ['--resume', '--batch']],
  [
    '--resume from a corrupt checkpoint',
    ['--resume', '--out', 'resume-corrupt', '--steps', '2'],
    ['resume-corrupt/checkpoint.safetensors'],
  ],
  [
    '--resume from a model file',
    ['--resume', '--out', 'resume-model', '--steps', '2'],
    ['resume-model/checkpoint.safetensors', 'not a Spiking-GAN checkpoint'],
  ],
  [
    '--resume from a classifier',
    ['--resume', '--out', 'resume-clf', '--steps', '2'],
    ['resume-clf/checkpoint.safetensors', 'not a Spiking-GAN checkpoint'],
  ],
]);

misuse('sample', [
  ['missing --model', [], ['--model']],
  ['unknown flag', ['--model', G, '--bogus'], ['--bogus']],
  ['model file that does not exist', ['--model', 'nope.safetensors'], ['nope.safetensors', 'no such file']],
  ['corrupt model file (random bytes)', ['--model', 'corrupt.safetensors'], ['corrupt.safetensors']],
  [
    'truncated generator (first half of G.safetensors)',
    ['--model', 'truncated.safetensors'],
    ['truncated.safetensors'],
  ],
  ['a classifier', ['--model', CLF], [CLF, 'not a generator', 'classifier']],
  ['a discriminator', ['--model', D], [D, 'not a generator', 'discriminator']],
  ['a checkpoint', ['--model', CKPT], [CKPT, 'not a model file']],
  ['a "generator" without GAN settings', ['--model', 'nogan.safetensors'], ['nogan.safetensors', "metadata 'gan'"]],
  ['a "generator" with 10 pixels', ['--model', 'fewpixels.safetensors'], ['fewpixels.safetensors', '784']],
  ['negative --count', ['--model', G, '--count', '-1'], ['--count', '-1']],
  ['fractional --count', ['--model', G, '--count', '1.5'], ['--count', '1.5']],
  ['non-numeric --count', ['--model', G, '--count', 'abc'], ['--count', 'abc']],
  ['--digit 10', ['--model', G, '--digit', '10'], ['--digit', '0..9']],
  ['--digit on an unconditional generator', ['--model', G, '--digit', '3', '--count', '2'], ['--digit', 'conditional']],
  ['--png is a folder', ['--model', G, '--count', '2', '--png', 'gan'], ['gan', 'directory']],
]);

misuse('eval', [
  ['missing --model', [], ['--model']],
  ['unknown flag', ['--model', G, '--bogus'], ['--bogus']],
  ['model file that does not exist', ['--model', 'nope.safetensors'], ['nope.safetensors', 'no such file']],
  ['corrupt model file (random bytes)', ['--model', 'corrupt.safetensors'], ['corrupt.safetensors']],
  ['a classifier', ['--model', CLF], [CLF, 'not a generator']],
  ['a discriminator as the generator', ['--model', D], [D, 'not a generator']],
  ['a generator as the discriminator', ['--model', G, '--discriminator', G], [G, 'not a discriminator']],
  ['a classifier as the discriminator', ['--model', G, '--discriminator', CLF], [CLF, 'not a discriminator']],
  [
    'no D.safetensors beside the generator',
    ['--model', 'lone/G.safetensors'],
    ['lone/D.safetensors', '--discriminator'],
  ],
  ['negative --count', ['--model', G, '--count', '-1'], ['--count', '-1']],
  ['fractional --count', ['--model', G, '--count', '2.5'], ['--count', '2.5']],
  ['non-numeric --seed', ['--model', G, '--seed', 'abc'], ['--seed', 'abc']],
]);

describe('output paths are checked before any work starts', () => {
  // classify train checks --out only when it saves, after the first epoch, and then names its own
  // temporary file: "spiking-gan classify train: .gan.<pid>.<hex>.tmp: is a directory, expected a file"
  // (for --out . it is Node's "EBUSY: resource busy or locked, rename '<tmp>' -> '.'").
  const named = (r: Result, dir: string) => {
    expectFailure(r, 'classify train', ['directory']);
    expect(r.stderr).not.toMatch(/\.tmp|EBUSY/);
    expect(r.stderr).toContain(` ${dir}`);
  };
  const train = (out: string) =>
    cli(
      'classify',
      'train',
      '--epochs',
      '1',
      '--train-limit',
      '50',
      '--test-limit',
      '50',
      '--hidden',
      '10',
      '--quiet',
      '--out',
      out,
    );
  it('classify train --out <a folder> names that folder, not a temporary file', async () =>
    named(await train('gan'), 'gan'));
  it('classify train --out . says it is a directory', async () => named(await train('.'), '.'));
});
