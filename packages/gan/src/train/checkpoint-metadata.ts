// The metadata of a GAN checkpoint read strictly: every value parsed, typed and bounded by the
// run's settings and step, and the weight shapes checked against the settings, before a trainer is
// built from them. Each refusal names the file and the metadata key (or the tensor).
import { ModelFileError, type Tensor } from '@spiking-gan/core';
import type { GanConfig } from '../models/config.ts';
import { layerSizes, settingsText } from '../models/file-checks.ts';
import type { StepStats } from './stats.ts';

/** The figures of one history entry: every key of StepStats (the compiler checks that the list is whole). */
const STATS: Record<keyof StepStats, true> = {
  step: true,
  dRealRight: true,
  dFakeRight: true,
  gFooled: true,
  dLossReal: true,
  dLossFake: true,
  gLoss: true,
  tReal: true,
  tFake: true,
  lit: true,
  varying: true,
  gSpikes: true,
  dSpikes: true,
};

/** What a checkpoint's metadata says besides its settings, checked. */
export interface CheckpointState {
  step: number;
  /** Lazy weight scales of G's and D's two projections. */
  scales: { G: number[]; D: number[] };
  optimiserSteps: { G: number; D: number };
  /** Random generator states (four unsigned 32-bit integers each, not all zero). */
  rng: { data: number[]; noise: number[]; dropout?: number[] };
  featSeen: number;
  /** The figures history and the steps not yet averaged into it. */
  history: StepStats[];
  window: StepStats[];
}

type Json = Record<string, unknown>;
type Fail = (key: string, what: string) => never;

/** A value as a message shows it (infinities spelled out), cut when long. */
function show(v: unknown): string {
  const finite = (_k: string, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x);
  let s: string;
  try {
    s = v === undefined ? 'missing' : (JSON.stringify(v, finite) ?? String(v));
  } catch {
    s = 'a value nested too deep to show';
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isWhole = (v: unknown, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/** Refuses a checkpoint whose G or D weight tensors do not have the shapes the settings `cfg` build. */
export function checkCheckpointShapes(path: string, tensors: Record<string, Tensor>, cfg: GanConfig): void {
  for (const which of ['G', 'D'] as const) {
    const { sizes, keys } = layerSizes(cfg, which);
    for (const k of [0, 1]) {
      const name = `${which}.stored.${k}`,
        t = tensors[name],
        want = [sizes[k], sizes[k + 1]];
      if (!t) throw new ModelFileError(path, `missing tensor '${name}'`);
      if (JSON.stringify(t.shape) === JSON.stringify(want)) continue;
      const given = settingsText(cfg, [...keys[k], ...keys[k + 1]]);
      const what = `has shape [${t.shape.join(', ')}]; metadata 'config' (${given}) implies [${want.join(', ')}]`;
      throw new ModelFileError(path, `tensor '${name}' ${what}`);
    }
  }
}

/** Reads and checks the metadata of checkpoint `path` (besides 'config', already read as `cfg`). */
export function readCheckpointState(path: string, metadata: Record<string, string>, cfg: GanConfig): CheckpointState {
  const fail: Fail = (key, what) => {
    throw new ModelFileError(path, `metadata '${key}' ${what}`);
  };
  const object = (key: string): Json => {
    const v = parseJson(metadata, key, fail);
    return isObject(v) ? v : fail(key, `must be a JSON object, got ${show(v)}`);
  };
  const step = count(metadata, 'step', cfg.steps, `the run's steps: give more steps to continue it`, fail);
  // a step makes at most 2 × batch × dSteps optimiser updates, and as many feature updates
  const updates = 2 * cfg.batch * cfg.dSteps * step,
    per = `2 × batch × dSteps per step, metadata 'step' ${step}`;
  const scales = object('scales'),
    optimiserSteps = object('optimiser_steps'),
    rng = object('rng');
  for (const net of ['G', 'D']) {
    const s = scales[net],
      o = optimiserSteps[net];
    if (!Array.isArray(s) || s.length !== 2 || !s.every((x) => typeof x === 'number' && x > 0 && x < Infinity)) {
      fail('scales', `of ${net} must be 2 positive finite numbers, got ${show(s)}`);
    }
    if (!isWhole(o, updates)) {
      fail('optimiser_steps', `of ${net} must be a whole number from 0 to ${updates} (${per}), got ${show(o)}`);
    }
  }
  checkRngState(rng.data, 'data', fail);
  checkRngState(rng.noise, 'noise', fail);
  if (rng.dropout !== undefined) checkRngState(rng.dropout, 'dropout', fail);
  const featSeen = count(metadata, 'feat_seen', updates, per, fail, '0');
  const history = figures(metadata, 'history', step, fail),
    window = figures(metadata, 'window', step, fail);
  const checked = { scales, optimiserSteps, rng } as Pick<CheckpointState, 'scales' | 'optimiserSteps' | 'rng'>;
  return { step, featSeen, history, window, ...checked };
}

/** Metadata `key` parsed as JSON (`dflt` when it is absent and one is given). */
function parseJson(metadata: Record<string, string>, key: string, fail: Fail, dflt?: unknown): unknown {
  const text = metadata[key];
  if (text === undefined) return dflt === undefined ? fail(key, 'is missing') : dflt;
  try {
    return JSON.parse(text);
  } catch {
    return fail(key, 'is not valid JSON');
  }
}

/** Metadata `key` (or `dflt`) as a whole number in decimal digits, at most `max` (`why` says what bounds it). */
function count(meta: Record<string, string>, key: string, max: number, why: string, fail: Fail, dflt?: string): number {
  const text = meta[key] ?? dflt;
  if (text === undefined || !/^(0|[1-9]\d{0,15})$/.test(text)) fail(key, `is ${show(text)}, not a whole number`);
  if (Number(text) > max) fail(key, `is ${text}, more than ${max} (${why})`);
  return Number(text);
}

/** A random generator state: four unsigned 32-bit integers, not all zero (xoshiro128** never leaves zero). */
function checkRngState(st: unknown, name: string, fail: Fail): void {
  if (!Array.isArray(st) || st.length !== 4 || !st.every((x) => isWhole(x, 0xffffffff))) {
    fail('rng', `state '${name}' must be four unsigned 32-bit integers, got ${show(st)}`);
  }
  if ((st as number[]).every((x) => x === 0)) fail('rng', `state '${name}' is all zeros: it would draw 0 forever`);
}

/** The figures in metadata `key` (absent: none): at most one entry per step done, each figure a finite number. */
function figures(metadata: Record<string, string>, key: string, step: number, fail: Fail): StepStats[] {
  const list = parseJson(metadata, key, fail, []);
  if (!Array.isArray(list)) return fail(key, `must be a JSON array of step figures, got ${show(list)}`);
  if (list.length > step) fail(key, `holds ${list.length} entries, more than the steps done (metadata 'step' ${step})`);
  list.forEach((e: unknown, i) => {
    if (!isObject(e)) fail(key, `entry ${i} must be an object of figures, got ${show(e)}`);
    for (const f of Object.keys(STATS)) {
      const v = (e as Json)[f];
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(key, `entry ${i}: '${f}' is ${show(v)}, not a number`);
    }
  });
  return list as StepStats[];
}
