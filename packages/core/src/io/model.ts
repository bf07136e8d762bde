import { Network, S4NN_DEFAULTS, type Kernel, type Population, type Projection, type TimeMode, type Window } from '../engine/network.ts';
import { ModelFileError } from './errors.ts';
import { readSafetensorsFile, writeSafetensorsFile, type Tensor } from './safetensors.ts';

/** Value of the `format` metadata key of files written here. */
export const MODEL_FORMAT = 'spiking-gan-model/1';

/** Options of `saveModel`. */
export interface SaveOptions {
  /** Element type of weight tensors (default F64, exact; F32 halves the file). */
  dtype?: 'F32' | 'F64';
  /** Extra `__metadata__` entries (strings), e.g. training state or coding. */
  metadata?: Record<string, string>;
  /** Extra tensors stored beside the model (e.g. optimiser state); names must not clash with the model's. */
  tensors?: Record<string, Tensor>;
}

/** A model read from a file: the network, its metadata and any tensors that are not part of the network. */
export interface LoadedModel {
  net: Network;
  metadata: Record<string, string>;
  extra: Record<string, Tensor>;
}

interface PopMeta { name: string; size: number; input: boolean; threshold: number | null; window?: [number, number] }
interface ProjMeta { src: string; dst: string; delay: number; kernel: Kernel; sparse: boolean }

/**
 * Writes a network as a safetensors file, atomically. A layered network (input → layer1 → … with
 * one dense projection each) is stored as `layers.{k}.weight` of shape [n_out, n_in]; any other
 * wiring as `projections.{k}.weight` (dense) or `projections.{k}.indptr|indices|values` (CSR by
 * presynaptic neuron). Per-neuron thresholds go to `{layers|populations}.{k}.threshold`.
 */
export function saveModel(path: string, net: Network, opts: SaveOptions = {}): void {
  const tensors: Record<string, Tensor> = {};
  const float = (d: Float64Array): Tensor['data'] => (opts.dtype === 'F32' ? Float32Array.from(d) : d);
  const dtype = opts.dtype ?? 'F64';
  const pops: PopMeta[] = net.populations.map((p) => ({
    name: p.name, size: p.size, input: p.isInput, threshold: p.relu ? null : uniform(p), ...(p.window ? { window: windowMeta(p.window) } : {}),
  }));
  const projs: ProjMeta[] = net.projections.map((p) => ({ src: p.src.name, dst: p.dst.name, delay: p.delay, kernel: p.kernel, sparse: !p.dense }));
  const metadata: Record<string, string> = {
    ...(opts.metadata ?? {}),
    format: MODEL_FORMAT,
    tmax: String(net.tmax),
    time: net.time,
  };
  if (net.layered) {
    metadata.layers = JSON.stringify(net.populations.slice(1).map((p, k) => ({
      name: p.name, threshold: pops[k + 1].threshold, delay: net.projections[k].delay, kernel: net.projections[k].kernel,
      ...(p.window ? { window: windowMeta(p.window) } : {}),
    })));
    const in0 = net.populations[0];
    metadata.input = JSON.stringify({ name: in0.name, size: in0.size, ...(in0.window ? { window: windowMeta(in0.window) } : {}) });
    net.projections.forEach((pr, k) => {
      tensors[`layers.${k}.weight`] = { dtype, shape: [pr.dst.size, pr.src.size], data: float(pr.toOutIn()) };
      if (pr.dst.relu) tensors[`layers.${k}.bias`] = { dtype, shape: [pr.dst.size], data: float(pr.dst.bias.slice()) };
      else if (pops[k + 1].threshold === null) tensors[`layers.${k}.threshold`] = { dtype: 'F64', shape: [pr.dst.size], data: pr.dst.threshold.slice() };
    });
  } else {
    metadata.graph = JSON.stringify({ populations: pops, projections: projs });
    net.populations.forEach((p, k) => {
      if (p.relu) tensors[`populations.${k}.bias`] = { dtype, shape: [p.size], data: float(p.bias.slice()) };
      else if (!p.isInput && pops[k].threshold === null) tensors[`populations.${k}.threshold`] = { dtype: 'F64', shape: [p.size], data: p.threshold.slice() };
    });
    net.projections.forEach((pr, k) => {
      if (pr.dense) tensors[`projections.${k}.weight`] = { dtype, shape: [pr.dst.size, pr.src.size], data: float(pr.toOutIn()) };
      else {
        const csr = pr.csr!;
        const values = Float64Array.from(pr.weights, (w) => w * pr.scale);
        tensors[`projections.${k}.indptr`] = { dtype: 'I32', shape: [csr.indptr.length], data: csr.indptr.slice() };
        tensors[`projections.${k}.indices`] = { dtype: 'I32', shape: [csr.indices.length], data: csr.indices.slice() };
        tensors[`projections.${k}.values`] = { dtype, shape: [values.length], data: float(values) };
      }
    });
  }
  for (const [name, t] of Object.entries(opts.tensors ?? {})) {
    if (name in tensors) throw new ModelFileError(path, `extra tensor '${name}' clashes with a model tensor`);
    tensors[name] = t;
  }
  writeSafetensorsFile(path, tensors, metadata);
}

/**
 * Reads a model file. A file with only `layers.{k}.weight` tensors and no metadata loads with the
 * S4NN defaults (tmax 256, θ = 100, delay 1, discrete time). Tensors that are not part of the network
 * come back in `extra`. Anything inconsistent is refused with a `ModelFileError` naming the file.
 */
export function loadModel(path: string): LoadedModel {
  const { tensors, metadata } = readSafetensorsFile(path);
  const used = new Set<string>();
  const fail = (what: string): never => {
    throw new ModelFileError(path, what);
  };
  const get = (name: string, float = true): Tensor => {
    const t = tensors[name];
    if (!t) fail(`missing tensor '${name}'`);
    if (float && t.dtype !== 'F32' && t.dtype !== 'F64') fail(`tensor '${name}' has dtype ${t.dtype}; weights must be F32 or F64`);
    used.add(name);
    return t;
  };
  const num = (key: string, dflt: number): number => {
    if (metadata[key] === undefined) return dflt;
    const v = Number(metadata[key]);
    if (!Number.isFinite(v)) fail(`metadata '${key}' is '${metadata[key]}', not a number`);
    return v;
  };
  const json = <T>(key: string): T | undefined => {
    if (metadata[key] === undefined) return undefined;
    try {
      return JSON.parse(metadata[key]) as T;
    } catch {
      return fail(`metadata '${key}' is not valid JSON`);
    }
  };
  const tmax = num('tmax', S4NN_DEFAULTS.tmax);
  const time = (metadata.time ?? 'discrete') as TimeMode;
  if (time !== 'discrete' && time !== 'continuous') fail(`metadata 'time' is '${time}', expected discrete or continuous`);
  let net: Network;
  try {
    net = new Network({ tmax, time });
    const graph = json<{ populations: PopMeta[]; projections: ProjMeta[] }>('graph');
    if (graph) buildGraph(net, graph, get, fail, tensors);
    else buildLayers(net, json<LayerMeta[]>('layers'), json<{ name: string; size: number }>('input'), get, fail, tensors);
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(path, (e as Error).message);
  }
  const bias = Object.keys(tensors).find((k) => /^(layers|populations)\.\d+\.bias$/.test(k) && !used.has(k));
  if (bias) fail(`tensor '${bias}': only ReLU-equivalent neurons (a layer with a window) have biases`);
  const extra: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) if (!used.has(k)) extra[k] = t;
  return { net, metadata, extra };
}

interface LayerMeta { name?: string; threshold?: number | null; delay?: number; kernel?: Kernel; window?: unknown }
type Get = (name: string, float?: boolean) => Tensor;
type Fail = (what: string) => never;

function buildLayers(net: Network, layers: LayerMeta[] | undefined, input: { name: string; size: number; window?: unknown } | undefined, get: Get, fail: Fail, tensors: Record<string, Tensor>): void {
  const ks = Object.keys(tensors).map((k) => /^layers\.(\d+)\.weight$/.exec(k)).filter((m) => m !== null).map((m) => Number(m![1])).sort((a, b) => a - b);
  if (ks.length === 0) fail('no layers.{k}.weight tensor (and no graph metadata): not a model file');
  ks.forEach((k, i) => {
    if (k !== i) fail(`layers are not numbered 0..${ks.length - 1}: missing 'layers.${i}.weight'`);
  });
  if (layers && layers.length !== ks.length) fail(`metadata 'layers' describes ${layers.length} layers but the file has ${ks.length} weight tensors`);
  let prev: Population | null = null;
  for (const k of ks) {
    const name = `layers.${k}.weight`;
    const w = get(name);
    if (w.shape.length !== 2) fail(`tensor '${name}' has shape [${w.shape}], expected 2-D [n_out, n_in]`);
    const [nOut, nIn] = w.shape;
    if (prev === null) {
      if (input && input.size !== nIn) fail(`metadata 'input' says ${input.size} inputs but '${name}' has n_in = ${nIn}`);
      prev = net.addInput(nIn, input?.name ?? 'input', readWindow(input?.window, `metadata 'input'`, fail));
    } else if (prev.size !== nIn) fail(`tensor '${name}' has n_in = ${nIn} but layer ${k - 1} has ${prev.size} neurons`);
    const meta = layers?.[k] ?? {};
    const thName = `layers.${k}.threshold`;
    let threshold: number | Float64Array = meta.threshold ?? S4NN_DEFAULTS.threshold;
    if (tensors[thName]) {
      const th = get(thName);
      if (th.data.length !== nOut) fail(`tensor '${thName}' has ${th.data.length} values for ${nOut} neurons`);
      threshold = Float64Array.from(th.data as Float64Array);
    }
    checkValues(w, name, fail);
    const window = readWindow(meta.window, `metadata 'layers' entry ${k}`, fail);
    const bias = window ? readBias(`layers.${k}.bias`, nOut, get, fail, tensors) : undefined;
    const layerName = meta.name ?? (k === ks.length - 1 ? 'output' : `hidden${k + 1}`);
    const common = { name: layerName, delay: meta.delay, kernel: meta.kernel, weights: w.data as Float64Array };
    prev = net.addLayer(nOut, window ? { ...common, window, bias } : { ...common, threshold });
  }
}

function buildGraph(net: Network, graph: { populations: PopMeta[]; projections: ProjMeta[] }, get: Get, fail: Fail, tensors: Record<string, Tensor>): void {
  if (!Array.isArray(graph.populations) || !Array.isArray(graph.projections)) fail(`metadata 'graph' needs 'populations' and 'projections' arrays`);
  graph.populations.forEach((p, k) => {
    if (p.input) net.addInput(p.size, p.name, readWindow(p.window, `metadata 'graph' population ${k}`, fail));
    else {
      const thName = `populations.${k}.threshold`;
      let threshold: number | Float64Array = p.threshold ?? S4NN_DEFAULTS.threshold;
      if (tensors[thName]) threshold = Float64Array.from(get(thName).data as Float64Array);
      const window = readWindow(p.window, `metadata 'graph' population ${k}`, fail);
      if (window) net.addPopulation(p.size, { name: p.name, window, bias: readBias(`populations.${k}.bias`, p.size, get, fail, tensors) });
      else net.addPopulation(p.size, { name: p.name, threshold });
    }
  });
  graph.projections.forEach((m, k) => {
    const src = net.population(m.src), dst = net.population(m.dst);
    if (m.sparse) {
      const values = get(`projections.${k}.values`);
      checkValues(values, `projections.${k}.values`, fail);
      const indptr = get(`projections.${k}.indptr`, false), indices = get(`projections.${k}.indices`, false);
      if (indptr.dtype !== 'I32' || indices.dtype !== 'I32') fail(`projections.${k}: indptr and indices must be I32`);
      net.connect(src, dst, { sparse: { indptr: indptr.data as Int32Array, indices: indices.data as Int32Array, values: values.data as Float64Array }, delay: m.delay, kernel: m.kernel });
    } else {
      const name = `projections.${k}.weight`;
      const w = get(name);
      if (w.shape.length !== 2 || w.shape[0] !== dst.size || w.shape[1] !== src.size) fail(`tensor '${name}' has shape [${w.shape}], expected [${dst.size}, ${src.size}] (${m.dst} x ${m.src})`);
      checkValues(w, name, fail);
      net.connect(src, dst, { weights: w.data as Float64Array, delay: m.delay, kernel: m.kernel });
    }
  });
}

function windowMeta(w: Window): [number, number] {
  return [w.start, w.end];
}

/** A window `[start, end]` of the metadata (undefined when absent); the network checks its range. */
function readWindow(v: unknown, where: string, fail: Fail): Window | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    return fail(`${where}: 'window' must be [start, end], two finite numbers, got ${JSON.stringify(v).slice(0, 80)}`);
  }
  return { start: v[0] as number, end: v[1] as number };
}

/** The bias tensor of a ReLU-equivalent population (absent: zeros). */
function readBias(name: string, n: number, get: Get, fail: Fail, tensors: Record<string, Tensor>): Float64Array | number {
  if (!tensors[name]) return 0;
  const b = get(name);
  if (b.shape.length !== 1 || b.shape[0] !== n) fail(`tensor '${name}' has shape [${b.shape}], expected [${n}]`);
  checkValues(b, name, fail);
  return Float64Array.from(b.data as Float64Array);
}

function checkValues(t: Tensor, name: string, fail: Fail): void {
  const d = t.data as Float64Array;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) fail(`tensor '${name}' element ${i} is ${d[i]} (weights must be finite)`);
}

function uniform(p: Population): number | null {
  if (p.isInput) return null;
  const t = p.threshold;
  for (let i = 1; i < t.length; i++) if (t[i] !== t[0]) return null;
  return t[0];
}

/** Copies the weights (and scale) of `from` into `to`, which must have the same shape. */
export function copyWeights(to: Network, from: Network): void {
  if (to.projections.length !== from.projections.length) throw new Error('copyWeights: networks differ in projections');
  to.projections.forEach((p: Projection, k) => {
    const q = from.projections[k];
    if (p.weights.length !== q.weights.length) throw new Error(`copyWeights: projection ${k} differs in size`);
    p.weights.set(q.weights);
    p.scale = q.scale;
  });
}
