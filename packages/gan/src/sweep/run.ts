// One run of a sweep in its folder: `spiking-gan train`, then `spiking-gan eval` of its generator, then
// result.json (written atomically, last). A run is complete when result.json holds the run's hash and
// every file it lists is there; anything less is redone from the start.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { writeOutput } from '../cli/output.ts';
import { runSpikingGan } from './child.ts';
import type { PlannedRun, RunSpec } from './plan.ts';

/** The figures of a run that the table shows (null where eval gave none). */
export interface RunFigures {
  fid: number | null;
  fidFloor: number | null;
  score: number | null;
  confident: number | null;
  imbalance: number | null;
  variety: number | null;
  /** Images judged. */
  n: number | null;
}

/** What a finished run leaves in result.json. */
export interface RunResult {
  name: string;
  hash: string;
  spec: RunSpec;
  train: { steps: number | null; seconds: number | null; stepsPerSecond: number | null };
  figures: RunFigures;
  /** Files of the run, relative to its folder (result.json aside). */
  files: Record<string, string>;
  /** The machine and folder that trained it (where its models are). */
  where: { host: string; dir: string };
}

/** Name of the file that marks a run as complete. */
export const RESULT = 'result.json';

const TRAIN_FILES = {
  generator: 'G.safetensors',
  discriminator: 'D.safetensors',
  checkpoint: 'checkpoint.safetensors',
  samples: 'samples.png',
  figures: 'figures.json',
  eval: 'eval.json',
};

/** The complete result of `run` in `dir`, or null when it must be (re)done. */
export function completeResult(dir: string, hash: string): RunResult | null {
  let r: RunResult;
  try {
    r = JSON.parse(readFileSync(join(dir, RESULT), 'utf8')) as RunResult;
  } catch {
    return null;
  }
  if (typeof r !== 'object' || r === null || r.hash !== hash || typeof r.files !== 'object' || r.files === null) {
    return null;
  }
  return Object.values(r.files).every((f) => typeof f === 'string' && existsSync(join(dir, f))) ? r : null;
}

/** Trains and judges `run` in folder `dir` (judge cached in `judgeCache`); writes and returns its result. */
export async function executeRun(run: PlannedRun, dir: string, judgeCache: string): Promise<RunResult> {
  // what follows overwrites the files that an older result lists (a folder that is a file: train says so)
  if (existsSync(join(dir, RESULT))) rmSync(join(dir, RESULT));
  const { spec } = run;
  try {
    await runSpikingGan(['train', ...run.trainArgs, '--out', dir, '--quiet']);
  } catch (e) {
    throw new Error(`train failed: ${(e as Error).message}`, { cause: e });
  }
  const figures = readJson(join(dir, TRAIN_FILES.figures));
  try {
    await runSpikingGan([
      'eval',
      '--model',
      join(dir, TRAIN_FILES.generator),
      '--count',
      String(spec.eval.count),
      '--seed',
      String(spec.eval.seed),
      '--sparsity-samples',
      String(spec.eval.sparsitySamples),
      '--judge-cache',
      judgeCache,
      '--json',
      '--out',
      join(dir, TRAIN_FILES.eval),
    ]);
  } catch (e) {
    throw new Error(`eval failed: ${(e as Error).message}`, { cause: e });
  }
  const result: RunResult = {
    name: spec.name,
    hash: run.hash,
    spec,
    train: { steps: num(figures.steps), seconds: num(figures.seconds), stepsPerSecond: num(figures.stepsPerSecond) },
    figures: evalFigures(readJson(join(dir, TRAIN_FILES.eval))),
    files: TRAIN_FILES,
    where: { host: hostname(), dir: resolve(dir) },
  };
  writeOutput(join(dir, RESULT), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** The table's figures from the JSON that `spiking-gan eval` writes. */
export function evalFigures(e: Record<string, unknown>): RunFigures {
  const q = (e.quality ?? {}) as Record<string, unknown>;
  const coverage = (q.coverage ?? {}) as Record<string, unknown>;
  const variety = (q.variety ?? {}) as Record<string, unknown>;
  return {
    fid: num(q.fid),
    fidFloor: num(q.fidFloor),
    score: num(q.score),
    confident: num(coverage.confident),
    imbalance: num(coverage.imbalance),
    variety: num(variety.mean),
    n: num(q.n),
  };
}

function readJson(path: string): Record<string, unknown> {
  const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof v !== 'object' || v === null) throw new Error(`${path}: not a JSON object`);
  return v as Record<string, unknown>;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
