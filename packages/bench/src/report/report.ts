// The suite's report: one JSON for scripts, a Markdown summary, SVG charts and one static HTML page
// (opens from disk: charts inline, sample grids as data URIs) tying them together.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeXml, rasterSvg } from '@spiking-gan/gan';
import { histogram, type ClaimCheck } from '../arith.ts';
import type { ClassifierBenchResult } from '../classifier.ts';
import type { EngineBenchResult, ImplFigures } from '../engine.ts';
import type { GanBenchResult } from '../gan.ts';
import type { SweepPoint, SweepResult } from '../sweep.ts';
import { barChart, lineChart } from './svg.ts';

/** Everything one suite run measured, with where and how. */
export interface SuiteResult {
  commit: string;
  date: string;
  machine: { cpu: string; cores: number; node: string; platform: string };
  seed: number;
  quick: boolean;
  seconds: number;
  engine?: EngineBenchResult;
  sweep?: SweepResult;
  classifier?: ClassifierBenchResult;
  gan?: GanBenchResult;
  quality?: unknown;
}

/** A chart of the report: file name, title, SVG text. */
export interface Chart {
  file: string;
  title: string;
  svg: string;
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const pct = (x: number) => `${f(100 * x, 1)} %`;

/** The provenance line every figure carries. */
export function provenance(r: SuiteResult): string {
  return (
    `commit ${r.commit}, seed ${r.seed}, ${r.machine.cpu} (${r.machine.cores} cores), ` +
    `node ${r.machine.node}, ${r.date.slice(0, 10)}${r.quick ? ', --quick' : ''}`
  );
}

/** The charts of whatever parts ran. */
export function charts(r: SuiteResult): Chart[] {
  const prov = provenance(r),
    out: Chart[] = [];
  const add = (file: string, title: string, svg: string) => out.push({ file, title, svg });
  if (r.engine) {
    const e = r.engine;
    // the dense clock-driven loop is ~1,000× slower: named in the title rather than drawn on the same scale
    const shown = e.impls.filter((i) => i.key !== 'dense-loop'),
      dense = e.impls.find((i) => i.key === 'dense-loop');
    const denseNote = dense ? `; dense clock-driven loop: ${(dense.medianUs / 1000).toFixed(1)} ms` : '';
    const title = `Forward pass per MNIST image (784-400-10)${denseNote}`;
    add(
      'engine-time.svg',
      'Forward pass per MNIST image',
      barChart(
        { title, provenance: prov, yLabel: 'µs per image (median)' },
        shown.map((i) => i.key),
        [{ name: 'µs', values: shown.map((i) => i.medianUs) }],
      ),
    );
  }
  if (r.sweep) {
    const s = r.sweep;
    const sweep = (file: string, title: string, kind: 'density' | 'width' | 'depth', xLabel: string, logX: boolean) => {
      const pts = s[kind],
        relu = s.relu?.[kind] ?? [],
        tag = relu.length > 0 ? 'delta: ' : '';
      const series = [
        { name: `${tag}µs per image`, values: pts.map((p) => p.medianUs) },
        { name: `${tag}k synaptic events per image`, values: pts.map((p) => p.synEventsPerImage / 1000) },
      ];
      if (relu.length === pts.length) {
        series.push({ name: 'relu: µs per image', values: relu.map((p) => p.medianUs) });
        series.push({ name: 'relu: k synaptic events per image', values: relu.map((p) => p.synEventsPerImage / 1000) });
      }
      const frame = { title, provenance: prov, yLabel: 'µs per image (median)' };
      const chart = lineChart(
        frame,
        pts.map((p) => p.x),
        series,
        { xLabel, logX },
      );
      add(file, title, chart);
    };
    const density = 'Engine cost against input density (784-400-10, random inputs)';
    sweep('sweep-density.svg', density, 'density', 'share of inputs that spike', false);
    sweep('sweep-width.svg', 'Engine cost against hidden width (784-W-10, MNIST)', 'width', 'hidden neurons W', true);
    sweep('sweep-depth.svg', 'Engine cost against depth (784-(400×L)-10, MNIST)', 'depth', 'hidden layers L', false);
  }
  if (r.classifier) {
    const c = r.classifier,
      bins = 32;
    for (const kernel of ['delta', 'relu'] as const) {
      const rows = c.rows.filter((x) => x.settings.kernel === kernel);
      if (rows.length === 0) continue;
      const w = rows[0].window,
        edges = Array.from({ length: bins }, (_, k) => (k * w) / bins);
      const file = kernel === 'delta' ? 'classifier-time-hist.svg' : 'classifier-relu-time-hist.svg';
      const xLabel =
        kernel === 'delta'
          ? `first output spike (steps; ${w} = none)`
          : `first output spike after the output window opens (${w} = none)`;
      const title = `Classifier (${kernel} kernel): first output spike time (test images)`;
      const series = rows.map((x) => ({ name: x.settings.name, values: histogram(x.decisionTimes, 0, w, bins) }));
      const chart = lineChart({ title, provenance: prov, yLabel: 'images' }, edges, series, { xLabel, step: true });
      add(file, `Classifier inference time, ${kernel} kernel`, chart);
    }
    const layers = Object.keys(c.rows[0].metrics.spikesPerLayer);
    add(
      'classifier-spikes.svg',
      'Classifier spikes per layer',
      barChart(
        { title: 'Classifier: spikes per image per layer', provenance: prov, yLabel: 'spikes per image' },
        layers.flatMap((l) => [`${l} (window)`, `${l} (to decision)`]),
        c.rows.map((x) => ({
          name: x.settings.name,
          values: layers.flatMap((l) => [x.metrics.spikesPerLayer[l], x.metrics.spikesPerLayerToDecision[l]]),
        })),
      ),
    );
    add(
      'classifier-energy.svg',
      'Classifier energy',
      barChart(
        { title: 'Classifier: energy per image (memory access not counted)', provenance: prov, yLabel: 'nJ per image' },
        ['SNN, window', 'SNN, to decision', 'ANN equivalent'],
        c.rows.map((x) => ({
          name: x.settings.name,
          values: [x.metrics.energy.snnNj, x.metrics.energy.snnToDecisionNj, x.metrics.energy.annNj],
        })),
      ),
    );
    add(
      'classifier-curves.svg',
      'Classifier training curves',
      lineChart(
        { title: 'Classifier training: test accuracy per epoch', provenance: prov, yLabel: 'test accuracy (%)' },
        c.rows[0].curve.map((p) => p.epoch),
        c.rows.map((x) => ({ name: x.settings.name, values: x.curve.map((p) => 100 * p.testAccuracy) })),
        { xLabel: 'epoch' },
      ),
    );
  }
  if (r.gan) {
    const g = r.gan;
    add(
      'gan-time.svg',
      'GAN decision times',
      barChart(
        {
          title: 'Spiking-GAN: mean decision time (image windows; faithful: steps / 256)',
          provenance: prov,
          yLabel: 'decision time (window units)',
        },
        ['D on real', 'D on fake', 'G→D pipeline'],
        g.rows.map((x) => {
          const u = x.preset === 'faithful' ? 256 : 1;
          return {
            name: x.name,
            values: [
              x.sparsity.dReal.decisionTime / u,
              x.sparsity.dFake.decisionTime / u,
              x.sparsity.pipeline.decisionTime / u,
            ],
          };
        }),
      ),
    );
    add(
      'gan-spikes.svg',
      'GAN spikes',
      barChart(
        { title: 'Spiking-GAN: spikes per sample', provenance: prov, yLabel: 'spikes per sample' },
        ['G', 'D on real', 'D on fake', 'pipeline', 'pipeline to decision'],
        g.rows.map((x) => ({
          name: x.name,
          values: [
            x.sparsity.generator.spikes,
            x.sparsity.dReal.spikes,
            x.sparsity.dFake.spikes,
            x.sparsity.pipeline.spikes,
            x.sparsity.pipeline.spikesToDecision,
          ],
        })),
      ),
    );
    add(
      'gan-energy.svg',
      'GAN energy',
      barChart(
        {
          title: 'Spiking-GAN pipeline: energy per sample (memory access not counted)',
          provenance: prov,
          yLabel: 'nJ per sample',
        },
        ['SNN, window', 'SNN, to decision', 'ANN equivalent'],
        g.rows.map((x) => ({
          name: x.name,
          values: [
            x.sparsity.pipeline.energy.snnNj,
            x.sparsity.pipeline.energy.snnToDecisionNj,
            x.sparsity.pipeline.energy.annNj,
          ],
        })),
      ),
    );
    for (const x of g.rows) {
      add(
        `gan-curves-${x.name}.svg`,
        `GAN training curves, ${x.name}`,
        lineChart(
          { title: `Spiking-GAN training (${x.name})`, provenance: prov, yLabel: 'share' },
          x.curve.map((s) => s.step),
          [
            { name: 'D right on real', values: x.curve.map((s) => s.dRealRight) },
            { name: 'D right on fake', values: x.curve.map((s) => s.dFakeRight) },
            { name: 'fakes lit', values: x.curve.map((s) => s.lit) },
            { name: 'G varying with z', values: x.curve.map((s) => s.varying) },
          ],
          { xLabel: 'step' },
        ),
      );
    }
    const first = g.rows.find((x) => x.preset !== 'faithful') ?? g.rows[0];
    add(
      'gan-raster.svg',
      `Spike raster of one G→D pass (${first.name})`,
      rasterSvg(first.raster.pops, {
        tmax: first.raster.tmax,
        title: `One G→D pass (${first.name}), D's times after G's latency; ${prov}`,
        width: 1200,
        maxNeuronsPerPop: 200,
      }),
    );
  }
  return out;
}

function mdTable(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, k) => (k === 0 ? ':--' : '--:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** The paper's claims against what was measured, one row each. */
export function claimsTable(claims: ClaimCheck[]): [string[], string[][]] {
  const change = (x: number) => (!Number.isFinite(x) ? '–' : x >= 0 ? `${f(x, 1)} % less` : `${f(-x, 1)} % more`);
  return [
    ['claim', 'TTFS', 'Aggressive TTFS', 'measured change', 'paper', 'holds', 'at'],
    claims.map((c) => [
      c.claim,
      f(c.before),
      f(c.after),
      change(c.measuredPercent),
      `> ${c.thresholdPercent} % less`,
      c.holds ? 'yes' : 'no',
      c.at ?? '',
    ]),
  ];
}

/** The tables of the report, as [title, header, rows]. */
export function tables(r: SuiteResult): [string, string[], string[][]][] {
  const out: [string, string[], string[][]][] = [];
  const claims = [...(r.classifier?.claims ?? []), ...(r.gan?.claims ?? [])];
  if (claims.length) out.push(["Headline: the paper's claims against what we measure", ...claimsTable(claims)]);
  if (r.engine) {
    const header = [
      'implementation',
      'median µs/image',
      'p90 µs',
      'M syn events/s',
      'syn events/image',
      'spikes/image',
    ];
    const row = (i: ImplFigures) => [
      i.label,
      f(i.medianUs, 1),
      f(i.p90Us, 1),
      f(i.mSynEventsPerSec, 0),
      f(i.synEventsPerImage, 0),
      f(i.spikesPerImage, 1),
    ];
    out.push([engineTitle(r.engine), header, r.engine.impls.map(row)]);
  }
  if (r.sweep) out.push(...sweepTables(r.sweep));
  if (r.classifier) {
    const c = r.classifier;
    const s0 = c.rows[0].settings,
      pct2 = (x: number) => `${f(100 * x, 2)} %`;
    const title =
      `Classifier: 784-400-10 on S4NN's delta kernel (S4NN defaults) and the relu kernel (its recipe), ` +
      `${s0.epochs} epochs × ${s0.trainImages} images, ${c.testImages} test images; memory access not counted`;
    const header = [
      'row',
      'kernel',
      'accuracy',
      'ties correct',
      'decision time (from the output window; delta: steps)',
      'undecided',
      'spikes (window)',
      'spikes (to decision)',
      'hidden / output spikes',
      'spikes per neuron: hidden / output',
      'SOPs (to decision)',
      'energy nJ (to decision) / ANN (MACs)',
      'µs/image',
      'training s',
    ];
    out.push([
      title,
      header,
      c.rows.map((x) => {
        const m = x.metrics,
          l = Object.keys(m.spikesPerLayer),
          e = m.energy;
        const perLayer = (v: Record<string, number>, d: number) => l.map((k) => f(v[k], d)).join(' / ');
        return [
          x.settings.name,
          x.settings.kernel,
          pct2(m.accuracy),
          pct2(m.accuracyTiesCorrect),
          f(m.inferenceTimeInWindow),
          pct2(m.undecided),
          f(m.spikes, 1),
          f(m.spikesToDecision, 1),
          perLayer(m.spikesPerLayer, 1),
          perLayer(m.spikesPerNeuron, 3),
          `${f(m.synapticEvents, 0)} (${f(m.synapticEventsToDecision, 0)})`,
          `${f(e.snnNj, 1)} (${f(e.snnToDecisionNj, 1)}) / ${f(e.annNj, 1)} (${e.macs})`,
          f(x.medianUs, 1),
          `${f(x.trainSeconds, 0)}${x.fromCache ? ' (cached)' : ''}`,
        ];
      }),
    ]);
  }
  if (r.gan) {
    const g = r.gan;
    out.push([
      `Spiking-GAN: sparsity on ${g.sparsitySamples} samples (times: image windows; faithful: steps)`,
      [
        'run',
        'steps',
        'steps/s',
        'D real: time / spikes',
        'D fake: time / spikes',
        'G spikes',
        'pipeline: time / spikes / to decision',
        'pipeline nJ (to decision) / ANN',
      ],
      g.rows.map((x) => {
        const s = x.sparsity;
        return [
          x.name,
          String(x.steps),
          f(x.stepsPerSecond),
          `${f(s.dReal.decisionTime)} / ${f(s.dReal.spikes, 1)}`,
          `${f(s.dFake.decisionTime)} / ${f(s.dFake.spikes, 1)}`,
          f(s.generator.spikes, 1),
          `${f(s.pipeline.decisionTime)} / ${f(s.pipeline.spikes, 1)} / ${f(s.pipeline.spikesToDecision, 1)}`,
          `${f(s.pipeline.energy.snnToDecisionNj, 1)} / ${f(s.pipeline.energy.annNj, 1)}`,
        ];
      }),
    ]);
    out.push([
      `Spiking-GAN: sample quality on ${g.qualitySamples} samples (judge: the project's MLP classifier)`,
      ['run', 'FID (floor / ceiling)', 'classifier score', 'confident (p ≥ 0.9)', 'rarest digit share'],
      g.rows.map((x) => {
        const q = x.quality;
        return [
          x.name,
          `${f(q.fid, 1)} (${f(q.fidFloor, 1)} / ${f(q.fidCeiling, 1)})`,
          f(q.score),
          pct(q.coverage.confident),
          pct(Math.min(...q.coverage.share)),
        ];
      }),
    ]);
    const t = g.threads ?? [],
      one = t.find((x) => x.threads === 1)?.stepsPerSecond ?? null;
    if (t.length)
      out.push([
        `Spiking-GAN training throughput: relu-cond, spiking-gan train --steps ${t[0].steps} --workers N`,
        ['threads', 'steps/s (median)', 'runs (steps/s, in the order they ran)', 'against 1 thread'],
        t.map((x) => [
          String(x.threads),
          x.stepsPerSecond === null ? `refused: ${x.note ?? ''}` : f(x.stepsPerSecond, 1),
          x.runs?.length ? x.runs.map((v) => f(v, 1)).join(', ') : '–',
          x.stepsPerSecond === null || one === null ? '–' : `${f(x.stepsPerSecond / one)}×`,
        ]),
      ]);
  }
  return out;
}

/** The engine table's title: the networks and the images. */
function engineTitle(e: EngineBenchResult): string {
  const relu = e.relu ? `; (r) rows: ${e.relu.network}` : '';
  return `Engine: ${e.network}${relu}, ${e.images} MNIST test images × ${e.repeats}`;
}

/** One table per sweep: the delta networks' figures, and the relu kernel's beside them when they were measured. */
function sweepTables(s: SweepResult): [string, string[], string[][]][] {
  const cells = (p: SweepPoint) => [
    f(p.medianUs, 1),
    f(p.spikesPerImage, 1),
    f(p.synEventsPerImage, 0),
    f(p.mSynEventsPerSec, 0),
  ];
  const heads = ['median µs/image', 'spikes/image', 'syn events/image', 'M syn events/s'];
  const kinds = [
    ['density', 'input density'],
    ['width', 'hidden width'],
    ['depth', 'hidden layers'],
  ] as const;
  return kinds.map(([kind, what]) => {
    const pts = s[kind],
      relu = s.relu?.[kind];
    const both = relu !== undefined && relu.length === pts.length;
    const header = both
      ? [what, ...heads.map((h) => `delta: ${h}`), ...heads.map((h) => `relu: ${h}`)]
      : [what, ...heads];
    const rows = pts.map((p, i) => [String(p.x), ...cells(p), ...(both ? cells(relu[i]) : [])]);
    return [`Sweep over ${what} (${s.images} images per point)`, header, rows];
  });
}

/** The Markdown report. */
export function markdown(r: SuiteResult, chartList: Chart[]): string {
  const parts = [
    `# Spiking-GAN benchmark report`,
    '',
    `${provenance(r)}; the suite ran ${f(r.seconds, 0)} s. ` +
      'Energy: 0.9 pJ per synaptic operation against 4.6 pJ per MAC of the same network as an ANN; ' +
      'memory access is not counted.',
    '',
  ];
  for (const [title, h, rows] of tables(r)) parts.push(`## ${title}`, '', mdTable(h, rows), '');
  if (r.gan) for (const x of r.gan.rows) parts.push(`Samples of ${x.name}: ![${x.name}](grids/${x.name}.png)`, '');
  parts.push('## Charts', '', ...chartList.map((c) => `- [${c.title}](charts/${c.file})`), '');
  return parts.join('\n');
}

/** The page's style sheet, one line in the page. */
const STYLE =
  'body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}' +
  'table{border-collapse:collapse;margin:1em 0;font-size:13px}' +
  'td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}td:first-child,th:first-child{text-align:left}' +
  '.prov{color:#666}.grids{display:flex;flex-wrap:wrap;gap:1em}figure{margin:1em 0}svg{max-width:100%;height:auto}';

/** The HTML page: tables, inline charts and sample grids; no script, no external resource. */
export function html(r: SuiteResult, chartList: Chart[]): string {
  const cells = (tag: 'th' | 'td', xs: string[]) => xs.map((x) => `<${tag}>${escapeXml(x)}</${tag}>`).join('');
  const table = (h: string[], rows: string[][]) =>
    `<table><thead><tr>${cells('th', h)}</tr></thead>` +
    `<tbody>${rows.map((row) => `<tr>${cells('td', row)}</tr>`).join('')}</tbody></table>`;
  const body = [
    `<h1>Spiking-GAN benchmark report</h1>`,
    `<p class="prov">${escapeXml(provenance(r))}; the suite ran ${f(r.seconds, 0)} s. ` +
      'Energy: 0.9 pJ per synaptic operation against 4.6 pJ per MAC; memory access is not counted.</p>',
  ];
  for (const [title, h, rows] of tables(r)) body.push(`<h2>${escapeXml(title)}</h2>`, table(h, rows));
  if (r.gan) {
    body.push('<h2>Samples</h2><div class="grids">');
    for (const x of r.gan.rows)
      body.push(
        `<figure><img alt="samples of ${escapeXml(x.name)}" src="data:image/png;base64,${x.gridPng}" width="280">` +
          `<figcaption>${escapeXml(x.name)}, ${x.steps} steps</figcaption></figure>`,
      );
    body.push('</div>');
  }
  body.push('<h2>Charts</h2>');
  for (const c of chartList)
    body.push(
      `<figure class="chart-figure" id="${escapeXml(c.file)}">${c.svg}` +
        `<figcaption>${escapeXml(c.title)}</figcaption></figure>`,
    );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Spiking-GAN benchmark report</title>
<style>${STYLE}</style>
</head><body>
${body.join('\n')}
</body></html>
`;
}

/** Writes report.json, report.md, index.html, charts/*.svg and grids/*.png into `dir`; returns the paths. */
export function writeReport(dir: string, r: SuiteResult): { json: string; md: string; html: string; charts: string[] } {
  // everything is drawn before anything is written: a result that cannot be drawn leaves `dir` as it was
  const list = charts(r),
    md = markdown(r, list),
    page = html(r, list);
  mkdirSync(join(dir, 'charts'), { recursive: true });
  for (const c of list) writeFileSync(join(dir, 'charts', c.file), c.svg);
  if (r.gan) {
    mkdirSync(join(dir, 'grids'), { recursive: true });
    for (const x of r.gan.rows) writeFileSync(join(dir, 'grids', `${x.name}.png`), Buffer.from(x.gridPng, 'base64'));
  }
  const paths = {
    json: join(dir, 'report.json'),
    md: join(dir, 'report.md'),
    html: join(dir, 'index.html'),
    charts: list.map((c) => join(dir, 'charts', c.file)),
  };
  writeFileSync(paths.json, `${JSON.stringify(r, null, 1)}\n`);
  writeFileSync(paths.md, md);
  writeFileSync(paths.html, page);
  return paths;
}
