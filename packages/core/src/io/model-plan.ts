// The metadata of a model file read into a checked plan, before anything of the network is allocated:
// numbers parsed strictly and bounded, fields of the right types (absent means the default, anything
// else wrong is refused), every population and projection checked against the tensors in the file.
import { S4NN_DEFAULTS, type Kernel, type TimeMode, type Window } from '../engine/network.ts';
import { ModelFileError } from './errors.ts';
import type { DType, Tensor } from './safetensors.ts';

/**
 * Longest window (tmax) a model file may ask for. The discrete engine keeps two 4-byte bucket heads per
 * step (its SIMD kernel three counters, and 2^20 is that kernel's own bound): 20 MB at most.
 */
export const MAX_MODEL_TMAX = 2 ** 20;
/** Most neurons (inputs included) a model file may declare: a simulator holds about 120 bytes per neuron. */
export const MAX_MODEL_NEURONS = 2 ** 20;
/** Most populations, and most projections, a model file may declare. */
export const MAX_MODEL_POPULATIONS = 1024;
/** Largest threshold in metadata (S4NN's θ is 100, the ramp presets' about 1). */
const MAX_THRESHOLD = 1e12;
/** Longest population name. */
const MAX_NAME = 256;
/** Longest JSON value of 'layers', 'input' or 'graph', in characters. */
const MAX_JSON = 2 ** 20;

/** A population to build: a fixed threshold, or the name of the tensor that holds one per neuron. */
export interface PopPlan {
  /** Where the metadata describes it (for messages). */
  where: string;
  name: string;
  size: number;
  input: boolean;
  threshold: number | string;
  window?: Window;
  /** ReLU-equivalent neurons: the tensor of their bias (absent: zeros). */
  bias?: string;
}

/** A projection to build between populations `src` and `dst` (indices into the plan's populations). */
export interface ProjPlan {
  where: string;
  src: number;
  dst: number;
  delay?: number;
  kernel?: Kernel;
  /** Dense: the weight tensor [n_dst, n_src]; sparse: the prefix of its indptr, indices and values tensors. */
  tensor: string;
  sparse: boolean;
}

/** A model file's network, checked against its tensors and ready to build. */
export interface ModelPlan {
  tmax: number;
  time: TimeMode;
  populations: PopPlan[];
  projections: ProjPlan[];
  /** The tensors the network uses (the others are extra). */
  used: Set<string>;
}

type Fail = (what: string) => never;
type Obj = Record<string, unknown>;

const show = (v: unknown): string => {
  const s = typeof v === 'string' ? `'${v}'` : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 60)}...` : s;
};
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * Checks a model file's metadata (tmax, time, layers, input, graph) against its tensors and bounds;
 * throws a ModelFileError naming `file` and the key.
 */
export function planModel(file: string, metadata: Record<string, string>, tensors: Record<string, Tensor>): ModelPlan {
  const fail: Fail = (what) => {
    throw new ModelFileError(file, what);
  };
  const time = (metadata.time ?? S4NN_DEFAULTS.time) as TimeMode;
  if (time !== 'discrete' && time !== 'continuous') {
    fail(`metadata 'time' is ${show(time)}, expected discrete or continuous`);
  }
  const ctx = new Context(tensors, readTmax(metadata.tmax, time, fail), time, fail);
  const graph = readJson(metadata, 'graph', fail);
  if (graph !== undefined) planGraph(ctx, graph);
  else planLayers(ctx, readJson(metadata, 'layers', fail), readJson(metadata, 'input', fail));
  const bias = Object.keys(tensors).find((k) => /^(layers|populations)\.\d+\.bias$/.test(k) && !ctx.used.has(k));
  const none = `no window in metadata 'layers' or 'graph' uses it`;
  if (bias) fail(`tensor '${bias}': only ReLU-equivalent neurons (a layer with a window) have biases; ${none}`);
  return { tmax: ctx.tmax, time, populations: ctx.pops, projections: ctx.projs, used: ctx.used };
}

/** tmax: a JSON number in (0, MAX_MODEL_TMAX], whole in discrete time (absent: 256). */
function readTmax(text: string | undefined, time: TimeMode, fail: Fail): number {
  if (text === undefined) return S4NN_DEFAULTS.tmax;
  const v = JSON_NUMBER.test(text) ? Number(text) : NaN;
  const is = `metadata 'tmax' is ${show(text)}`;
  if (Number.isNaN(v)) fail(`${is}, not a number`);
  if (!(v > 0 && v <= MAX_MODEL_TMAX)) fail(`${is}: it must be > 0 and at most ${MAX_MODEL_TMAX}`);
  if (time === 'discrete' && !Number.isInteger(v)) fail(`${is}: discrete time needs a whole number of steps`);
  return v;
}

/** The JSON value of metadata `key` (undefined when absent), at most MAX_JSON characters. */
function readJson(metadata: Record<string, string>, key: string, fail: Fail): unknown {
  const text = metadata[key];
  if (text === undefined) return undefined;
  if (text.length > MAX_JSON) fail(`metadata '${key}' is ${text.length} bytes long, over the ${MAX_JSON}-byte limit`);
  try {
    return JSON.parse(text);
  } catch {
    return fail(`metadata '${key}' is not valid JSON`);
  }
}

/** The plan being built, the tensors it may use, and field readers that say where they are in messages. */
class Context {
  readonly pops: PopPlan[] = [];
  readonly projs: ProjPlan[] = [];
  readonly used = new Set<string>();
  private readonly names = new Map<string, number>();
  private neurons = 0;

  constructor(
    readonly tensors: Record<string, Tensor>,
    readonly tmax: number,
    readonly time: TimeMode,
    readonly fail: Fail,
  ) {}

  /** Tensor `name` (float unless `dtype` is given) of `shape` (any when null); undefined when absent and optional. */
  tensor(where: string, name: string, shape: number[] | null, required: boolean, dtype?: DType): Tensor | undefined {
    const t = Object.hasOwn(this.tensors, name) ? this.tensors[name] : undefined;
    if (!t) return required ? this.fail(`${where}: missing tensor '${name}'`) : undefined;
    if (dtype ? t.dtype !== dtype : t.dtype !== 'F32' && t.dtype !== 'F64') {
      const want = dtype ? `it must be ${dtype}` : 'weights must be F32 or F64';
      this.fail(`tensor '${name}' has dtype ${t.dtype}; ${want}`);
    }
    if (shape && (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k]))) {
      this.fail(`${where}: tensor '${name}' has shape [${t.shape}], expected [${shape}]`);
    }
    this.used.add(name);
    return t;
  }

  /** Field `key` of `o`: undefined when absent, else what `ok` accepts (`want` says what that is). */
  field<T>(where: string, o: Obj, key: string, ok: (v: unknown) => boolean, want: string): T | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (!ok(v)) this.fail(`${where}: '${key}' is ${show(v)}, expected ${want}`);
    return v as T;
  }

  name(where: string, o: Obj, key: string, dflt?: string): string {
    const ok = (v: unknown): boolean => typeof v === 'string' && v.length >= 1 && v.length <= MAX_NAME;
    const n = this.field<string>(where, o, key, ok, `a name of 1 to ${MAX_NAME} characters`) ?? dflt;
    return n ?? this.fail(`${where}: '${key}' is missing`);
  }

  size(where: string, v: unknown): number {
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > MAX_MODEL_NEURONS) {
      this.fail(`${where}: 'size' is ${show(v)}, expected a whole number of neurons from 1 to ${MAX_MODEL_NEURONS}`);
    }
    return v as number;
  }

  window(where: string, o: Obj): Window | undefined {
    const v = o.window;
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      return this.fail(`${where}: 'window' must be [start, end], two finite numbers, got ${show(v)}`);
    }
    const [start, end] = v as [number, number];
    if (!(start >= 0 && end > start && end <= this.tmax)) {
      this.fail(`${where}: 'window' [${start}, ${end}] must have 0 <= start < end <= tmax (${this.tmax})`);
    }
    return { start, end };
  }

  /** A fixed threshold, tensor `tensorName` [size] (when present, and required when 'threshold' is null), or S4NN's. */
  threshold(where: string, o: Obj, tensorName: string, size: number): number | string {
    const ok = (x: unknown): boolean => x === null || (typeof x === 'number' && x >= 0 && x <= MAX_THRESHOLD);
    const v = this.field<number | null>(where, o, 'threshold', ok, `0 to ${MAX_THRESHOLD}, or null (one per neuron)`);
    const t = this.tensor(where, tensorName, [size], v === null);
    if (t && typeof v === 'number') {
      this.fail(`${where}: 'threshold' is ${v}, but tensor '${tensorName}' gives one per neuron`);
    }
    return t ? tensorName : (v ?? S4NN_DEFAULTS.threshold);
  }

  /** Delay and kernel of a projection (absent: the network's defaults). */
  link(where: string, o: Obj): { delay?: number; kernel?: Kernel } {
    const whole = this.time === 'discrete';
    const okDelay = (v: unknown): boolean =>
      typeof v === 'number' && v >= 0 && v <= MAX_MODEL_TMAX && (!whole || Number.isInteger(v));
    const want = `a ${whole ? 'whole number (discrete time)' : 'number'} from 0 to ${MAX_MODEL_TMAX}`;
    const delay = this.field<number>(where, o, 'delay', okDelay, want);
    const okKernel = (v: unknown): boolean => v === 'delta' || v === 'ramp' || v === 'relu';
    return { delay, kernel: this.field<Kernel>(where, o, 'kernel', okKernel, `'delta', 'ramp' or 'relu'`) };
  }

  /** Adds a population (names are unique: a Map, so any name works, `__proto__` included); returns its index. */
  addPop(p: PopPlan): number {
    const holder = this.names.get(p.name);
    if (holder !== undefined) {
      this.fail(`${p.where}: population name ${show(p.name)} is taken (${this.pops[holder].where})`);
    }
    if (this.pops.length >= MAX_MODEL_POPULATIONS) {
      this.fail(`${p.where}: more than ${MAX_MODEL_POPULATIONS} populations`);
    }
    if (p.window && !p.input && this.time !== 'continuous') {
      this.fail(`${p.where}: a window (ReLU-equivalent neurons) needs continuous time`);
    }
    this.neurons += p.size;
    if (this.neurons > MAX_MODEL_NEURONS) {
      this.fail(`${p.where}: the sizes add up to ${this.neurons} neurons, more than the ${MAX_MODEL_NEURONS} allowed`);
    }
    this.names.set(p.name, this.pops.length);
    this.pops.push(p);
    return this.pops.length - 1;
  }

  /** The index of the population that field `key` names. */
  pop(where: string, o: Obj, key: string): number {
    const name = this.name(where, o, key);
    return this.names.get(name) ?? this.fail(`${where}: '${key}' names no population: ${show(name)}`);
  }
}

/** Layered files: populations from the `layers.{k}.weight` tensors, described by 'layers' and 'input' when given. */
function planLayers(ctx: Context, layers: unknown, input: unknown): void {
  const fail = ctx.fail;
  const ks = Object.keys(ctx.tensors)
    .map((k) => /^layers\.(0|[1-9]\d*)\.weight$/.exec(k)?.[1])
    .filter((m) => m !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  if (ks.length === 0) fail('no layers.{k}.weight tensor (and no graph metadata): not a model file');
  if (ks.length >= MAX_MODEL_POPULATIONS) {
    fail(`${ks.length} layers.{k}.weight tensors, more than ${MAX_MODEL_POPULATIONS - 1}`);
  }
  ks.forEach((k, i) => {
    if (k !== i) fail(`layers are not numbered 0..${ks.length - 1}: missing 'layers.${i}.weight'`);
  });
  if (layers !== undefined && (!Array.isArray(layers) || !layers.every(isObj))) {
    fail(`metadata 'layers' must be a JSON array of layer objects, got ${show(layers)}`);
  }
  const entries = layers as Obj[] | undefined;
  if (entries && entries.length !== ks.length) {
    fail(`metadata 'layers' describes ${entries.length} layers but the file has ${ks.length} weight tensors`);
  }
  if (input !== undefined && !isObj(input)) {
    fail(`metadata 'input' must be a JSON object {name, size}, got ${show(input)}`);
  }
  const shapes = ks.map((k) => {
    const name = `layers.${k}.weight`;
    const w = ctx.tensor(`tensor '${name}'`, name, null, true)!;
    if (w.shape.length !== 2) fail(`tensor '${name}' has shape [${w.shape}], expected 2-D [n_out, n_in]`);
    return w.shape as [number, number];
  });
  const inMeta = (input ?? {}) as Obj,
    inWhere = `metadata 'input'`,
    nIn = shapes[0][1];
  const size = ctx.field<number>(inWhere, inMeta, 'size', Number.isInteger, 'a whole number');
  if (size !== undefined && size !== nIn) {
    fail(`metadata 'input' says ${size} inputs but 'layers.0.weight' has n_in = ${nIn}`);
  }
  const name = ctx.name(inWhere, inMeta, 'name', 'input');
  const window = ctx.window(inWhere, inMeta);
  const nInputs = ctx.size(`tensor 'layers.0.weight'`, nIn);
  let prev = ctx.addPop({ where: inWhere, name, size: nInputs, input: true, threshold: 0, window });
  for (const k of ks) {
    const [nOut, n] = shapes[k];
    const before = ctx.pops[prev].size;
    if (n !== before) fail(`tensor 'layers.${k}.weight' has n_in = ${n} but layer ${k - 1} has ${before} neurons`);
    const meta = entries?.[k] ?? {},
      where = `metadata 'layers' entry ${k}`;
    const layerName = ctx.name(where, meta, 'name', k === ks.length - 1 ? 'output' : `hidden${k + 1}`);
    const nNeurons = ctx.size(`tensor 'layers.${k}.weight'`, nOut);
    const dst = ctx.addPop(popPlan(ctx, meta, { where, name: layerName, size: nNeurons, input: false }, `layers.${k}`));
    ctx.projs.push({ where, src: prev, dst, ...ctx.link(where, meta), tensor: `layers.${k}.weight`, sparse: false });
    prev = dst;
  }
}

/** A population's plan: an input, a window and its bias tensor, or a threshold (`prefix`.threshold when per neuron). */
function popPlan(ctx: Context, o: Obj, base: Omit<PopPlan, 'threshold'>, prefix: string): PopPlan {
  const { where, name, size, input } = base;
  const window = ctx.window(where, o);
  if (!input && !window) {
    return { where, name, size, input, threshold: ctx.threshold(where, o, `${prefix}.threshold`, size) };
  }
  const none = input ? 'null (inputs have no threshold)' : `null (a window's neurons use '${prefix}.bias')`;
  ctx.field(where, o, 'threshold', (v) => v === null, none);
  const bias = !input && ctx.tensor(where, `${prefix}.bias`, [size], false) ? `${prefix}.bias` : undefined;
  return { where, name, size, input, threshold: 0, window, bias };
}

/** Graph files: populations and projections as 'graph' lists them, each checked against its tensors. */
function planGraph(ctx: Context, graph: unknown): void {
  const fail = ctx.fail;
  if (!isObj(graph) || !Array.isArray(graph.populations) || !Array.isArray(graph.projections)) {
    fail(`metadata 'graph' must be a JSON object with 'populations' and 'projections' arrays`);
  }
  const { populations, projections } = graph as { populations: unknown[]; projections: unknown[] };
  for (const [what, list] of [
    ['populations', populations],
    ['projections', projections],
  ] as const) {
    if (list.length > MAX_MODEL_POPULATIONS) {
      fail(`metadata 'graph': ${list.length} ${what}, more than ${MAX_MODEL_POPULATIONS}`);
    }
  }
  const total = populations.reduce<number>((n, p) => n + (isObj(p) && typeof p.size === 'number' ? p.size : 0), 0);
  if (total > MAX_MODEL_NEURONS) {
    fail(`metadata 'graph': the population sizes add up to ${total} neurons, over the ${MAX_MODEL_NEURONS} allowed`);
  }
  populations.forEach((p, k) => {
    const where = `metadata 'graph' population ${k}`;
    if (!isObj(p)) return fail(`${where} is ${show(p)}, expected an object {name, size, input, threshold}`);
    const input = ctx.field<boolean>(where, p, 'input', (v) => typeof v === 'boolean', 'true or false') ?? false;
    const base = { where, name: ctx.name(where, p, 'name'), size: ctx.size(where, p.size), input };
    ctx.addPop(popPlan(ctx, p, base, `populations.${k}`));
  });
  projections.forEach((m, k) => {
    const where = `metadata 'graph' projection ${k}`;
    if (!isObj(m)) return fail(`${where} is ${show(m)}, expected an object {src, dst, delay, kernel, sparse}`);
    const src = ctx.pop(where, m, 'src'),
      dst = ctx.pop(where, m, 'dst');
    const sparse = ctx.field<boolean>(where, m, 'sparse', (v) => typeof v === 'boolean', 'true or false') ?? false;
    const nSrc = ctx.pops[src].size,
      nDst = ctx.pops[dst].size,
      prefix = `projections.${k}`;
    if (!sparse) ctx.tensor(where, `${prefix}.weight`, [nDst, nSrc], true);
    else {
      ctx.tensor(where, `${prefix}.indptr`, [nSrc + 1], true, 'I32');
      const nnz = ctx.tensor(where, `${prefix}.indices`, null, true, 'I32')!.shape;
      if (nnz.length !== 1) fail(`${where}: tensor '${prefix}.indices' has shape [${nnz}], expected 1-D`);
      ctx.tensor(where, `${prefix}.values`, nnz, true);
    }
    ctx.projs.push({ where, src, dst, ...ctx.link(where, m), tensor: sparse ? prefix : `${prefix}.weight`, sparse });
  });
}
