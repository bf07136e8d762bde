// Determinism across processes: the same seed gives bit-identical models and samples in two separate
// child-process runs of `spiking-gan train` and `spiking-gan classify train` (and of `sample`); a
// different seed does not. Model files and checkpoints are compared byte for byte: timings live in
// figures.json (and on the terminal), never in a model file or a checkpoint (issue 14, item 8).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type Result } from './run-cli.ts';
import { readSafetensorsFile, type Tensor } from '@spiking-gan/core';

const tmp = mkdtempSync(join(tmpdir(), 'determinism-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cli = (...args: string[]): Promise<Result> => runCli(tmp, args, 150_000);

const bytesOf = (t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

/** The tensors of two safetensors files are bit-identical (names, dtypes, shapes, data). */
function sameTensors(a: string, b: string): boolean {
  const x = readSafetensorsFile(join(tmp, a)).tensors,
    y = readSafetensorsFile(join(tmp, b)).tensors;
  const names = Object.keys(x).sort();
  expect(Object.keys(y).sort(), `${a} vs ${b}`).toEqual(names);
  expect(names.length).toBeGreaterThan(0);
  return names.every(
    (k) =>
      x[k].dtype === y[k].dtype &&
      JSON.stringify(x[k].shape) === JSON.stringify(y[k].shape) &&
      bytesOf(x[k]).equals(bytesOf(y[k])),
  );
}

const file = (f: string) => readFileSync(join(tmp, f));

describe('the same seed gives bit-identical results in separate processes', () => {
  beforeAll(async () => {
    const gan = (out: string, seed: number) =>
      cli('train', '--steps', '3', '--batch', '2', '--seed', String(seed), '--out', out, '--quiet');
    const clf = (out: string, seed: number) =>
      cli(
        'classify',
        'train',
        '--epochs',
        '1',
        '--train-limit',
        '300',
        '--test-limit',
        '100',
        '--seed',
        String(seed),
        '--out',
        out,
        '--quiet',
      );
    // two at a time (2 cores)
    const r1 = await Promise.all([gan('gan-a', 5), gan('gan-b', 5)]);
    const r2 = await Promise.all([clf('clf-a.safetensors', 5), clf('clf-b.safetensors', 5)]);
    const r3 = await Promise.all([gan('gan-c', 6), clf('clf-c.safetensors', 6)]);
    for (const r of [...r1, ...r2, ...r3]) expect(r.code, r.stderr).toBe(0);
    const smp = (m: string, png: string, seed: number) =>
      cli('sample', '--model', m, '--count', '12', '--seed', String(seed), '--png', png);
    const r4 = await Promise.all([smp('gan-a/G.safetensors', 's-a.png', 9), smp('gan-b/G.safetensors', 's-b.png', 9)]);
    for (const r of r4) expect(r.code, r.stderr).toBe(0);
  }, 240_000);

  const sameRunTitle =
    'train --steps 3 --batch 2 --seed 5: G, D and the checkpoint byte for byte, ' +
    'the sample grid PNG and the figures history';
  it(sameRunTitle, () => {
    for (const f of ['G.safetensors', 'D.safetensors', 'checkpoint.safetensors']) {
      expect(sameTensors(`gan-a/${f}`, `gan-b/${f}`), f).toBe(true);
      expect(file(`gan-a/${f}`).equals(file(`gan-b/${f}`)), `${f}: same tensors, other bytes`).toBe(true);
    }
    expect(file('gan-a/samples.png').equals(file('gan-b/samples.png'))).toBe(true);
    const fa = JSON.parse(file('gan-a/figures.json').toString()),
      fb = JSON.parse(file('gan-b/figures.json').toString());
    expect(fb.last).toEqual(fa.last);
    expect(fb.config).toEqual(fa.config);
    const ma = readSafetensorsFile(join(tmp, 'gan-a/checkpoint.safetensors')).metadata,
      mb = readSafetensorsFile(join(tmp, 'gan-b/checkpoint.safetensors')).metadata;
    for (const k of ['config', 'step', 'scales', 'optimiser_steps', 'rng', 'feat_seen']) expect(mb[k], k).toBe(ma[k]);
  });

  it('classify train --epochs 1 --train-limit 300 --test-limit 100 --seed 5: the classifier byte for byte', () => {
    expect(sameTensors('clf-a.safetensors', 'clf-b.safetensors')).toBe(true);
    expect(file('clf-a.safetensors').equals(file('clf-b.safetensors')), 'same tensors, other bytes').toBe(true);
  });

  it('sample with the same seed from the two generators: identical PNG and IDX bytes', () => {
    expect(file('s-a.png').equals(file('s-b.png'))).toBe(true);
    expect(file('s-a-images-idx3-ubyte').equals(file('s-b-images-idx3-ubyte'))).toBe(true);
    expect(file('s-a-images-idx3-ubyte').length).toBe(16 + 12 * 784);
  });

  it('a different seed gives different models (so the comparisons above can fail)', () => {
    expect(sameTensors('gan-a/G.safetensors', 'gan-c/G.safetensors')).toBe(false);
    expect(sameTensors('gan-a/D.safetensors', 'gan-c/D.safetensors')).toBe(false);
    expect(file('gan-a/samples.png').equals(file('gan-c/samples.png'))).toBe(false);
    expect(sameTensors('clf-a.safetensors', 'clf-c.safetensors')).toBe(false);
  });
});
