// Data-parallel training of the relu GAN (`spiking-gan train --workers N`): this thread and N − 1
// worker threads (one per shard, so that a shard's G records stay in its thread from D's phase to
// G's; handed their phases without sleeping, train/shard-thread.ts) share G, D, the optimisers'
// arrays and the step's draws. This thread draws everything stochastic up front, in the order the
// one-thread trainer draws it (real images, digits and noise, dropout masks); each shard learns its
// contiguous range of D's packs into its own gradient buffers; each thread then sums one part of
// the parameters' gradients over the shards, in shard order, and updates that part. A seed and N
// give the same weights, bit for bit; N = 1 is the one-thread trainer itself.
import {
  engineBackend,
  shareArray,
  sharedArray,
  shareNetwork,
  shareUpdateArrays,
  type Optimiser,
} from '@spiking-gan/core';
import type { GanConfig } from '../models/config.ts';
import { ties } from '../models/networks.ts';
import {
  GanShard,
  type GanShardResult,
  type GanShardSetup,
  type GanShardTask,
  type UpdateResult,
} from './gan-shard.ts';
import { averageWeight, followSchedule } from './parameters.ts';
import { StepDraws, StepInputs, StepTally, type DPhaseResult, type GPhaseResult } from './relu-phases.ts';
import { ReluGanTrainer } from './relu-trainer.ts';
import { runBeside, ShardThread, startThreads } from './shard-thread.ts';
import type { StepStats } from './stats.ts';
import type { Trainer } from './trainer.ts';

/** The worker's entry: compiled, gan-worker.js itself; from the sources, gan-worker.mjs (which registers tsx). */
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './gan-worker.mjs' : './gan-worker.js', import.meta.url);

/** Why a config cannot train on `workers` threads (a sentence), or null when it can. */
export function parallelRefusal(cfg: GanConfig, workers: number): string | null {
  if (!Number.isInteger(workers) || workers < 1) return `--workers must be a whole number >= 1, got ${workers}`;
  if (workers === 1) return null;
  if (cfg.kernel !== 'relu') {
    return (
      `data-parallel training is for the relu kernel's GAN (presets relu-cond and relu); this run uses the ` +
      `${cfg.kernel} kernel, which trains in one thread`
    );
  }
  if (cfg.floatTwin) {
    return 'the float twin trains in one thread (the workers share the spiking networks through the kernel memory)';
  }
  const packs = cfg.batch / cfg.pack;
  if (packs < workers)
    return `${workers} threads need at least ${workers} packs of D per step (batch/pack is ${packs})`;
  const { reason } = engineBackend();
  if (reason !== null)
    return `data-parallel training needs the WebAssembly kernel memory, shared by the threads (${reason})`;
  return null;
}

/** Starts data-parallel training of `tr` on `workers` threads (this one included); refuses what it cannot train. */
export async function startParallelGan(tr: Trainer, workers: number): Promise<ParallelGan> {
  const why = parallelRefusal(tr.cfg, workers);
  if (why !== null) throw new Error(why);
  if (!(tr instanceof ReluGanTrainer)) throw new Error('data-parallel training is for the relu kernel GAN');
  const par = new ParallelGan(tr, workers);
  await par.ready();
  return par;
}

/** Steps of a relu GAN trainer on this thread and a worker per further shard; the trainer holds the state. */
export class ParallelGan {
  private readonly threads: ShardThread<GanShardTask, GanShardResult>[];
  private readonly here: GanShard;
  private readonly inputs: StepInputs;
  private readonly draws: StepDraws;
  /**
   * Gradients [shard][array]: shard 0's are the optimiser's own, the others' are buffers (kept here: the
   * kernel memory frees arrays nobody holds).
   */
  private readonly grads: Record<'G' | 'D', Float64Array[][]>;
  /** Whether an update's sum and step run in one pass (no tied parameters to fold in between). */
  private readonly oneTask: Record<'G' | 'D', boolean>;
  /** Whether G's moving average moves in the parts of G's update (no weight decay changes scales after it). */
  private readonly emaInParts: boolean;
  private checked = false;

  constructor(
    readonly tr: ReluGanTrainer,
    readonly workers: number,
  ) {
    // shard 0 adds into the optimiser's own gradients (summed from zero, they hold what its buffer would),
    // the others into buffers of their own that the update adds in, in shard order
    const c = tr.cfg,
      buffers = (opt: Optimiser) =>
        Array.from({ length: workers }, (_, s) =>
          opt.updateArrays().map((a) => (s === 0 ? a.g : sharedArray(a.g.length))),
        );
    this.grads = { G: buffers(tr.optG), D: buffers(tr.optD) };
    const gInputs = tr.G.populations[0].size,
      dHidden = tr.D.populations[1].size;
    this.inputs = StepInputs.allocate(c, gInputs, dHidden);
    this.draws = new StepDraws(tr, this.inputs, gInputs, dHidden);
    const ema = tr.emaG,
      emaArrays = ema && [
        ...ema.projections.map((p) => p.weights),
        ...ema.populations.filter((p) => p.relu).map((p) => p.bias),
      ];
    if (emaArrays && emaArrays.length !== tr.optG.updateArrays().length)
      throw new Error('ParallelGan: the moving average of G does not match its update arrays');
    this.emaInParts = emaArrays !== null && c.decay === 0;
    const setup: GanShardSetup = {
      cfg: c,
      shards: workers,
      G: shareNetwork(tr.G),
      D: shareNetwork(tr.D),
      optG: shareUpdateArrays(tr.optG.updateArrays()),
      optD: shareUpdateArrays(tr.optD.updateArrays()),
      gradG: this.grads.G.map((s) => s.map(shareArray)),
      gradD: this.grads.D.map((s) => s.map(shareArray)),
      ema: this.emaInParts ? emaArrays!.map(shareArray) : null,
      inputs: this.inputs.buffers,
    };
    this.here = new GanShard(setup, 0);
    this.threads = Array.from({ length: workers - 1 }, (_, i) => new ShardThread(WORKER, { setup, shard: i + 1 }));
    this.oneTask = { G: ties(c, tr.G, 'G').length === 0, D: ties(c, tr.D, 'D').length === 0 };
  }

  /** One step of the trainer (as `ReluGanTrainer.trainStep`, its phases shared among the threads). */
  async trainStep(): Promise<StepStats> {
    const tr = this.tr,
      c = tr.cfg,
      packs = c.batch / c.pack;
    if (!this.checked) tr.checkFinite(tr.step);
    this.checked = true;
    followSchedule(c, tr.step, [tr.optG, tr.optD]);
    const tally = new StepTally();
    let finite = true,
      updated = 0;
    for (let d = 0; d < c.dSteps; d++) {
      this.draws.forD();
      // the shards' packs are contiguous and in shard order: the tally sums in pack order, as in one thread
      tally.addD((await this.all({ kind: 'd', ...this.scales() })) as DPhaseResult[]);
      if (tr.optD.countSamples(2 * packs)) {
        finite = (await this.update('D', tr.optD)) && finite;
        updated++;
      }
    }
    this.draws.forG();
    tally.addG((await this.all({ kind: 'g', ...this.scales() })) as GPhaseResult[]);
    let emaMoved = false;
    if (tr.optG.countSamples(c.batch)) {
      finite = (await this.update('G', tr.optG, this.emaInParts)) && finite;
      emaMoved = this.emaInParts;
      updated++;
    }
    if (emaMoved) tr.syncEmaTies();
    else tr.updateEma();
    tr.step++;
    // each part was checked where it was updated; the whole check names what is not finite
    if (!finite || updated < c.dSteps + 1) tr.checkFinite(tr.step);
    return tally.stats(tr.step, c);
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }

  /**
   * Waits until every worker has started (each loads the modules: about a second), so that no step waits for it;
   * if one cannot start, the others are stopped.
   */
  ready(): Promise<void> {
    return startThreads(this.threads);
  }

  /** Runs a phase on every shard: the workers' first, then this thread's while they run. */
  private async all(task: GanShardTask): Promise<GanShardResult[]> {
    for (const t of this.threads) t.post(task);
    return runBeside(this.threads, () => this.here.run(task));
  }

  /**
   * Sums the shards' gradients of G or D and applies the optimiser's update, each thread one part,
   * moving G's average there too with `ema`; returns whether every updated value is finite.
   */
  private async update(which: 'G' | 'D', opt: Optimiser, ema = false): Promise<boolean> {
    const tr = this.tr,
      move = ema ? { beta: averageWeight(tr.cfg.gEma, tr.step), scales: this.scales().scalesG } : null;
    let res: GanShardResult[];
    if (this.oneTask[which])
      res = await this.all({ kind: 'update', which, reduce: true, plan: opt.beginStep(), ema: move });
    else {
      // tied parameters: their gradients fold together (beginStep's hook) between the sum and the step
      await this.all({ kind: 'update', which, reduce: true, plan: null, ema: null });
      res = await this.all({ kind: 'update', which, reduce: false, plan: opt.beginStep(), ema: move });
    }
    opt.endStep();
    return (res as UpdateResult[]).every((r) => r.finite);
  }

  private scales(): { scalesG: number[]; scalesD: number[] } {
    const of = (n: ReluGanTrainer['G']) => n.projections.map((p) => p.scale);
    return { scalesG: of(this.tr.G), scalesD: of(this.tr.D) };
  }
}
