// Data-parallel mini-batches: each batch is cut into contiguous shards; shard 0 is learned in this
// thread while worker threads (one per further shard, handed their tasks without sleeping:
// train/shard-thread.ts), sharing the network's weights (the shared kernel
// memory) and the images, learns the others; each shard goes into its own gradient buffer. Then
// each thread sums one part of the buffers, in shard order, into the optimiser's gradients and
// steps that part of the weights, so a seed and a number of shards always give the same weights,
// whichever thread ran which shard or part.
import {
  engineBackend,
  shareArray,
  sharedArray,
  shareNetwork,
  shareUpdateArrays,
  type Network,
  type Optimiser,
  type SharedArray,
  type SharedNetwork,
  type SharedUpdateArrays,
} from '@spiking-gan/core';
import type { ImageSet } from '../data/mnist.ts';
import { SampleLearner, type LossSettings } from './sample.ts';
import {
  learnShard,
  updatePart,
  type ShardContext,
  type ShardResult,
  type ShardTask,
  type UpdateTask,
} from './shard.ts';
import { runBeside, ShardThread, startThreads } from '../train/shard-thread.ts';

/** The worker's entry: compiled, worker.js itself; from the sources, worker.mjs (which registers tsx). */
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './worker.mjs' : './worker.js', import.meta.url);

/** What every worker gets at start. */
export interface WorkerSetup {
  net: SharedNetwork;
  loss: LossSettings;
  frozen: number[];
  images: SharedArrayBuffer;
  labels: SharedArrayBuffer;
  pixels: number;
  /** Gradient buffers [shard][projection] in the kernel memory. */
  grads: SharedArray[][];
  /** The optimiser's update arrays. */
  opt: SharedUpdateArrays;
}

/** This thread and a pool of `shards − 1` workers, learning the batches of one network on one image set. */
export class DataParallel {
  private readonly threads: ShardThread<ShardTask | UpdateTask, ShardResult | null>[];
  private readonly grads: Float64Array[][];
  private readonly here: ShardContext;

  /** Starts the workers; resolves once each has started (loaded its modules: about a second), so no batch waits. */
  static async start(
    net: Network,
    opt: Optimiser,
    loss: LossSettings,
    data: ImageSet,
    shards: number,
    frozen: number[] = [],
  ): Promise<DataParallel> {
    const dp = new DataParallel(net, opt, loss, data, shards, frozen);
    await startThreads(dp.threads);
    return dp;
  }

  private constructor(
    readonly net: Network,
    opt: Optimiser,
    loss: LossSettings,
    readonly data: ImageSet,
    readonly shards: number,
    frozen: number[] = [],
  ) {
    const { reason } = engineBackend();
    if (reason !== null) {
      throw new Error(`data-parallel training needs the WebAssembly kernel memory, shared by the workers (${reason})`);
    }
    if (!Number.isInteger(shards) || shards < 2)
      throw new RangeError(`DataParallel: shards must be an integer >= 2, got ${shards}`);
    if (opt.updateArrays().length !== net.projections.length)
      throw new Error('DataParallel: the workers learn weights only (networks without biases)');
    // shard 0 adds into the optimiser's own gradients (zero at a batch's start, they sum what its buffer would),
    // the others into buffers of their own that the update adds in, in shard order
    this.grads = Array.from({ length: shards }, (_, s) =>
      opt.updateArrays().map((a) => (s === 0 ? a.g : sharedArray(a.g.length))),
    );
    const images = new SharedArrayBuffer(data.images.length),
      labels = new SharedArrayBuffer(data.labels.length);
    new Uint8Array(images).set(data.images);
    new Uint8Array(labels).set(data.labels);
    const setup: WorkerSetup = {
      net: shareNetwork(net),
      loss,
      frozen,
      images,
      labels,
      pixels: data.rows * data.cols,
      grads: this.grads.map((g) => g.map(shareArray)),
      opt: shareUpdateArrays(opt.updateArrays()),
    };
    this.here = {
      net,
      learner: new SampleLearner(net, loss),
      grads: this.grads,
      images: data.images,
      labels: data.labels,
      pixels: data.rows * data.cols,
      frozen: new Set(frozen),
      opt: [...opt.updateArrays()],
    };
    this.threads = Array.from({ length: shards - 1 }, () => new ShardThread(WORKER, { setup }));
  }

  /**
   * Learns the samples `ids` (one batch) in `shards` contiguous shards, each into its gradient
   * buffers, and adds their spike counts into `fires` (one array per population). Returns the
   * right predictions. `update` then sums the gradients into the optimiser.
   */
  async batch(ids: ArrayLike<number>, fires: Int32Array[]): Promise<number> {
    const n = ids.length,
      per = Math.floor(n / this.shards),
      extra = n % this.shards;
    const scales = this.net.projections.map((p) => p.scale);
    const shard = (s: number, from: number, size: number): ShardTask => ({
      kind: 'learn',
      shard: s,
      ids: Int32Array.from({ length: size }, (_, k) => ids[from + k]),
      scales,
    });
    // shards 1… to the workers first (thread s − 1 learns shard s), then shard 0 here while they run
    const size0 = per + (extra > 0 ? 1 : 0);
    let at = size0;
    for (let s = 1; s < this.shards; s++) {
      const size = per + (s < extra ? 1 : 0);
      this.threads[s - 1].post(shard(s, at, size));
      at += size;
    }
    const results = runBeside(this.threads, () => learnShard(this.here, shard(0, 0, size0))) as ShardResult[];
    const pops = this.net.populations;
    let correct = 0;
    for (const r of results) {
      correct += r.correct;
      let o = 0;
      for (const p of pops.slice(1)) {
        const f = fires[p.index];
        for (let j = 0; j < p.size; j++) f[j] += r.fires[o + j];
        o += p.size;
      }
    }
    return correct;
  }

  /**
   * Counts the last batch's `samples` in `opt` and sums its gradients into the optimiser's, in shard
   * order; when the batch is full, applies the update too (then `opt` needs no `endSample`): each
   * thread one part of the weights.
   */
  async update(opt: Optimiser, samples: number): Promise<void> {
    if (!opt.countSamples(samples)) return this.parts(null);
    if (opt.rewritesGradients) {
      // a hook rewrites the summed gradients (between the sum and the step)
      this.parts(null);
      this.parts(opt.beginStep(), false);
    } else this.parts(opt.beginStep());
    opt.endStep();
  }

  /** Runs part s of the update in thread s (this thread: part 0): the sum (`reduce`) and the plan's step. */
  private parts(plan: ReturnType<Optimiser['beginStep']>, reduce = true): void {
    const task = (part: number): UpdateTask => ({ kind: 'update', part, parts: this.shards, plan, reduce });
    this.threads.forEach((t, s) => t.post(task(s + 1)));
    runBeside(this.threads, () => updatePart(this.here, task(0)));
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
