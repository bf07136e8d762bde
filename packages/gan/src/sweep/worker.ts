// The BullMQ worker of `spiking-gan sweep-worker`: takes runs from the queue, checks each job as it would
// check a sweep file, trains and judges it in its own folder (a run already complete there is not redone)
// and returns the result with the sample grid and eval's JSON, so that the sweep needs no shared disk.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'bullmq';
import { checkRun, type RunSpec } from './plan.ts';
import type { JobReturn } from './queue.ts';
import { redisConnection } from './redis.ts';
import { completeResult, executeRun, type RunResult } from './run.ts';
import { checkSweep } from './sweep-file.ts';

/** Folder names of runs: what plan.ts makes of recipe names, grid values and seeds. */
const RUN_NAME = /^[A-Za-z0-9_][A-Za-z0-9._~+-]{0,500}$/;

/** Where a worker runs the jobs, and with what. */
export interface WorkerSetup {
  url: string;
  queue: string;
  concurrency: number;
  /** Folder of the runs (`<out>/runs/<name>`). */
  out: string;
  judgeCache: string;
  trainOptions: ReadonlySet<string>;
  log: (line: string) => void;
}

/** Starts a worker: it takes jobs until the process ends (a job it held then goes back to the queue). */
export function startWorker(s: WorkerSetup): void {
  const connection = redisConnection(s.url, s.log);
  const worker = new Worker(s.queue, async (job) => runJob(s, job.id ?? '?', job.data), {
    connection,
    concurrency: s.concurrency,
  });
  worker.on('completed', (job, r: JobReturn) => {
    s.log(`${job.id}: done, FID ${r.result.figures.fid?.toFixed(2) ?? '-'}`);
  });
  worker.on('failed', (job, err) => s.log(`${job?.id ?? 'a job'}: failed: ${err.message}`));
  worker.on('error', (err) => s.log(`worker: ${err.message}`));
}

/** Runs (or finds complete) the run of one job and returns what the sweep collects. */
async function runJob(s: WorkerSetup, id: string, data: unknown): Promise<JobReturn> {
  const where = `job ${id}`;
  const spec = jobSpec(where, data);
  const run = checkRun(where, spec, { sources: {}, presetAt: 'preset' }, s.trainOptions);
  const dir = join(s.out, 'runs', spec.name);
  const result: RunResult = completeResult(dir, run.hash) ?? (await executeRun(run, dir, s.judgeCache));
  return {
    result,
    samplesPng: readFileSync(join(dir, result.files.samples)).toString('base64'),
    evalJson: readFileSync(join(dir, result.files.eval), 'utf8'),
  };
}

/** The run spec of a job, checked like a sweep file's (the name must be a plain folder name). */
export function jobSpec(where: string, data: unknown): RunSpec {
  const d = (typeof data === 'object' && data !== null ? data : {}) as Partial<Record<keyof RunSpec, unknown>>;
  if (typeof d.name !== 'string' || !RUN_NAME.test(d.name)) {
    throw new Error(`${where}: name: not a run folder name: ${JSON.stringify(d.name)}`);
  }
  const f = checkSweep(where, {
    preset: d.preset ?? undefined,
    settings: d.settings,
    recipes: [{ name: d.recipe }],
    seeds: [d.seed],
    train: d.train,
    eval: d.eval,
  });
  return {
    name: d.name,
    recipe: f.recipes[0].name,
    preset: f.preset ?? null,
    settings: f.settings,
    seed: f.seeds[0],
    train: f.train,
    eval: f.eval,
  };
}
