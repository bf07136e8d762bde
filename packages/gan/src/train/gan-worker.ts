// A data-parallel GAN training worker (one thread per further shard): it maps G, D, the optimisers'
// arrays, the gradient buffers and the step's draws (all shared) and runs its shard's phases.
import { workerData } from 'node:worker_threads';
import { GanShard, type GanShardSetup, type GanShardTask } from './gan-shard.ts';
import { serveShard } from './shard-thread.ts';

const { setup, shard, thread } = workerData as {
  setup: GanShardSetup;
  shard: number;
  thread: Parameters<typeof serveShard>[0];
};
const context = new GanShard(setup, shard);
serveShard(thread, (task: GanShardTask) => context.run(task));
