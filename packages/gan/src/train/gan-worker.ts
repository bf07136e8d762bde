// A data-parallel GAN training worker (one piscina thread per shard): it maps G, D, the optimisers'
// arrays, the gradient buffers and the step's draws (all shared) and runs its shard's phases.
import { workerData } from 'piscina';
import { GanShard, type GanShardResult, type GanShardSetup, type GanShardTask } from './gan-shard.ts';

const { setup, shard } = workerData as { setup: GanShardSetup; shard: number };
const context = new GanShard(setup, shard);

/** Runs one phase of the step for this worker's shard (see `GanShard.run`). */
export default function run(task: GanShardTask): GanShardResult {
  return context.run(task);
}
