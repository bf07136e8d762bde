// `pnpm bench [part ...] [options]`: the benchmark suite's command line.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CACHE_VARIABLE, gitCommit } from '@spiking-gan/gan';
import { benchEngine, type EngineBenchResult } from './engine.ts';
import { benchClassifier } from './classifier.ts';
import { benchGan } from './gan.ts';
import { benchGanThreads } from './gan-threads.ts';
import { benchQuality } from './quality.ts';
import { tables, writeReport, type SuiteResult } from './report/report.ts';
import { sweepEngine } from './sweep.ts';

const USAGE = `usage: pnpm bench [part ...] [--quick] [--only PART] [--retrain] [--out DIR] [--json] [options]

Runs the benchmark suite and writes a report (report.json, report.md, charts/*.svg, index.html) to --out.

parts:  engine      forward pass of the 784-400-10 S4NN network on MNIST test images: the engine, the
                    engine with early stop, a plain Float64Array loop and a dense clock-driven loop
                    (S4NN's way); the 784-400-10 network of ReLU-equivalent neurons on the relu kernel,
                    its TypeScript pass and the event loop; then how the cost of both grows with input
                    density, layer width and depth
        classifier  784-400-10 classifiers: TTFS, Aggressive TTFS and its push reading on S4NN's delta
                    kernel (S4NN defaults); the relu kernel's recipe, TTFS and push: accuracy, decision
                    time, undecided share, spikes per layer and per neuron, synaptic events, energy
        gan         the Spiking-GAN with TTFS against Aggressive TTFS D losses (the recipe, default
                    relu, with its readout row too; digits; faithful): D on real and fake, G, the
                    G→D pipeline, quality; training throughput of relu-cond on 1 and 2 threads
        quality     the sample-quality judge's reference figures (accuracy, FID floor and ceiling)
        (no part: every part)

options:
  --quick         a small version of every figure (under two minutes once the judge is cached)
  --only PART     run one part (same as naming it)
  --retrain       train the cached models again (classifiers, GANs) instead of loading them
  --out DIR       report folder (default out/bench)
  --cache DIR     cache folder of the judge and the trained models (default: $SPIKING_GAN_CACHE, else
                  $XDG_CACHE_HOME/spiking-gan or ~/.cache/spiking-gan; the same as spiking-gan eval's)
  --json          print the whole result as one JSON object on stdout
  --render FILE   measure nothing: write the report again from a report.json of an earlier run
  --images N      engine: MNIST test images per repeat (default 10000; quick 500)
  --repeats N     engine: timed passes over the images (default 3; quick 1)
  --seed N        seed of weights, training and noise (default 0)
  --model FILE    engine: run a 784-400-10 model file (e.g. a trained classifier) instead
  --epochs N      classifier: training epochs (default 30; quick 1)
  --recipe NAME   gan: the GAN preset compared with digits and faithful (default relu)
  --gan-steps N   gan: steps of the recipe's runs (default: the preset's; quick: 20 for every
                  non-faithful preset)
  -h, --help      this text

Trained models are cached in the bench folder of the cache folder (SPIKING_GAN_BENCH_CACHE moves that one).
(pnpm prints its own header on stdout: use 'pnpm -s bench ... --json' for clean JSON)`;

const PARTS = ['engine', 'classifier', 'gan', 'quality'] as const;
type Part = (typeof PARTS)[number];

/** Reference figures measured earlier on this machine kind (S4NN's pretrained weights), µs per image. */
const REFERENCE: { label: string; us: number }[] = [
  { label: "S4NN's dense clock-driven NumPy forward", us: 2200 },
  { label: 'Brian2 2.5.1 (numpy code generation)', us: 21000 },
  { label: 'event-driven loop in C, gcc -O3, no vectorisation', us: 38 },
  { label: 'event-driven loop in C, gcc -O3 -march=native (SIMD)', us: 8.8 },
  { label: 'plain JavaScript Float64Array loop', us: 106 },
];

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function intOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}

function machine() {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}

function table(header: string[], rows: string[][], alignLeft = 1): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) =>
    '| ' + cells.map((c, k) => (k < alignLeft ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join(' | ') + ' |';
  const rule =
    '|' + widths.map((w, k) => (k < alignLeft ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function printEngine(r: EngineBenchResult): void {
  console.log(`\n## engine: ${r.network}`);
  console.log(
    `${r.init}, θ = ${r.threshold}, tmax ${r.tmax}; ${r.images} images x ${r.repeats} repeats ` +
      `(warm-up ${r.warmup})`,
  );
  if (r.relu) console.log(`(r) rows: ${r.relu.network}; ${r.relu.init} (first output times in its time units)`);
  console.log('');
  console.log(
    table(
      [
        'implementation',
        'median µs/image',
        'p90 µs',
        'mean µs',
        'M syn events/s',
        'syn events/image',
        'spikes/image',
        'mean first output time',
      ],
      r.impls.map((f) => [
        f.label,
        fmt(f.medianUs, 1),
        fmt(f.p90Us, 1),
        fmt(f.meanUs, 1),
        fmt(f.mSynEventsPerSec, 0),
        fmt(f.synEventsPerImage, 0),
        fmt(f.spikesPerImage, 2),
        fmt(f.meanFirstOutputTime, 2) + (f.noOutputShare > 0 ? ` (${fmt(100 * f.noOutputShare, 1)} % none)` : ''),
      ]),
    ),
  );
  const medians = r.impls.map((f) => `${f.key} ${f.repeatMediansUs.map((x) => fmt(x, 1)).join('/')}`);
  console.log(`\nper-repeat medians (µs): ${medians.join('; ')}`);
  console.log(`checked: ${r.agreement}`);
  console.log(`timing: ${r.timing}`);
  console.log(
    '\nreference (measured earlier, S4NN pretrained weights, 2-core machine of this kind; ' +
      'our weights are random S4NN init, so spike counts differ):\n',
  );
  console.log(
    table(
      ['implementation', 'µs/image'],
      REFERENCE.map((x) => [x.label, fmt(x.us, x.us < 10 ? 1 : 0)]),
    ),
  );
}

/**
 * Collects garbage and lets the finalizers run, so that a part starts with the kernel memory the parts before it
 * no longer use (its blocks come back only when V8 collects their arrays, and V8 does not see that memory).
 */
async function collectGarbage(): Promise<void> {
  gc ??= exposeGc();
  gc();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

let gc: (() => void) | undefined;

/** V8's collector as a function (what `node --expose-gc` gives), turned on at run time. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: {
        images: { type: 'string' },
        repeats: { type: 'string' },
        seed: { type: 'string' },
        model: { type: 'string' },
        epochs: { type: 'string' },
        'gan-steps': { type: 'string' },
        recipe: { type: 'string' },
        only: { type: 'string' },
        render: { type: 'string' },
        out: { type: 'string', default: 'out/bench' },
        cache: { type: 'string' },
        quick: { type: 'boolean', default: false },
        retrain: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message.split('\n')[0]} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.cache !== undefined) process.env[CACHE_VARIABLE] = resolve(values.cache);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.render !== undefined) {
    let saved: SuiteResult;
    try {
      saved = JSON.parse(readFileSync(values.render, 'utf8')) as SuiteResult;
    } catch (e) {
      fail(`--render: cannot read ${values.render} (${(e as Error).message.split('\n')[0]})`);
    }
    let paths: ReturnType<typeof writeReport>;
    try {
      paths = writeReport(values.out!, saved);
    } catch (e) {
      // a report.json of another version of the suite (its rows named and measured otherwise) cannot be drawn
      const from = typeof saved?.commit === 'string' ? `, written at commit ${saved.commit}` : '';
      fail(
        `--render: ${values.render} cannot be drawn by this version of the bench${from} ` +
          `(${(e as Error).message.split('\n')[0]}); run the suite again to measure it anew`,
      );
    }
    console.log(
      `report: ${paths.html} (also ${paths.md}, ${paths.json}, ${paths.charts.length} charts), from ${values.render}`,
    );
    return;
  }
  // `pnpm bench -- engine` passes the `--` through on some pnpm versions.
  const names = positionals.filter((p) => p !== '--');
  if (values.only !== undefined) names.push(values.only);
  for (const p of names)
    if (!(PARTS as readonly string[]).includes(p)) fail(`unknown part '${p}' (known: ${PARTS.join(', ')})`);
  const parts: Part[] = names.length > 0 ? [...new Set(names as Part[])] : [...PARTS];
  const quick = values.quick === true,
    json = values.json === true;
  const images = intOption('images', values.images, 1) ?? (quick ? 500 : undefined);
  const repeats = intOption('repeats', values.repeats, 1) ?? (quick ? 1 : undefined);
  const seedGiven = intOption('seed', values.seed, 0);
  const epochs = intOption('epochs', values.epochs, 1) ?? (quick ? 1 : 30);
  const ganSteps = intOption('gan-steps', values['gan-steps'], 1) ?? (quick ? 20 : undefined);
  const retrain = values.retrain === true;

  const t0 = performance.now();
  const result: SuiteResult = {
    commit: gitCommit(),
    machine: machine(),
    date: new Date().toISOString(),
    seed: seedGiven ?? 0,
    quick,
    seconds: 0,
  };
  if (!json)
    console.log(
      `# bench — commit ${result.commit}, ${result.machine.cpu} (${result.machine.cores} cores), ` +
        `node ${result.machine.node}, ${result.machine.platform}${quick ? ', --quick' : ''}`,
    );
  const log = (line: string) => process.stderr.write(line + '\n');
  for (const [k, part] of parts.entries()) {
    if (k > 0) await collectGarbage();
    if (part === 'engine') {
      const r = benchEngine({
        images,
        repeats,
        seed: seedGiven,
        log,
        model: values.model,
        denseImages: quick ? 10 : 100,
      });
      result.engine = r;
      if (!json) printEngine(r);
      result.sweep = sweepEngine({ images: quick ? 100 : 1000, seed: seedGiven ?? 0, log });
    }
    if (part === 'classifier')
      result.classifier = benchClassifier({
        epochs,
        trainImages: quick ? 3000 : undefined,
        testImages: quick ? 1000 : undefined,
        seed: seedGiven ?? 0,
        retrain,
        log,
      });
    if (part === 'gan') {
      result.gan = benchGan({
        recipe: values.recipe,
        recipeSteps: ganSteps,
        quick,
        faithfulSteps: quick ? 300 : undefined,
        sparsitySamples: quick ? 100 : 1000,
        qualitySamples: quick ? 500 : 10_000,
        seed: seedGiven ?? 0,
        retrain,
        log,
      });
      result.gan.threads = benchGanThreads({
        steps: quick ? 20 : 200,
        repeats: quick ? 1 : 3,
        seed: seedGiven ?? 0,
        log,
      });
    }
    if (part === 'quality')
      result.quality = benchQuality({ seed: seedGiven, log, print: !json, samples: quick ? 2000 : undefined });
  }
  result.seconds = (performance.now() - t0) / 1000;
  const paths = writeReport(values.out!, result);
  const reference = { source: 'measured earlier on this machine kind, S4NN pretrained weights', usPerImage: REFERENCE };
  if (json) console.log(JSON.stringify({ ...result, reference, report: paths }, null, 2));
  else {
    for (const [title, h, rows] of tables(result))
      if (!title.startsWith('Engine')) console.log(`\n## ${title}\n\n${table(h, rows)}`);
    console.log(`\nreport: ${paths.html} (also ${paths.md}, ${paths.json}, ${paths.charts.length} charts)`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(1);
});
