// The sweep file and its runs, in-process: shape checks and GAN-setting checks that name the file and
// the key, the expansion of recipes × grid × seeds into named runs and train options, the spec hash,
// what counts as a complete run, the ranked table, and the checks of a queue job's data.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planSweep, specHash, type RunSpec } from '../src/sweep/plan.ts';
import { completeResult, RESULT, type RunResult } from '../src/sweep/run.ts';
import { checkSweep, readSweepFile } from '../src/sweep/sweep-file.ts';
import { sweepMarkdown, sweepTable } from '../src/sweep/table.ts';
import { settingOptions } from '../src/sweep/train-args.ts';
import { jobSpec } from '../src/sweep/worker.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sweep-plan-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Options of `spiking-gan train` that these cases use (the CLI passes the real list). */
const OPTIONS = new Set([
  '--preset',
  '--steps',
  '--batch',
  '--g-hidden',
  '--d-hidden',
  '--d-dropout',
  '--schedule',
  '--float-twin',
  '--no-float-twin',
  '--tied-noise',
  '--no-tied-noise',
  '--seed',
  '--samples',
  '--sample-seed',
  '--checkpoint-every',
]);

/** Plans `content` as sweep file 's.json'. */
const plan = (content: unknown) => planSweep(checkSweep('s.json', content), OPTIONS);

/** The message of what `fn` throws. */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('did not throw');
}

describe('the sweep file', () => {
  it('fills what is left out: one recipe named after the preset, seed 0, the train and eval defaults', () => {
    const f = checkSweep('s.json', { preset: 'relu' });
    expect(f.recipes).toEqual([{ name: 'relu', settings: {} }]);
    expect(f.seeds).toEqual([0]);
    expect(f.train).toEqual({ samples: 100, sampleSeed: 1, checkpointEvery: 50 });
    expect(f.eval).toEqual({ count: 10_000, seed: 1, sparsitySamples: 1000 });
    expect(f.best).toBe(4);
  });

  it.each([
    [{ recipes: [{ name: 'a' }], colour: 1 }, 's.json: colour: unknown key (expected preset, settings, recipes'],
    [{ recipes: {} }, 's.json: recipes: must be a non-empty list of recipes, got {}'],
    [{ recipes: [{ name: 'a' }, { name: 'A' }] }, "s.json: recipes[1].name: 'A' is the name of recipes[0] already"],
    [{ recipes: [{ name: '../up' }] }, "s.json: recipes[0].name: '../up' must be 1 to 64 letters"],
    [{ recipes: [{ settings: {} }] }, 's.json: recipes[0].name: missing'],
    [{ recipes: [{ name: 'a', steps: 3 }] }, 's.json: recipes[0].steps: unknown key (expected name, preset, settings)'],
    [{ seeds: [0, 1, 0] }, 's.json: seeds[2]: seed 0 is listed twice'],
    [{ seeds: [1.5] }, 's.json: seeds[0]: must be a whole number from 0 to 4294967295, got 1.5'],
    [{ grid: { steps: [] } }, 's.json: grid.steps: must be a non-empty list of values, got []'],
    [{ grid: { steps: [2, 2] } }, 's.json: grid.steps[1]: 2 is listed twice'],
    [{ train: { samples: 0 } }, 's.json: train.samples: must be a whole number from 1 to 10000, got 0'],
    [{ eval: { count: '100' } }, 's.json: eval.count: must be a whole number from 2 to 1000000, got "100"'],
    [{ eval: { limit: 3 } }, 's.json: eval.limit: unknown key (expected count, seed, sparsitySamples)'],
    [[1, 2], 's.json: the sweep must be a JSON object, got [1,2]'],
  ])('refuses %j naming the file and the key', (content, message) => {
    expect(thrown(() => checkSweep('s.json', content))).toContain(message);
  });

  it('names the line and column of a JSON syntax error, and a missing file', () => {
    const path = join(tmp, 'broken.json');
    writeFileSync(path, '{\n  "seeds": [0, 1],\n  "preset": "relu",,\n}\n');
    const where = new RegExp(`^${path}: not valid JSON \\(.* at line 3, column 20\\)$`);
    expect(thrown(() => readSweepFile(path))).toMatch(where);
    const none = join(tmp, 'none.json');
    expect(thrown(() => readSweepFile(none))).toBe(`${none}: no such file or directory`);
  });
});

describe('the runs of a sweep', () => {
  const content = {
    preset: 'relu',
    settings: { steps: 2, batch: 2, gHidden: 8 },
    recipes: [{ name: 'a' }, { name: 'b', settings: { gHidden: 12, floatTwin: true } }],
    grid: { dHidden: [8, 16], schedule: ['constant', 'cosine'] },
    seeds: [0, 7],
  };

  it('are every recipe × grid point × seed, in that order, named after each', () => {
    const runs = plan(content);
    expect(runs).toHaveLength(2 * 4 * 2);
    expect(runs.slice(0, 5).map((r) => r.spec.name)).toEqual([
      'a_dHidden-8_schedule-constant_s0',
      'a_dHidden-8_schedule-constant_s7',
      'a_dHidden-8_schedule-cosine_s0',
      'a_dHidden-8_schedule-cosine_s7',
      'a_dHidden-16_schedule-constant_s0',
    ]);
    expect(runs.at(-1)!.spec.name).toBe('b_dHidden-16_schedule-cosine_s7');
  });

  it("take the file's settings, then the recipe's, then the grid point's; the seed comes from seeds", () => {
    const b = plan(content).find((r) => r.spec.name === 'b_dHidden-16_schedule-cosine_s7')!;
    expect(b.spec.settings).toEqual({
      steps: 2,
      batch: 2,
      gHidden: 12,
      floatTwin: true,
      dHidden: 16,
      schedule: 'cosine',
    });
    expect(b.spec.seed).toBe(7);
    expect(b.trainArgs).toEqual([
      '--preset',
      'relu',
      '--steps',
      '2',
      '--batch',
      '2',
      '--g-hidden',
      '12',
      '--float-twin',
      '--d-hidden',
      '16',
      '--schedule',
      'cosine',
      '--seed',
      '7',
      '--samples',
      '100',
      '--sample-seed',
      '1',
      '--checkpoint-every',
      '50',
    ]);
  });

  it("leave out settings equal to the preset's and pass a switched-off flag as --no-", () => {
    const base = { tiedNoise: true, floatTwin: false, steps: 10 };
    const s = { tiedNoise: false, floatTwin: false, steps: 10 };
    expect(settingOptions(s, base, OPTIONS)).toEqual({ args: ['--no-tied-noise'] });
  });

  it.each([
    [
      { preset: 'relu', recipes: [{ name: 'a', settings: { ghidden: 8 } }] },
      's.json: recipes[0].settings.ghidden (run a_s0): unknown setting (did you mean gHidden?)',
    ],
    [
      { preset: 'relu', settings: { seed: 3 } },
      's.json: settings.seed (run relu_s0): the seed of each run comes from "seeds", not from a setting',
    ],
    [
      { preset: 'relu', recipes: [{ name: 'a' }, { name: 'b', settings: { dDropout: 1.5 } }] },
      's.json: recipes[1].settings.dDropout (run b_s0): dDropout',
    ],
    [{ preset: 'relu', grid: { batch: [2, 3] } }, 's.json: grid.batch (run relu_batch-3_s0): batch (3) must be'],
    [{ recipes: [{ name: 'a', preset: 'fancy' }] }, "s.json: recipes[0].preset: unknown preset 'fancy'"],
    [
      { preset: 'relu', settings: { tmax: 2 } },
      's.json: settings.tmax (run relu_s0): spiking-gan train has no option --tmax',
    ],
    [
      { preset: 'relu', grid: { steps: [1, '1'] } },
      's.json: recipes[0] \'relu\', grid point steps="1": its run name ' +
        "relu_steps-1_s0 is also that of recipes[0] 'relu', grid point steps=1",
    ],
  ])('refuses %j naming the file and the key', (content, message) => {
    expect(thrown(() => plan(content))).toContain(message);
  });

  it('have a hash that follows what the run does, not the order of its keys', () => {
    const [run] = plan({ preset: 'relu', settings: { steps: 2, batch: 2 } });
    const reordered: RunSpec = { ...run.spec, settings: { batch: 2, steps: 2 } };
    expect(specHash(reordered)).toBe(run.hash);
    expect(specHash({ ...run.spec, seed: 1 })).not.toBe(run.hash);
    expect(specHash({ ...run.spec, eval: { ...run.spec.eval, count: 5 } })).not.toBe(run.hash);
  });
});

/** A result of run `name` with FID `fid`, listing `files`. */
function result(name: string, fid: number | null, hash = 'h', files = { samples: 'samples.png' }): RunResult {
  const [run] = plan({ preset: 'relu', recipes: [{ name }] });
  return {
    name: run.spec.name,
    hash,
    spec: run.spec,
    train: { steps: 2, seconds: 1.5, stepsPerSecond: 1.6 },
    figures: { fid, fidFloor: 3, score: 5, confident: 0.5, imbalance: 0.1, variety: 0.8, n: 20 },
    files,
    where: { host: 'h', dir: '/x' },
  };
}

describe('a complete run', () => {
  it('is one whose result.json holds its hash and whose listed files are all there', () => {
    const dir = join(tmp, 'run');
    mkdirSync(dir);
    expect(completeResult(dir, 'h')).toBeNull(); // nothing yet
    writeFileSync(join(dir, RESULT), JSON.stringify(result('a', 1)));
    expect(completeResult(dir, 'h')).toBeNull(); // samples.png missing
    writeFileSync(join(dir, 'samples.png'), 'png');
    expect(completeResult(dir, 'h')!.name).toBe('a_s0');
    expect(completeResult(dir, 'other')).toBeNull(); // another recipe under the same name
    writeFileSync(join(dir, RESULT), '{"name": "a_s0", "ha');
    expect(completeResult(dir, 'h')).toBeNull(); // cut short
  });
});

describe('the table', () => {
  it('ranks by FID (none last), shows the best grids side by side and the failed runs', () => {
    const sf = checkSweep('s.json', { preset: 'relu', best: 2 });
    const t = sweepTable(
      sf,
      4,
      [result('b', 9.5), result('c', null), result('a', 2.25)],
      [{ name: 'd_s0', error: 'train failed: x | y' }],
      (n) => `runs/${n}/samples.png`,
    );
    expect(t.ranked.map((r) => [r.rank, r.name])).toEqual([
      [1, 'a_s0'],
      [2, 'b_s0'],
      [3, 'c_s0'],
    ]);
    const md = sweepMarkdown(sf, t);
    expect(md).toContain('# Sweep s.json: 3 of 4 runs judged, 1 failed');
    expect(md).toContain(
      '| 1 | a_s0 | a | 0 | 2.25 | 3.00 | 5.00 | 50.0 % | 0.100 | 0.800 | 2 | 1.5 s | ' +
        '[png](runs/a_s0/samples.png) |',
    );
    expect(md).toContain('| 3 | c_s0 | c | 0 | - |');
    expect(md).toContain(
      '| 1. a_s0 (FID 2.25) | 2. b_s0 (FID 9.50) |\n|:-:|:-:|\n' +
        '| ![a_s0](runs/a_s0/samples.png) | ![b_s0](runs/b_s0/samples.png) |',
    );
    expect(md).toContain('| d_s0 | train failed: x \\| y |');
  });
});

describe('a queue job', () => {
  const [run] = plan({ preset: 'relu', settings: { steps: 2 } });

  it('is checked like a sweep file: its spec comes back as sent', () => {
    expect(jobSpec('job j', JSON.parse(JSON.stringify(run.spec)))).toEqual(run.spec);
  });

  it.each([
    [{ name: '../../etc' }, 'job j: name: not a run folder name: "../../etc"'],
    [{ seed: -1 }, 'job j: seeds[0]: must be a whole number'],
    [{ train: { samples: 1e9 } }, 'job j: train.samples: must be a whole number'],
    [{ settings: [] }, 'job j: settings: must be an object of GAN settings'],
  ])('refuses %j', (change, message) => {
    expect(thrown(() => jobSpec('job j', { ...run.spec, ...change }))).toContain(message);
  });
});
