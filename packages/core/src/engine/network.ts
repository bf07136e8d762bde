import { Rng } from '../coding/rng.ts';
import { allocF64 } from './kernel-memory.ts';

/** How time is represented: integer steps in a bucket queue, or real numbers in a heap. */
export type TimeMode = 'discrete' | 'continuous';
/**
 * Synapse kernel: `delta` adds w to V at arrival; `ramp` starts a constant current w at arrival;
 * `relu` feeds a windowed ReLU-equivalent neuron (Stanojevic et al. 2024): ramps that sum to
 * Σ w·(t_min − t_j) at its window start, then a unit slope to its threshold (see `Window`).
 */
export type Kernel = 'delta' | 'ramp' | 'relu';

/**
 * The time window [start, end] of a population of ReLU-equivalent neurons (or of the input layer
 * that feeds them). A neuron of such a population cannot fire before `start`; from `start` on its
 * potential rises with slope 1 and it fires at `t = end − clip(D + Σ_j w_j·x_j, 0, end − start)`
 * with `x_j = max(0, start − t_j)`; a crossing at or after `end` leaves it silent.
 */
export interface Window {
  start: number;
  end: number;
}

/** The S4NN defaults: window, threshold and delay used when nothing else is said. */
export const S4NN_DEFAULTS = Object.freeze({ tmax: 256, threshold: 100, delay: 1, time: 'discrete' as TimeMode });

/** A group of integrate-and-fire neurons (or of input neurons whose spike times are given). */
export class Population {
  constructor(
    /** Position in `network.populations`. */
    readonly index: number,
    /** Name used in records, files and plots. */
    readonly name: string,
    /** Number of neurons. */
    readonly size: number,
    /** Index of this population's first neuron in the network's global neuron numbering. */
    readonly offset: number,
    /** True for input populations (spike times are given, no threshold). */
    readonly isInput: boolean,
    /** Firing threshold per neuron (empty for inputs); fire when V > threshold. ReLU-equivalent neurons use `bias`. */
    readonly threshold: Float64Array,
    /** Window of ReLU-equivalent neurons (and of the inputs that feed them), else null. */
    readonly window: Window | null = null,
    /**
     * ReLU-equivalent neurons: the bias-like threshold term D_i per neuron (threshold θ_i = B − D_i,
     * B the window's length), read live by the engine and trained by the optimiser; empty otherwise.
     */
    readonly bias: Float64Array = new Float64Array(0),
  ) {}

  /** True for a population of ReLU-equivalent neurons (it has a window and is not an input). */
  get relu(): boolean {
    return this.window !== null && !this.isInput;
  }
}

/** Compressed sparse rows by presynaptic neuron: targets of source i are `indices[indptr[i]..indptr[i+1])`. */
export interface Csr {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/** A set of synapses from one population to another, dense or sparse, with one delay and one kernel. */
export class Projection {
  /** Lazy multiplier of every weight (used by training for L2 decay); effective weight = scale * stored weight. */
  scale = 1;

  constructor(
    /** Position in `network.projections`. */
    readonly index: number,
    /** Presynaptic population. */
    readonly src: Population,
    /** Postsynaptic population (never an input). */
    readonly dst: Population,
    /** Delay from spike to arrival (steps in discrete mode). */
    readonly delay: number,
    /** Synapse kernel. */
    readonly kernel: Kernel,
    /**
     * Stored weights. Dense: `src.size * dst.size` values laid out by presynaptic row,
     * `weights[i * dst.size + j]` = w from i to j. Sparse: aligned with `csr.indices`. Dense weights
     * live in the shared kernel memory when the SIMD kernels run: views of them must not outlive the projection.
     */
    readonly weights: Float64Array,
    /** Sparse structure, or null for a dense projection. */
    readonly csr: Csr | null,
  ) {}

  /** True when every source connects to every target through `weights`. */
  get dense(): boolean {
    return this.csr === null;
  }

  /** Effective weight from source i to target j (0 where a sparse projection has no synapse). */
  weight(i: number, j: number): number {
    if (this.csr === null) return this.scale * this.weights[i * this.dst.size + j];
    const { indptr, indices } = this.csr;
    for (let k = indptr[i]; k < indptr[i + 1]; k++) if (indices[k] === j) return this.scale * this.weights[k];
    return 0;
  }

  /** Dense weights in the `torch.nn.Linear` convention: shape [dst.size, src.size], row-major, scale applied. */
  toOutIn(): Float64Array {
    const nIn = this.src.size,
      nOut = this.dst.size;
    const out = new Float64Array(nOut * nIn);
    if (this.csr === null) {
      for (let i = 0; i < nIn; i++)
        for (let j = 0; j < nOut; j++) out[j * nIn + i] = this.scale * this.weights[i * nOut + j];
    } else {
      const { indptr, indices } = this.csr;
      for (let i = 0; i < nIn; i++)
        for (let k = indptr[i]; k < indptr[i + 1]; k++) out[indices[k] * nIn + i] = this.scale * this.weights[k];
    }
    return out;
  }

  /** Folds `scale` into the stored weights (scale becomes 1). */
  materialise(): void {
    if (this.scale === 1) return;
    const w = this.weights,
      s = this.scale;
    for (let k = 0; k < w.length; k++) w[k] *= s;
    this.scale = 1;
  }
}

/** Options of a population of IF neurons. */
export interface PopulationOptions {
  /** Name (default `pop{index}`, or `input`/`layer{k}` from the layered helpers). */
  name?: string;
  /** Threshold, one for all or one per neuron (default 100). */
  threshold?: number | ArrayLike<number>;
  /**
   * A window makes the population's neurons ReLU-equivalent (continuous time; they receive `relu`
   * projections only). Its start must be at or after the end of every window that feeds it.
   */
  window?: Window;
  /** ReLU-equivalent neurons: the bias term D_i, one for all or one per neuron (default 0). */
  bias?: number | ArrayLike<number>;
  /**
   * ReLU-equivalent neurons: biases used as the population's own, not copied (e.g. a view of another
   * thread's biases in the shared kernel memory); instead of `bias`.
   */
  biasStorage?: Float64Array;
}

/** How a projection's weights are given. */
export interface ConnectOptions {
  /** Dense weights in the `torch.nn.Linear` convention, shape [dst.size, src.size], row-major. */
  weights?: ArrayLike<number>;
  /** Dense weights by presynaptic row, shape [src.size, dst.size] (the engine's own layout). */
  weightsPrePost?: ArrayLike<number>;
  /**
   * Dense weights by presynaptic row used as the projection's storage, not copied: both hold the
   * same memory (e.g. a view of another thread's weights in the shared kernel memory).
   */
  storage?: Float64Array;
  /** Sparse weights (CSR by presynaptic neuron). */
  sparse?: { indptr: ArrayLike<number>; indices: ArrayLike<number>; values: ArrayLike<number> };
  /** Uniform initialisation in [lo, hi) from a seed, when no weights are given (default S4NN's [0, 5], seed 0). */
  init?: { uniform: [number, number]; seed: number };
  /** Synaptic delay (default: the network's default delay, 1 step). */
  delay?: number;
  /** Synapse kernel (default `delta`). */
  kernel?: Kernel;
}

/** Options of a network. */
export interface NetworkOptions {
  /** Window length: runs cover [0, tmax) (default 256). */
  tmax?: number;
  /** Time mode (default `discrete`). */
  time?: TimeMode;
  /** Delay of projections that do not name one (default 1). */
  delay?: number;
}

/** A spiking network: populations of IF neurons joined by projections. Build it, then run it with a `Simulator`. */
export class Network {
  /** Window length. */
  readonly tmax: number;
  /** Time mode. */
  readonly time: TimeMode;
  /** Default delay of new projections. */
  readonly defaultDelay: number;
  /** All populations, in creation order. */
  readonly populations: Population[] = [];
  /** All projections, in creation order. */
  readonly projections: Projection[] = [];
  private neurons = 0;

  constructor(opts: NetworkOptions = {}) {
    this.tmax = opts.tmax ?? S4NN_DEFAULTS.tmax;
    this.time = opts.time ?? 'discrete';
    this.defaultDelay = opts.delay ?? S4NN_DEFAULTS.delay;
    if (this.time !== 'discrete' && this.time !== 'continuous')
      throw new Error(`Network: time must be 'discrete' or 'continuous', got ${String(this.time)}`);
    if (!(this.tmax > 0) || !Number.isFinite(this.tmax))
      throw new RangeError(`Network: tmax must be a positive number, got ${this.tmax}`);
    if (this.time === 'discrete' && !Number.isInteger(this.tmax))
      throw new RangeError(`Network: tmax must be an integer in discrete time, got ${this.tmax}`);
    this.checkDelay(this.defaultDelay, 'default delay');
  }

  /** Total number of neurons (inputs included). */
  get size(): number {
    return this.neurons;
  }

  /** Input populations, in creation order. */
  get inputs(): Population[] {
    return this.populations.filter((p) => p.isInput);
  }

  /** The last population added (the default output). */
  get output(): Population {
    const p = this.populations[this.populations.length - 1];
    if (!p) throw new Error('Network: it has no population yet');
    return p;
  }

  /**
   * Adds an input population whose spike times are given to each run. A `window` makes it the input
   * of ReLU-equivalent neurons: a spike at t carries the value x = window.start − t.
   */
  addInput(size: number, name?: string, window?: Window): Population {
    const nm = name ?? (this.populations.length === 0 ? 'input' : `input${this.populations.length}`);
    return this.push(size, nm, true, new Float64Array(0), window ? this.checkWindow(window, nm) : null);
  }

  /** Adds a population of IF neurons. */
  addPopulation(size: number, opts: PopulationOptions = {}): Population {
    const th = new Float64Array(checkSize(size, 'addPopulation'));
    const given = opts.threshold ?? S4NN_DEFAULTS.threshold;
    if (typeof given === 'number') th.fill(given);
    else {
      if (given.length !== size) throw new RangeError(`addPopulation: ${size} neurons but ${given.length} thresholds`);
      for (let i = 0; i < size; i++) th[i] = given[i];
    }
    for (let i = 0; i < size; i++) {
      if (!Number.isFinite(th[i]) || th[i] < 0)
        throw new RangeError(`addPopulation: threshold of neuron ${i} must be finite and >= 0, got ${th[i]}`);
    }
    const name = opts.name ?? `pop${this.populations.length}`;
    if (!opts.window) {
      if (opts.bias !== undefined)
        throw new RangeError(`addPopulation(${name}): a bias needs a window (ReLU-equivalent neurons)`);
      return this.push(size, name, false, th);
    }
    if (this.time !== 'continuous')
      throw new RangeError(`addPopulation(${name}): ReLU-equivalent neurons need continuous time`);
    const win = this.checkWindow(opts.window, name);
    if (opts.biasStorage && opts.bias !== undefined)
      throw new RangeError(`addPopulation(${name}): give one of bias, biasStorage`);
    if (opts.biasStorage && !(opts.biasStorage instanceof Float64Array && opts.biasStorage.length === size))
      throw new RangeError(`addPopulation(${name}): biasStorage must be a Float64Array of ${size} values`);
    const bias = opts.biasStorage ?? allocF64(size);
    const b = opts.bias ?? 0;
    if (!opts.biasStorage) {
      if (typeof b === 'number') bias.fill(b);
      else {
        if (b.length !== size) throw new RangeError(`addPopulation(${name}): ${size} neurons but ${b.length} biases`);
        for (let i = 0; i < size; i++) bias[i] = b[i];
      }
    }
    checkFinite(bias, `addPopulation(${name}) bias`);
    // the threshold of the neuron model, θ_i = B − D_i (informative: the engine reads `bias`)
    for (let i = 0; i < size; i++) th[i] = win.end - win.start - bias[i];
    return this.push(size, name, false, th, win, bias);
  }

  /** Adds a population and connects the previous population to it densely (the layered-network shortcut). */
  addLayer(size: number, opts: PopulationOptions & ConnectOptions = {}): Population {
    const prev = this.output;
    const layer = this.addPopulation(size, {
      name: opts.name ?? `layer${this.populations.length}`,
      threshold: opts.threshold,
      window: opts.window,
      bias: opts.bias,
    });
    this.connect(prev, layer, opts);
    return layer;
  }

  /** Connects `src` to `dst` with dense, sparse or initialised weights. */
  connect(src: Population, dst: Population, opts: ConnectOptions = {}): Projection {
    const where = `connect(${src.name} -> ${dst.name})`;
    if (this.populations[src.index] !== src || this.populations[dst.index] !== dst)
      throw new Error(`${where}: population of another network`);
    if (dst.isInput) throw new Error(`${where}: an input population cannot receive synapses`);
    const delay = opts.delay ?? this.defaultDelay;
    this.checkDelay(delay, where);
    const kernel = opts.kernel ?? (dst.relu ? 'relu' : 'delta');
    if (kernel !== 'delta' && kernel !== 'ramp' && kernel !== 'relu')
      throw new Error(`${where}: kernel must be 'delta', 'ramp' or 'relu', got ${String(kernel)}`);
    if (kernel !== 'delta' && this.time !== 'continuous')
      throw new Error(`${where}: the ${kernel} kernel needs continuous time (spike times are not quantised)`);
    if ((kernel === 'relu') !== dst.relu)
      throw new Error(
        dst.relu
          ? `${where}: '${dst.name}' has a window: it takes relu projections only`
          : `${where}: the relu kernel needs a target population with a window`,
      );
    if (kernel === 'relu') {
      if (!src.window)
        throw new Error(
          `${where}: the relu kernel needs a source with a window ` +
            '(an input population with one, or ReLU-equivalent neurons)',
        );
      if (src.window.end > dst.window!.start)
        throw new Error(
          `${where}: the source's window ends at ${src.window.end}, after the target's starts (${dst.window!.start})`,
        );
      if (delay !== 0)
        throw new Error(`${where}: relu projections take no delay (got ${delay}): the windows order the layers`);
    }
    const nIn = src.size,
      nOut = dst.size;
    let weights: Float64Array;
    let csr: Csr | null = null;
    const given = [opts.weights, opts.weightsPrePost, opts.sparse, opts.storage].filter((x) => x !== undefined).length;
    if (given > 1) throw new Error(`${where}: give one of weights, weightsPrePost, storage, sparse`);
    if (opts.storage) {
      if (!(opts.storage instanceof Float64Array) || opts.storage.length !== nIn * nOut)
        throw new RangeError(
          `${where}: storage must be a Float64Array of ${nIn * nOut} values (shape [${nIn}, ${nOut}])`,
        );
      checkFinite(opts.storage, where);
      weights = opts.storage;
    } else if (opts.sparse) {
      csr = checkCsr(opts.sparse, nIn, nOut, where);
      weights = csr.values;
    } else if (opts.weights || opts.weightsPrePost) {
      const w = (opts.weights ?? opts.weightsPrePost)!;
      if (w.length !== nIn * nOut) {
        const shape = opts.weights ? `[${nOut}, ${nIn}]` : `[${nIn}, ${nOut}]`;
        throw new RangeError(`${where}: weights must have ${nIn * nOut} values (shape ${shape}), got ${w.length}`);
      }
      checkFinite(w, where);
      weights = allocF64(nIn * nOut);
      if (opts.weights)
        for (let j = 0; j < nOut; j++) for (let i = 0; i < nIn; i++) weights[i * nOut + j] = w[j * nIn + i];
      else for (let k = 0; k < w.length; k++) weights[k] = w[k];
    } else {
      const init = opts.init ?? { uniform: [0, 5] as [number, number], seed: 0 };
      checkUniform(init.uniform, where);
      weights = new Rng(init.seed).fillUniform(allocF64(nIn * nOut), init.uniform[0], init.uniform[1]) as Float64Array;
    }
    if (opts.sparse) checkFinite(weights, where);
    const p = new Projection(this.projections.length, src, dst, delay, kernel, weights, csr);
    this.projections.push(p);
    return p;
  }

  /** Finds a population by name. */
  population(name: string): Population {
    const p = this.populations.find((q) => q.name === name);
    if (!p)
      throw new Error(
        `Network: no population named '${name}' (have ${this.populations.map((q) => q.name).join(', ')})`,
      );
    return p;
  }

  /**
   * True when the network is a chain input → layer1 → … with one dense projection per step (it saves as
   * `layers.{k}.weight`).
   */
  get layered(): boolean {
    const pops = this.populations,
      projs = this.projections;
    if (pops.length < 2 || projs.length !== pops.length - 1 || !pops[0].isInput) return false;
    return projs.every((p, k) => p.src === pops[k] && p.dst === pops[k + 1] && p.dense);
  }

  private push(
    size: number,
    name: string,
    isInput: boolean,
    th: Float64Array,
    win: Window | null = null,
    bias?: Float64Array,
  ): Population {
    checkSize(size, name);
    if (this.populations.some((p) => p.name === name)) throw new Error(`Network: population name '${name}' is taken`);
    const p = new Population(this.populations.length, name, size, this.neurons, isInput, th, win, bias);
    this.populations.push(p);
    this.neurons += size;
    return p;
  }

  private checkWindow(w: Window, where: string): Window {
    const { start, end } = w;
    if (!Number.isFinite(start) || !Number.isFinite(end) || start < 0 || !(end > start)) {
      throw new RangeError(`${where}: window must be finite with 0 <= start < end, got [${start}, ${end}]`);
    }
    if (end > this.tmax)
      throw new RangeError(`${where}: window [${start}, ${end}] ends after the network's tmax ${this.tmax}`);
    return Object.freeze({ start, end });
  }

  private checkDelay(d: number, where: string): void {
    if (!Number.isFinite(d) || d < 0) throw new RangeError(`${where}: delay must be finite and >= 0, got ${d}`);
    if (this.time === 'discrete' && !Number.isInteger(d))
      throw new RangeError(`${where}: delay must be a whole number of steps in discrete time, got ${d}`);
  }
}

function checkSize(n: number, where: string): number {
  if (!Number.isInteger(n) || n <= 0 || n > 1 << 26)
    throw new RangeError(`${where}: size must be a positive integer, got ${n}`);
  return n;
}

/** A uniform range [lo, hi] whose every draw lo + (hi − lo)·u is finite. */
function checkUniform(u: unknown, where: string): void {
  const finite = (x: unknown): boolean => Number.isFinite(x);
  if (Array.isArray(u) && u.length === 2 && finite(u[0]) && finite(u[1]) && finite(u[1] - u[0])) return;
  const got = Array.isArray(u) ? `[${u.join(', ')}]` : String(u);
  throw new RangeError(`${where}: init.uniform must be [lo, hi], finite numbers a finite distance apart, got ${got}`);
}

function checkFinite(w: ArrayLike<number>, where: string): void {
  for (let k = 0; k < w.length; k++) {
    if (!Number.isFinite(w[k]))
      throw new RangeError(`${where}: weight ${k} is ${w[k]} (weights must be finite numbers)`);
  }
}

function checkCsr(s: NonNullable<ConnectOptions['sparse']>, nIn: number, nOut: number, where: string): Csr {
  const indptr = Int32Array.from(s.indptr),
    indices = Int32Array.from(s.indices),
    values = Float64Array.from(s.values);
  if (indptr.length !== nIn + 1)
    throw new RangeError(`${where}: sparse indptr must have ${nIn + 1} entries, got ${indptr.length}`);
  if (indptr[0] !== 0 || indptr[nIn] !== indices.length)
    throw new RangeError(`${where}: sparse indptr must start at 0 and end at ${indices.length}`);
  if (values.length !== indices.length)
    throw new RangeError(`${where}: sparse values (${values.length}) and indices (${indices.length}) differ in length`);
  for (let i = 0; i < nIn; i++) {
    if (indptr[i + 1] < indptr[i]) throw new RangeError(`${where}: sparse indptr decreases at row ${i}`);
    for (let k = indptr[i]; k < indptr[i + 1]; k++) {
      if (indices[k] < 0 || indices[k] >= nOut)
        throw new RangeError(`${where}: sparse index ${indices[k]} of row ${i} is outside 0..${nOut - 1}`);
      if (k > indptr[i] && indices[k] <= indices[k - 1])
        throw new RangeError(`${where}: sparse indices of row ${i} must be strictly increasing`);
    }
  }
  return { indptr, indices, values };
}
