// One shard of a data-parallel batch: its samples learned, in order, into the shard's own
// gradient buffers. The main thread and the pool's workers run shards through this one function.
import type { GradientSink, Network } from '@spiking-gan/core';
import type { SampleLearner } from './sample.ts';

/** One shard of a batch. */
export interface ShardTask {
  shard: number;
  ids: Int32Array;
  scales: number[];
}

/** What a shard reports back: right predictions and spike counts per neuron (populations after the input, concatenated). */
export interface ShardResult {
  correct: number;
  fires: Int32Array;
}

/** What a thread needs to learn shards. */
export interface ShardContext {
  net: Network;
  learner: SampleLearner;
  /** Gradient buffers [shard][projection]: zero before a shard (the main thread drains them after). */
  grads: Float64Array[][];
  images: Uint8Array;
  labels: Uint8Array;
  pixels: number;
  frozen: Set<number>;
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
