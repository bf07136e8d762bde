// A generator's `gan` settings are checked against the network in its file (issue 14, item 2):
// `sample`, `eval` and the library's loadGenerator refuse a G whose settings (noise inputs, label
// code, windows, kernel, thresholds) do not describe its network, and `eval` refuses a D of another
// input layout, each with one line naming the file and the setting. Files of every preset load.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '@spiking-gan/core';
import { makeConfig, type GanConfig } from '../src/models/config.ts';
import { buildDiscriminator, buildGenerator } from '../src/models/networks.ts';
import { loadGenerator } from '../src/train/checkpoint.ts';
import { checkDiscriminatorAgainstConfig } from '../src/models/file-checks.ts';
import { runCli, type Result } from './run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'generator-checks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SMALL: Partial<GanConfig> = { nz: 6, gHidden: 7, dHidden: 5, batch: 4 };
const small = (preset: string, o: Partial<GanConfig> = {}) => makeConfig(preset, { ...SMALL, ...o });

/** Writes G (and D) built from `cfg` as `spiking-gan train` does, with `patch` applied to the `gan` metadata. */
function write(name: string, cfg: GanConfig, patch: Record<string, unknown> = {}, which: 'G' | 'D' = 'G'): string {
  const path = join(tmp, name);
  const net = which === 'G' ? buildGenerator(cfg) : buildDiscriminator(cfg);
  const kind = which === 'G' ? 'generator' : 'discriminator';
  saveModel(path, net, { metadata: { kind, gan: JSON.stringify({ ...cfg, ...patch }), step: '0' } });
  return path;
}

const VALID: [string, GanConfig][] = [
  ['relu-cond', small('relu-cond')],
  ['relu', small('relu')],
  ['relu-cond leaky pack 1', small('relu-cond', { leaky: 0.2, pack: 1 })],
  ['relu-cond, digit as D input', small('relu-cond', { projection: false, auxClass: 0 })],
  ['relu ttfs loss', small('relu', { loss: 'ttfs', infoCode: false, auxClass: 0 })],
  ['digits', small('digits')],
  ['ramp', small('ramp')],
  ['faithful', small('faithful')],
];

describe('a generator file of every preset loads, and its D passes the layout check', () => {
  it.each(VALID)('%s', (name, cfg) => {
    const g = write(`${name}-G.safetensors`, cfg),
      d = write(`${name}-D.safetensors`, cfg, {}, 'D');
    expect(loadGenerator(g).cfg).toEqual(cfg);
    expect(() => checkDiscriminatorAgainstConfig(d, loadModel(d).net, cfg)).not.toThrow();
  });
});

const RELU_COND = small('relu-cond'),
  RELU = small('relu'),
  DIGITS = small('digits'),
  RAMP = small('ramp');
const FAITHFUL = small('faithful');

type Tamper = [what: string, cfg: GanConfig, patch: Record<string, unknown>, key: string];
const TAMPERED: Tamper[] = [
  ['relu-cond: nz one less', RELU_COND, { nz: 5 }, 'nz'],
  ['relu-cond: nz one more', RELU_COND, { nz: 7 }, 'nz'],
  ['relu-cond: nz 1e9', RELU_COND, { nz: 1e9 }, 'nz'],
  ['relu-cond: conditional false', RELU_COND, { conditional: false }, 'conditional'],
  ['relu: conditional true', RELU, { conditional: true }, 'conditional'],
  ['relu-cond: kernel ramp', RELU_COND, { kernel: 'ramp', tiedNoise: false, pack: 1, labelCopies: 1 }, 'kernel'],
  ['relu: zMax changed', RELU, { zMax: 3 }, 'zMax'],
  ['relu: hiddenWindow changed', RELU, { hiddenWindow: 32 }, 'hiddenWindow'],
  ['relu: gHidden changed', RELU, { gHidden: 8 }, 'gHidden'],
  ['relu: leaky on a plain G', RELU, { leaky: 0.2 }, 'leaky'],
  ['digits: labelCopies 1e8', DIGITS, { labelCopies: 1e8 }, 'labelCopies'],
  ['digits: labelCopies 11', DIGITS, { labelCopies: 11 }, 'labelCopies'],
  ['digits: bias 9', DIGITS, { bias: 9 }, 'bias'],
  ['ramp: tmax 2', RAMP, { tmax: 2 }, 'tmax'],
  ['ramp: gLatency 2', RAMP, { gLatency: 2 }, 'gLatency'],
  ['ramp: kernel delta', RAMP, { kernel: 'delta', loss: 'ttfs' }, 'kernel'],
  ['faithful: kernel ramp', FAITHFUL, { kernel: 'ramp' }, 'kernel'],
  ['faithful: gThreshold changed', FAITHFUL, { gThreshold: 99 }, 'gThreshold'],
  ['ramp: nz as the string "6"', RAMP, { nz: '6' }, 'nz'],
  ['ramp: tmax "0x10"', RAMP, { tmax: '0x10' }, 'tmax'],
];

describe('loadGenerator refuses a G whose gan settings do not describe its network', () => {
  it.each(TAMPERED)('%s', (what, cfg, patch, key) => {
    const path = write(`${what.replace(/\W+/g, '-')}.safetensors`, cfg, patch);
    expect(() => loadGenerator(path)).toThrow(path);
    try {
      loadGenerator(path);
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg.startsWith(`${path}: `), msg).toBe(true);
      expect(msg).toContain(`'gan'`);
      expect(msg).toMatch(new RegExp(`\\b${key}\\b`));
    }
  });
});

/** A failure: non-zero exit (not killed by the hang guard), one line `spiking-gan <cmd>: ...` naming the problem. */
function expectFailure(r: Result, cmd: string, mentions: string[]): void {
  const info = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  expect(r.code, info).not.toBeNull();
  expect(r.code, info).not.toBe(0);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, info).toHaveLength(1);
  expect(lines[0].startsWith(`spiking-gan ${cmd}: `), info).toBe(true);
  for (const m of mentions) expect(lines[0], info).toContain(m);
}

describe('sample and eval refuse a tampered G, and eval a D of another layout', () => {
  const cli = (...args: string[]) => runCli(tmp, args, 60_000);
  /** A folder holding G (with `gPatch` on its settings) and D (built from `dCfg`), as train leaves them. */
  const folder = (name: string, cfg: GanConfig, gPatch: Record<string, unknown>, dCfg = cfg) => {
    mkdirSync(join(tmp, name));
    write(`${name}/G.safetensors`, cfg, gPatch);
    write(`${name}/D.safetensors`, dCfg, {}, 'D');
    return `${name}/G.safetensors`;
  };
  const sample = (g: string) => ['sample', '--model', g, '--count', '3', '--png', `${g.split('/')[0]}.png`];
  const evaluate = (g: string) => ['eval', '--model', g, '--judge-cache', 'judge-cache'];
  const RELU_KERNEL_AS_RAMP = { kernel: 'ramp', tiedNoise: false, pack: 1, labelCopies: 1 };
  const cases: [what: string, args: () => string[], mentions: string[]][] = [
    [
      'sample: relu-cond G with nz 50',
      () => sample(folder('s-nz', small('relu-cond', { nz: 100 }), { nz: 50 })),
      ['s-nz/G.safetensors', 'nz'],
    ],
    [
      'sample: digits G with labelCopies 1e8',
      () => sample(folder('s-copies', DIGITS, { labelCopies: 1e8 })),
      ['s-copies/G.safetensors', 'labelCopies'],
    ],
    ['sample: relu G with nz 1e9', () => sample(folder('s-huge', RELU, { nz: 1e9 })), ['s-huge/G.safetensors', 'nz']],
    [
      'eval: relu-cond G with kernel ramp',
      () => evaluate(folder('e-kernel', RELU_COND, RELU_KERNEL_AS_RAMP)),
      ['e-kernel/G.safetensors', 'kernel'],
    ],
    // (a G whose D reads the digit in its input: an unconditional D then has 20 inputs fewer)
    [
      'eval: D of an unconditional run beside a conditional G',
      () => evaluate(folder('e-d-cond', small('relu-cond', { auxClass: 0 }), {}, RELU)),
      ['e-d-cond/D.safetensors', 'conditional'],
    ],
    [
      'eval: D packing 1 image beside a G of pack 2',
      () => evaluate(folder('e-d-pack', RELU_COND, {}, small('relu-cond', { pack: 1 }))),
      ['e-d-pack/D.safetensors', 'pack'],
    ],
    [
      'eval: D with a projection readout, G without',
      () => evaluate(folder('e-d-proj', small('relu-cond', { projection: false }), {}, RELU_COND)),
      ['e-d-proj/D.safetensors', 'projection'],
    ],
    [
      'eval: ramp D of another threshold',
      () => evaluate(folder('e-d-theta', DIGITS, {}, small('digits', { dThreshold: 3 }))),
      ['e-d-theta/D.safetensors', 'dThreshold'],
    ],
  ];
  it.concurrent.each(cases)('%s', async (_what, args, mentions) => {
    const argv = args();
    expectFailure(await cli(...argv), argv[0], mentions);
  });
});
