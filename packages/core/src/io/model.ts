import { Network, type Kernel, type Population, type Window } from '../engine/network.ts';
import { ModelFileError } from './errors.ts';
import { planModel, type ModelPlan } from './model-plan.ts';
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

interface PopMeta {
  name: string;
  size: number;
  input: boolean;
  threshold: number | null;
  window?: [number, number];
}
interface ProjMeta {
  src: string;
  dst: string;
  delay: number;
  kernel: Kernel;
  sparse: boolean;
}

/**
 * Writes a network as a safetensors file, atomically. A layered network (input → layer1 → … with
 * one dense projection each) is stored as `layers.{k}.weight` of shape [n_out, n_in]; any other
 * wiring as `projections.{k}.weight` (dense) or `projections.{k}.indptr|indices|values` (CSR by
 * presynaptic neuron). Per-neuron thresholds go to `{layers|populations}.{k}.threshold`. A network
 * that a model file may not hold (see model-plan.ts) is refused before anything is written.
 */
export function saveModel(path: string, net: Network, opts: SaveOptions = {}): void {
  const tensors: Record<string, Tensor> = {};
  const float = (d: Float64Array): Tensor['data'] => (opts.dtype === 'F32' ? Float32Array.from(d) : d);
  const dtype = opts.dtype ?? 'F64';
  const pops: PopMeta[] = net.populations.map((p) => ({
    name: p.name,
    size: p.size,
    input: p.isInput,
    threshold: p.relu ? null : uniform(p),
    ...(p.window ? { window: windowMeta(p.window) } : {}),
  }));
  const projs: ProjMeta[] = net.projections.map((p) => ({
    src: p.src.name,
    dst: p.dst.name,
    delay: p.delay,
    kernel: p.kernel,
    sparse: !p.dense,
  }));
  const metadata: Record<string, string> = {
    ...(opts.metadata ?? {}),
    format: MODEL_FORMAT,
    tmax: String(net.tmax),
    time: net.time,
  };
  if (net.layered) {
    metadata.layers = JSON.stringify(
      net.populations.slice(1).map((p, k) => ({
        name: p.name,
        threshold: pops[k + 1].threshold,
        delay: net.projections[k].delay,
        kernel: net.projections[k].kernel,
        ...(p.window ? { window: windowMeta(p.window) } : {}),
      })),
    );
    const in0 = net.populations[0];
    metadata.input = JSON.stringify({
      name: in0.name,
      size: in0.size,
      ...(in0.window ? { window: windowMeta(in0.window) } : {}),
    });
    net.projections.forEach((pr, k) => {
      tensors[`layers.${k}.weight`] = { dtype, shape: [pr.dst.size, pr.src.size], data: float(pr.toOutIn()) };
      if (pr.dst.relu) tensors[`layers.${k}.bias`] = { dtype, shape: [pr.dst.size], data: float(pr.dst.bias.slice()) };
      else if (pops[k + 1].threshold === null)
        tensors[`layers.${k}.threshold`] = { dtype: 'F64', shape: [pr.dst.size], data: pr.dst.threshold.slice() };
    });
  } else {
    metadata.graph = JSON.stringify({ populations: pops, projections: projs });
    net.populations.forEach((p, k) => {
      if (p.relu) tensors[`populations.${k}.bias`] = { dtype, shape: [p.size], data: float(p.bias.slice()) };
      else if (!p.isInput && pops[k].threshold === null)
        tensors[`populations.${k}.threshold`] = { dtype: 'F64', shape: [p.size], data: p.threshold.slice() };
    });
    net.projections.forEach((pr, k) => {
      if (pr.dense)
        tensors[`projections.${k}.weight`] = { dtype, shape: [pr.dst.size, pr.src.size], data: float(pr.toOutIn()) };
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
    if (Object.hasOwn(tensors, name)) {
      throw new ModelFileError(path, `extra tensor '${name}' clashes with a model tensor`);
    }
    tensors[name] = t;
  }
  planModel(path, metadata, tensors); // what loadModel would refuse is not written
  writeSafetensorsFile(path, tensors, metadata);
}

/**
 * Reads a model file. A file with only `layers.{k}.weight` tensors and no metadata loads with the
 * S4NN defaults (tmax 256, θ = 100, delay 1, discrete time). Tensors that are not part of the network
 * come back in `extra`. The metadata is checked against the tensors before anything is built (see
 * model-plan.ts for the bounds); anything inconsistent is refused with a `ModelFileError` naming the file.
 */
export function loadModel(path: string): LoadedModel {
  const { tensors, metadata } = readSafetensorsFile(path);
  const plan = planModel(path, metadata, tensors);
  const net = buildModel(path, plan, tensors);
  const extra: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) if (!plan.used.has(k)) extra[k] = t;
  return { net, metadata, extra };
}

/** Builds the network of a checked plan; the network's own checks name the plan's key in their messages. */
function buildModel(path: string, plan: ModelPlan, tensors: Record<string, Tensor>): Network {
  const step = <T>(where: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ModelFileError) throw e;
      throw new ModelFileError(path, `${where}: ${(e as Error).message}`);
    }
  };
  const floats = (name: string): Float64Array => {
    const d = tensors[name].data as Float64Array | Float32Array;
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i])) {
        throw new ModelFileError(path, `tensor '${name}' element ${i} is ${d[i]} (values must be finite)`);
      }
    }
    return d instanceof Float64Array ? d : Float64Array.from(d);
  };
  const net = step(`metadata 'tmax'`, () => new Network({ tmax: plan.tmax, time: plan.time }));
  const pops = plan.populations.map((p) =>
    step(p.where, () => {
      if (p.input) return net.addInput(p.size, p.name, p.window);
      const { name, window } = p;
      if (window) return net.addPopulation(p.size, { name, window, bias: p.bias ? floats(p.bias) : 0 });
      const threshold = typeof p.threshold === 'string' ? floats(p.threshold) : p.threshold;
      return net.addPopulation(p.size, { name, threshold });
    }),
  );
  for (const c of plan.projections) {
    const link = { delay: c.delay, kernel: c.kernel };
    if (!c.sparse) {
      const weights = floats(c.tensor);
      step(c.where, () => net.connect(pops[c.src], pops[c.dst], { weights, ...link }));
    } else {
      const values = floats(`${c.tensor}.values`);
      const indptr = tensors[`${c.tensor}.indptr`].data as Int32Array;
      const indices = tensors[`${c.tensor}.indices`].data as Int32Array;
      step(c.where, () => net.connect(pops[c.src], pops[c.dst], { sparse: { indptr, indices, values }, ...link }));
    }
  }
  return net;
}

function windowMeta(w: Window): [number, number] {
  return [w.start, w.end];
}

function uniform(p: Population): number | null {
  if (p.isInput) return null;
  const t = p.threshold;
  for (let i = 1; i < t.length; i++) if (t[i] !== t[0]) return null;
  return t[0];
}
