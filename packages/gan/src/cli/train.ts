// `spiking-gan train`: adversarial training of the Spiking-GAN, with checkpoints, resume, sample grid and figures.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { loadMnist, MNIST_SIDE } from '../data/mnist.ts';
import { makeConfig, type GanConfig } from '../models/config.ts';
import { loadCheckpoint, saveCheckpoint, saveNetwork } from '../train/checkpoint.ts';
import { DivergenceError } from '../train/divergence.ts';
import { parallelRefusal, startParallelGan, type ParallelGan } from '../train/parallel-gan.ts';
import { meanStats, type StepStats } from '../train/stats.ts';
import { createTrainer, type Trainer } from '../train/trainer.ts';
import { imageGridPng } from '../viz/png.ts';
import { gitCommit } from '../git-commit.ts';
import { CliError } from './fail.ts';
import { onInterrupt } from './interrupt.ts';
import { lockOutputDir } from './lock.ts';
import { checkOutputDir, writeOutput } from './output.ts';
import { formatDuration, Progress } from './progress.ts';
import { flagsOf, givenSettings } from './train-options.ts';
import { removeStaleTemps } from './temps.ts';

/** Options of `spiking-gan train` (GAN settings override the preset; settings' old names are read too). */
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
  /** Threads of data-parallel training (relu kernel; default 1: the one-thread trainer). */
  workers?: number;
}

/** The files `train` writes into its output folder: only their stale temporary files are ever removed. */
const OUTPUTS = ['checkpoint.safetensors', 'G.safetensors', 'D.safetensors', 'samples.png', 'figures.json'];

const f2 = (x: number) => x.toFixed(2);

/** How far a run got: its step (-1 before the trainer exists) and the step of its last checkpoint (-1: none). */
interface RunState {
  step: number;
  savedStep: number;
}

/**
 * Runs (or resumes) a GAN training and writes checkpoint, G and D model files, a sample grid and
 * figures.json to `out`.
 */
export async function trainGan(o: TrainGanOptions): Promise<void> {
  const ckpt = join(o.out, 'checkpoint.safetensors');
  let cfg: GanConfig | null = null;
  const overrides = givenSettings(o as unknown as Record<string, unknown>);
  if (o.resume) {
    if (!existsSync(ckpt)) throw new CliError(`--resume: no checkpoint at ${ckpt}`);
    const { steps: _steps, ...given } = overrides;
    if (Object.keys(given).length) {
      const got = flagsOf(given).join(', ');
      throw new CliError(`--resume continues the checkpoint's settings; only --steps may change (got ${got})`);
    }
  } else {
    try {
      cfg = makeConfig(o.preset, overrides);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    refuseWorkers(cfg, o.workers ?? 1);
  }
  checkOutputDir(o.out);
  const lock = lockOutputDir(o.out, 'spiking-gan train');
  const state: RunState = { step: -1, savedStep: -1 };
  const stop = onInterrupt('train', () => interruptReport(ckpt, state), lock.release);
  try {
    removeStaleTemps(o.out, OUTPUTS);
    await run(o, ckpt, cfg, state);
  } finally {
    stop();
    lock.release();
  }
}

/** Refuses --workers N for a run that cannot train on N threads, saying why. */
function refuseWorkers(cfg: GanConfig, workers: number): void {
  const why = parallelRefusal(cfg, workers);
  if (why !== null) throw new CliError(`--workers ${workers}: ${why}`);
}

/** What an interrupted run leaves: the step reached and where its last checkpoint is. */
function interruptReport(ckpt: string, s: RunState): string {
  const at = s.step >= 0 ? `at step ${s.step}; ` : '';
  const kept = `the last checkpoint is ${ckpt} (step ${s.savedStep}): continue with --resume`;
  return at + (s.savedStep >= 0 ? kept : 'no checkpoint was written yet');
}

/** The training itself, in a folder that is checked and locked; `fresh` is null when resuming. */
async function run(o: TrainGanOptions, ckpt: string, fresh: GanConfig | null, state: RunState): Promise<void> {
  const data = loadMnist('train');
  let tr: Trainer;
  let history: StepStats[] = [];
  let window: StepStats[] = [];
  if (fresh === null) {
    const loaded = loadCheckpoint(ckpt, data, { steps: o.steps });
    ({ trainer: tr, history, window } = loaded);
  } else {
    tr = createTrainer(fresh, data);
  }
  const commit = gitCommit(),
    workers = o.workers ?? 1;
  refuseWorkers(tr.cfg, workers);
  const par = workers > 1 ? await startParallelGan(tr, workers) : null;
  try {
    await steps(o, tr, par, ckpt, state, { history, window, commit, fresh: fresh !== null });
  } finally {
    await par?.close();
  }
}

/** The figures a run keeps and writes: the history of means, the steps since its last entry, the commit. */
interface RunFigures {
  history: StepStats[];
  window: StepStats[];
  commit: string;
  fresh: boolean;
}

/** Trains to the last step (on the threads of `par` when given), saving checkpoints, then writes the outputs. */
async function steps(
  o: TrainGanOptions,
  tr: Trainer,
  par: ParallelGan | null,
  ckpt: string,
  state: RunState,
  f: RunFigures,
): Promise<void> {
  const cfg = tr.cfg,
    { history, commit } = f;
  let { window } = f;
  const bar = new Progress('train', cfg.steps, o.quiet || o.json);
  // timings go to figures.json and the terminal only: model files and checkpoints stay byte-identical across runs
  const t0 = performance.now(),
    firstStep = tr.step;
  state.step = tr.step;
  if (!f.fresh) state.savedStep = tr.step;
  const save = () => {
    saveCheckpoint(ckpt, tr, { history: JSON.stringify(history), window: JSON.stringify(window), commit });
    state.savedStep = tr.step;
  };
  let last: StepStats | null = history[history.length - 1] ?? null;
  while (tr.step < cfg.steps) {
    await yieldToEvents(); // lets a Ctrl-C handler run between two steps
    let st: StepStats;
    try {
      st = par ? await par.trainStep() : tr.trainStep();
    } catch (e) {
      if (!(e instanceof DivergenceError)) throw e;
      const { savedStep } = state;
      throw new CliError(
        `${e.message}; ` +
          (savedStep >= 0
            ? `the last good checkpoint is ${ckpt} (step ${savedStep})`
            : 'no checkpoint was written yet'),
      );
    }
    state.step = tr.step;
    window.push(st);
    if (tr.step % o.logEvery === 0) {
      last = meanStats(window);
      history.push(last);
      window = [];
    }
    const s = last ?? st;
    bar.update(
      tr.step,
      `D right real ${f2(s.dRealRight)} fake ${f2(s.dFakeRight)}, fooled ${f2(s.gFooled)}, ` +
        `D time real ${f2(s.tReal)} fake ${f2(s.tFake)}, lit ${f2(s.lit)}, varying ${f2(s.varying)}`,
    );
    if (tr.step % o.checkpointEvery === 0 || tr.step === cfg.steps) save();
  }
  const secs = (performance.now() - t0) / 1000;
  if (window.length) last = meanStats(window);
  const { pixels } = tr.sample(o.samples, o.sampleSeed);
  const grid = join(o.out, 'samples.png');
  writeOutput(grid, imageGridPng(pixels, o.samples, MNIST_SIDE, MNIST_SIDE, { scale: 2 }));
  const meta = { commit };
  saveNetwork(join(o.out, 'G.safetensors'), tr, 'generator', meta);
  saveNetwork(join(o.out, 'D.safetensors'), tr, 'discriminator', meta);
  const figures = {
    config: cfg,
    commit,
    steps: tr.step,
    seconds: secs,
    stepsThisRun: tr.step - firstStep,
    workers: par?.workers ?? 1,
    stepsPerSecond: (tr.step - firstStep) / Math.max(secs, 1e-9),
    last,
    history,
    files: {
      checkpoint: ckpt,
      generator: join(o.out, 'G.safetensors'),
      discriminator: join(o.out, 'D.safetensors'),
      samples: grid,
    },
  };
  writeOutput(join(o.out, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
  if (o.json) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  else {
    const dur = formatDuration(secs),
      took = o.resume ? `, the last ${tr.step - firstStep} in ${dur}` : ` in ${dur}`;
    process.stdout.write(
      [
        `trained ${tr.step} steps${took} (${o.resume ? 'resumed' : `preset ${o.preset}`}: ` +
          `${cfg.kernel} kernel${cfg.floatTwin ? ' (float twin)' : ''}, ${cfg.loss} loss` +
          `${cfg.conditional ? ', conditional' : ''}${cfg.mmd > 0 ? `, MMD ${cfg.mmd}` : ''}, batch ${cfg.batch}, ` +
          `seed ${cfg.seed}${par ? `, ${par.workers} threads` : ''}, commit ${commit})`,
        last
          ? `last steps: D right on real ${f2(last.dRealRight)}, on fake ${f2(last.dFakeRight)}; ` +
            `G fooled D on ${f2(last.gFooled)}; lit pixels ${f2(last.lit)}; ` +
            `G neurons varying with the noise ${f2(last.varying)}`
          : '',
        `wrote ${grid}, ${figures.files.generator}, ${figures.files.discriminator}, ${ckpt}, ` +
          join(o.out, 'figures.json'),
      ]
        .filter(Boolean)
        .join('\n') + '\n',
    );
  }
}
