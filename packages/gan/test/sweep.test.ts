// `spiking-gan sweep` on this machine, run for real as child processes with tiny recipes (2 steps, 8 hidden
// neurons, 20 images judged by a stand-in judge): a failed run is listed with its reason and redone by the
// next sweep, as is a half-written run (to the same figures), complete runs are skipped, and a bad sweep
// file or a folder in use is refused in one line naming the file and the key.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure } from './expect-failure.ts';
import { runCli, type Result } from './run-cli.ts';
import { cacheStandInJudge } from './stand-in-judge.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sweep-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SWEEP = {
  preset: 'relu',
  settings: { steps: 2, batch: 2, gHidden: 8, dHidden: 8 },
  recipes: [{ name: 'a' }, { name: 'b', settings: { dDropout: 0.3 } }],
  seeds: [3],
  train: { samples: 4 },
  eval: { count: 20, sparsitySamples: 2 },
};
const sweep = (...args: string[]): Promise<Result> =>
  runCli(tmp, ['sweep', 'sweep.json', '--out', 'out', '--jobs', '2', '--judge-cache', 'judge', ...args], 180_000);
const read = (path: string) => readFileSync(join(tmp, path), 'utf8');
const json = (path: string) => JSON.parse(read(path));
const mtime = (path: string) => statSync(join(tmp, path)).mtimeMs;
const lastLine = (r: Result) => r.stderr.trimEnd().split('\n').at(-1);

beforeAll(() => {
  cacheStandInJudge(join(tmp, 'judge'));
  writeFileSync(join(tmp, 'sweep.json'), JSON.stringify(SWEEP));
  mkdirSync(join(tmp, 'out/runs'), { recursive: true });
  writeFileSync(join(tmp, 'out/runs/b_s3'), 'a file where run b_s3 wants its folder\n');
}, 120_000);

describe('spiking-gan sweep', () => {
  it('judges every run it can, lists a failed one with its reason and exits 1', async () => {
    const r = await sweep();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('sweep: 2 runs: 0 complete (skipped), 2 to run (2 at a time)');
    expect(lastLine(r)).toBe(
      'spiking-gan sweep: 1 of 2 runs failed (see out/sweep.md); ' + 'the same command again redoes them',
    );
    const md = read('out/sweep.md');
    expect(md).toContain('# Sweep sweep.json: 1 of 2 runs judged, 1 failed');
    expect(md).toMatch(/\| 1 \| a_s3 \| a \| 3 \| \d+\.\d\d \| \d+\.\d\d \|/);
    expect(md).toMatch(/\| b_s3 \| train failed: spiking-gan train: cannot use out\/runs\/b_s3 as the output folder/);
    expect(json('out/sweep.json').failed).toHaveLength(1);
  }, 180_000);

  it('redoes the failed run and a half-written one (no result.json) to the same figures; ranks them', async () => {
    rmSync(join(tmp, 'out/runs/b_s3'));
    const a = json('out/runs/a_s3/result.json');
    rmSync(join(tmp, 'out/runs/a_s3/result.json')); // as a run killed between its eval and its result leaves it
    const r = await sweep();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('sweep: 2 runs: 0 complete (skipped), 2 to run (2 at a time)');
    expect(json('out/runs/a_s3/result.json').figures).toEqual(a.figures);
    const table = json('out/sweep.json');
    expect(table.failed).toEqual([]);
    expect(table.ranked.map((x: { name: string }) => x.name).sort()).toEqual(['a_s3', 'b_s3']);
    for (const run of table.ranked) {
      expect(run.figures.n).toBe(20);
      expect(run.figures.fid).toBeGreaterThan(0);
      expect(run.train.steps).toBe(2);
      expect(run.spec.seed).toBe(3);
      const png = PNG.sync.read(readFileSync(join(tmp, 'out', run.samples)));
      expect(png.width).toBeGreaterThan(28); // 4 digits of 28 × 28, scaled
      for (const f of ['G.safetensors', 'D.safetensors', 'checkpoint.safetensors', 'figures.json', 'eval.json']) {
        expect(existsSync(join(tmp, 'out/runs', run.name, f)), f).toBe(true);
      }
    }
    const [first, second] = table.ranked;
    expect(first.figures.fid).toBeLessThanOrEqual(second.figures.fid);
    const grid = (name: string) => `![${name}](runs/${name}/samples.png)`;
    expect(r.stdout).toContain(`| ${grid(first.name)} | ${grid(second.name)} |`);
    expect(r.stdout).toContain(
      '- b: preset relu, settings ' + '{"steps":2,"batch":2,"gHidden":8,"dHidden":8,"dDropout":0.3}',
    );
    expect(read('out/sweep.md')).toBe(r.stdout.slice(0, r.stdout.indexOf('\nwrote ')));
  }, 180_000);

  it('skips every complete run: nothing is redone and the table comes back the same', async () => {
    const table = read('out/sweep.json');
    const results = ['a_s3', 'b_s3'].map((n) => mtime(`out/runs/${n}/result.json`));
    const r = await sweep();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('sweep: 2 runs: 2 complete (skipped), 0 to run');
    expect(read('out/sweep.json')).toBe(table);
    expect(['a_s3', 'b_s3'].map((n) => mtime(`out/runs/${n}/result.json`))).toEqual(results);
  });
});

describe.concurrent('spiking-gan sweep refuses in one line, before any run', () => {
  const cases: [string, unknown, string][] = [
    [
      'unknown-setting',
      { ...SWEEP, recipes: [{ name: 'a', settings: { dHiden: 8 } }] },
      'recipes[0].settings.dHiden (run a_s3): unknown setting',
    ],
    ['bad-value', { ...SWEEP, grid: { dDropout: [0.1, 2] } }, 'grid.dDropout (run a_dDropout-2_s3): dDropout must be'],
    ['bad-key', { ...SWEEP, seed: [1] }, 'seed: unknown key'],
  ];
  it.each(cases)('%s', async (name, content, mention) => {
    writeFileSync(join(tmp, `${name}.json`), JSON.stringify(content));
    const r = await runCli(tmp, ['sweep', `${name}.json`, '--out', name]);
    expectFailure(r, 'sweep', [`spiking-gan sweep: ${name}.json: ${mention}`]);
    expect(existsSync(join(tmp, name))).toBe(false);
  });

  it('a file that is not JSON, with the line and column', async () => {
    writeFileSync(join(tmp, 'broken.json'), '{\n  "seeds": [1 2]\n}\n');
    const where = /^spiking-gan sweep: broken\.json: not valid JSON \(.*line 2, column 15\)$/;
    expectFailure(await runCli(tmp, ['sweep', 'broken.json']), 'sweep', [where]);
  });

  it('an output folder that another run holds', async () => {
    mkdirSync(join(tmp, 'held'));
    const owner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), command: 'spiking-gan sweep' };
    writeFileSync(join(tmp, 'held/.spiking-gan.lock'), JSON.stringify(owner));
    const r = await runCli(tmp, ['sweep', 'sweep.json', '--out', 'held']);
    expectFailure(r, 'sweep', ['held is in use by another run']);
  });

  it('a --queue that is not a Redis URL', async () => {
    expectFailure(await runCli(tmp, ['sweep', 'sweep.json', '--queue', 'http://localhost:6379']), 'sweep', [
      '--queue http://localhost:6379: not a redis:// or rediss:// URL',
    ]);
  });
});
