// The sweep file (JSON): recipes × grid × seeds, what each training writes and how each result is judged.
// Read and checked for shape here; every error names the file and the key. The GAN settings' values are
// checked later, run by run, by the GAN config validator (plan.ts).
import { readFileSync } from 'node:fs';
import { CliError } from '../cli/fail.ts';
import { fsReason } from '../cli/output.ts';

/** One recipe: a name (its runs' folder names start with it), a preset and GAN settings over it. */
export interface Recipe {
  name: string;
  preset?: string;
  settings: Record<string, unknown>;
}

/** What each `spiking-gan train` of the sweep writes besides the models: its sample grid and checkpoints. */
export interface TrainOutputs {
  samples: number;
  sampleSeed: number;
  checkpointEvery: number;
}

/** How each run is judged: `spiking-gan eval`'s image count, seed and sparsity samples. */
export interface EvalSettings {
  count: number;
  seed: number;
  sparsitySamples: number;
}

/** A sweep file, checked for shape. */
export interface SweepFile {
  /** The file as the user named it (errors and the table name it). */
  path: string;
  /** Preset of the recipes that name none (none: the train command's default). */
  preset?: string;
  /** GAN settings of every recipe (a recipe's own settings and the grid's win). */
  settings: Record<string, unknown>;
  recipes: Recipe[];
  /** Settings varied over every recipe: each combination of values is a run, in the file's order. */
  grid: [key: string, values: unknown[]][];
  seeds: number[];
  train: TrainOutputs;
  eval: EvalSettings;
  /** Sample grids shown side by side in the table: the best `best` runs. */
  best: number;
}

const TOP = ['preset', 'settings', 'recipes', 'grid', 'seeds', 'train', 'eval', 'best'];
const RECIPE = ['name', 'preset', 'settings'];
const MAX_SEED = 0xffffffff;
/** Names of recipes and hence of run folders: letters, digits, '.', '_' and '-', not starting with '.' or '-'. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

type Json = Record<string, unknown>;

/** Reads and checks sweep file `path`; a CliError names the file and the key of any problem. */
export function readSweepFile(path: string): SweepFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`${path}: ${fsReason(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${path}: not valid JSON (${jsonWhere(text, (err as Error).message)})`);
  }
  return checkSweep(path, raw);
}

/** Checks the parsed content of sweep file `path`. */
export function checkSweep(path: string, raw: unknown): SweepFile {
  const bad = (key: string, what: string): never => {
    throw new CliError(`${path}: ${key}: ${what}`);
  };
  if (!isObject(raw)) throw new CliError(`${path}: the sweep must be a JSON object, got ${kind(raw)}`);
  onlyKeys(raw, TOP, '', bad);
  const preset = optionalName(raw.preset, 'preset', bad);
  const settings = settingsAt(raw.settings, 'settings', bad);
  const recipes =
    raw.recipes === undefined ? [{ name: preset ?? 'default', settings: {} }] : recipeList(raw.recipes, bad);
  const seen = new Map<string, number>();
  recipes.forEach((r, i) => {
    const before = seen.get(r.name.toLowerCase());
    if (before !== undefined) bad(`recipes[${i}].name`, `'${r.name}' is the name of recipes[${before}] already`);
    seen.set(r.name.toLowerCase(), i);
  });
  return {
    path,
    preset,
    settings,
    recipes,
    grid: gridAt(raw.grid, bad),
    seeds: seedList(raw.seeds, bad),
    train: trainOutputs(section(raw.train, 'train', ['samples', 'sampleSeed', 'checkpointEvery'], bad), bad),
    eval: evalSettings(section(raw.eval, 'eval', ['count', 'seed', 'sparsitySamples'], bad), bad),
    best: raw.best === undefined ? 4 : wholeValue(raw.best, 'best', 1, 100, bad),
  };
}

type Bad = (key: string, what: string) => never;

function recipeList(v: unknown, bad: Bad): Recipe[] {
  if (!Array.isArray(v) || v.length === 0) bad('recipes', `must be a non-empty list of recipes, got ${kind(v)}`);
  return (v as unknown[]).map((r, i) => {
    const at = `recipes[${i}]`;
    if (!isObject(r)) bad(at, `must be an object {"name", "preset", "settings"}, got ${kind(r)}`);
    const o = r as Json;
    onlyKeys(o, RECIPE, `${at}.`, bad);
    if (o.name === undefined) bad(`${at}.name`, 'missing: every recipe needs a name');
    const name = optionalName(o.name, `${at}.name`, bad)!;
    if (!NAME.test(name)) bad(`${at}.name`, `'${name}' must be 1 to 64 letters, digits, '.', '_' or '-' (not first)`);
    const preset = optionalName(o.preset, `${at}.preset`, bad);
    return { name, preset, settings: settingsAt(o.settings, `${at}.settings`, bad) };
  });
}

function gridAt(v: unknown, bad: Bad): [string, unknown[]][] {
  if (v === undefined) return [];
  if (!isObject(v)) bad('grid', `must be an object of setting: [values], got ${kind(v)}`);
  return Object.entries(v as Json).map(([k, values]) => {
    if (!Array.isArray(values) || values.length === 0) {
      bad(`grid.${k}`, `must be a non-empty list of values, got ${kind(values)}`);
    }
    const texts = (values as unknown[]).map((x) => JSON.stringify(x));
    const twice = texts.findIndex((t, i) => texts.indexOf(t) !== i);
    if (twice >= 0) bad(`grid.${k}[${twice}]`, `${texts[twice]} is listed twice`);
    return [k, values as unknown[]];
  });
}

function seedList(v: unknown, bad: Bad): number[] {
  if (v === undefined) return [0];
  if (!Array.isArray(v) || v.length === 0) bad('seeds', `must be a non-empty list of whole numbers, got ${kind(v)}`);
  const seeds = (v as unknown[]).map((s, i) => wholeValue(s, `seeds[${i}]`, 0, MAX_SEED, bad));
  const twice = seeds.findIndex((s, i) => seeds.indexOf(s) !== i);
  if (twice >= 0) bad(`seeds[${twice}]`, `seed ${seeds[twice]} is listed twice`);
  return seeds;
}

function settingsAt(v: unknown, at: string, bad: Bad): Record<string, unknown> {
  if (v === undefined) return {};
  if (!isObject(v)) bad(at, `must be an object of GAN settings, got ${kind(v)}`);
  return { ...(v as Json) };
}

function optionalName(v: unknown, at: string, bad: Bad): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') bad(at, `must be a non-empty string, got ${kind(v)}`);
  return v as string;
}

function trainOutputs(o: Json, bad: Bad): TrainOutputs {
  return {
    samples: field(o, 'train.samples', 1, 10_000, 100, bad),
    sampleSeed: field(o, 'train.sampleSeed', 0, MAX_SEED, 1, bad),
    checkpointEvery: field(o, 'train.checkpointEvery', 1, 1e8, 50, bad),
  };
}

function evalSettings(o: Json, bad: Bad): EvalSettings {
  return {
    count: field(o, 'eval.count', 2, 1e6, 10_000, bad),
    seed: field(o, 'eval.seed', 0, MAX_SEED, 1, bad),
    sparsitySamples: field(o, 'eval.sparsitySamples', 1, 1e6, 1000, bad),
  };
}

/** The optional object `v` at key `at`, holding only `keys` (empty when absent). */
function section(v: unknown, at: string, keys: string[], bad: Bad): Json {
  if (v === undefined) return {};
  if (!isObject(v)) bad(at, `must be an object, got ${kind(v)}`);
  onlyKeys(v as Json, keys, `${at}.`, bad);
  return v as Json;
}

/** Field `at` (`section.key`) of `o` as a whole number in [min, max]; `fallback` when absent. */
function field(o: Json, at: string, min: number, max: number, fallback: number, bad: Bad): number {
  const v = o[at.slice(at.indexOf('.') + 1)];
  return v === undefined ? fallback : wholeValue(v, at, min, max, bad);
}

function wholeValue(v: unknown, at: string, min: number, max: number, bad: Bad): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    bad(at, `must be a whole number from ${min} to ${max}, got ${kind(v)}`);
  }
  return v as number;
}

function onlyKeys(o: Json, allowed: string[], prefix: string, bad: Bad): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) bad(`${prefix}${k}`, `unknown key (expected ${allowed.join(', ')})`);
  }
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as an error message shows it: its JSON, cut when long. */
export function kind(v: unknown): string {
  const s = v === undefined ? 'nothing' : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** JSON.parse's message with its character position turned into line and column. */
function jsonWhere(text: string, message: string): string {
  const m = /at position (\d+)/.exec(message);
  const short = message
    .replace(/^JSON\.parse: /, '')
    .replace(/\s*in JSON at position \d+.*$/, '')
    .replace(/, ".*$/s, '');
  if (!m) return short;
  const before = text.slice(0, Number(m[1])).split('\n');
  return `${short} at line ${before.length}, column ${before.at(-1)!.length + 1}`;
}
