// `spiking-gan sweep` (recipes × seeds from a JSON file, each a `spiking-gan train` process then a
// `spiking-gan eval` one, over the local cores or handed to BullMQ workers on Redis; one ranked table) and
// `spiking-gan sweep-worker` (a BullMQ worker that runs the jobs of such sweeps).
import { basename, extname, join } from 'node:path';
import { loadOrTrainJudge } from '../quality/index.ts';
import { stopChildren } from '../sweep/child.ts';
import { planSweep, type PlannedRun } from '../sweep/plan.ts';
import { enqueueRuns, type JobOutcome } from '../sweep/queue.ts';
import { checkRedis } from '../sweep/redis.ts';
import { completeResult, executeRun, RESULT, type RunResult } from '../sweep/run.ts';
import { readSweepFile, type SweepFile } from '../sweep/sweep-file.ts';
import { sweepMarkdown, sweepTable, type FailedRun } from '../sweep/table.ts';
import { startWorker } from '../sweep/worker.ts';
import { CliError } from './fail.ts';
import { onInterrupt } from './interrupt.ts';
import { lockOutputDir } from './lock.ts';
import { checkOutputDir, writeOutput } from './output.ts';

/** Options of `spiking-gan sweep`. */
export interface SweepOptions {
  out?: string;
  jobs: number;
  queue?: string;
  queueName: string;
  judgeCache: string;
  quiet?: boolean;
}

/** Options of `spiking-gan sweep-worker`. */
export interface SweepWorkerOptions {
  queue: string;
  queueName: string;
  jobs: number;
  out: string;
  judgeCache: string;
}

const runDir = (out: string, name: string) => join(out, 'runs', name);

/** Runs the sweep of `file` (skipping complete runs), writes sweep.md and sweep.json and prints the table. */
export async function sweep(file: string, o: SweepOptions, trainOptions: string[]): Promise<void> {
  const sf = readSweepFile(file);
  const runs = planSweep(sf, new Set(trainOptions));
  if (o.queue !== undefined) await checkRedis(o.queue);
  const out = o.out ?? join('out', 'sweep', basename(file, extname(file)));
  checkOutputDir(out);
  const lock = lockOutputDir(out, 'spiking-gan sweep');
  const log = o.quiet ? () => {} : (line: string) => process.stderr.write(`sweep: ${line}\n`);
  const results: RunResult[] = [],
    failed: FailedRun[] = [];
  const stop = onInterrupt(
    'sweep',
    () => interruptNote(results.length, runs.length, o.queue),
    () => {
      stopChildren();
      lock.release();
    },
  );
  try {
    const todo: PlannedRun[] = [];
    for (const run of runs) {
      const done = completeResult(runDir(out, run.spec.name), run.hash);
      if (done) results.push(done);
      else todo.push(run);
    }
    const how =
      o.queue === undefined ? `${Math.min(o.jobs, todo.length)} at a time` : `queue ${o.queueName} on ${o.queue}`;
    const to = `${todo.length} to run${todo.length ? ` (${how})` : ''}`;
    log(`${runs.length} runs: ${results.length} complete (skipped), ${to}`);
    let finished = 0;
    const done = (run: PlannedRun, r: RunResult | Error) => {
      const at = `[${++finished}/${todo.length}] ${run.spec.name}`;
      if (r instanceof Error) {
        failed.push({ name: run.spec.name, error: r.message });
        log(`${at} failed: ${r.message}`);
      } else {
        results.push(r);
        log(`${at}: FID ${r.figures.fid?.toFixed(2) ?? '-'} (trained in ${r.train.seconds?.toFixed(1) ?? '-'} s)`);
      }
    };
    if (todo.length && o.queue === undefined) await runLocally(todo, out, o, log, done);
    else if (todo.length) {
      await enqueueRuns(o.queue!, o.queueName, todo, (run, outcome) => done(run, collect(out, run, outcome)), log);
    }
    writeTable(sf, out, runs.length, results, failed);
  } finally {
    stop();
    lock.release();
  }
  if (failed.length) {
    throw new CliError(
      `${failed.length} of ${runs.length} runs failed (see ${join(out, 'sweep.md')}); ` +
        'the same command again redoes them',
    );
  }
}

/** Runs `todo` here, `o.jobs` at a time, each a train and an eval process. */
async function runLocally(
  todo: PlannedRun[],
  out: string,
  o: SweepOptions,
  log: (line: string) => void,
  done: (run: PlannedRun, r: RunResult | Error) => void,
): Promise<void> {
  checkOutputDir(o.judgeCache, false);
  loadOrTrainJudge(o.judgeCache, { log }); // once here, not in every eval process at the same time
  let next = 0;
  const lane = async () => {
    while (next < todo.length) {
      const run = todo[next++];
      try {
        done(run, await executeRun(run, runDir(out, run.spec.name), o.judgeCache));
      } catch (e) {
        done(run, e as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.jobs, todo.length) }, lane));
}

/** Writes what a queue worker returned into the run's folder here; the result (or the job's error). */
function collect(out: string, run: PlannedRun, outcome: JobOutcome): RunResult | Error {
  if ('error' in outcome) return new Error(outcome.error);
  const dir = runDir(out, run.spec.name);
  const { result, samplesPng, evalJson } = outcome.ok;
  const files = { samples: 'samples.png', eval: 'eval.json' };
  writeOutput(join(dir, files.samples), Buffer.from(samplesPng, 'base64'));
  writeOutput(join(dir, files.eval), evalJson);
  const here: RunResult = { ...result, hash: run.hash, files };
  writeOutput(join(dir, RESULT), `${JSON.stringify(here, null, 2)}\n`);
  return here;
}

function writeTable(sf: SweepFile, out: string, planned: number, results: RunResult[], failed: FailedRun[]): void {
  const table = sweepTable(sf, planned, results, failed, (name) => `runs/${name}/samples.png`);
  const md = sweepMarkdown(sf, table);
  writeOutput(join(out, 'sweep.md'), md);
  writeOutput(join(out, 'sweep.json'), `${JSON.stringify(table, null, 2)}\n`);
  process.stdout.write(`${md}\nwrote ${join(out, 'sweep.md')}, ${join(out, 'sweep.json')}\n`);
}

function interruptNote(done: number, total: number, queue: string | undefined): string {
  const kept = `${done} of ${total} runs complete; the same command again skips them`;
  return queue === undefined ? kept : `${kept} (queued jobs stay with the workers and are collected then)`;
}

/** Starts working the jobs of queue `o.queueName` on `o.queue`, `o.jobs` at a time, until SIGINT or SIGTERM. */
export async function sweepWorker(o: SweepWorkerOptions, trainOptions: string[]): Promise<void> {
  await checkRedis(o.queue);
  checkOutputDir(o.out);
  const lock = lockOutputDir(o.out, 'spiking-gan sweep-worker');
  const log = (line: string) => process.stderr.write(`sweep-worker: ${line}\n`);
  checkOutputDir(o.judgeCache, false);
  loadOrTrainJudge(o.judgeCache, { log });
  startWorker({
    url: o.queue,
    queue: o.queueName,
    concurrency: o.jobs,
    out: o.out,
    judgeCache: o.judgeCache,
    trainOptions: new Set(trainOptions),
    log,
  });
  onInterrupt(
    'sweep-worker',
    () => 'runs in progress go back to the queue for another worker',
    () => {
      stopChildren();
      lock.release();
    },
  );
  // the worker's connections keep the process alive until a signal ends it
  log(`working queue ${o.queueName} on ${o.queue}, ${o.jobs} at a time, runs in ${join(o.out, 'runs')}`);
}
