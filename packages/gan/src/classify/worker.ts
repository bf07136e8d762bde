// A data-parallel training worker (a piscina thread): it maps the trainer's network (the same
// weights, in the shared kernel memory) and its images, and learns the shards it is given.
import { attachArray, attachNetwork, attachUpdateArrays } from '@spiking-gan/core';
import { workerData } from 'piscina';
import type { WorkerSetup } from './parallel.ts';
import { SampleLearner } from './sample.ts';
import {
  learnShard,
  meetOthers,
  updatePart,
  type ReadyTask,
  type ShardContext,
  type ShardResult,
  type ShardTask,
  type UpdateTask,
} from './shard.ts';

const setup = workerData as WorkerSetup;
const net = attachNetwork(setup.net);
const context: ShardContext = {
  net,
  learner: new SampleLearner(net, setup.loss),
  grads: setup.grads.map((shard) => shard.map(attachArray)),
  images: new Uint8Array(setup.images),
  labels: new Uint8Array(setup.labels),
  pixels: setup.pixels,
  frozen: new Set(setup.frozen),
  opt: attachUpdateArrays(setup.opt),
};

/** Learns one shard (`learnShard`), sums and steps one part of the update (`updatePart`) or meets the others. */
export default function run(task: ShardTask | UpdateTask | ReadyTask): ShardResult | null {
  if (task.kind === 'ready') return meetOthers(task);
  return task.kind === 'learn' ? learnShard(context, task) : updatePart(context, task);
}
