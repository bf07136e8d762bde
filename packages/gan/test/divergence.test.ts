// Diverging training: what the engine, the GAN trainer and `spiking-gan train` do when a weight
// becomes NaN or infinite mid-run: the engine keeps every spike time in the window, the trainer
// stops with a DivergenceError naming the step, the command names the last good checkpoint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type Result } from './run-cli.ts';
import { Network, Simulator, type Kernel, type TimeMode } from '@spiking-gan/core';
import { loadMnist } from '../src/data/mnist.ts';
import { makeConfig, type GanConfig } from '../src/models/config.ts';
import { loadGenerator, saveCheckpoint } from '../src/train/checkpoint.ts';
import { GanTrainer } from '../src/train/gan-trainer.ts';
import type { StepStats } from '../src/train/stats.ts';

const tmp = mkdtempSync(join(tmpdir(), 'divergence-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const data = loadMnist('train');
const tiny = (preset: string, o: Partial<GanConfig> = {}) =>
  makeConfig(preset, { gHidden: 24, dHidden: 24, nz: 16, batch: 2, seed: 1, steps: 4, ...o });

const BAD = [NaN, Infinity, -Infinity];

describe('the engine with non-finite weights', () => {
  const cases: [TimeMode, Kernel, boolean][] = [
    ['discrete', 'delta', false],
    ['discrete', 'delta', true],
    ['continuous', 'delta', false],
    ['continuous', 'ramp', false],
    ['continuous', 'delta', true],
  ];
  it.each(cases)(
    '%s time, %s kernel (sparse %s): spike times stay in [0, tmax] (or the run is refused)',
    (time, kernel, sparse) => {
      for (const bad of BAD) {
        for (const where of ['weight', 'scale'] as const) {
          const net = new Network({ tmax: 12, time });
          const inp = net.addInput(3);
          const h = net.addPopulation(4, { name: 'h', threshold: 1 });
          const o = net.addPopulation(2, { name: 'o', threshold: 0.5 });
          const w = Array.from({ length: 12 }, (_, k) => 0.5 + (k % 3));
          const pr = sparse
            ? net.connect(inp, h, {
                sparse: { indptr: [0, 4, 8, 12], indices: [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], values: w },
                kernel,
              })
            : net.connect(inp, h, { weightsPrePost: w, kernel });
          net.connect(h, o, { weights: [1, 1, 1, 1, 1, 1, 1, 1], kernel });
          net.connect(h, h, { weightsPrePost: new Array(16).fill(0.25), kernel, delay: time === 'discrete' ? 1 : 0.5 });
          if (where === 'weight')
            pr.weights[1] = bad; // input 0 -> h1
          else pr.scale = bad;
          let rec;
          try {
            rec = new Simulator(net).run([0, 2, 5]);
          } catch (e) {
            // refusing is fine too, with a message that says what is wrong
            expect((e as Error).message).toMatch(/NaN|Infinity|finite/);
            continue;
          }
          for (let g = 0; g < net.size; g++) {
            const t = rec.times[g];
            expect(Number.isFinite(t) && t >= 0 && t <= net.tmax, `${bad} ${where}: neuron ${g} at ${t}`).toBe(true);
          }
          expect(Number.isFinite(rec.decisionTime)).toBe(true);
          expect(Number.isInteger(rec.synapticEvents)).toBe(true);
        }
      }
    },
  );
});

/** Runs up to `steps` training steps; true when the trainer noticed: it threw, or a step's figure is not finite. */
function noticed(tr: GanTrainer, steps = 3): { noticed: boolean; how: string } {
  for (let s = 0; s < steps; s++) {
    let st: StepStats;
    try {
      st = tr.trainStep();
    } catch (e) {
      return { noticed: true, how: `step ${s + 1} threw ${(e as Error).name}: ${(e as Error).message}` };
    }
    const bad = Object.entries(st).filter(([, v]) => !Number.isFinite(v));
    if (bad.length) return { noticed: true, how: `step ${st.step}: ${bad.map(([k, v]) => `${k} = ${v}`).join(', ')}` };
  }
  return { noticed: false, how: 'every figure finite, no error' };
}

function poisoned(preset: string, net: 'G' | 'D', k: number, what: 'row' | 'all', value = NaN): GanTrainer {
  const tr = new GanTrainer(tiny(preset), data);
  tr.trainStep(); // a good step first: the NaN comes mid-run
  const pr = (net === 'G' ? tr.G : tr.D).projections[k];
  if (what === 'all') pr.weights.fill(value);
  else pr.weights.fill(value, 0, pr.dst.size); // every synapse of source neuron 0
  return tr;
}

describe('the GAN trainer with a NaN weight', () => {
  it("ramp preset, NaN in D: the next step notices (Backprop refuses the NaN error that reaches G's pixels)", () => {
    const r = noticed(poisoned('ramp', 'D', 0, 'all'));
    expect(r.noticed, r.how).toBe(true);
  });

  it("ramp preset, NaN in G's first layer: noticed within 3 steps", () => {
    const r = noticed(poisoned('ramp', 'G', 0, 'row'));
    expect(r.noticed, r.how).toBe(true);
  });
  it("ramp preset, +Infinity in G's pixel layer: noticed within 3 steps", () => {
    const r = noticed(poisoned('ramp', 'G', 1, 'row', Infinity));
    expect(r.noticed, r.how).toBe(true);
  });
  it('faithful preset, NaN in G: noticed within 3 steps', () => {
    const r = noticed(poisoned('faithful', 'G', 0, 'row'));
    expect(r.noticed, r.how).toBe(true);
  });
  it('faithful preset, NaN in D: noticed within 3 steps', () => {
    const r = noticed(poisoned('faithful', 'D', 0, 'all'));
    expect(r.noticed, r.how).toBe(true);
  });
});

const cli = (...args: string[]): Promise<Result> => runCli(tmp, args, 120_000);

describe('spiking-gan train resumed from a checkpoint with a NaN weight', () => {
  const runs: Record<string, Result> = {};
  beforeAll(async () => {
    // checkpoints of tiny runs (1 good step done, 4 to do), poisoned; then `train --resume` on each
    for (const [name, preset, net, what] of [
      ['g-nan', 'ramp', 'G', 'row'],
      ['d-nan', 'ramp', 'D', 'all'],
    ] as const) {
      saveCheckpoint(join(tmp, name, 'checkpoint.safetensors'), poisoned(preset, net, 0, what), {
        history: '[]',
        window: '[]',
        seconds: '0',
      });
    }
    const [g, d] = await Promise.all([
      cli('train', '--resume', '--out', 'g-nan', '--quiet'),
      cli('train', '--resume', '--out', 'd-nan', '--quiet'),
    ]);
    runs.g = g;
    runs.d = d;
  }, 180_000);

  const oneLine = (r: Result) => {
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).not.toContain('    at ');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^spiking-gan train: /);
  };

  it('NaN in D: exits non-zero with one line and no stack trace', () => oneLine(runs.d));

  it('NaN in D: the line names the step and the last good checkpoint', () => {
    oneLine(runs.d);
    expect(runs.d.stderr).toMatch(/step \d+/);
    expect(runs.d.stderr).toContain('checkpoint.safetensors');
  });

  it('NaN in G: never exits 0 leaving a generator that cannot be loaded', () => {
    // either way something is asserted: a run that succeeds leaves a generator that loads
    // (loadGenerator throws when the file is missing), a run that fails says so in one line
    if (runs.g.code === 0) expect(() => loadGenerator(join(tmp, 'g-nan', 'G.safetensors'))).not.toThrow();
    else oneLine(runs.g);
  });
});

describe('a network that stops spiking entirely', () => {
  it('stops training with a DivergenceError naming the step', () => {
    const tr = new GanTrainer(tiny('ramp', { steps: 100 }), data);
    for (const p of tr.G.projections) p.weights.fill(-1); // G can never fire again
    let error: Error | null = null;
    try {
      for (let s = 0; s < 40; s++) tr.trainStep();
    } catch (e) {
      error = e as Error;
    }
    expect(error?.name).toBe('DivergenceError');
    expect(error?.message).toMatch(/training diverged at step 20: G stopped spiking entirely/);
  });
});
