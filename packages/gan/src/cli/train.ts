// `spiking-gan train`: adversarial training of the Spiking-GAN, with checkpoints, resume, sample grid and figures.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnist } from '../data/mnist.ts';
import { makeConfig, type GanConfig } from '../models/config.ts';
import { loadCheckpoint, saveCheckpoint, saveNetwork } from '../train/checkpoint.ts';
import { DivergenceError, meanStats, type StepStats } from '../train/gan-trainer.ts';
import { createTrainer, type Trainer } from '../train/trainer.ts';
import { imageGridPng } from '../viz/png.ts';
import { gitCommit } from './classify.ts';
import { CliError } from './fail.ts';
import { checkOutputDir, writeOutput } from './output.ts';
import { formatDuration, Progress } from './progress.ts';

/** Options of `spiking-gan train` (GAN settings override the preset). */
export interface TrainGanOptions extends Partial<GanConfig> {
  preset: string;
  out: string;
  resume?: boolean;
  checkpointEvery: number;
  logEvery: number;
  samples: number;
  sampleSeed: number;
  json?: boolean;
  quiet?: boolean;
}

const GAN_KEYS: (keyof GanConfig)[] = ['kernel', 'loss', 'gamma', 'gammaA', 'beta', 'tmax', 'dWindow', 'gLatency', 'nz', 'noise', 'noiseSilent', 'noiseSpan', 'gHidden', 'dHidden', 'gThreshold', 'dThreshold', 'conditional', 'labelCopies', 'bias', 'gObjective', 'silentPixel', 'silentPenalty', 'gSilentPenalty', 'optimizer', 'lrD', 'lrG', 'beta1', 'decay', 'batch', 'dSteps', 'instanceNoise', 'realTarget', 'diversity', 'mmd', 'advWeight', 'gEma', 'schedule', 'digitGroup', 'zMax', 'hiddenWindow', 'outWindow', 'initGain', 'biasGain', 'floatTwin', 'dDropout', 'leaky', 'pack', 'tiedNoise', 'projection', 'steps', 'seed'];

const f2 = (x: number) => x.toFixed(2);

/** Runs (or resumes) a GAN training and writes checkpoint, G and D model files, a sample grid and figures.json to `out`. */
export async function trainGan(o: TrainGanOptions): Promise<void> {
  const data = loadMnist('train');
  const ckpt = join(o.out, 'checkpoint.safetensors');
  let tr: Trainer;
  let history: StepStats[] = [];
  let window: StepStats[] = [];
  if (o.resume) {
    if (!existsSync(ckpt)) throw new CliError(`--resume: no checkpoint at ${ckpt}`);
    const given = GAN_KEYS.filter((k) => o[k] !== undefined && k !== 'steps');
    if (given.length) throw new CliError(`--resume continues the checkpoint's settings; only --steps may change (got --${given.join(', --')})`);
    const loaded = loadCheckpoint(ckpt, data, { steps: o.steps });
    ({ trainer: tr, history, window } = loaded);
  } else {
    const overrides: Partial<GanConfig> = {};
    for (const k of GAN_KEYS) if (o[k] !== undefined) (overrides as Record<string, unknown>)[k] = o[k];
    let cfg: GanConfig;
    try {
      cfg = makeConfig(o.preset, overrides);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    tr = createTrainer(cfg, data);
  }
  checkOutputDir(o.out);
  removeStaleTemps(o.out);
  const cfg = tr.cfg, commit = gitCommit();
  const bar = new Progress('train', cfg.steps, o.quiet || o.json);
  // timings go to figures.json and the terminal only: model files and checkpoints stay byte-identical across runs
  const t0 = performance.now(), firstStep = tr.step;
  let savedStep = o.resume ? tr.step : -1;
  const save = () => {
    saveCheckpoint(ckpt, tr, { history: JSON.stringify(history), window: JSON.stringify(window), commit });
    savedStep = tr.step;
  };
  let last: StepStats | null = history[history.length - 1] ?? null;
  while (tr.step < cfg.steps) {
    let st: StepStats;
    try {
      st = tr.trainStep();
    } catch (e) {
      if (!(e instanceof DivergenceError)) throw e;
      throw new CliError(`${e.message}; ${savedStep >= 0 ? `the last good checkpoint is ${ckpt} (step ${savedStep})` : 'no checkpoint was written yet'}`);
    }
    window.push(st);
    if (tr.step % o.logEvery === 0) {
      last = meanStats(window);
      history.push(last);
      window = [];
    }
    const s = last ?? st;
    bar.update(tr.step, `D right real ${f2(s.dRealRight)} fake ${f2(s.dFakeRight)}, fooled ${f2(s.gFooled)}, D time real ${f2(s.tReal)} fake ${f2(s.tFake)}, lit ${f2(s.lit)}, varying ${f2(s.varying)}`);
    if (tr.step % o.checkpointEvery === 0 || tr.step === cfg.steps) save();
  }
  const secs = (performance.now() - t0) / 1000;
  if (window.length) last = meanStats(window);
  const { pixels } = tr.sample(o.samples, o.sampleSeed);
  const grid = join(o.out, 'samples.png');
  writeOutput(grid, imageGridPng(pixels, o.samples, 28, 28, { scale: 2 }));
  const meta = { commit };
  saveNetwork(join(o.out, 'G.safetensors'), tr, 'generator', meta);
  saveNetwork(join(o.out, 'D.safetensors'), tr, 'discriminator', meta);
  const figures = {
    config: cfg, commit, steps: tr.step, seconds: secs, stepsThisRun: tr.step - firstStep,
    stepsPerSecond: (tr.step - firstStep) / Math.max(secs, 1e-9),
    last, history,
    files: { checkpoint: ckpt, generator: join(o.out, 'G.safetensors'), discriminator: join(o.out, 'D.safetensors'), samples: grid },
  };
  writeOutput(join(o.out, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
  if (o.json) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  else {
    const dur = formatDuration(secs), took = o.resume ? `, the last ${tr.step - firstStep} in ${dur}` : ` in ${dur}`;
    process.stdout.write([
      `trained ${tr.step} steps${took} (${o.resume ? 'resumed' : `preset ${o.preset}`}: ${cfg.kernel} kernel${cfg.floatTwin ? ' (float twin)' : ''}, ${cfg.loss} loss${cfg.conditional ? ', conditional' : ''}${cfg.mmd > 0 ? `, MMD ${cfg.mmd}` : ''}, batch ${cfg.batch}, seed ${cfg.seed}, commit ${commit})`,
      last ? `last steps: D right on real ${f2(last.dRealRight)}, on fake ${f2(last.dFakeRight)}; G fooled D on ${f2(last.gFooled)}; lit pixels ${f2(last.lit)}; G neurons varying with the noise ${f2(last.varying)}` : '',
      `wrote ${grid}, ${figures.files.generator}, ${figures.files.discriminator}, ${ckpt}, ${join(o.out, 'figures.json')}`,
    ].filter(Boolean).join('\n') + '\n');
  }
}

/** Removes temporary files that a killed run left in `dir` (`.<name>.<pid>.<hex>.tmp` of a process that is gone). */
function removeStaleTemps(dir: string): void {
  for (const f of readdirSync(dir)) {
    const m = /^\..+\.(\d+)\.[0-9a-z]+\.tmp$/.exec(f);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      rmSync(join(dir, f), { force: true });
    }
  }
}
