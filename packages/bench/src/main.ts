// `pnpm bench [part ...] [options]`: the benchmark suite's command line.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { benchEngine, type EngineBenchResult } from './engine.ts';
import { benchQuality } from './quality.ts';

const USAGE = `usage: pnpm bench [part ...] [--images N] [--repeats N] [--seed N] [--model FILE] [--json]

parts:  engine   forward pass of the 784-400-10 S4NN network on MNIST test images:
                 the general engine, the engine with early stop, and a plain Float64Array loop
        quality  the sample-quality judge (an MLP MNIST classifier, trained once and cached in
                 .cache/judge): its accuracy, FID floor and ceiling, the test set's score
        (no part: run every part)

options:
  --images N    MNIST test images per repeat (default 10000)
  --repeats N   timed passes over the images (default 3)
  --seed N      weight initialisation seed: hidden N, output N+1 (default 1)
  --model FILE  engine: run a 784-400-10 model file (e.g. a trained classifier) instead
  --json        print one JSON object instead of tables
  -h, --help    this text

(pnpm prints its own header on stdout: use 'pnpm -s bench ... --json' for clean JSON)`;

const PARTS = ['engine', 'quality'] as const;
type Part = (typeof PARTS)[number];

/** Spec §10 reference figures (same machine kind, S4NN's pretrained weights), µs per image. */
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

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}

function machine() {
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, node: process.version, platform: `${process.platform}-${process.arch}` };
}

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}

function table(header: string[], rows: string[][], alignLeft = 1): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) =>
    '| ' + cells.map((c, k) => (k < alignLeft ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, k) => (k < alignLeft ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function printEngine(r: EngineBenchResult): void {
  console.log(`\n## engine: ${r.network}`);
  console.log(`${r.init}, θ = ${r.threshold}, tmax ${r.tmax}; ${r.images} images x ${r.repeats} repeats (warm-up ${r.warmup})\n`);
  console.log(
    table(
      ['implementation', 'median µs/image', 'p90 µs', 'mean µs', 'M syn events/s', 'syn events/image', 'spikes/image', 'mean first output time'],
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
  console.log(`\nper-repeat medians (µs): ${r.impls.map((f) => `${f.key} ${f.repeatMediansUs.map((x) => fmt(x, 1)).join('/')}`).join('; ')}`);
  console.log(`checked: ${r.agreement}`);
  console.log(`timing: ${r.timing}`);
  console.log('\nreference (spec §10, S4NN pretrained weights, 2-core machine of this kind; our weights are random S4NN init, so spike counts differ):\n');
  console.log(table(['implementation', 'µs/image'], REFERENCE.map((x) => [x.label, fmt(x.us, x.us < 10 ? 1 : 0)])));
}

function main(): void {
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
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message.split('\n')[0]} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  // `pnpm bench -- engine` passes the `--` through on some pnpm versions.
  const names = positionals.filter((p) => p !== '--');
  for (const p of names) if (!(PARTS as readonly string[]).includes(p)) fail(`unknown part '${p}' (known: ${PARTS.join(', ')})`);
  const parts: Part[] = names.length > 0 ? [...new Set(names as Part[])] : [...PARTS];
  const images = intOption('images', values.images, 1);
  const repeats = intOption('repeats', values.repeats, 1);
  const seed = intOption('seed', values.seed, 0);
  const json = values.json === true;

  const info = { commit: gitCommit(), machine: machine(), date: new Date().toISOString() };
  const results: Record<string, unknown> = {};
  if (!json) console.log(`# bench — commit ${info.commit}, ${info.machine.cpu} (${info.machine.cores} cores), node ${info.machine.node}, ${info.machine.platform}`);
  const log = (line: string) => process.stderr.write(line + '\n');
  for (const part of parts) {
    if (part === 'engine') {
      const r = benchEngine({ images, repeats, seed, log, model: values.model });
      results[part] = r;
      if (!json) printEngine(r);
    }
    if (part === 'quality') results[part] = benchQuality({ seed, log, print: !json });
  }
  if (json) console.log(JSON.stringify({ ...info, parts: results, reference: { source: "spec §10", usPerImage: REFERENCE } }, null, 2));
}

try {
  main();
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(1);
}
