import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist, trainJudge } from '@spiking-gan/gan';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchClassifier } from '../src/classifier.ts';
import { benchGan } from '../src/gan.ts';
import { chromiumPath, checkReportInBrowser } from '../src/report/browser-check.ts';
import { charts, writeReport, type SuiteResult } from '../src/report/report.ts';
import { barChart, ticks } from '../src/report/svg.ts';
import { sweepEngine } from '../src/sweep.ts';

describe('benchmark report', () => {
  let dir: string;
  let result: SuiteResult;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    process.env.SPIKING_GAN_BENCH_CACHE = join(dir, 'cache');
    const train = loadMnist('train');
    const judge = trainJudge({
      seed: 1,
      epochs: 1,
      batchSize: 10,
      lr: 0.003,
      shift: 0,
      test: null,
      train: { images: train.images.subarray(0, 1000 * 784), labels: train.labels.subarray(0, 1000), n: 1000 },
    });
    result = {
      commit: 'abc1234',
      date: '2026-11-28T00:00:00Z',
      machine: { cpu: 'test cpu', cores: 2, node: 'v20', platform: 'linux-x64' },
      seed: 0,
      quick: true,
      seconds: 1,
      sweep: sweepEngine({ images: 5, densities: [0.1, 0.5], widths: [20, 40], depths: [1, 2] }),
      classifier: benchClassifier({ epochs: 1, trainImages: 200, testImages: 100 }),
      gan: benchGan({ recipeSteps: 2, quick: true, faithfulSteps: 5, sparsitySamples: 5, qualitySamples: 20, judge }),
    };
  }, 120_000);
  afterAll(() => {
    delete process.env.SPIKING_GAN_BENCH_CACHE;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second run loads the trained models from the cache; --retrain trains again', () => {
    expect(result.classifier!.rows.every((r) => !r.fromCache)).toBe(true);
    const again = benchClassifier({ epochs: 1, trainImages: 200, testImages: 100 });
    expect(again.rows.every((r) => r.fromCache)).toBe(true);
    expect(again.rows.map((r) => r.metrics.accuracy)).toEqual(result.classifier!.rows.map((r) => r.metrics.accuracy));
    expect(
      benchClassifier({ epochs: 1, trainImages: 200, testImages: 100, retrain: true }).rows.every((r) => !r.fromCache),
    ).toBe(true);
  });

  it("checks the paper's claims from the measured figures", () => {
    const c = result.classifier!,
      [t, a] = c.rows;
    expect(c.claims[0].before).toBe(t.metrics.inferenceTime);
    expect(c.claims[0].after).toBe(a.metrics.inferenceTime);
    expect(c.claims[0].holds).toBe(
      (100 * (t.metrics.inferenceTime - a.metrics.inferenceTime)) / t.metrics.inferenceTime > 33,
    );
    // relu, digits and faithful: two decision times and the pipeline's spikes each
    expect(result.gan!.claims).toHaveLength(9);
    expect(c.claims[0].at).toMatch(/^accuracy /);
  });

  it('writes JSON, Markdown, every chart as SVG with its provenance, and one HTML page', () => {
    const paths = writeReport(dir, result);
    const list = charts(result);
    expect(list.map((c) => c.file)).toEqual(
      expect.arrayContaining([
        'sweep-density.svg',
        'classifier-time-hist.svg',
        'classifier-spikes.svg',
        'classifier-energy.svg',
        'classifier-curves.svg',
        'gan-raster.svg',
        'gan-energy.svg',
        'gan-curves-digits-ttfs.svg',
      ]),
    );
    for (const p of paths.charts) {
      const svg = readFileSync(p, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('commit abc1234, seed 0');
    }
    const md = readFileSync(paths.md, 'utf8');
    expect(md).toContain("## Headline: the paper's claims against what we measure");
    expect(md).toContain('> 33 % less');
    expect(JSON.parse(readFileSync(paths.json, 'utf8')).commit).toBe('abc1234');
    const html = readFileSync(paths.html, 'utf8');
    expect(html).not.toMatch(/<script|(src|href)="https?:/);
    expect(html.match(/<figure class="chart-figure"/g)).toHaveLength(list.length);
    expect(existsSync(join(dir, 'grids', 'digits-ttfs.png'))).toBe(true);
    // the report renders again from its own JSON (pnpm bench --render), with no NaN anywhere
    const again = charts(JSON.parse(readFileSync(paths.json, 'utf8')) as SuiteResult);
    expect(again.map((c) => c.file)).toEqual(list.map((c) => c.file));
    for (const c of again) expect(c.svg).not.toContain('NaN');
  });

  it('writes nothing when a result cannot be drawn (a report.json of an earlier bench: rows named otherwise)', () => {
    const old = JSON.parse(JSON.stringify(result)) as SuiteResult;
    for (const x of old.classifier!.rows) delete (x.settings as Partial<typeof x.settings>).name;
    const out = join(dir, 'old-report');
    expect(() => writeReport(out, old)).toThrow();
    expect(existsSync(out)).toBe(false);
  });

  it('charts refuse data that does not fit their categories; ticks are round', () => {
    expect(() =>
      barChart({ title: 't', provenance: 'p', yLabel: 'y' }, ['a', 'b'], [{ name: 's', values: [1] }]),
    ).toThrow(/has 1 values for 2 categories/);
    expect(ticks(0, 1).map((x) => Number(x.toFixed(9)))).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(0, 1460)).toEqual([0, 500, 1000]);
  });

  const exe = chromiumPath();
  const browserTest = exe !== null ? it : it.skip;
  const skipped = ' (skipped: no chromium at /usr/bin/chromium; apt-get install chromium to run it)';
  browserTest(
    `loads in headless chromium with no console error and every chart rendered${exe ? '' : skipped}`,
    async () => {
      const paths = writeReport(dir, result);
      const r = await checkReportInBrowser(paths.html, exe);
      expect(r.consoleErrors).toEqual([]);
      expect(r.pageErrors).toEqual([]);
      expect(r.charts.length).toBe(charts(result).length);
      expect(r.charts.filter((c) => !c.rendered)).toEqual([]);
      // one sample grid per GAN row (relu × 3, digits × 2, faithful × 2)
      expect(r.images.length).toBe(result.gan!.rows.length);
      expect(result.gan!.rows.length).toBe(7);
      expect(r.ok).toBe(true);
    },
    60_000,
  );
});
