// The runs of a sweep: every recipe × every grid point × every seed, each checked by the GAN config
// validator and turned into `spiking-gan train` options; a run's hash names exactly what it trains and judges.
import { createHash } from 'node:crypto';
import { CliError } from '../cli/fail.ts';
import { makeConfig } from '../models/config.ts';
import type { EvalSettings, SweepFile, TrainOutputs } from './sweep-file.ts';
import { settingOptions } from './train-args.ts';

/** Everything that decides one run's outputs; also the job that a queue worker receives. */
export interface RunSpec {
  /** Folder name: the recipe, the grid point and the seed (`base_lrG-0.0001_s0`). */
  name: string;
  recipe: string;
  /** The preset named in the file (null: the train command's default). */
  preset: string | null;
  /** The GAN settings over the preset: the file's, the recipe's, then the grid point's. */
  settings: Record<string, unknown>;
  seed: number;
  train: TrainOutputs;
  eval: EvalSettings;
}

/** A checked run: its spec, the hash of the spec and the train options (without --out). */
export interface PlannedRun {
  spec: RunSpec;
  hash: string;
  trainArgs: string[];
}

/** Most runs one sweep may plan. */
export const MAX_RUNS = 10_000;

/** Where each merged setting came from in the file (`settings.x`, `recipes[1].settings.x`, `grid.x`). */
type Sources = Record<string, string>;

/** The sweep's runs in order (recipe, grid point, seed); a CliError names the file and key of a bad one. */
export function planSweep(file: SweepFile, trainOptions: ReadonlySet<string>): PlannedRun[] {
  const points = gridPoints(file.grid);
  const total = file.recipes.length * points.length * file.seeds.length;
  if (total > MAX_RUNS) throw new CliError(`${file.path}: the sweep has ${total} runs; at most ${MAX_RUNS}`);
  const runs: PlannedRun[] = [];
  const names = new Map<string, string>();
  file.recipes.forEach((recipe, i) => {
    for (const point of points) {
      const settings: Record<string, unknown> = {},
        sources: Sources = {};
      const layer = (values: Record<string, unknown>, at: (k: string) => string) => {
        for (const [k, v] of Object.entries(values)) {
          settings[k] = v;
          sources[k] = at(k);
        }
      };
      layer(file.settings, (k) => `settings.${k}`);
      layer(recipe.settings, (k) => `recipes[${i}].settings.${k}`);
      layer(Object.fromEntries(point), (k) => `grid.${k}`);
      for (const seed of file.seeds) {
        const name = [recipe.name, ...point.map(([k, v]) => `${k}-${valueText(v)}`), `s${seed}`].join('_');
        const spec: RunSpec = {
          name,
          recipe: recipe.name,
          preset: recipe.preset ?? file.preset ?? null,
          settings,
          seed,
          train: file.train,
          eval: file.eval,
        };
        const where = `recipes[${i}] '${recipe.name}'${point.length ? `, grid point ${pointText(point)}` : ''}`;
        const twin = names.get(name.toLowerCase());
        if (twin) throw new CliError(`${file.path}: ${where}: its run name ${name} is also that of ${twin}`);
        names.set(name.toLowerCase(), where);
        const presetAt = recipe.preset !== undefined ? `recipes[${i}].preset` : 'preset';
        runs.push(checkRun(file.path, spec, { sources, presetAt }, trainOptions));
      }
    }
  });
  return runs;
}

/** Checks one run with the GAN config validator and builds its train options. */
export function checkRun(
  path: string,
  spec: RunSpec,
  where: { sources: Sources; presetAt: string },
  trainOptions: ReadonlySet<string>,
): PlannedRun {
  const { sources, presetAt } = where;
  const at = (key: string) => `${path}: ${sources[key] ?? key} (run ${spec.name})`;
  const preset = spec.preset ?? undefined;
  let base: Record<string, unknown>;
  try {
    base = { ...makeConfig(preset) };
  } catch (e) {
    throw new CliError(`${path}: ${presetAt}: ${plain(e)}`);
  }
  for (const key of Object.keys(spec.settings)) {
    if (key === 'seed') throw new CliError(`${at(key)}: the seed of each run comes from "seeds", not from a setting`);
    if (!(key in base)) throw new CliError(`${at(key)}: unknown setting${suggest(key, Object.keys(base))}`);
  }
  try {
    makeConfig(preset, { ...spec.settings, seed: spec.seed });
  } catch (e) {
    const msg = plain(e);
    const key = Object.keys(spec.settings).find((k) => new RegExp(`\\b${k}\\b`).test(msg));
    throw new CliError(`${key ? at(key) : `${path}: run ${spec.name}`}: ${msg}`);
  }
  const options = settingOptions(spec.settings, base, trainOptions);
  if ('problem' in options) throw new CliError(`${at(options.key)}: ${options.problem}`);
  const t = spec.train;
  const trainArgs = [
    ...(preset === undefined ? [] : ['--preset', preset]),
    ...options.args,
    '--seed',
    String(spec.seed),
    '--samples',
    String(t.samples),
    '--sample-seed',
    String(t.sampleSeed),
    '--checkpoint-every',
    String(t.checkpointEvery),
  ];
  return { spec, hash: specHash(spec), trainArgs };
}

/** A short hash of a run spec (its keys sorted): equal hashes, equal runs. */
export function specHash(spec: RunSpec): string {
  return createHash('sha256').update(canonical(spec)).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted at every level. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Every combination of the grid's values, first key outermost; one empty point for no grid. */
function gridPoints(grid: [string, unknown[]][]): [string, unknown][][] {
  let points: [string, unknown][][] = [[]];
  for (const [key, values] of grid) {
    points = points.flatMap((p) => values.map((v) => [...p, [key, v] as [string, unknown]]));
  }
  return points;
}

/** A grid value in a folder name: its text with anything but letters, digits, '.', '+' and '-' as '~'. */
function valueText(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.replace(/[^A-Za-z0-9.+-]/g, '~');
}

function pointText(point: [string, unknown][]): string {
  return point.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
}

/** An error's message without the validator's "GAN config: " prefix. */
function plain(e: unknown): string {
  return (e as Error).message.replace(/^GAN config: /, '');
}

/** " (did you mean x?)" for a key that differs from a known one in case, dashes or underscores only. */
function suggest(key: string, known: string[]): string {
  const fold = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const hit = known.find((k) => fold(k) === fold(key));
  return hit ? ` (did you mean ${hit}?)` : ' (see spiking-gan train --help for the settings)';
}
