// A checkpoint's metadata on `train --resume` (issue 14, item 2): settings out of bounds, settings
// that do not describe the tensors, a step past the run's steps, degenerate states (all-zero weights,
// all-zero random generator states) and unreadable figures are refused, each with one line naming the
// file and the metadata key (or tensor), before the trainer allocates anything from them.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSafetensorsFile, writeSafetensorsFile, type Tensor } from '@spiking-gan/core';
import { loadMnist } from '../src/data/mnist.ts';
import { makeConfig, type GanConfig } from '../src/models/config.ts';
import { loadCheckpoint, saveCheckpoint } from '../src/train/checkpoint.ts';
import type { StepStats } from '../src/train/stats.ts';
import { createTrainer } from '../src/train/trainer.ts';
import { runCli, type Result } from './run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'resume-checks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const data = loadMnist('test');

/** A real checkpoint of a tiny run (2 of 4 steps done) of `preset`, with its figures history. */
function checkpoint(preset: string, o: Partial<GanConfig> = {}): string {
  const cfg = makeConfig(preset, { nz: 6, gHidden: 7, dHidden: 5, batch: 4, steps: 4, seed: 3, ...o });
  const tr = createTrainer(cfg, data);
  const history: StepStats[] = [tr.trainStep(), tr.trainStep()];
  const path = join(tmp, `${preset}-${JSON.stringify(o).replace(/\W+/g, '')}.safetensors`);
  saveCheckpoint(path, tr, { history: JSON.stringify(history), window: '[]', commit: 'abc' });
  return path;
}

let RELU = '',
  RAMP = '',
  FAITHFUL = '';
beforeAll(() => {
  RELU = checkpoint('relu-cond', { gEma: 0.9, dDropout: 0.2 });
  RAMP = checkpoint('digits');
  FAITHFUL = checkpoint('faithful', { batch: 1 });
});

type Patch = (meta: Record<string, string>, tensors: Record<string, Tensor>) => void;

/** A copy of checkpoint `from` with `patch` applied to its metadata and tensors. */
function patched(from: string, name: string, patch: Patch): string {
  const { tensors, metadata } = readSafetensorsFile(from);
  patch(metadata, tensors);
  const path = join(tmp, `${name}.safetensors`);
  writeSafetensorsFile(path, tensors, metadata);
  return path;
}

const config =
  (patch: Record<string, unknown>): Patch =>
  (m) => {
    m.config = JSON.stringify({ ...JSON.parse(m.config), ...patch });
  };
const key =
  (k: string, v: string): Patch =>
  (m) => {
    m[k] = v;
  };
const zero =
  (...names: string[]): Patch =>
  (_m, t) => {
    for (const n of names) (t[n].data as Float64Array).fill(0);
  };
const rng =
  (which: string): Patch =>
  (m) => {
    m.rng = JSON.stringify({ ...JSON.parse(m.rng), [which]: [0, 0, 0, 0] });
  };

type Case = [what: string, from: () => string, patch: Patch, mentions: string[]];
const CASES: Case[] = [
  ['config batch 2000 (over the bound)', () => RELU, config({ batch: 2000 }), ["'config'", 'batch']],
  [
    'config nz, gHidden, dHidden 4096 (within the bounds, not the tensors)',
    () => RELU,
    config({ nz: 4096, gHidden: 4096, dHidden: 4096 }),
    ["'config'", 'nz'],
  ],
  ['config dHidden 6', () => RAMP, config({ dHidden: 6 }), ["'config'", 'dHidden']],
  ['config labelCopies 1e8', () => RAMP, config({ labelCopies: 1e8 }), ["'config'", 'labelCopies']],
  [
    'config gEma 0.5, the file without a moving average of G',
    () => FAITHFUL,
    config({ gEma: 0.5 }),
    ['G.ema.0', 'gEma'],
  ],
  ['config gEma 0, the file with a moving average of G', () => RELU, config({ gEma: 0 }), ['G.ema.0', 'gEma']],
  ['config optimiser sgd, the file with Adam moments', () => RELU, config({ optimiser: 'sgd' }), ['adam', 'optimiser']],
  [
    'config with optimiser under its old name too',
    () => RELU,
    config({ optimizer: 'adam' }),
    ['optimizer', 'optimiser'],
  ],
  ['config steps 1 (the checkpoint is at step 2)', () => RELU, config({ steps: 1 }), ["'step'", '2']],
  ['config "null"', () => RELU, key('config', 'null'), ["'config'"]],
  ['config a nested array', () => RELU, key('config', '[[1, 2], {"a": [3]}]'), ["'config'"]],
  ['step past the steps', () => RELU, key('step', '10'), ["'step'", '10']],
  ['step "0x2"', () => RELU, key('step', '0x2'), ["'step'", '0x2']],
  ['step "2.5"', () => RELU, key('step', '2.5'), ["'step'"]],
  ['step ""', () => RELU, key('step', ''), ["'step'"]],
  ['history not JSON', () => RELU, key('history', '[{"step": 1,'), ["'history'"]],
  ['history an object', () => RELU, key('history', '{"a": 1}'), ["'history'"]],
  [
    'history entry with a string figure',
    () => RELU,
    (m) => {
      m.history = JSON.stringify(JSON.parse(m.history).map((h: StepStats) => ({ ...h, lit: 'x' })));
    },
    ["'history'", 'lit'],
  ],
  [
    'history longer than the steps done',
    () => RELU,
    (m) => {
      const h = JSON.parse(m.history);
      m.history = JSON.stringify([...h, ...h]);
    },
    ["'history'", '4'],
  ],
  ['window not JSON', () => RELU, key('window', 'nope'), ["'window'"]],
  ['G weights all zero', () => RELU, zero('G.stored.0', 'G.stored.1'), ['G.stored.0', 'zero']],
  ['D first layer all zero', () => RAMP, zero('D.stored.0'), ['D.stored.0', 'zero']],
  ['moving average of G all zero', () => RELU, zero('G.ema.0', 'G.ema.1'), ['G.ema.0', 'zero']],
  ['data order random state all zero', () => RELU, rng('data'), ["'rng'", 'data', 'zero']],
  ['noise random state all zero', () => RAMP, rng('noise'), ["'rng'", 'noise', 'zero']],
  ['dropout random state all zero', () => RELU, rng('dropout'), ["'rng'", 'dropout', 'zero']],
  ['rng a string', () => RELU, key('rng', '"abcd"'), ["'rng'"]],
  [
    'rng state of strings',
    () => RELU,
    (m) => {
      m.rng = JSON.stringify({ ...JSON.parse(m.rng), data: ['1', '2', '3', '4'] });
    },
    ["'rng'", 'data'],
  ],
  ['scales Infinity', () => RAMP, key('scales', '{"G": [1e999, 1], "D": [1, 1]}'), ["'scales'", 'G']],
  ['scales strings', () => RAMP, key('scales', '{"G": ["1", "1"], "D": [1, 1]}'), ["'scales'", 'G']],
  ['optimiser_steps a string', () => RELU, key('optimiser_steps', '{"G": "abc", "D": 2}'), ["'optimiser_steps'", 'G']],
  ['optimiser_steps 1e15', () => RELU, key('optimiser_steps', '{"G": 1e15, "D": 2}'), ["'optimiser_steps'", 'G']],
  ['feat_seen "abc"', () => RAMP, key('feat_seen', 'abc'), ["'feat_seen'"]],
  ['feat_seen "-1"', () => RAMP, key('feat_seen', '-1'), ["'feat_seen'"]],
];

describe('loadCheckpoint refuses lying or degenerate metadata, naming the file and the key', () => {
  it('the untouched checkpoints load', () => {
    for (const path of [RELU, RAMP, FAITHFUL]) expect(loadCheckpoint(path, data).trainer.step).toBe(2);
  });

  it.each(CASES)('%s', (what, from, patch, mentions) => {
    const path = patched(from(), what.replace(/\W+/g, '-'), patch);
    const rss = process.memoryUsage().rss;
    let msg = '';
    try {
      loadCheckpoint(path, data);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg.startsWith(`${path}: `), `loaded, or refused with: ${msg}`).toBe(true);
    for (const m of mentions) expect(msg).toContain(m);
    // refused before anything was built from the lying settings
    expect(process.memoryUsage().rss - rss).toBeLessThan(200e6);
  });
});

describe('train --resume refuses such a checkpoint with one line', () => {
  const cli = (...args: string[]): Promise<Result> => runCli(tmp, args, 60_000);
  const folder = (name: string, from: string, patch: Patch) => {
    mkdirSync(join(tmp, name));
    const path = patched(from, `${name}/checkpoint`, patch);
    return path.slice(tmp.length + 1);
  };
  const cases: [what: string, setup: () => [string, string[]], mentions: string[]][] = [
    ['history not JSON', () => [folder('r-history', RELU, key('history', '{')), []], ["'history'"]],
    ['step past --steps', () => [folder('r-step', RELU, () => {}), ['--steps', '1']], ["'step'", '2']],
    ['config batch 1e9', () => [folder('r-batch', RELU, config({ batch: 1e9 })), []], ["'config'", 'batch']],
    [
      'G weights all zero',
      () => [folder('r-zero', RELU, zero('G.stored.0', 'G.stored.1')), []],
      ['G.stored.0', 'zero'],
    ],
  ];
  it.concurrent.each(cases)('%s', async (_what, setup, mentions) => {
    const [ckpt, extra] = setup();
    const out = ckpt.replace(/\/checkpoint\.safetensors$/, '');
    const r = await cli('train', '--resume', '--out', out, '--quiet', ...extra);
    const info = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
    expect(r.code, info).not.toBeNull();
    expect(r.code, info).not.toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, info).toHaveLength(1);
    expect(lines[0].startsWith(`spiking-gan train: ${ckpt}: `), info).toBe(true);
    for (const m of mentions) expect(lines[0], info).toContain(m);
  });
});
