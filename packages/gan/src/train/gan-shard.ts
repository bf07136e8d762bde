// One thread's share of a data-parallel step of the relu GAN (train/parallel-gan.ts): the main
// thread and each worker run a GanShard on views of the same G and D (the shared kernel memory).
// A shard runs the step's phases (relu-phases.ts, the one-thread trainer's code) on its contiguous
// range of D's packs, its gradients into its own buffers (shard 0: the optimisers' arrays). A part
// of the parameters it sums over the shards' buffers, in shard order, and updates (Adam or SGD),
// side by side with the other shards.
import {
  applyUpdatePart,
  attachArray,
  attachNetwork,
  attachUpdateArrays,
  partRanges,
  reducePart,
  SpikingPass,
  type GradientSink,
  type Network,
  type SharedArray,
  type SharedNetwork,
  type SharedUpdateArrays,
  type UpdateArrays,
  type UpdatePlan,
} from '@spiking-gan/core';
import type { GanConfig } from '../models/config.ts';
import { moveAverage } from './parameters.ts';
import { ReluPhases, StepInputs, type DPhaseResult, type GPhaseResult, type StepBuffers } from './relu-phases.ts';

/** What every shard gets at start (structured-clone safe). */
export interface GanShardSetup {
  cfg: GanConfig;
  shards: number;
  G: SharedNetwork;
  D: SharedNetwork;
  /** The optimisers' update arrays: parameters, summed gradients, Adam moments. */
  optG: SharedUpdateArrays;
  optD: SharedUpdateArrays;
  /**
   * Gradients [shard][array of the optimiser's update] of G and of D: shard 0's are the optimiser's own
   * gradient arrays (summed from zero, they hold what a buffer would), the others' are buffers.
   */
  gradG: SharedArray[][];
  gradD: SharedArray[][];
  /** The moving average of G, array by array in the order of G's update arrays (null: none, or moved elsewhere). */
  ema: SharedArray[] | null;
  /** The step's draws, written by the main thread before each phase (see `StepInputs`). */
  inputs: StepBuffers;
}

/** The packs [from, to) of shard s of n, of `packs` in all (contiguous, nearly equal). */
export function shardPacks(packs: number, s: number, n: number): [number, number] {
  return [Math.floor((packs * s) / n), Math.floor((packs * (s + 1)) / n)];
}

/** A phase of a step for one shard; `scales` are the lazy weight scales of G's and D's projections. */
export type GanShardTask =
  | { kind: 'd'; scalesG: number[]; scalesD: number[] }
  | { kind: 'g'; scalesG: number[]; scalesD: number[] }
  | UpdateTask;

/**
 * A part of G's or D's update: the shards' gradients summed into the optimiser's (`reduce`), the plan
 * applied, the moving average of G moved (`ema`: β and G's lazy scales), the part checked to be finite.
 */
export interface UpdateTask {
  kind: 'update';
  which: 'G' | 'D';
  reduce: boolean;
  plan: UpdatePlan | null;
  ema: { beta: number; scales: number[] } | null;
}

/** What an update's part reports: whether every value of its part is finite after the update. */
export interface UpdateResult {
  finite: boolean;
}

export type GanShardResult = DPhaseResult | GPhaseResult | UpdateResult | null;

/** A sink adding a pass's gradients into one shard's buffers (in the optimiser's update order). */
function bufferSink(net: Network, grads: Float64Array[]): GradientSink {
  const biasAt = new Int32Array(net.populations.length).fill(-1);
  let a = net.projections.length;
  for (const p of net.populations) if (p.relu) biasAt[p.index] = a++;
  if (a !== grads.length) throw new Error(`bufferSink: ${grads.length} gradient buffers for ${a} arrays`);
  return {
    target: (k) => ({ array: grads[k], coef: 1 }),
    afterProjection() {},
    biasTarget: (p) => (biasAt[p] < 0 ? null : { array: grads[biasAt[p]], coef: 1 }),
  };
}

/** One thread's share of the data-parallel steps (shard `shard` of `setup.shards`). */
export class GanShard {
  private readonly G: Network;
  private readonly D: Network;
  private readonly phases: ReluPhases;
  private readonly opt: Record<'G' | 'D', UpdateArrays[]>;
  private readonly ema: Float64Array[] | null;
  private readonly grads: Record<'G' | 'D', Float64Array[][]>;

  constructor(
    setup: GanShardSetup,
    readonly shard: number,
  ) {
    const c = setup.cfg;
    this.G = attachNetwork(setup.G);
    this.D = attachNetwork(setup.D, { ownBiases: c.dDropout > 0 ? [1] : [] });
    const [from, to] = shardPacks(c.batch / c.pack, shard, setup.shards);
    this.grads = {
      G: setup.gradG.map((s) => s.map(attachArray)),
      D: setup.gradD.map((s) => s.map(attachArray)),
    };
    this.opt = { G: attachUpdateArrays(setup.optG), D: attachUpdateArrays(setup.optD) };
    this.ema = setup.ema?.map(attachArray) ?? null;
    this.phases = new ReluPhases({
      cfg: c,
      G: this.G,
      D: this.D,
      passesG: Array.from(
        { length: (to - from) * c.pack },
        () => new SpikingPass(this.G, { readout: false, clipSurrogate: c.silentPixel === 'late' }),
      ),
      passD: new SpikingPass(this.D, { readout: c.loss === 'bce' }),
      sinkG: bufferSink(this.G, this.grads.G[shard]),
      sinkD: bufferSink(this.D, this.grads.D[shard]),
      inputs: new StepInputs(setup.inputs),
      from,
      to,
      // D's hidden layer reads this thread's own copy of its biases (attachNetwork's ownBiases)
      dropFrom: c.dDropout > 0 ? this.opt.D[this.D.projections.length].w : null,
    });
  }

  /** Runs one phase of a step. */
  run(task: GanShardTask): GanShardResult {
    if (task.kind === 'update') return this.update(task);
    task.scalesG.forEach((s, k) => (this.G.projections[k].scale = s));
    task.scalesD.forEach((s, k) => (this.D.projections[k].scale = s));
    return task.kind === 'd' ? this.phases.dPhase() : this.phases.gPhase();
  }

  /**
   * This shard's part of an update of G or D: the shards' gradients summed into the optimiser's, in
   * shard order (`reduce`), then the plan applied (when given) to the same part of the parameters,
   * G's moving average moved there (as `followAverage`), and the part checked.
   */
  private update(t: UpdateTask): UpdateResult {
    const arrays = this.opt[t.which],
      parts = this.grads[t.which].length;
    if (t.reduce) reducePart(arrays, this.grads[t.which].slice(1), this.shard, parts);
    if (!t.plan) return { finite: true };
    applyUpdatePart(arrays, t.plan, this.shard, parts);
    let finite = true;
    for (const [a, from, to] of partRanges(
      arrays.map((x) => x.w.length),
      this.shard,
      parts,
    )) {
      const w = arrays[a].w;
      for (let i = from; i < to; i++) if (!Number.isFinite(w[i])) finite = false;
      if (!t.ema || !this.ema) continue;
      moveAverage(this.ema[a], w, t.ema.beta, a < t.ema.scales.length ? t.ema.scales[a] : 1, from, to);
    }
    return { finite };
  }
}
