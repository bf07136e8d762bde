// `spiking-gan sweep --queue` and `spiking-gan sweep-worker` on a Redis server that this test starts on a
// free local port (Debian's redis-server; .ci/run installs it): the sweep hands its runs to a BullMQ worker
// in another folder and collects results, grids and eval figures without a shared disk; a sweep run again
// collects the finished jobs without training again and retries a failed one; a job that is not a run fails
// with the reason; the worker stops on SIGTERM and frees its folder. Tiny recipes and a stand-in judge.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure } from './expect-failure.ts';
import { BIN, runCli } from './run-cli.ts';
import { cacheStandInJudge } from './stand-in-judge.ts';

const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0;
const WHY = HAVE_REDIS ? '' : ' (skipped: no redis-server on PATH; apt-get install -y redis-server, as .ci/run does)';

const tmp = mkdtempSync(join(tmpdir(), 'sweep-queue-'));
const QUEUE = `test-${process.pid}`;
const SWEEP = {
  preset: 'relu',
  settings: { steps: 2, batch: 2, gHidden: 8, dHidden: 8 },
  recipes: [{ name: 'q' }],
  seeds: [0, 1],
  train: { samples: 4 },
  eval: { count: 20, sparsitySamples: 2 },
};
let url = '';
let redis: ChildProcess | undefined;
let worker: ChildProcess | undefined;
let workerLog = '';

/** A TCP port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer()
      .listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => res(port));
      })
      .on('error', rej);
  });
}

/** Starts redis-server on a free port with no persistence; resolves once it accepts connections. */
async function startRedis(): Promise<void> {
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmp],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  await new Promise<void>((res, rej) => {
    redis!.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.includes('Ready to accept connections')) res();
    });
    redis!.on('exit', (code) => rej(new Error(`redis-server exited with ${code}: ${out}`)));
  });
}

/** Sends `signal` to `child` and resolves with its exit code. */
function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((res) => {
    child.once('exit', (code) => res(code));
    child.kill(signal);
  });
}

const sweep = (out: string) =>
  runCli(tmp, ['sweep', 'sweep.json', '--queue', url, '--queue-name', QUEUE, '--out', out], 180_000);
const json = (path: string) => JSON.parse(readFileSync(join(tmp, path), 'utf8'));

afterAll(async () => {
  if (worker) await stop(worker, 'SIGKILL');
  if (redis) await stop(redis);
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!HAVE_REDIS)(`spiking-gan sweep --queue with sweep-worker on a local Redis${WHY}`, () => {
  beforeAll(async () => {
    cacheStandInJudge(join(tmp, 'judge'));
    writeFileSync(join(tmp, 'sweep.json'), JSON.stringify(SWEEP));
    await startRedis();
    worker = spawn(
      process.execPath,
      [
        BIN,
        'sweep-worker',
        '--queue',
        url,
        '--queue-name',
        QUEUE,
        '--jobs',
        '2',
        '--out',
        'worker',
        '--judge-cache',
        'judge',
      ],
      { cwd: tmp, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    worker.stderr!.setEncoding('utf8').on('data', (s: string) => (workerLog += s));
  }, 120_000);

  it('hands the runs to the worker and collects results, grids and eval figures into its own folder', async () => {
    const r = await sweep('here');
    expect(r.code, `${r.stderr}\nworker: ${workerLog}`).toBe(0);
    expect(r.stderr).toContain(`sweep: 2 runs: 0 complete (skipped), 2 to run (queue ${QUEUE} on ${url})`);
    expect(
      json('here/sweep.json')
        .ranked.map((x: { name: string }) => x.name)
        .sort(),
    ).toEqual(['q_s0', 'q_s1']);
    for (const name of ['q_s0', 'q_s1']) {
      const mine = json(`here/runs/${name}/result.json`);
      expect(mine.where.dir).toBe(resolve(tmp, 'worker/runs', name));
      expect(mine.figures).toEqual(json(`worker/runs/${name}/result.json`).figures);
      expect(mine.figures.n).toBe(20);
      expect(readFileSync(join(tmp, 'here/runs', name, 'samples.png'))).toEqual(
        readFileSync(join(tmp, 'worker/runs', name, 'samples.png')),
      );
      expect(json(`here/runs/${name}/eval.json`).count).toBe(20);
      expect(existsSync(join(tmp, 'here/runs', name, 'G.safetensors'))).toBe(false); // the models stay with the worker
      expect(existsSync(join(tmp, 'worker/runs', name, 'G.safetensors'))).toBe(true);
    }
    expect(workerLog).toMatch(/q_s0\.[0-9a-f]{16}: done, FID \d+\.\d\d/);
  }, 180_000);

  it('run again into another folder, collects the finished jobs without training again', async () => {
    const trained = statSync(join(tmp, 'worker/runs/q_s1/G.safetensors')).mtimeMs;
    const r = await sweep('again');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('2 to run (queue');
    expect(json('again/runs/q_s1/result.json').figures).toEqual(json('here/runs/q_s1/result.json').figures);
    expect(statSync(join(tmp, 'worker/runs/q_s1/G.safetensors')).mtimeMs).toBe(trained);
  }, 120_000);

  it('lists a job that failed, and retries it when the sweep runs again', async () => {
    writeFileSync(join(tmp, 'retry.json'), JSON.stringify({ ...SWEEP, recipes: [{ name: 'r' }], seeds: [0] }));
    writeFileSync(join(tmp, 'worker/runs/r_s0'), 'a file where the worker wants the run folder\n');
    const args = ['sweep', 'retry.json', '--queue', url, '--queue-name', QUEUE, '--out', 'retry'];
    const failed = await runCli(tmp, args, 120_000);
    expect(failed.code, failed.stderr).toBe(1);
    expect(json('retry/sweep.json').failed[0].error).toMatch(/^train failed: spiking-gan train: cannot use/);
    rmSync(join(tmp, 'worker/runs/r_s0'));
    const r = await runCli(tmp, args, 180_000);
    expect(r.code, `${r.stderr}\nworker: ${workerLog}`).toBe(0);
    expect(json('retry/sweep.json').ranked.map((x: { name: string }) => x.name)).toEqual(['r_s0']);
  }, 300_000);

  it('a job that is not a run fails with the reason, and the worker goes on', async () => {
    const connections = [0, 1].map(() => new Redis(url, { maxRetriesPerRequest: null }));
    const queue = new Queue(QUEUE, { connection: connections[0] });
    const events = new QueueEvents(QUEUE, { connection: connections[1] });
    try {
      await events.waitUntilReady();
      const job = await queue.add('run', { ...SWEEP, name: '../../escape', recipe: 'q', seed: 0 }, { jobId: 'bad' });
      await expect(job.waitUntilFinished(events)).rejects.toThrow(
        'job bad: name: not a run folder name: "../../escape"',
      );
    } finally {
      await events.close();
      await queue.close();
      for (const c of connections) c.disconnect(); // BullMQ leaves the connections it was given open
    }
    expect(existsSync(join(tmp, 'escape'))).toBe(false);
  }, 180_000); // the worker may still be finishing the last test's run (and, on a loaded machine, slowly)

  it('refuses a Redis server that does not answer, in one line', async () => {
    const port = await freePort();
    expectFailure(await runCli(tmp, ['sweep', 'sweep.json', '--queue', `redis://127.0.0.1:${port}`]), 'sweep', [
      `--queue redis://127.0.0.1:${port}: cannot reach the Redis server (connect ECONNREFUSED`,
    ]);
  });

  it('the worker stops on SIGTERM and frees its folder', async () => {
    expect(existsSync(join(tmp, 'worker/.spiking-gan.lock'))).toBe(true);
    expect(await stop(worker!)).toBe(143);
    expect(workerLog).toContain('spiking-gan sweep-worker: interrupted by SIGTERM');
    expect(existsSync(join(tmp, 'worker/.spiking-gan.lock'))).toBe(false);
  });
});
