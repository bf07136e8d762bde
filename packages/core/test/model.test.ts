import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeSafetensors, loadModel, ModelFileError, Network, Rng, saveModel, Simulator } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'sgan-model-'));

function layered(seed: number): Network {
  const net = new Network();
  net.addInput(20);
  net.addLayer(8, { init: { uniform: [0, 30], seed } });
  net.addLayer(3, { init: { uniform: [0, 60], seed: seed + 1 }, threshold: 50 });
  return net;
}

const inputs = (n: number, seed: number) => {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => (r.next() < 0.3 ? 256 : r.int(200)));
};

describe('model files', () => {
  it('round-trips a layered network as layers.{k}.weight [n_out, n_in] and runs the same', () => {
    const net = layered(3);
    net.projections[0].scale = 0.5; // a lazy decay factor is folded into what is saved
    const f = join(dir, 'layered.safetensors');
    saveModel(f, net, { metadata: { note: 'hello' } });
    const { net: back, metadata } = loadModel(f);
    expect(metadata.note).toBe('hello');
    expect(back.layered).toBe(true);
    expect(back.populations.map((p) => p.size)).toEqual([20, 8, 3]);
    expect(back.populations[2].threshold[0]).toBe(50);
    expect(back.projections[0].weight(4, 2)).toBe(net.projections[0].weight(4, 2));
    for (let s = 0; s < 20; s++) {
      const x = inputs(20, s);
      expect(Array.from(new Simulator(back).run(x).times)).toEqual(Array.from(new Simulator(net).run(x).times));
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('stores F32 on request', () => {
    const net = layered(5);
    const f = join(dir, 'f32.safetensors');
    saveModel(f, net, { dtype: 'F32' });
    const back = loadModel(f).net;
    expect(back.projections[1].weight(1, 1)).toBe(Math.fround(net.projections[1].weight(1, 1)));
  });

  it('round-trips sparse, skip and recurrent wiring and per-neuron thresholds', () => {
    const net = new Network({ tmax: 64, time: 'continuous' });
    const i = net.addInput(4);
    const a = net.addPopulation(3, { name: 'a', threshold: [1, 2, 3] });
    const b = net.addPopulation(2, { name: 'b', threshold: 1.5 });
    net.connect(i, a, { weights: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], delay: 0.5, kernel: 'ramp' });
    net.connect(a, b, { sparse: { indptr: [0, 1, 1, 3], indices: [1, 0, 1], values: [2, -1, 3] }, delay: 2 });
    net.connect(i, b, { weights: [1, 1, 1, 1, -1, -1, -1, -1] });
    net.connect(b, a, { weights: [1, 2, 3, 4, 5, 6], delay: 1 });
    const f = join(dir, 'graph.safetensors');
    saveModel(f, net);
    const back = loadModel(f).net;
    expect(back.layered).toBe(false);
    expect(Array.from(back.population('a').threshold)).toEqual([1, 2, 3]);
    expect(back.projections[0].kernel).toBe('ramp');
    expect(back.projections[0].delay).toBe(0.5);
    expect(back.projections[1].csr!.indices).toEqual(Int32Array.from([1, 0, 1]));
    const x = [0.25, 1, 3.5, 64];
    expect(Array.from(new Simulator(back).run(x).times)).toEqual(Array.from(new Simulator(net).run(x).times));
  });

  it('loads a weights-only file (as written from NumPy) with the S4NN defaults', () => {
    const w0 = new Float32Array(6 * 4).map((_, k) => (k % 7) * 20);
    const w1 = new Float32Array(2 * 6).map((_, k) => 30 + k);
    const bytes = encodeSafetensors({
      'layers.0.weight': { dtype: 'F32', shape: [6, 4], data: w0 },
      'layers.1.weight': { dtype: 'F32', shape: [2, 6], data: w1 },
    });
    const f = join(dir, 'numpy.safetensors');
    writeFileSync(f, bytes);
    const { net } = loadModel(f);
    expect(net.tmax).toBe(256);
    expect(net.time).toBe('discrete');
    expect(net.populations.map((p) => p.size)).toEqual([4, 6, 2]);
    expect(net.projections.every((p) => p.delay === 1 && p.kernel === 'delta')).toBe(true);
    expect(net.populations[1].threshold.every((t) => t === 100)).toBe(true);
    // [n_out, n_in] row-major: w(i=3 -> j=1) is element 1*4 + 3
    expect(net.projections[0].weight(3, 1)).toBe(w0[1 * 4 + 3]);
  });

  const bad = (name: string, tensors: Parameters<typeof encodeSafetensors>[0], meta?: Record<string, string>) => {
    const f = join(dir, name);
    writeFileSync(f, encodeSafetensors(tensors, meta));
    return f;
  };
  const F = (shape: number[], fill = 1) => ({
    dtype: 'F64' as const,
    shape,
    data: new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(fill),
  });

  it.each([
    [
      'chain.safetensors',
      { 'layers.0.weight': F([5, 4]), 'layers.1.weight': F([2, 6]) },
      /'layers.1.weight' has n_in = 6 but layer 0 has 5 neurons/,
    ],
    ['gap.safetensors', { 'layers.0.weight': F([5, 4]), 'layers.2.weight': F([2, 5]) }, /missing 'layers.1.weight'/],
    ['nan.safetensors', { 'layers.0.weight': F([5, 4], NaN) }, /element 0 is NaN/],
    ['onedim.safetensors', { 'layers.0.weight': F([5]) }, /expected 2-D \[n_out, n_in\]/],
    [
      'bias.safetensors',
      { 'layers.0.weight': F([5, 4]), 'layers.0.bias': F([5]) },
      /only ReLU-equivalent neurons .a layer with a window. have biases/,
    ],
    [
      'int.safetensors',
      { 'layers.0.weight': { dtype: 'I32' as const, shape: [1, 1], data: new Int32Array(1) } },
      /dtype I32; weights must be F32 or F64/,
    ],
    ['empty.safetensors', { foo: F([1]) }, /not a model file/],
  ])('refuses %s', (name, tensors, msg) => {
    const f = bad(name, tensors);
    expect(() => loadModel(f)).toThrow(ModelFileError);
    expect(() => loadModel(f)).toThrow(msg);
    expect(() => loadModel(f)).toThrow(name);
  });

  it('refuses bad metadata and truncated files, naming the file', () => {
    const f1 = bad('meta.safetensors', { 'layers.0.weight': F([5, 4]) }, { tmax: 'abc' });
    expect(() => loadModel(f1)).toThrow(/meta.safetensors: metadata 'tmax' is 'abc', not a number/);
    const f2 = bad('layersmeta.safetensors', { 'layers.0.weight': F([5, 4]) }, { layers: '[{}, {}]' });
    expect(() => loadModel(f2)).toThrow(/describes 2 layers but the file has 1/);
    const good = join(dir, 'trunc.safetensors');
    saveModel(good, layered(1));
    const b = readFileSync(good);
    writeFileSync(good, b.subarray(0, b.length - 10));
    expect(() => loadModel(good)).toThrow(ModelFileError);
    expect(() => loadModel(join(dir, 'nope.safetensors'))).toThrow(/nope.safetensors: no such file/);
  });
});
