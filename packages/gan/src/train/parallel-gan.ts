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
import { PIXELS, reluImageSize, reluNoise, ties } from '../models/networks.ts';
import {
  GanShard,
  StepInputs,
  type DPhaseResult,
  type GanShardResult,
  type GanShardSetup,
  type GanShardTask,
  type GPhaseResult,
  type UpdateResult,
} from './gan-shard.ts';
import { averageWeight, followSchedule } from './parameters.ts';
import { drawFakeDigit, drawReal, ReluGanTrainer } from './relu-trainer.ts';
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
    this.inputs = StepInputs.allocate(c, tr.G.populations[0].size, tr.D.populations[1].size);
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
      B = c.batch,
      packs = B / c.pack;
    if (!this.checked) tr.checkFinite(tr.step);
    this.checked = true;
    followSchedule(c, tr.step, [tr.optG, tr.optD]);
    const real = { right: 0, loss: 0, time: 0 },
      fake = { right: 0, loss: 0, time: 0 };
    let dSpikes = 0,
      finite = true,
      updated = 0;
    for (let d = 0; d < c.dSteps; d++) {
      this.drawReal();
      this.drawNoise();
      this.drawMasks(0, 2 * packs);
      const res = (await this.all({ kind: 'd', ...this.scales() })) as DPhaseResult[];
      // the shards' packs are contiguous and in shard order: these sums run in pack order, as in one thread
      let spikes = 0;
      for (const r of res) spikes += tally(r.real, real, true);
      for (const r of res) spikes += tally(r.fake, fake, false);
      dSpikes += spikes;
      if (tr.optD.countSamples(2 * packs)) {
        finite = (await this.update('D', tr.optD)) && finite;
        updated++;
      }
    }
    this.drawMasks(2 * packs, packs);
    const res = (await this.all({ kind: 'g', ...this.scales() })) as GPhaseResult[];
    const fooled = { right: 0, loss: 0, time: 0 },
      litCount = new Int32Array(PIXELS);
    let gSpikes = 0,
      lit = 0;
    for (const r of res) {
      for (const s of r.gSpikes) gSpikes += s;
      tally(r.verdicts, fooled, true);
      for (let p = 0; p < PIXELS; p++) {
        litCount[p] += r.litCount[p];
        lit += r.litCount[p];
      }
    }
    let emaMoved = false;
    if (tr.optG.countSamples(B)) {
      finite = (await this.update('G', tr.optG, this.emaInParts)) && finite;
      emaMoved = this.emaInParts;
      updated++;
    }
    let varying = 0;
    for (let p = 0; p < PIXELS; p++) if (litCount[p] > 0 && litCount[p] < B) varying++;
    if (emaMoved) tr.syncEmaTies();
    else tr.updateEma();
    tr.step++;
    // each part was checked where it was updated; the whole check names what is not finite
    if (!finite || updated < c.dSteps + 1) tr.checkFinite(tr.step);
    const nd = packs * c.dSteps;
    return {
      step: tr.step,
      dRealRight: real.right / nd,
      dFakeRight: fake.right / nd,
      gFooled: fooled.right / packs,
      dLossReal: real.loss / nd,
      dLossFake: fake.loss / nd,
      gLoss: fooled.loss / packs,
      tReal: real.time / nd,
      tFake: fake.time / nd,
      lit: lit / (B * PIXELS),
      varying: varying / PIXELS,
      gSpikes: gSpikes / B,
      dSpikes: dSpikes / (2 * nd),
    };
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

  /** The batch's real images as D's inputs, drawn as the one-thread trainer draws them. */
  private drawReal(): void {
    const { cfg: c, data, rngData } = this.tr,
      S = reluImageSize(c);
    for (let b = 0; b < c.batch; b++) {
      this.inputs.realDigits[b] = drawReal(c, data, rngData, this.inputs.real.subarray(b * S, (b + 1) * S));
    }
  }

  /** The fakes' digits (the data's, conditional; InfoGAN codes uniformly from 10) and G's noise. */
  private drawNoise(): void {
    const { cfg: c, data, rngData, rngNoise } = this.tr,
      n = this.tr.G.populations[0].size;
    for (let b = 0; b < c.batch; b++) {
      const digit = drawFakeDigit(c, data, rngData);
      this.inputs.digits[b] = digit;
      reluNoise(c, rngNoise, digit, this.inputs.noise.subarray(b * n, (b + 1) * n));
    }
  }

  /** Dropout masks of D's hidden layer for D's inputs [from, from + count) of the step (one draw per neuron). */
  private drawMasks(from: number, count: number): void {
    const p = this.tr.cfg.dDropout;
    if (!(p > 0)) return;
    const H = this.tr.D.populations[1].size,
      masks = this.inputs.masks,
      rng = this.tr.rngDropout;
    for (let i = from * H; i < (from + count) * H; i++) masks[i] = rng.next() < p ? 1 : 0;
  }
}

/** Adds a shard's verdicts into running totals (right: says real when `real`, else says fake); returns D's spikes. */
function tally(v: DPhaseResult['real'], into: { right: number; loss: number; time: number }, real: boolean): number {
  let spikes = 0;
  for (let i = 0; i < v.loss.length; i++) {
    if ((v.real[i] === 1) === real) into.right++;
    into.loss += v.loss[i];
    into.time += v.time[i];
    spikes += v.spikes[i];
  }
  return spikes;
}
