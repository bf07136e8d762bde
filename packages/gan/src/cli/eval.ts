// `spiking-gan eval`: sample quality (spec §9) and sparsity (spec §7) of a trained Spiking-GAN.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadModel } from '@spiking-gan/core';
import { loadMnist } from '../data/mnist.ts';
import { ganSparsity, type NetFigures } from '../eval/sparsity.ts';
import { formatQualityReport, loadOrTrainJudge, qualityReport } from '../quality/index.ts';
import { loadGenerator } from '../train/checkpoint.ts';
import { sampleGenerator } from '../train/gan-trainer.ts';
import { CliError } from './fail.ts';
import { checkOutputDir, checkOutputFile, writeOutput } from './output.ts';

/** Options of `spiking-gan eval`. */
export interface EvalGanOptions {
  model: string;
  discriminator?: string;
  count: number;
  seed: number;
  sparsitySamples: number;
  judgeCache: string;
  json?: boolean;
  out?: string;
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');

/** Generates `count` images, judges them, measures G, D and the pipeline, and prints (or writes) the figures. */
export async function evalGan(o: EvalGanOptions): Promise<void> {
  if (!existsSync(o.model)) throw new CliError(`${o.model}: no such file`);
  const { G, cfg } = loadGenerator(o.model);
  const dPath = o.discriminator ?? join(dirname(o.model), 'D.safetensors');
  if (!existsSync(dPath)) throw new CliError(`${dPath}: no such file (give the discriminator with --discriminator)`);
  const { net: D, metadata: dMeta } = loadModel(dPath);
  if (dMeta.kind !== 'discriminator') throw new CliError(`${dPath}: not a discriminator model (kind '${dMeta.kind ?? 'none'}')`);
  if (o.out) checkOutputFile(o.out);
  checkOutputDir(o.judgeCache);
  const log = o.json ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  const judge = loadOrTrainJudge(o.judgeCache, { log });
  const { pixels } = sampleGenerator(G, cfg, o.count, o.seed);
  const quality = qualityReport(judge, pixels, o.count, { seed: o.seed });
  const sparsity = ganSparsity(G, D, cfg, loadMnist('test'), o.sparsitySamples, o.seed + 1);
  const { checked: _c, distances: _d, nearestTrain: _n, ...copy } = quality.copy; // per-image arrays stay out of the JSON
  const result = { generator: o.model, discriminator: dPath, config: cfg, count: o.count, seed: o.seed, quality: { ...quality, copy }, sparsity };
  if (o.out) writeOutput(o.out, `${JSON.stringify(result, null, 2)}\n`);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const u = sparsity.unit;
  const row = (name: string, x: NetFigures, extra = '') =>
    `| ${name} | ${f(x.decisionTime, 3)} | ${(100 * x.undecided).toFixed(1)} % | ${f(x.spikes, 1)} | ${f(x.spikesToDecision, 1)} | ${f(x.synapticEvents, 0)} | ${f(x.synapticEventsToDecision, 0)} | ${f(x.energy.snnToDecisionNj, 1)} / ${f(x.energy.annNj, 1)} |${extra}`;
  const p = sparsity.pipeline;
  process.stdout.write([
    `## Quality of ${o.count} samples from ${o.model} (seed ${o.seed}; judge: MLP ${JSON.stringify(judge.info.testAccuracy)} test accuracy)`,
    '',
    formatQualityReport(quality),
    '',
    `## Sparsity (${sparsity.dReal.samples} samples; times in ${u}; energy: SOPs × 0.9 pJ to the decision / same network as an ANN, MACs × 4.6 pJ, nJ; ${p.energy.note})`,
    '',
    '| network | decision time | undecided | spikes | spikes to decision | SOPs | SOPs to decision | energy nJ SNN / ANN |',
    '|:--|--:|--:|--:|--:|--:|--:|--:|',
    row('G (first pixel spike)', sparsity.generator),
    row(`D on real (called real ${(100 * sparsity.dReal.calledReal).toFixed(1)} %)`, sparsity.dReal),
    row(`D on fake (called real ${(100 * sparsity.dFake.calledReal).toFixed(1)} %)`, sparsity.dFake),
    `| G→D pipeline | ${f(p.decisionTime, 3)} | - | ${f(p.spikes, 1)} | ${f(p.spikesToDecision, 1)} | ${f(p.synapticEvents, 0)} | ${f(p.synapticEventsToDecision, 0)} | ${f(p.energy.snnToDecisionNj, 1)} / ${f(p.energy.annNj, 1)} |`,
    '',
  ].join('\n'));
}
