// `spiking-gan eval`: sample quality (the judge's metrics) and sparsity (spikes, synaptic events) of a
// trained Spiking-GAN, or the quality alone of any sample file (`--samples`: IDX or .npy images from any
// generator).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadModel } from '@spiking-gan/core';
import { loadMnist } from '../data/mnist.ts';
import { readSampleImages, readSampleLabels } from '../data/samples.ts';
import { ganSparsity, type NetFigures } from '../eval/sparsity.ts';
import {
  formatQualityReport,
  loadOrTrainJudge,
  qualityReport,
  type Judge,
  type QualityReport,
} from '../quality/index.ts';
import { checkDiscriminatorAgainstConfig } from '../models/file-checks.ts';
import { loadGenerator } from '../train/checkpoint.ts';
import { sampleGenerator } from '../train/trainer.ts';
import { CliError } from './fail.ts';
import { checkDistinct, checkOutputDir, checkOutputFile, writeOutput, type NamedPath } from './output.ts';

/** Options of `spiking-gan eval`. */
export interface EvalGanOptions {
  /** Generator to sample and judge (exactly one of `model` and `samples`). */
  model?: string;
  /** Sample file to judge instead of a generator (IDX or .npy images). */
  samples?: string;
  /** Labels of the sample file (IDX 1-D bytes or .npy integers); only with `samples`. */
  labels?: string;
  discriminator?: string;
  /** Images judged: generated (default 10,000), or the first `count` of the sample file (default all). */
  count?: number;
  seed: number;
  /** Samples of the sparsity figures (default 1,000); only with `model`. */
  sparsitySamples?: number;
  judgeCache: string;
  json?: boolean;
  out?: string;
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');

/** What a row of the sparsity table shows (of G, D or the pipeline). */
type RowFigures = Pick<NetFigures, 'decisionTime' | 'spikes' | 'spikesToDecision' | 'synapticEvents'> & {
  synapticEventsToDecision: number;
  energy: { snnToDecisionNj: number; annNj: number };
};

/** "judge: MLP 0.99 test accuracy", as the report's title says it. */
const judgeNote = (judge: Judge) => `judge: MLP ${JSON.stringify(judge.info.testAccuracy)} test accuracy`;

/** The copy check's per-image arrays stay out of the JSON. */
function jsonQuality(q: QualityReport): object {
  const { checked: _c, distances: _d, nearestTrain: _n, ...copy } = q.copy;
  return { ...q, copy };
}

function judgeFor(o: EvalGanOptions): Judge {
  checkOutputDir(o.judgeCache, false); // a read-only cache that holds the judge is fine
  const log = o.json ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  return loadOrTrainJudge(o.judgeCache, { log });
}

function emit(o: EvalGanOptions, result: object, text: string[]): void {
  if (o.out) writeOutput(o.out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(o.json ? `${JSON.stringify(result, null, 2)}\n` : text.join('\n'));
}

/** Judges a generator's samples (and measures G, D and the pipeline) or a sample file's images; prints the figures. */
export async function evalGan(o: EvalGanOptions): Promise<void> {
  if ((o.model === undefined) === (o.samples === undefined)) {
    throw new CliError('give exactly one of --model (a generator to sample) and --samples (an image file to judge)');
  }
  if (o.samples !== undefined) return evalSamples(o, o.samples);
  if (o.labels !== undefined) {
    throw new CliError('--labels goes with --samples; a conditional generator gives its own labels');
  }
  const model = o.model!;
  const count = o.count ?? 10_000;
  if (!existsSync(model)) throw new CliError(`${model}: no such file`);
  const { G, cfg } = loadGenerator(model);
  const dPath = o.discriminator ?? join(dirname(model), 'D.safetensors');
  if (!existsSync(dPath)) throw new CliError(`${dPath}: no such file (give the discriminator with --discriminator)`);
  const { net: D, metadata: dMeta } = loadModel(dPath);
  if (dMeta.kind !== 'discriminator') {
    throw new CliError(`${dPath}: not a discriminator model (kind '${dMeta.kind ?? 'none'}')`);
  }
  checkDiscriminatorAgainstConfig(dPath, D, cfg);
  if (o.out) checkOutputFile(o.out);
  if (o.out)
    checkDistinct(
      [['--out', o.out]],
      [
        ['--model', model],
        ['--discriminator', dPath],
      ],
    );
  const judge = judgeFor(o);
  const { pixels, labels } = sampleGenerator(G, cfg, count, o.seed);
  const given = cfg.conditional ? { labels, source: 'the conditional generator' } : undefined;
  const quality = qualityReport(judge, pixels, count, { seed: o.seed }, given);
  const sparsity = ganSparsity(G, D, cfg, loadMnist('test'), o.sparsitySamples ?? 1000, o.seed + 1);
  const result = {
    generator: model,
    discriminator: dPath,
    config: cfg,
    count,
    seed: o.seed,
    quality: jsonQuality(quality),
    sparsity,
  };
  const u = sparsity.unit;
  const cells = (x: RowFigures, undecided: string) => [
    f(x.decisionTime, 3),
    undecided,
    f(x.spikes, 1),
    f(x.spikesToDecision, 1),
    f(x.synapticEvents, 0),
    f(x.synapticEventsToDecision, 0),
    `${f(x.energy.snnToDecisionNj, 1)} / ${f(x.energy.annNj, 1)}`,
  ];
  const row = (name: string, x: NetFigures) =>
    `| ${[name, ...cells(x, `${(100 * x.undecided).toFixed(1)} %`)].join(' | ')} |`;
  const p = sparsity.pipeline;
  emit(o, result, [
    `## Quality of ${count} samples from ${model} (seed ${o.seed}; ${judgeNote(judge)})`,
    '',
    formatQualityReport(quality),
    '',
    `## Sparsity (${sparsity.dReal.samples} samples; times in ${u}; energy: SOPs × 0.9 pJ to the decision / ` +
      `same network as an ANN, MACs × 4.6 pJ, nJ; ${p.energy.note})`,
    '',
    '| network | decision time | undecided | spikes | spikes to decision | SOPs | SOPs to decision ' +
      '| energy nJ SNN / ANN |',
    '|:--|--:|--:|--:|--:|--:|--:|--:|',
    row('G (first pixel spike)', sparsity.generator),
    row(`D on real (called real ${(100 * sparsity.dReal.calledReal).toFixed(1)} %)`, sparsity.dReal),
    row(`D on fake (called real ${(100 * sparsity.dFake.calledReal).toFixed(1)} %)`, sparsity.dFake),
    `| ${['G→D pipeline', ...cells(p, '-')].join(' | ')} |`,
    '',
  ]);
}

const SPARSITY_NOTE = 'no sparsity section: --samples judges images alone, no generator or discriminator is loaded';

/** `eval --samples FILE [--labels FILE]`: the quality report of a sample file, without a generator. */
async function evalSamples(o: EvalGanOptions, path: string): Promise<void> {
  if (o.discriminator !== undefined) {
    throw new CliError('--discriminator goes with --model; --samples judges images alone');
  }
  if (o.sparsitySamples !== undefined) {
    throw new CliError('--sparsity-samples goes with --model; --samples judges images alone');
  }
  const read = readSampleImages(path, o.count);
  if (read.n < 2) throw new CliError(`${path}: ${read.n} image${read.n === 1 ? '' : 's'} to judge, need at least 2`);
  const labels = o.labels === undefined ? undefined : readSampleLabels(o.labels, read.total, read.n);
  const inputs: NamedPath[] = [['--samples', path]];
  if (o.labels !== undefined) inputs.push(['--labels', o.labels]);
  if (o.out) checkOutputFile(o.out);
  if (o.out) checkDistinct([['--out', o.out]], inputs);
  const judge = judgeFor(o);
  const quality = qualityReport(judge, read.images, read.n, { seed: o.seed }, labels && { labels, source: o.labels! });
  const result = {
    samples: path,
    labels: o.labels ?? null,
    file: read.description,
    imagesInFile: read.total,
    count: read.n,
    seed: o.seed,
    quality: jsonQuality(quality),
    sparsity: null,
    note: SPARSITY_NOTE,
  };
  const of = read.n < read.total ? `the first ${read.n} of ${read.total}` : `${read.n}`;
  emit(o, result, [
    `## Quality of ${of} images in ${path} (${read.description}; seed ${o.seed}; ${judgeNote(judge)})`,
    '',
    formatQualityReport(quality),
    '',
    `(${SPARSITY_NOTE})`,
    '',
  ]);
}
