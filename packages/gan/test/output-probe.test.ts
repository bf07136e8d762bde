// Unwritable outputs are found before any work starts, run for real as child processes: each command probes
// its output folders first (an empty file of this tool's temporary name, created and removed), checks the
// sample grid's size and every path it will write, and refuses an output that is the same file as another
// output or an input. Tests run as root in CI, and root writes into a chmod'ed folder: the read-only folder
// here is /sys (sysfs), where even root cannot create a file.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Network, saveModel } from '@spiking-gan/core';
import { encodeIdx } from '../src/data/idx.ts';
import { expectFailure } from './expect-failure.ts';
import { runCli, type Result } from './run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'output-probe-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A folder that nobody, root included, can create files in. */
const READ_ONLY = '/sys';
const cli = (...args: string[]): Promise<Result> => runCli(tmp, args, 120_000);
const at = (p: string) => join(tmp, p);
const CGAN = 'cgan/G.safetensors';

beforeAll(async () => {
  // the premise: creating a file in READ_ONLY fails here, whoever runs the tests
  expect(() => writeFileSync(join(READ_ONLY, 'spiking-gan-test'), '')).toThrow();
  const tiny = new Network({ tmax: 8, time: 'continuous', delay: 0 });
  tiny.addInput(3);
  tiny.addLayer(2, { kernel: 'ramp', threshold: 1, weights: Float64Array.from([0.5, 1, 1.5, 0.25, 0.75, 2]) });
  saveModel(at('tiny.safetensors'), tiny);
  writeFileSync(at('in.json'), '{"samples": [[0, 1, 2]]}');
  writeFileSync(at('bad.json'), '{"samples": [[0, 1, 2], [0, -1, 2]]}'); // sample 1: a negative time
  writeFileSync(
    at('s.idx'),
    encodeIdx(
      [4, 28, 28],
      Uint8Array.from({ length: 4 * 784 }, (_, i) => (i * 37) % 256),
    ),
  );
  // a class-conditional generator (the default preset), one step
  const g = await cli('train', '--steps', '1', '--batch', '2', '--samples', '4', '--quiet', '--out', 'cgan');
  expect(g.code, g.stderr).toBe(0);
}, 120_000);

describe('read-only outputs are refused before any work', () => {
  it.concurrent('simulate: --out is checked before the input is even read', async () => {
    const r = await cli(
      'simulate',
      '--model',
      'tiny.safetensors',
      '--input',
      'bad.json',
      '--out',
      `${READ_ONLY}/sim.json`,
    );
    const line = expectFailure(r, 'simulate', [`${READ_ONLY}/sim.json`]);
    expect(line).not.toContain('bad.json');
  });

  it.concurrent('train into a read-only folder: one line naming the folder, no step, no temporary file', async () => {
    // without --quiet: a step would print a progress line
    const r = await cli(
      'train',
      '--preset',
      'ramp',
      '--steps',
      '1',
      '--batch',
      '1',
      '--samples',
      '4',
      '--out',
      READ_ONLY,
    );
    const line = expectFailure(r, 'train', [READ_ONLY]);
    expect(line).not.toMatch(/\.tmp|\.lock/);
  });

  it.concurrent('classify train into a read-only folder: one line naming the file, no epoch run', async () => {
    const r = await cli(
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
      `${READ_ONLY}/clf.safetensors`,
    );
    expect(expectFailure(r, 'classify train', [`${READ_ONLY}/clf.safetensors`])).not.toContain('.tmp');
  });

  it.concurrent('eval --out in a read-only folder: refused before the judge is trained', async () => {
    const r = await cli(
      'eval',
      '--samples',
      's.idx',
      '--judge-cache',
      'fresh-judge',
      '--out',
      `${READ_ONLY}/eval.json`,
    );
    expectFailure(r, 'eval', [`${READ_ONLY}/eval.json`]);
    expect(existsSync(at('fresh-judge')) ? readdirSync(at('fresh-judge')) : []).toEqual([]);
  });
});

describe('what a command will write is checked before it works', () => {
  it.concurrent('train --samples past the grid limit (10,000) is refused before training', async () => {
    const r = await cli('train', '--steps', '1', '--samples', '100000000', '--out', 'huge-grid');
    expectFailure(r, 'train', ['--samples', '100000000', '10000']);
    expect(existsSync(at('huge-grid'))).toBe(false);
  });

  it.concurrent('sample: the labels file of a conditional generator is checked before sampling', async () => {
    mkdirSync(at('lab/x-labels-idx1-ubyte'), { recursive: true }); // a folder where the labels file would go
    const r = await cli('sample', '--model', CGAN, '--count', '2', '--png', 'lab/x.png');
    expectFailure(r, 'sample', ['lab/x-labels-idx1-ubyte', 'directory']);
    expect(readdirSync(at('lab'))).toEqual(['x-labels-idx1-ubyte']); // neither the PNG nor the IDX file was written
  });

  it.concurrent('sample --png X --idx X: refused, nothing written', async () => {
    const r = await cli('sample', '--model', CGAN, '--count', '2', '--png', 'same/x', '--idx', 'same/x');
    expectFailure(r, 'sample', ['--png same/x', '--idx same/x']);
    expect(existsSync(at('same/x'))).toBe(false);
  });

  it.concurrent('an output that is one of the inputs is refused, and the input is kept', async () => {
    const input = readFileSync(at('in.json'));
    const sim = await cli('simulate', '--model', 'tiny.safetensors', '--input', 'in.json', '--out', 'in.json');
    expectFailure(sim, 'simulate', ['--out in.json', '--input in.json']);
    expect(readFileSync(at('in.json')).equals(input)).toBe(true);
    const images = readFileSync(at('s.idx'));
    const ev = await cli('eval', '--samples', 's.idx', '--out', './s.idx');
    expectFailure(ev, 'eval', ['--out ./s.idx', '--samples s.idx']);
    expect(readFileSync(at('s.idx')).equals(images)).toBe(true);
    const model = readFileSync(at(CGAN));
    const sa = await cli('sample', '--model', CGAN, '--count', '2', '--png', 'x.png', '--idx', CGAN);
    expectFailure(sa, 'sample', [`--idx ${CGAN}`, `--model ${CGAN}`]);
    expect(readFileSync(at(CGAN)).equals(model)).toBe(true);
  });

  it.concurrent('a run that succeeds leaves its outputs and nothing else (the probe file is removed)', async () => {
    const r = await cli('sample', '--model', CGAN, '--count', '2', '--png', 'ok/x.png');
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(at('ok')).sort()).toEqual(['x-images-idx3-ubyte', 'x-labels-idx1-ubyte', 'x.png']);
  });
});
