// Fuzzing the metadata of model files (issue 14): valid files of every form (layered S4NN-style,
// ReLU-equivalent windows in continuous time, a sparse recurrent graph, a graph with an unconnected
// input, weights only) get random and adversarial values for every key — tmax, time, layers, input,
// graph, and every field inside them (names, sizes, thresholds, windows, delays, kernels, flags) —
// from a fixed seed. Every case is either refused with a ModelFileError that names the file and the
// key, or loads and runs one sample within 200 MB and 2 s.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeSafetensors,
  loadModel,
  MAX_MODEL_NEURONS,
  MAX_MODEL_TMAX,
  ModelFileError,
  Network,
  readSafetensorsFile,
  saveModel,
  Simulator,
  type Tensor,
} from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'sgan-model-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MB = 2 ** 20;
const KEYS = ['tmax', 'time', 'layers', 'input', 'graph'] as const;
type Key = (typeof KEYS)[number];
/** The metadata keys whose values are JSON. */
const isJson = (k: string): boolean => k === 'layers' || k === 'input' || k === 'graph';

/** A valid model file's parts: its tensors and its metadata, with the JSON keys parsed. */
interface Base {
  name: string;
  tensors: Record<string, Tensor>;
  meta: Record<string, unknown>;
}

/** Saves `net` as a real model file and reads its parts back. */
function base(name: string, net: Network, weightsOnly = false): Base {
  const f = join(dir, `${name}.safetensors`);
  saveModel(f, net);
  const { tensors, metadata } = readSafetensorsFile(f);
  const meta: Record<string, unknown> = {};
  if (!weightsOnly) {
    for (const [k, v] of Object.entries(metadata)) meta[k] = isJson(k) ? JSON.parse(v) : v;
  }
  return { name, tensors, meta };
}

const BASES: Base[] = [
  (() => {
    const net = new Network({ tmax: 256 });
    net.addInput(6);
    net.addLayer(4, { init: { uniform: [0, 40], seed: 1 }, threshold: Float64Array.from([50, 60, 70, 80]) });
    net.addLayer(3, { init: { uniform: [0, 60], seed: 2 }, threshold: 40 });
    return base('s4nn', net);
  })(),
  (() => {
    const net = new Network({ tmax: 4, time: 'continuous', delay: 0 });
    net.addInput(5, 'noise', { start: 0, end: 1 });
    net.addLayer(4, { init: { uniform: [-1, 1], seed: 3 }, window: { start: 1, end: 2 }, bias: 0.1 });
    net.addLayer(3, { init: { uniform: [-1, 1], seed: 4 }, window: { start: 2, end: 3 } });
    return base('relu', net);
  })(),
  (() => {
    const net = new Network({ tmax: 20, time: 'continuous', delay: 0.5 });
    const a = net.addInput(4, 'in');
    const b = net.addPopulation(3, { name: 'b', threshold: [1, 2, 3] });
    const c = net.addPopulation(2, { name: 'c', threshold: 1 });
    net.connect(a, b, { init: { uniform: [0, 2], seed: 5 }, kernel: 'ramp' });
    net.connect(b, c, { sparse: { indptr: [0, 1, 1, 2], indices: [0, 1], values: [2, 3] } });
    net.connect(c, b, { init: { uniform: [0, 1], seed: 6 }, delay: 1.5 });
    return base('graph', net);
  })(),
  (() => {
    const net = new Network({ tmax: 16 });
    const input = net.addInput(3, 'in');
    net.addInput(2, 'aux'); // connected to nothing: its size is backed by no tensor
    net.connect(input, net.addPopulation(2, { name: 'out', threshold: 5 }), { init: { uniform: [0, 9], seed: 8 } });
    return base('unbacked', net);
  })(),
  (() => {
    const net = new Network();
    net.addInput(5);
    net.addLayer(2, { init: { uniform: [0, 90], seed: 9 } });
    return base('weights-only', net, true);
  })(),
];

/** Every path into the parsed metadata: top-level keys, then each field of the JSON values. */
function paths(meta: Record<string, unknown>): (string | number)[][] {
  const out: (string | number)[][] = KEYS.map((k) => [k]);
  const walk = (v: unknown, at: (string | number)[], depth: number): void => {
    if (depth > 4 || v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      const p = [...at, Array.isArray(v) ? Number(k) : k];
      out.push(p);
      walk(x, p, depth + 1);
    }
  };
  for (const k of KEYS) walk(meta[k], [k], 0);
  return out;
}

// adversarial values: bounds and just past them, wrong types, names that are object keys, huge and tiny numbers
const edgeNumbers = [
  0,
  -0,
  1,
  -1,
  0.5,
  2.5,
  4,
  100,
  255,
  256,
  1e12,
  1e12 + 1,
  2 ** 20,
  2 ** 20 + 1,
  2 ** 26,
  2 ** 31,
  2 ** 53,
  1e15,
  1e300,
  -1e300,
  5e-324,
  1e-7,
];
const edgeStrings = [
  '',
  'ab',
  '0x10',
  '1e15',
  ' 16',
  '16 ',
  '1_0',
  '__proto__',
  'constructor',
  'toString',
  'x'.repeat(300),
  'in',
  'b',
  'c',
  'input',
  'output',
  'hidden1',
  'noise',
  'aux',
  'delta',
  'ramp',
  'relu',
  'gaussian',
  'discrete',
  'continuous',
  '300000000',
  '1048576',
  '1048577',
  'NaN',
  'Infinity',
  '-1',
  '1e400',
  '016',
  '2.5',
  '"ab"',
  '{',
  '[]',
  'null',
  '{"populations": [], "projections": []}',
  '[{}]',
];
const num = fc.oneof(fc.constantFrom(...edgeNumbers), fc.integer(), fc.double(), fc.nat(MAX_MODEL_NEURONS + 2));
const str = fc.oneof(fc.constantFrom(...edgeStrings), fc.string({ maxLength: 12 }));
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    num,
    str,
    fc.boolean(),
    fc.constant(null),
    fc.tuple(num, num),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(str, tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** One case: a base file, a path into its metadata, and a new value there (or the key removed, or a raw string). */
const mutation = fc.record({
  base: fc.nat({ max: BASES.length - 1 }),
  pick: fc.nat(),
  op: fc.constantFrom('set', 'set', 'set', 'delete', 'raw'),
  value: json,
  raw: fc.oneof(
    str,
    num.map(String),
    json.map((v) => JSON.stringify(v) ?? 'undefined'),
  ),
});

interface Tally {
  loaded: number;
  refused: number;
  slowest: number;
  mostMemory: number;
}

/** Writes the case's file, loads it and runs one sample; checks the refusal or the cost. */
function check(b: Base, meta: Record<string, unknown>, key: Key, raw: Map<string, string>, t: Tally): void {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (v !== undefined) metadata[k] = typeof v === 'string' && !isJson(k) ? v : JSON.stringify(v);
  }
  for (const [k, v] of raw) metadata[k] = v;
  const f = join(dir, `${b.name}-case.safetensors`);
  writeFileSync(f, encodeSafetensors(b.tensors, metadata));
  const mem = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const m0 = mem(),
    t0 = performance.now();
  let net: Network;
  try {
    net = loadModel(f).net;
  } catch (e) {
    const what = `${key} = ${metadata[key]?.slice(0, 200)}: ${(e as Error).message}`;
    expect(e, what).toBeInstanceOf(ModelFileError);
    expect((e as Error).message.startsWith(`${f}: `), what).toBe(true);
    expect((e as Error).message, what).toMatch(new RegExp(`\\b${key}\\b`));
    t.refused++;
    return;
  }
  const loadTime = performance.now() - t0;
  const sim = new Simulator(net);
  const rec = sim.run(net.inputs.map((p) => new Float64Array(p.size)));
  const used = mem() - m0;
  expect(rec.times.length).toBe(net.size);
  t.loaded++;
  t.slowest = Math.max(t.slowest, loadTime);
  t.mostMemory = Math.max(t.mostMemory, used);
  expect(loadTime, `${key}: loading took ${loadTime} ms`).toBeLessThan(2000);
  expect(used, `${key}: loading and one run took ${used} bytes`).toBeLessThan(200 * MB);
}

describe('model files with fuzzed metadata', () => {
  it('refuse each case naming the file and the key, or load and run within 200 MB and 2 s', () => {
    const t: Tally = { loaded: 0, refused: 0, slowest: 0, mostMemory: 0 };
    const edit = (b: Base, at: (string | number)[], value: unknown, del = false): Record<string, unknown> => {
      const meta = structuredClone(b.meta);
      let o = meta as Record<string | number, unknown>;
      for (const k of at.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
      if (del) delete o[at[at.length - 1]];
      else o[at[at.length - 1]] = value;
      return meta;
    };
    // at the bounds: the largest window and the most neurons a file may hold, together
    const unbacked = BASES[3];
    const graph = unbacked.meta.graph as { populations: { size: number }[] };
    const aux = MAX_MODEL_NEURONS - (graph.populations[0].size + graph.populations[2].size);
    const tmax = String(MAX_MODEL_TMAX);
    check(unbacked, { ...edit(unbacked, ['graph', 'populations', 1, 'size'], aux), tmax }, 'graph', new Map(), t);
    check(unbacked, { ...edit(unbacked, ['graph', 'populations', 1, 'size'], aux + 1), tmax }, 'graph', new Map(), t);
    expect(t).toMatchObject({ loaded: 1, refused: 1 });
    // the examples, on every base
    for (const b of BASES) {
      for (const [key, v] of [
        ['tmax', '300000000'],
        ['tmax', '1e15'],
        ['tmax', '0x10'],
        ['layers', '"ab"'],
      ] as const) {
        check(b, b.meta, key, new Map([[key, v]]), t);
      }
    }
    fc.assert(
      fc.property(mutation, (m) => {
        const b = BASES[m.base];
        const all = paths(b.meta);
        const at = all[m.pick % all.length];
        const key = at[0] as Key;
        if (m.op === 'raw') check(b, b.meta, key, new Map([[key, m.raw]]), t);
        else check(b, edit(b, at, m.value, m.op === 'delete'), key, new Map(), t);
      }),
      { seed: 20240614, numRuns: 3000, endOnFailure: true },
    );
    console.log(
      `model metadata fuzz: ${t.loaded + t.refused} cases, ${t.loaded} loaded, ${t.refused} refused; ` +
        `slowest load ${t.slowest.toFixed(1)} ms, most memory ${(t.mostMemory / MB).toFixed(1)} MB`,
    );
    expect(t.refused).toBeGreaterThan(1500);
    expect(t.loaded).toBeGreaterThan(200);
  });
});
