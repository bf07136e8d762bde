// Fuzzing the metadata of generator files and checkpoints (issue 14): valid files written by the
// library (saveModel of a G built from each preset, saveCheckpoint of tiny runs), then one or more
// metadata values replaced by random and adversarial JSON (strings, huge and negative numbers, NaN,
// "0x10", nested structures, wrong types). Every case is refused with a ModelFileError naming the
// file and the key, or loads (a generator also samples) within 200 MB and 2 s. Seeded: the same cases
// every run.
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelFileError, readSafetensorsFile, saveModel, writeSafetensorsFile, type Tensor } from '@spiking-gan/core';
import { loadMnist } from '../src/data/mnist.ts';
import { makeConfig, type GanConfig } from '../src/models/config.ts';
import { buildGenerator } from '../src/models/networks.ts';
import { loadCheckpoint, loadGenerator, saveCheckpoint } from '../src/train/checkpoint.ts';
import { createTrainer, sampleGenerator } from '../src/train/trainer.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gan-metadata-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const data = loadMnist('test');
const SEED = 14;
const small = (preset: string, o: Partial<GanConfig> = {}) =>
  makeConfig(preset, { nz: 6, gHidden: 7, dHidden: 5, batch: 4, steps: 4, seed: 3, ...o });

/** A file as read back: tensors and metadata, ready to be patched and written again. */
interface Base {
  name: string;
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

function base(name: string, write: (path: string) => void): Base {
  const path = join(tmp, `${name}.safetensors`);
  write(path);
  return { name, ...readSafetensorsFile(path) };
}

const G_CONFIGS = [
  small('relu-cond', { projection: true, auxClass: 0.5 }),
  small('relu', { leaky: 0.2, pack: 1 }),
  small('digits'),
  small('faithful', { batch: 1 }),
];
const GENERATORS: Base[] = G_CONFIGS.map((cfg, k) =>
  base(`G${k}`, (path) =>
    saveModel(path, buildGenerator(cfg), {
      metadata: { kind: 'generator', gan: JSON.stringify(cfg), step: '4', commit: 'abc' },
    }),
  ),
);

const C_CONFIGS = [small('relu-cond', { gEma: 0.9, dDropout: 0.2, projection: true, auxClass: 0.5 }), small('digits')];
const CHECKPOINTS: Base[] = C_CONFIGS.map((cfg, k) =>
  base(`C${k}`, (path) => {
    const tr = createTrainer(cfg, data);
    const history = [tr.trainStep(), tr.trainStep()];
    saveCheckpoint(path, tr, { history: JSON.stringify(history), window: JSON.stringify([history[1]]), commit: 'abc' });
  }),
);

const GAN_KEYS = Object.keys(small('relu')) as (keyof GanConfig)[];
const CHECKPOINT_KEYS = [
  'format',
  'config',
  'step',
  'scales',
  'optimiser_steps',
  'rng',
  'feat_seen',
  'history',
  'window',
  'commit',
];

/** JSON texts (and near-JSON) that a lying or broken file may hold where a value should be. */
const ADVERSARIAL = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '-1e999',
  '0x10',
  '"0x10"',
  '"16"',
  '"1e3"',
  '"abc"',
  '""',
  'null',
  'true',
  'false',
  '[]',
  '{}',
  '[1, 2]',
  '{"a": {"b": [1, {"c": null}]}}',
  '-0',
  '1e-400',
  '00',
  '9007199254740993',
  '1e9',
  '1e15',
  '-1',
  '0',
  '0.5',
  '1',
  '2',
  '4096',
  '4097',
  '1024',
  '1025',
  '100',
  '101',
  '2.5',
  '"relu"',
  '"ramp"',
  '"delta"',
  '"bce"',
  '[[0, 1], [0, 1]]',
  '[[1, 0], [0, 1]]',
  '{"__proto__": {"nz": 1}}',
  '[0, 0, 0, 0]',
  '[4294967296, 1, 1, 1]',
  '[1, 2, 3]',
  `${'['.repeat(20000)}${']'.repeat(20000)}`,
  `"${'x'.repeat(100_000)}"`,
];

/** A JSON text for a value: adversarial, plausible, random JSON, any number (NaN, infinities spelled out), a string. */
const rawJson = fc.oneof(
  fc.constantFrom(...ADVERSARIAL),
  fc.constantFrom('0', '1', '2', '3', '8', '10', '0.1', '0.9', '0.999', '1e-4', '64', 'false', 'true'),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.double().map((x) => (Number.isFinite(x) ? JSON.stringify(x) : String(x))),
  fc.integer({ min: -(2 ** 33), max: 2 ** 33 }).map(String),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
);

/** `value` as JSON text with the value at each edit's path replaced by the edit's JSON text. */
function jsonWith(value: unknown, edits: [path: (string | number)[], raw: string][]): string {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  const hole = (i: number) => `\u0000hole ${i}\u0000`;
  edits.forEach(([path], i) => {
    let at = copy;
    for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
    at[path[path.length - 1]] = hole(i);
  });
  let text = JSON.stringify(copy);
  edits.forEach(([, raw], i) => (text = text.replace(JSON.stringify(hole(i)), () => raw)));
  return text;
}

/** Every path to a value inside `v` (containers included, the root excluded). */
function pathsIn(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => {
    const p = [...at, Array.isArray(v) ? Number(k) : k];
    return [p, ...pathsIn(x, p)];
  });
}

/**
 * What a refusal of metadata `key` holding `text` (with the settings `changed` inside it) must name:
 * the key when the text is not JSON at all, else one of the changed settings.
 */
function named(key: string, text: string, changed: string[]): string[] {
  try {
    JSON.parse(text);
  } catch {
    return [`'${key}' is not valid JSON`];
  }
  return changed;
}

interface Tally {
  loaded: number;
  refused: number;
  slowestMs: number;
  mostMb: number;
}
const tallies: Record<string, Tally> = {};

/**
 * Writes `b` with `metadata`, runs `load` on it and checks the outcome: refused with a ModelFileError
 * naming the file and one of `names`, or loaded; either within 200 MB and 2 s.
 */
function check(tally: string, b: Base, metadata: Record<string, string>, names: string[], load: (f: string) => void) {
  const path = join(tmp, `case-${b.name}.safetensors`);
  writeSafetensorsFile(path, b.tensors, metadata);
  const t = (tallies[tally] ??= { loaded: 0, refused: 0, slowestMs: 0, mostMb: 0 });
  const rss = process.memoryUsage().rss,
    t0 = performance.now();
  let refusal: string | null = null;
  try {
    load(path);
  } catch (e) {
    const { name, message } = e as Error;
    if (!(e instanceof ModelFileError))
      throw new Error(`${b.name}, ${names.join(', ')}: ${name}: ${message}`, { cause: e });
    refusal = message;
  }
  const ms = performance.now() - t0,
    mb = (process.memoryUsage().rss - rss) / 1e6;
  const what = `${b.name}: ${refusal ?? 'loaded'}`;
  t.slowestMs = Math.max(t.slowestMs, ms);
  t.mostMb = Math.max(t.mostMb, mb);
  expect(ms, what).toBeLessThan(2000);
  expect(mb, what).toBeLessThan(200);
  if (refusal === null) {
    t.loaded++;
    return;
  }
  t.refused++;
  expect(refusal.startsWith(`${path}: `), refusal).toBe(true);
  expect(
    names.some((k) => refusal.includes(k)),
    `names none of ${names.join(', ')}: ${refusal}`,
  ).toBe(true);
}

/** loadGenerator, then 3 samples, as `spiking-gan sample` does. */
const sampleFrom = (path: string) => {
  const { G, cfg } = loadGenerator(path);
  sampleGenerator(G, cfg, 3, 1, cfg.conditional ? 7 : undefined);
};
const resume = (path: string) => void loadCheckpoint(path, data);

const gIndex = fc.nat({ max: GENERATORS.length - 1 }),
  cIndex = fc.nat({ max: CHECKPOINTS.length - 1 });
const ganKey = fc.constantFrom(...GAN_KEYS);

describe('generator files with lying gan settings', () => {
  it('the unpatched files load and sample', () => {
    for (const g of GENERATORS) check('generator, unpatched', g, g.metadata, [], sampleFrom);
    expect(tallies['generator, unpatched'].loaded).toBe(GENERATORS.length);
  });

  it('one setting of gan replaced (300 cases)', () => {
    fc.assert(
      fc.property(gIndex, ganKey, rawJson, (i, key, raw) => {
        const g = GENERATORS[i],
          gan = jsonWith(JSON.parse(g.metadata.gan), [[[key], raw]]);
        check('generator, one setting', g, { ...g.metadata, gan }, named('gan', gan, [key]), sampleFrom);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('two to five settings of gan replaced (100 cases)', () => {
    const pairs = fc.uniqueArray(fc.tuple(ganKey, rawJson), { minLength: 2, maxLength: 5, selector: ([k]) => k });
    fc.assert(
      fc.property(gIndex, pairs, (i, edits) => {
        const g = GENERATORS[i],
          gan = jsonWith(
            JSON.parse(g.metadata.gan),
            edits.map(([key, raw]) => [[key], raw]),
          );
        const names = named(
          'gan',
          gan,
          edits.map(([k]) => k),
        );
        check('generator, several settings', g, { ...g.metadata, gan }, names, sampleFrom);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('the whole gan value, and kind, replaced (100 cases)', () => {
    fc.assert(
      fc.property(gIndex, fc.constantFrom('gan', 'kind'), fc.oneof(rawJson, fc.string()), (i, key, text) => {
        const g = GENERATORS[i];
        check('generator, gan or kind', g, { ...g.metadata, [key]: text }, [`'${key}'`, `${key} `], sampleFrom);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

describe('checkpoints with lying metadata', () => {
  it('the unpatched checkpoints load', () => {
    for (const c of CHECKPOINTS) check('checkpoint, unpatched', c, c.metadata, [], resume);
    expect(tallies['checkpoint, unpatched'].loaded).toBe(CHECKPOINTS.length);
  });

  it('one setting of config replaced (200 cases)', () => {
    fc.assert(
      fc.property(cIndex, ganKey, rawJson, (i, key, raw) => {
        const c = CHECKPOINTS[i],
          config = jsonWith(JSON.parse(c.metadata.config), [[[key], raw]]);
        check('checkpoint, one setting', c, { ...c.metadata, config }, named('config', config, [key]), resume);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('a value inside a JSON metadata entry replaced (200 cases)', () => {
    const keyed = ['scales', 'optimiser_steps', 'rng', 'history', 'window'];
    const where = fc
      .tuple(cIndex, fc.constantFrom(...keyed))
      .chain(([i, key]) =>
        fc.constantFrom(...pathsIn(JSON.parse(CHECKPOINTS[i].metadata[key]))).map((path) => ({ i, key, path })),
      );
    fc.assert(
      fc.property(where, rawJson, ({ i, key, path }, raw) => {
        const c = CHECKPOINTS[i],
          text = jsonWith(JSON.parse(c.metadata[key]), [[path, raw]]);
        check('checkpoint, inside an entry', c, { ...c.metadata, [key]: text }, [`'${key}'`], resume);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('a whole metadata entry replaced or removed (200 cases)', () => {
    const near = fc.constantFrom('2', '0', '4', '5', '02', ' 2', '2 ', '+2', '1e0');
    const value = fc.option(fc.oneof(rawJson, fc.string(), near));
    fc.assert(
      fc.property(cIndex, fc.constantFrom(...CHECKPOINT_KEYS), value, (i, key, text) => {
        const c = CHECKPOINTS[i],
          metadata = { ...c.metadata };
        if (text === null) delete metadata[key];
        else metadata[key] = text;
        check('checkpoint, whole entry', c, metadata, [`'${key}'`, `${key} `], resume);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  afterAll(() => {
    for (const [what, t] of Object.entries(tallies)) {
      const worst = `slowest ${t.slowestMs.toFixed(0)} ms, most ${t.mostMb.toFixed(1)} MB`;
      console.log(`${what}: ${t.loaded} loaded, ${t.refused} refused; ${worst}`);
    }
  });
});
