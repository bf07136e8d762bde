import { allocF64 } from '../engine/kernel-memory.ts';
import { chooseKernels } from '../kernels/choose.ts';
import type { SimdKernels } from '../kernels/simd.ts';
import { typescriptKernels } from '../kernels/typescript.ts';
import type { Network } from '../engine/network.ts';
import type { GradientSink } from './backprop.ts';
import { ADAM_DEFAULTS, adamCorrections } from '../kernels/adam.ts';
import { applyUpdatePart, type UpdateArrays, type UpdatePlan } from './update-parts.ts';

/** Options of an optimiser. */
export interface OptimiserOptions {
  /** `sgd` (S4NN, default) or `adam`. */
  kind?: 'sgd' | 'adam';
  /** Learning rate η, one for all projections or one per projection (default 0.2). */
  lr?: number | number[];
  /** L2 weight decay λ: w ← w − η·λ·w after each update (default 1e-6), kept as a lazy scale factor. */
  decay?: number;
  /** Samples per update (default 1: S4NN's per-sample updates, applied as soon as each layer's gradient is known). */
  batch?: number;
  /** Adam β1 (default 0.9). */
  beta1?: number;
  /** Adam β2 (default 0.999). */
  beta2?: number;
  /** Adam ε (default 1e-8). */
  eps?: number;
  /** Projections (by index) that are frozen: their gradients are discarded. */
  frozen?: number[];
  /**
   * Called around each batched update: `beforeStep` may rewrite the accumulated gradients (e.g. fold
   * those of tied weights together), `afterStep` may rewrite weights (e.g. copy tied weights).
   */
  hooks?: { beforeStep?: (opt: Optimiser) => void; afterStep?: (opt: Optimiser) => void };
  /**
   * `auto` (default): batched SGD and Adam steps run on the WebAssembly SIMD kernels when they are
   * available and the arrays live in the kernel memory (same results, bit for bit); `typescript`: TypeScript only.
   */
  backend?: 'auto' | 'typescript';
}

/** Backward passes into one projection without `endSample()` after which the optimiser warns (once per process). */
export const PASSES_WITHOUT_END_SAMPLE = 1000;
let warnedNoEndSample = false;

/**
 * Applies weight gradients. Per-sample SGD writes straight into the weights (divided by the lazy
 * scale); mini-batches and Adam accumulate gradients and update on `endSample` once a batch is full.
 * The L2 decay multiplies the projection's `scale`, so it touches no weight.
 *
 * The protocol: after each sample's backward pass(es), call `endSample()`; at the end of an epoch,
 * `step()` applies a partial batch. `step()` refuses gradients written since the last `endSample()`,
 * and a warning (SPIKING_GAN_OPTIMISER_PROTOCOL) comes when 1,000 backward passes reach a projection
 * without one: without `endSample()`, mini-batch and Adam training never update the weights.
 */
export class Optimiser implements GradientSink {
  /** Accumulated gradients per projection (empty in per-sample SGD). */
  readonly grad: Float64Array[];
  /** Adam moments per projection. */
  readonly m: Float64Array[];
  readonly v: Float64Array[];
  /** Bias gradients and Adam moments per population (ReLU-equivalent populations only; empty arrays elsewhere). */
  readonly biasGrad: Float64Array[];
  readonly biasM: Float64Array[];
  readonly biasV: Float64Array[];
  /** The projection whose learning rate a population's bias uses (its first incoming projection), or −1. */
  private readonly biasRate: Int32Array;
  /** Which path the batched steps take: the SIMD kernels (for arrays in the kernel memory) or TypeScript. */
  readonly backend: 'wasm-simd' | 'typescript';
  /** Number of updates applied so far. */
  steps = 0;
  private seen = 0;
  /** Gradient requests per projection since the last `endSample()` (accumulating optimisers only). */
  private readonly requests: Int32Array;
  private readonly lr: number[];
  private factor = 1;
  private readonly o: Required<Omit<OptimiserOptions, 'lr' | 'frozen' | 'hooks'>>;
  private readonly hooks: NonNullable<OptimiserOptions['hooks']>;
  private readonly immediate: boolean;
  private readonly frozen: Set<number>;
  /** The SIMD kernels when they were chosen, else null: their TypeScript twins run. */
  private readonly kern: SimdKernels | null;
  /** The arrays of a batched update: each projection's, then each trained population's biases. */
  private readonly arrays: UpdateArrays[];
  /** The projection whose rate and freezing each of `arrays` follows. */
  private readonly arrayRate: number[];

  constructor(
    readonly net: Network,
    opts: OptimiserOptions = {},
  ) {
    const n = net.projections.length;
    this.o = {
      kind: opts.kind ?? 'sgd',
      decay: opts.decay ?? 1e-6,
      batch: opts.batch ?? 1,
      backend: opts.backend ?? 'auto',
      beta1: opts.beta1 ?? ADAM_DEFAULTS.beta1,
      beta2: opts.beta2 ?? ADAM_DEFAULTS.beta2,
      eps: opts.eps ?? ADAM_DEFAULTS.eps,
    };
    const backend = this.o.backend;
    if (backend !== 'auto' && backend !== 'typescript') {
      throw new Error(`Optimiser: backend must be 'auto' or 'typescript', got ${String(backend)}`);
    }
    this.kern = chooseKernels(backend).simd;
    this.backend = this.kern ? 'wasm-simd' : 'typescript';
    const lr = opts.lr ?? 0.2;
    this.lr = typeof lr === 'number' ? new Array(n).fill(lr) : lr.slice();
    if (this.lr.length !== n || this.lr.some((x) => !(x >= 0) || !Number.isFinite(x)))
      throw new RangeError(
        `Optimiser: lr must be a number >= 0 or one per projection (${n}), got ${JSON.stringify(opts.lr)}`,
      );
    if (!Number.isInteger(this.o.batch) || this.o.batch < 1)
      throw new RangeError(`Optimiser: batch must be a positive integer, got ${this.o.batch}`);
    if (!(this.o.decay >= 0)) throw new RangeError(`Optimiser: decay must be >= 0, got ${this.o.decay}`);
    if (this.o.kind !== 'sgd' && this.o.kind !== 'adam')
      throw new Error(`Optimiser: kind must be sgd or adam, got ${String(this.o.kind)}`);
    this.frozen = new Set(opts.frozen ?? []);
    this.hooks = opts.hooks ?? {};
    this.immediate = this.o.kind === 'sgd' && this.o.batch === 1;
    this.requests = new Int32Array(n);
    // in the kernel memory, where the SIMD steps can reach them
    const alloc = (on: boolean) => net.projections.map((p) => (on ? allocF64(p.weights.length) : new Float64Array(0)));
    this.grad = alloc(!this.immediate);
    this.m = alloc(this.o.kind === 'adam');
    this.v = alloc(this.o.kind === 'adam');
    this.biasRate = Int32Array.from(net.populations, (p) =>
      p.relu ? net.projections.findIndex((q) => q.dst === p) : -1,
    );
    const allocB = (on: boolean) =>
      net.populations.map((p, i) => (on && this.biasRate[i] >= 0 ? allocF64(p.size) : new Float64Array(0)));
    this.biasGrad = allocB(!this.immediate);
    this.biasM = allocB(this.o.kind === 'adam');
    this.biasV = allocB(this.o.kind === 'adam');
    this.arrays = net.projections.map((p, k) => ({ w: p.weights, g: this.grad[k], m: this.m[k], v: this.v[k] }));
    this.arrayRate = net.projections.map((_, k) => k);
    net.populations.forEach((p, i) => {
      if (this.biasRate[i] < 0) return;
      this.arrays.push({ w: p.bias, g: this.biasGrad[i], m: this.biasM[i], v: this.biasV[i] });
      this.arrayRate.push(this.biasRate[i]);
    });
  }

  /**
   * The arrays of a batched update, in the order of `beginStep`'s plan: each projection's weights,
   * then the biases of each ReLU-equivalent population, with their gradients and Adam moments.
   */
  updateArrays(): readonly UpdateArrays[] {
    return this.arrays;
  }

  /** Bias gradients of ReLU-equivalent population p go here (frozen with its first incoming projection). */
  biasTarget(p: number): { array: Float64Array; coef: number } | null {
    const k = this.biasRate[p];
    if (k < 0 || this.frozen.has(k)) return null;
    if (this.immediate) return { array: this.net.populations[p].bias, coef: -this.rate(k) };
    this.requests[k] ||= 1; // pending until endSample(), like the projection's own gradients
    return { array: this.biasGrad[p], coef: 1 };
  }

  /** The learning rate of projection k (base rate times the schedule factor). */
  rate(k: number): number {
    return this.lr[k] * this.factor;
  }

  /** Multiplies every base learning rate by `f` from now on (for schedules). */
  setRateFactor(f: number): void {
    if (!(f >= 0) || !Number.isFinite(f)) throw new RangeError(`Optimiser: rate factor must be >= 0, got ${f}`);
    this.factor = f;
  }

  target(k: number): { array: Float64Array; coef: number } | null {
    if (this.frozen.has(k)) return null;
    if (this.immediate) {
      const p = this.net.projections[k];
      return { array: p.weights, coef: -this.rate(k) / p.scale };
    }
    this.requests[k]++;
    if (this.requests[k] === PASSES_WITHOUT_END_SAMPLE && !warnedNoEndSample) {
      warnedNoEndSample = true;
      process.emitWarning(
        `Optimiser: ${PASSES_WITHOUT_END_SAMPLE} backward passes into projection ${k} ` +
          'without endSample(): mini-batch and Adam updates happen in endSample() once a batch is full; ' +
          'call it after each sample',
        { code: 'SPIKING_GAN_OPTIMISER_PROTOCOL' },
      );
    }
    return { array: this.grad[k], coef: 1 };
  }

  afterProjection(k: number): void {
    if (this.immediate && !this.frozen.has(k)) this.decayStep(k);
  }

  /** Marks the end of one sample; applies the batch when it is full. Returns true when weights changed. */
  endSample(): boolean {
    if (this.immediate) {
      this.steps++;
      return true;
    }
    this.requests.fill(0);
    if (++this.seen < this.o.batch) return false;
    this.step();
    return true;
  }

  /** True when a `beforeStep` hook rewrites the summed gradients: they must be complete before `beginStep`. */
  get rewritesGradients(): boolean {
    return this.hooks.beforeStep !== undefined;
  }

  /**
   * Counts `n` samples whose gradients other threads summed into `grad` and `biasGrad`, without
   * applying the batch: true when it is full (then apply it with `beginStep` … `endStep`).
   */
  countSamples(n: number): boolean {
    if (this.immediate) throw new Error('Optimiser.countSamples: per-sample SGD applies each sample at once');
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`Optimiser.countSamples: n must be an integer >= 0, got ${n}`);
    this.seen += n;
    return this.seen >= this.o.batch;
  }

  /** Applies and clears the accumulated gradients now (a partial batch counts as a batch of its size). */
  step(): void {
    const plan = this.beginStep();
    if (!plan) return;
    applyUpdatePart(this.arrays, plan, 0, 1, this.kern ?? typescriptKernels);
    this.endStep();
  }

  /**
   * Starts a batched update that threads may apply in parts (`applyUpdatePart` on `updateArrays`):
   * runs the `beforeStep` hook, clears frozen gradients and returns each array's numbers; null when
   * there is nothing to apply. Call `endStep` once every part is applied (`step` does all three).
   */
  beginStep(): UpdatePlan | null {
    if (this.immediate) return null;
    if (this.requests.some((r) => r > 0)) {
      throw new Error(
        'Optimiser.step: gradients were written since the last endSample(); call endSample() after each ' +
          "sample's backward pass (step() only applies a partial batch of ended samples)",
      );
    }
    if (this.seen === 0) return null;
    this.hooks.beforeStep?.(this);
    const mean = 1 / this.seen;
    this.seen = 0;
    this.steps++;
    const { beta1, beta2, eps } = this.o;
    const { bc1, bc2 } = adamCorrections(beta1, beta2, this.steps);
    const nProj = this.net.projections.length;
    const steps = this.arrays.map((a, i) => {
      const k = this.arrayRate[i];
      if (this.frozen.has(k)) {
        a.g.fill(0);
        return null;
      }
      // weights are stored in units of their projection's lazy scale (biases are not)
      const inv = i < nProj ? 1 / this.net.projections[k].scale : 1;
      return { lr: this.rate(k), mean, inv, beta1, beta2, eps, bc1, bc2 };
    });
    return { kind: this.o.kind, steps };
  }

  /** Ends the update `beginStep` started: the L2 decay of each trained projection, then the `afterStep` hook. */
  endStep(): void {
    for (let k = 0; k < this.net.projections.length; k++) if (!this.frozen.has(k)) this.decayStep(k);
    this.hooks.afterStep?.(this);
  }

  private decayStep(k: number): void {
    const p = this.net.projections[k];
    const f = 1 - this.rate(k) * this.o.decay;
    if (f === 1) return;
    p.scale *= f;
    if (p.scale < 1e-3) p.materialise();
  }
}
