// Metadata bombs (issue 14, item 1): every number of a model file's metadata is parsed strictly and
// bounded, wrong-typed fields are refused rather than defaulted, and the metadata is checked against
// the tensors before anything is allocated. Each refusal is a ModelFileError naming the file and the key.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeSafetensors,
  loadModel,
  MAX_MODEL_NEURONS,
  MAX_MODEL_TMAX,
  ModelFileError,
  type Tensor,
} from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'sgan-meta-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;

/** Writes a model file with these tensors and metadata; returns its path. */
function file(tensors: Record<string, Tensor>, metadata?: Record<string, string>): string {
  const f = join(dir, `m${count++}.safetensors`);
  writeFileSync(f, encodeSafetensors(tensors, metadata));
  return f;
}

const F = (shape: number[], fill = 1): Tensor => {
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(fill);
  return { dtype: 'F64', shape, data };
};
const I32 = (n: number): Tensor => ({ dtype: 'I32', shape: [n], data: new Int32Array(n) });
const ONE = { 'layers.0.weight': F([1, 1]) };

/** Loading `f` is refused with a ModelFileError whose message starts with the file and names `key` and `what`. */
function refused(f: string, key: string, what: RegExp): void {
  let error: unknown;
  try {
    loadModel(f);
  } catch (e) {
    error = e;
  }
  expect(error, `${f} loaded`).toBeInstanceOf(ModelFileError);
  const msg = (error as Error).message;
  expect(msg.startsWith(`${f}: `), msg).toBe(true);
  expect(msg, msg).toContain(`'${key}'`);
  expect(msg, msg).toMatch(what);
}

const heapAndBuffers = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

describe('model metadata: numbers', () => {
  it("refuses the issue's 133-byte file with tmax '300000000' (and every tmax past the bound)", () => {
    const f = file(ONE, { tmax: '300000000' });
    refused(f, 'tmax', /300000000.*1048576/);
    for (const t of ['2000000000', '1e15', String(MAX_MODEL_TMAX + 1), '1e400', 'Infinity']) {
      refused(file(ONE, { tmax: t }), 'tmax', /tmax/);
    }
    expect(loadModel(file(ONE, { tmax: String(MAX_MODEL_TMAX) })).net.tmax).toBe(MAX_MODEL_TMAX);
  });

  it('parses tmax strictly: no hex, no empty string, no spaces, no sign tricks', () => {
    const bad = ['0x10', '', ' 16', '16 ', '1_0', '+16', '0b11', '16n', '1e', '.5', '5.', '-0', '0', '-3', 'NaN'];
    bad.push('016');
    for (const t of bad) {
      refused(file(ONE, { tmax: t }), 'tmax', /./);
    }
    refused(file(ONE, { tmax: '2.5' }), 'tmax', /whole number|integer/);
    for (const [t, v] of [
      ['16', 16],
      ['1e2', 100],
      ['256', 256],
    ] as const) {
      expect(loadModel(file(ONE, { tmax: t })).net.tmax).toBe(v);
    }
    expect(loadModel(file(ONE, { tmax: '2.5', time: 'continuous' })).net.tmax).toBe(2.5);
  });

  it('refuses a time mode other than discrete or continuous', () => {
    refused(file(ONE, { time: 'Discrete' }), 'time', /discrete or continuous/);
  });
});

describe("model metadata: 'layers' and 'input'", () => {
  const two = { 'layers.0.weight': F([3, 2]), 'layers.1.weight': F([2, 3]) };

  it('refuses a \'layers\' value that is not an array of layer objects ("ab" no longer loads with θ = 100)', () => {
    for (const v of ['"ab"', '{}', '[1, 2]', '[null, {}]', '["a", "b"]', '7']) {
      refused(file(two, { layers: v }), 'layers', /./);
    }
  });

  it('refuses wrong-typed or out-of-range layer fields instead of defaulting them', () => {
    const cases: [string, RegExp][] = [
      ['[{"threshold": "5"}, {}]', /threshold/],
      ['[{"threshold": -1}, {}]', /threshold/],
      ['[{"threshold": 1e300}, {}]', /threshold/],
      ['[{"delay": "1"}, {}]', /delay/],
      ['[{"delay": -1}, {}]', /delay/],
      ['[{"delay": 1.5}, {}]', /delay/],
      ['[{"delay": 1e300}, {}]', /delay/],
      ['[{"kernel": 3}, {}]', /kernel/],
      ['[{"kernel": "gaussian"}, {}]', /kernel/],
      ['[{"name": 5}, {}]', /name/],
      ['[{"name": ""}, {}]', /name/],
      [`[{"name": "${'x'.repeat(300)}"}, {}]`, /name/],
      ['[{"name": "a"}, {"name": "a"}]', /name/],
      ['[{"window": [0, "4"]}, {}]', /window/],
    ];
    for (const [v, what] of cases) refused(file(two, { layers: v }), 'layers', what);
  });

  it('refuses a null (per-neuron) threshold without the tensor that holds it', () => {
    refused(file(two, { layers: '[{"threshold": null}, {}]' }), 'layers', /layers\.0\.threshold/);
  });

  it("refuses wrong-typed 'input' fields", () => {
    for (const v of ['"x"', '{"size": "2"}', '{"size": 3}', '{"name": 3}', '{"name": "", "size": 2}', '[2]']) {
      refused(file(two, { input: v }), 'input', /./);
    }
    expect(loadModel(file(two, { input: '{"name": "pixels", "size": 2}' })).net.populations[0].name).toBe('pixels');
  });
});

describe("model metadata: 'graph'", () => {
  const graph = (populations: unknown[], projections: unknown[] = []): string =>
    JSON.stringify({ populations, projections });
  /** The projection in → out of these fields (by default a dense delta one, delay 1). */
  const proj = (fields: Record<string, unknown> = {}): unknown[] => [
    { src: 'in', dst: 'out', delay: 1, kernel: 'delta', sparse: false, ...fields },
  ];

  it('refuses 40 populations of 2^26 neurons before allocating them', () => {
    const pops = Array.from({ length: 40 }, (_, k) => ({ name: `p${k}`, size: 2 ** 26, input: k === 0, threshold: 1 }));
    const f = file({}, { graph: graph(pops) });
    const before = heapAndBuffers();
    refused(f, 'graph', new RegExp(`${40 * 2 ** 26}.*${MAX_MODEL_NEURONS}`));
    expect(heapAndBuffers() - before).toBeLessThan(50 * 2 ** 20);
  });

  it('refuses sizes that are not whole numbers in range, and too many populations or projections', () => {
    for (const size of ['"10"', '0', '-1', '2.5', '1e300', 'null', 'true', String(MAX_MODEL_NEURONS + 1)]) {
      const g = `{"populations": [{"name": "a", "size": ${size}, "input": true}], "projections": []}`;
      refused(file({}, { graph: g }), 'graph', /size/);
    }
    const many = Array.from({ length: 5000 }, (_, k) => ({ name: `p${k}`, size: 1, input: true }));
    refused(file({}, { graph: graph(many) }), 'graph', /populations/);
  });

  it('checks every population and projection against the tensors before building', () => {
    const pops = [
      { name: 'in', size: 4, input: true },
      { name: 'out', size: 3, input: false, threshold: 1 },
    ];
    const dense = (shape: number[]) => ({ 'projections.0.weight': F(shape) });
    refused(file(dense([3, 5]), { graph: graph(pops, proj()) }), 'graph', /projections\.0\.weight/);
    refused(file(dense([3, 4]), { graph: graph(pops, proj({ dst: 'nowhere' })) }), 'graph', /nowhere/);
    refused(file(dense([3, 4]), { graph: graph(pops, proj({ delay: '1' })) }), 'graph', /delay/);
    refused(file(dense([3, 4]), { graph: graph(pops, proj({ sparse: 'no' })) }), 'graph', /sparse/);
    const th = { ...dense([3, 4]), 'populations.1.threshold': F([7]) };
    const nullTh = [pops[0], { ...pops[1], threshold: null }];
    refused(file(th, { graph: graph(nullTh, proj()) }), 'graph', /populations\.1\.threshold/);
    refused(file(dense([3, 4]), { graph: graph(nullTh, proj()) }), 'graph', /populations\.1\.threshold/);
    refused(file(dense([3, 4]), { graph: graph([pops[0], { ...pops[1], input: 'no' }], []) }), 'graph', /input/);
    const sparse = { 'projections.0.indptr': I32(2), 'projections.0.indices': I32(0), 'projections.0.values': F([0]) };
    refused(file(sparse, { graph: graph(pops, proj({ sparse: true })) }), 'graph', /indptr/);
  });

  it("refuses a 'graph' value that is not {populations, projections}, and metadata JSON over its size limit", () => {
    const bad = ['"ab"', '[]', '{"populations": {}, "projections": []}', '{"populations": [5], "projections": []}'];
    for (const v of bad) {
      refused(file({}, { graph: v }), 'graph', /./);
    }
    const long = graph([{ name: 'in', size: 1, input: true, note: 'x'.repeat(2 ** 20) }]);
    refused(file({}, { graph: long }), 'graph', /bytes/);
  });
});
