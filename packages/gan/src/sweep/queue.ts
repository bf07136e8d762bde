// Handing a sweep's runs to BullMQ: one job per run (its id the run's name and hash, so that adding the
// same sweep again adds nothing and a finished job's result is collected again), then waiting for each.
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { PlannedRun } from './plan.ts';
import { redisConnection } from './redis.ts';
import type { RunResult } from './run.ts';

/** What a worker returns for a run: its result, its sample grid (PNG, base64) and eval's JSON. */
export interface JobReturn {
  result: RunResult;
  samplesPng: string;
  evalJson: string;
}

/** How a job ended: its return value, or the worker's one-line reason. */
export type JobOutcome = { ok: JobReturn } | { error: string };

/** Finished jobs are kept this long (seconds), so that a sweep run again collects them. */
const KEEP_SECONDS = 7 * 24 * 3600;

/** The job id of a run: its name and hash (BullMQ ids may not hold ':'). */
export function jobId(run: PlannedRun): string {
  return `${run.spec.name}.${run.hash}`;
}

/**
 * Adds `runs` to queue `name` on Redis `url` (a failed job of the same run is retried), then waits for
 * every job and reports each to `settled` as it ends.
 */
export async function enqueueRuns(
  url: string,
  name: string,
  runs: PlannedRun[],
  settled: (run: PlannedRun, outcome: JobOutcome) => void,
  log: (line: string) => void,
): Promise<void> {
  const connections = [redisConnection(url, log), redisConnection(url, log)];
  const queue = new Queue(name, { connection: connections[0] });
  const events = new QueueEvents(name, { connection: connections[1] });
  try {
    await events.waitUntilReady();
    const jobs: Job[] = [];
    for (const run of runs) {
      const keep = { age: KEEP_SECONDS };
      const options = { jobId: jobId(run), removeOnComplete: keep, removeOnFail: keep };
      const job = await queue.add('run', run.spec, options);
      if ((await job.getState()) === 'failed') await job.retry('failed');
      jobs.push(job);
    }
    await Promise.all(
      jobs.map(async (job, i) => {
        let outcome: JobOutcome;
        try {
          outcome = { ok: (await job.waitUntilFinished(events)) as JobReturn };
        } catch (e) {
          outcome = { error: (e as Error).message };
        }
        settled(runs[i], outcome); // outside the try: a failure to keep the result ends the sweep, said as it is
      }),
    );
  } finally {
    await events.close();
    await queue.close();
    for (const c of connections) c.disconnect(); // BullMQ leaves connections it was given open
  }
}
