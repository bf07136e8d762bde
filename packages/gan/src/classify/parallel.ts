// Data-parallel mini-batches: each batch is cut into contiguous shards; shard 0 is learned in this
// thread while a piscina pool of worker threads, sharing the network's weights (the shared kernel
// memory) and the images, learns the others; each shard goes into its own gradient buffer, and
// the buffers are summed in shard order, so a seed and a number of shards always give the same
// weights, whichever thread ran which shard.
import { fileURLToPath } from 'node:url';
import {
  drainInto,
  engineBackend,
  shareArray,
  sharedArray,
  shareNetwork,
  type Network,
  type SharedArray,
  type SharedNetwork,
} from '@spiking-gan/core';
import type { Piscina } from 'piscina';
import type { ImageSet } from '../data/mnist.ts';
import { SampleLearner, type LossSettings } from './sample.ts';
import { learnShard, type ShardContext, type ShardResult, type ShardTask } from './shard.ts';

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
}

/** This thread and a pool of `shards − 1` workers, learning the batches of one network on one image set. */
export class DataParallel {
  private readonly pool: Piscina<ShardTask, ShardResult>;
  private readonly grads: Float64Array[][];
  private readonly here: ShardContext;

  /**
   * Starts the pool. piscina is imported here, not at the top of the module: merely loading it
   * slows every hot JavaScript loop of the process by about a quarter (measured with `pnpm bench
   * engine`: plain loop 119 → 156 µs/image), so only processes that train in parallel load it.
   */
  static async start(
    net: Network,
    loss: LossSettings,
    data: ImageSet,
    shards: number,
    frozen: number[] = [],
  ): Promise<DataParallel> {
    const { Piscina } = await import('piscina');
    return new DataParallel(Piscina, net, loss, data, shards, frozen);
  }

  private constructor(
    PiscinaClass: typeof Piscina,
    readonly net: Network,
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
    this.grads = Array.from({ length: shards }, () => net.projections.map((p) => sharedArray(p.weights.length)));
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
    };
    this.here = {
      net,
      learner: new SampleLearner(net, loss),
      grads: this.grads,
      images: data.images,
      labels: data.labels,
      pixels: data.rows * data.cols,
      frozen: new Set(frozen),
    };
    this.pool = new PiscinaClass({
      filename: fileURLToPath(WORKER),
      minThreads: shards - 1,
      maxThreads: shards - 1,
      resourceLimits: { maxYoungGenerationSizeMb: 48 },
      idleTimeout: 60_000,
      workerData: setup,
    });
  }

  /**
   * Learns the samples `ids` (one batch) in `shards` contiguous shards, then adds the shards'
   * gradients, in shard order, into `into` (one array per projection) and their spike counts into
   * `fires` (one array per population). Returns the right predictions.
   */
  async batch(ids: ArrayLike<number>, into: Float64Array[], fires: Int32Array[]): Promise<number> {
    const n = ids.length,
      per = Math.floor(n / this.shards),
      extra = n % this.shards;
    const scales = this.net.projections.map((p) => p.scale);
    const tasks: Promise<ShardResult>[] = [];
    const shard = (s: number, from: number, size: number): ShardTask => ({
      shard: s,
      ids: Int32Array.from({ length: size }, (_, k) => ids[from + k]),
      scales,
    });
    const none: ShardResult = { correct: 0, fires: new Int32Array(0) };
    // shards 1… to the workers first, then shard 0 here while they run
    const size0 = per + (extra > 0 ? 1 : 0);
    let at = size0;
    for (let s = 1; s < this.shards; s++) {
      const size = per + (s < extra ? 1 : 0);
      tasks.push(size > 0 ? this.pool.run(shard(s, at, size)) : Promise.resolve(none));
      at += size;
    }
    await new Promise<void>((r) => setImmediate(r)); // let the pool post its tasks before this thread is busy
    tasks.unshift(Promise.resolve(size0 > 0 ? learnShard(this.here, shard(0, 0, size0)) : none));
    const results = await Promise.all(tasks);
    const pops = this.net.populations;
    let correct = 0;
    results.forEach((r, s) => {
      correct += r.correct;
      if (r.fires.length === 0) return; // an empty shard (a batch smaller than the pool)
      let o = 0;
      for (const p of pops.slice(1)) {
        const f = fires[p.index];
        for (let j = 0; j < p.size; j++) f[j] += r.fires[o + j];
        o += p.size;
      }
      this.net.projections.forEach((_, k) => drainInto(into[k], this.grads[s][k]));
    });
    return correct;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
