import {
  loadModel,
  ModelFileError,
  readSafetensorsFile,
  saveModel,
  writeSafetensorsFile,
  type Network,
  type Tensor,
} from '@spiking-gan/core';
import { MNIST_PIXELS, type ImageSet } from '../data/mnist.ts';
import { checkConfig, withDefaults, type GanConfig } from '../models/config.ts';
import { checkGeneratorAgainstConfig, settingsText } from '../models/file-checks.ts';
import { checkCheckpointShapes, readCheckpointState } from './checkpoint-metadata.ts';
import type { StepStats } from './stats.ts';
import { createTrainer, type Trainer } from './trainer.ts';

/** Value of the `format` metadata key of GAN checkpoints. */
export const CHECKPOINT_FORMAT = 'spiking-gan-checkpoint/1';

/**
 * Saves everything a run needs to continue bit for bit: stored weights and their lazy scales, Adam
 * moments, optimiser step counts, random generator states, D's feature statistics and the step.
 * `extra` metadata (e.g. the history of figures) is kept as given. The write is atomic.
 */
export function saveCheckpoint(path: string, tr: Trainer, extra: Record<string, string> = {}): void {
  const tensors: Record<string, Tensor> = {};
  const nets: [string, Network, Trainer['optG']][] = [
    ['G', tr.G, tr.optG],
    ['D', tr.D, tr.optD],
  ];
  const scales: Record<string, number[]> = {},
    optSteps: Record<string, number> = {};
  for (const [name, net, opt] of nets) {
    scales[name] = net.projections.map((p) => p.scale);
    optSteps[name] = opt.steps;
    net.projections.forEach((p, k) => {
      const shape = [p.src.size, p.dst.size];
      tensors[`${name}.stored.${k}`] = { dtype: 'F64', shape, data: p.weights };
      if (opt.m[k].length) {
        tensors[`${name}.adam_m.${k}`] = { dtype: 'F64', shape, data: opt.m[k] };
        tensors[`${name}.adam_v.${k}`] = { dtype: 'F64', shape, data: opt.v[k] };
      }
    });
    net.populations.forEach((p, k) => {
      if (!p.relu) return;
      tensors[`${name}.bias.${k}`] = { dtype: 'F64', shape: [p.size], data: p.bias };
      if (opt.biasM[k].length) {
        tensors[`${name}.bias_adam_m.${k}`] = { dtype: 'F64', shape: [p.size], data: opt.biasM[k] };
        tensors[`${name}.bias_adam_v.${k}`] = { dtype: 'F64', shape: [p.size], data: opt.biasV[k] };
      }
    });
  }
  if (tr.featMean.length) tensors['D.feat_mean'] = { dtype: 'F64', shape: [tr.featMean.length], data: tr.featMean };
  tr.emaG?.projections.forEach(
    (p, k) => (tensors[`G.ema.${k}`] = { dtype: 'F64', shape: [p.src.size, p.dst.size], data: p.weights }),
  );
  tr.emaG?.populations.forEach(
    (p, k) => p.relu && (tensors[`G.ema_bias.${k}`] = { dtype: 'F64', shape: [p.size], data: p.bias }),
  );
  writeSafetensorsFile(path, tensors, {
    ...extra,
    format: CHECKPOINT_FORMAT,
    config: JSON.stringify(tr.cfg),
    step: String(tr.step),
    scales: JSON.stringify(scales),
    optimiser_steps: JSON.stringify(optSteps),
    rng: JSON.stringify({
      data: tr.rngData.state(),
      noise: tr.rngNoise.state(),
      ...('rngDropout' in tr ? { dropout: tr.rngDropout.state() } : {}),
    }),
    feat_seen: String(tr.featSeenCount),
  });
}

/**
 * Restores a trainer from a checkpoint, for `steps` in all when given (else the checkpoint's); refuses
 * a file that is not one, whose metadata is out of bounds or does not fit its tensors, or whose state
 * is degenerate (all-zero weights or random generator states). Returns the figures history too.
 */
export function loadCheckpoint(path: string, data: ImageSet, opts: { steps?: number } = {}): LoadedCheckpoint {
  const { tensors, metadata } = readSafetensorsFile(path);
  const fail = (what: string): never => {
    throw new ModelFileError(path, what);
  };
  if (metadata.format !== CHECKPOINT_FORMAT)
    fail(`not a Spiking-GAN checkpoint (format '${metadata.format ?? 'none'}', expected '${CHECKPOINT_FORMAT}')`);
  const cfg = ganSettings(path, metadata, 'config');
  if (opts.steps !== undefined) {
    cfg.steps = opts.steps;
    checkConfig(cfg);
  }
  checkCheckpointShapes(path, tensors, cfg);
  const state = readCheckpointState(path, metadata, cfg);
  const tr = createTrainer(cfg, data),
    taken = new Set<string>();
  const take = (name: string, into: Float64Array) => {
    const t = tensors[name];
    if (!t) fail(`missing tensor '${name}'${settingsOf(name, cfg)}`);
    taken.add(name);
    if (t.dtype !== 'F64' || t.data.length !== into.length)
      fail(`tensor '${name}' is ${t.dtype} with ${t.data.length} values; expected F64 with ${into.length}`);
    const d = t.data as Float64Array;
    for (let k = 0; k < d.length; k++) {
      if (Number.isFinite(d[k])) continue;
      fail(`the checkpoint of step ${state.step} holds a non-finite value: tensor '${name}' element ${k} is ${d[k]}`);
    }
    into.set(d);
  };
  const live = (name: string, weights: Float64Array, scale: number) => {
    if (weights.some((w) => w * scale !== 0)) return;
    fail(`tensor '${name}' is all zeros: a dead layer, training from it degenerates`);
  };
  for (const [name, net, opt] of [
    ['G', tr.G, tr.optG],
    ['D', tr.D, tr.optD],
  ] as const) {
    net.projections.forEach((p, k) => {
      take(`${name}.stored.${k}`, p.weights);
      p.scale = state.scales[name][k];
      live(`${name}.stored.${k}`, p.weights, p.scale);
      if (opt.m[k].length) {
        take(`${name}.adam_m.${k}`, opt.m[k]);
        take(`${name}.adam_v.${k}`, opt.v[k]);
      }
    });
    net.populations.forEach((p, k) => {
      if (!p.relu) return;
      take(`${name}.bias.${k}`, p.bias);
      if (opt.biasM[k].length) {
        take(`${name}.bias_adam_m.${k}`, opt.biasM[k]);
        take(`${name}.bias_adam_v.${k}`, opt.biasV[k]);
      }
    });
    opt.steps = state.optimiserSteps[name];
  }
  if (tr.featMean.length) take('D.feat_mean', tr.featMean);
  tr.emaG?.projections.forEach((p, k) => {
    take(`G.ema.${k}`, p.weights);
    live(`G.ema.${k}`, p.weights, p.scale);
  });
  tr.emaG?.populations.forEach((p, k) => p.relu && take(`G.ema_bias.${k}`, p.bias));
  const extra = Object.keys(tensors).find((name) => !taken.has(name));
  if (extra !== undefined)
    fail(`tensor '${extra}' does not belong to a run with these settings${settingsOf(extra, cfg)}`);
  tr.rngData.setState(state.rng.data);
  tr.rngNoise.setState(state.rng.noise);
  if ('rngDropout' in tr && state.rng.dropout) tr.rngDropout.setState(state.rng.dropout);
  tr.step = state.step;
  tr.featSeenCount = state.featSeen;
  return { trainer: tr, metadata, history: state.history, window: state.window };
}

/** The settings that decide whether a checkpoint holds tensor `name`, for messages (empty if none does alone). */
function settingsOf(name: string, cfg: GanConfig): string {
  const keys = /\.ema/.test(name)
    ? ['gEma']
    : /adam/.test(name)
      ? ['optimiser']
      : /bias|feat_mean/.test(name)
        ? ['kernel']
        : [];
  return keys.length ? ` (metadata 'config': ${settingsText(cfg, keys as (keyof GanConfig)[])})` : '';
}

/** A trainer restored from a checkpoint, the file's metadata and its checked figures history. */
export interface LoadedCheckpoint {
  trainer: Trainer;
  metadata: Record<string, string>;
  history: StepStats[];
  window: StepStats[];
}

/**
 * Writes G (its moving average when `gEma` is on) or D as an ordinary model file (weights with their
 * scale folded in) with the GAN settings in its metadata.
 */
export function saveNetwork(
  path: string,
  tr: Trainer,
  which: 'generator' | 'discriminator',
  extra: Record<string, string> = {},
): void {
  saveModel(path, which === 'generator' ? tr.sampler : tr.D, {
    metadata: { ...extra, kind: which, gan: JSON.stringify(tr.cfg), step: String(tr.step) },
  });
}

/** Reads a generator model file and the GAN settings it was trained with; refuses a network they do not describe. */
export function loadGenerator(path: string): { G: Network; cfg: GanConfig; metadata: Record<string, string> } {
  const { net, metadata } = loadModel(path);
  if (metadata.kind !== 'generator')
    throw new ModelFileError(
      path,
      `not a generator model (kind '${metadata.kind ?? 'none'}'); give the G.safetensors that spiking-gan train writes`,
    );
  const cfg = ganSettings(path, metadata, 'gan');
  if (net.output.size !== MNIST_PIXELS) {
    throw new ModelFileError(path, `generator has ${net.output.size} outputs, expected ${MNIST_PIXELS}`);
  }
  checkGeneratorAgainstConfig(path, net, cfg);
  return { G: net, cfg, metadata };
}

/** The GAN settings in metadata `key` of the file `path`, with the defaults of settings added since, checked. */
export function ganSettings(path: string, metadata: Record<string, string>, key: string): GanConfig {
  const fail = (what: string): never => {
    throw new ModelFileError(path, `metadata '${key}' ${what}`);
  };
  const text = metadata[key];
  if (text === undefined) fail('is missing: not a file that spiking-gan train wrote');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail('is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('is not a JSON object of settings');
  try {
    const cfg = withDefaults(parsed as Partial<GanConfig>);
    checkConfig(cfg);
    return cfg;
  } catch (e) {
    return fail(`is not a valid GAN config (${(e as Error).message})`);
  }
}
