// A data-parallel training worker (one thread per further shard): it maps the trainer's network (the same
// weights, in the shared kernel memory) and its images, and learns the shards it is given.
import { attachArray, attachNetwork, attachUpdateArrays } from '@spiking-gan/core';
import { workerData } from 'node:worker_threads';
import { serveShard } from '../train/shard-thread.ts';
import type { WorkerSetup } from './parallel.ts';
import { SampleLearner } from './sample.ts';
import {
  learnShard,
  updatePart,
  type ShardContext,
  type ShardResult,
  type ShardTask,
  type UpdateTask,
} from './shard.ts';

const { setup, thread } = workerData as { setup: WorkerSetup; thread: Parameters<typeof serveShard>[0] };
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

// learns one shard (`learnShard`) or sums and steps one part of the update (`updatePart`)
serveShard(thread, (task: ShardTask | UpdateTask): ShardResult | null =>
  task.kind === 'learn' ? learnShard(context, task) : updatePart(context, task),
);
