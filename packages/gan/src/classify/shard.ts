// One shard of a data-parallel batch: its samples learned, in order, into the shard's own
// gradient buffers; and one part of the batch's update: the shards' gradients summed over that part
// of the weights, in shard order, and stepped. The main thread and the pool's workers run both.
import {
  applyUpdatePart,
  reducePart,
  type GradientSink,
  type Network,
  type UpdateArrays,
  type UpdatePlan,
} from '@spiking-gan/core';
import type { SampleLearner } from './sample.ts';

/** One shard of a batch. */
export interface ShardTask {
  kind: 'learn';
  shard: number;
  ids: Int32Array;
  scales: number[];
}

/** What a shard reports: right predictions and spike counts per neuron (populations after the input, concatenated). */
export interface ShardResult {
  correct: number;
  fires: Int32Array;
}

/** Part `part` of `parts` of a batch's update: the shards' gradients summed there (and stepped, with a plan). */
export interface UpdateTask {
  kind: 'update';
  part: number;
  parts: number;
  plan: UpdatePlan | null;
  /** Sum the shards' gradients first (false: they are summed already). */
  reduce: boolean;
}

/** What a thread needs to learn shards. */
export interface ShardContext {
  net: Network;
  learner: SampleLearner;
  /** Gradients [shard][projection], zero before a batch: shard 0's are the optimiser's own, the others' buffers. */
  grads: Float64Array[][];
  images: Uint8Array;
  labels: Uint8Array;
  pixels: number;
  frozen: Set<number>;
  /** The optimiser's update arrays (weights, summed gradients, moments), shared. */
  opt: UpdateArrays[];
}

/** Sums part of the shards' gradients into the optimiser's (clearing them), then applies the plan to that part. */
export function updatePart(c: ShardContext, task: UpdateTask): null {
  if (task.reduce) reducePart(c.opt, c.grads.slice(1), task.part, task.parts);
  if (task.plan) applyUpdatePart(c.opt, task.plan, task.part, task.parts);
  return null;
}

/** Learns the samples `task.ids` into shard `task.shard`'s gradients with the given lazy scales. */
export function learnShard(c: ShardContext, task: ShardTask): ShardResult {
  const { net, learner, images, labels, pixels: px } = c;
  task.scales.forEach((s, k) => (net.projections[k].scale = s));
  const g = c.grads[task.shard];
  const sink: GradientSink = {
    target: (k) => (c.frozen.has(k) ? null : { array: g[k], coef: 1 }),
    afterProjection() {},
  };
  learner.resetFires();
  let correct = 0;
  for (const i of task.ids) if (learner.learn(images.subarray(i * px, (i + 1) * px), labels[i], sink)) correct++;
  const counted = learner.fires.slice(1); // the input population's counts stay empty
  const fires = new Int32Array(counted.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of counted) {
    fires.set(f, at);
    at += f.length;
  }
  return { correct, fires };
}
