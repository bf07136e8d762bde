// `spiking-gan train` and its output folder, run for real as child processes: a run takes the folder's lock
// (two runs never write into one folder), a stale lock is cleared, the lock goes on every way out (the end,
// an error, SIGINT, SIGTERM); Ctrl-C says where the last checkpoint is and exits 130; the sweep of a killed
// run's temporary files removes only this tool's temporary files of train's own outputs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensorsFile, tempFileOwner, tempPathFor } from '@spiking-gan/core';
import { expectFailure, escape } from './expect-failure.ts';
import { BIN, runCli, type Result } from './run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'output-folder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LOCK = '.spiking-gan.lock';
const QUICK = ['train', '--preset', 'ramp', '--steps', '1', '--batch', '1', '--samples', '4', '--quiet'];
/** A run that goes on until it is stopped. */
const ENDLESS = ['train', '--preset', 'ramp', '--steps', '1000000', '--batch', '1', '--quiet'];

const cli = (...args: string[]): Promise<Result> => runCli(tmp, args, 120_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pid of a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  expect(r.status).toBe(0);
  return r.pid;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Result & { signal: string | null }> } {
  const env = { ...process.env };
  delete env.SPIKING_GAN_DEBUG;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '',
    stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const guard = setTimeout(() => child.kill('SIGKILL'), 150_000);
  const done = new Promise<Result & { signal: string | null }>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      res({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/** Waits (hang guard: 90 s) until `path` exists while `child` runs. */
async function waitFor(path: string, child: ChildProcess): Promise<void> {
  const until = performance.now() + 90_000;
  while (!existsSync(path)) {
    if (child.exitCode !== null || child.signalCode !== null || performance.now() > until) {
      throw new Error(`${path} did not appear (child ${child.exitCode ?? child.signalCode ?? 'still running'})`);
    }
    await sleep(20);
  }
}

describe('temporary files in the output folder', () => {
  it('a name is recognised as a temporary file of its own target only', () => {
    const tmpName = tempPathFor(join('some', 'G.safetensors')).split(/[\\/]/).pop()!;
    expect(tmpName).toMatch(/^\.G\.safetensors\.sgan-\d+-[0-9a-f]{12}\.tmp$/);
    expect(tempFileOwner(tmpName, 'G.safetensors')).toBe(process.pid);
    expect(tempFileOwner(tmpName, 'D.safetensors')).toBeNull();
    expect(tempFileOwner('.thesis.2024.final.tmp', 'thesis')).toBeNull();
    expect(tempFileOwner('.checkpoint.safetensors.4242.0123456789ab.tmp', 'checkpoint.safetensors')).toBeNull();
  });

  it('train removes only its own stale temporary files; user files that look alike survive', async () => {
    const dir = join(tmp, 'sweep');
    mkdirSync(dir);
    const dead = deadPid();
    const keep = {
      '.thesis.2024.final.tmp': 'my thesis',
      [`.notes.txt.${dead}.0123456789ab.tmp`]: "an older temporary name of a file that is not train's",
      [`.thesis.txt.sgan-${dead}-0123456789ab.tmp`]: "this tool's name, but not of one of train's outputs",
      [`.G.safetensors.sgan-${process.pid}-0123456789ab.tmp`]: 'its writer is alive',
    };
    const gone = [
      `.checkpoint.safetensors.sgan-${dead}-0123456789ab.tmp`,
      `.figures.json.sgan-${dead}-abcdef012345.tmp`,
    ];
    for (const [name, text] of Object.entries(keep)) writeFileSync(join(dir, name), text);
    for (const name of gone) writeFileSync(join(dir, name), 'left by a killed run');
    const r = await cli(...QUICK, '--out', dir);
    expect(r.code, r.stderr).toBe(0);
    for (const [name, text] of Object.entries(keep)) expect(readFileSync(join(dir, name), 'utf8'), name).toBe(text);
    for (const name of gone) expect(existsSync(join(dir, name)), name).toBe(false);
    expect(existsSync(join(dir, 'G.safetensors'))).toBe(true);
  });
});

describe('the lock of the output folder', () => {
  it('a second run into a folder in use is refused, naming the first; SIGTERM ends the first, freeing it', async () => {
    const dir = join(tmp, 'busy');
    // no checkpoint before SIGTERM, whatever the machine's speed (at 50 steps, the default, a fast run wrote one)
    const first = start([...ENDLESS, '--checkpoint-every', '1000000', '--out', dir]);
    await waitFor(join(dir, LOCK), first.child);
    const owner = JSON.parse(readFileSync(join(dir, LOCK), 'utf8'));
    expect(owner).toMatchObject({ pid: first.child.pid, host: hostname() });
    const second = await cli(...QUICK, '--out', dir);
    expectFailure(second, 'train', [
      `pid ${first.child.pid}`,
      `host ${hostname()}`,
      `since ${owner.since}`,
      join(dir, LOCK),
      'in use',
    ]);
    expect(existsSync(join(dir, 'G.safetensors'))).toBe(false);
    first.child.kill('SIGTERM');
    const end = await first.done;
    expect(end.code, end.stderr).toBe(143);
    const said = /^spiking-gan train: interrupted by SIGTERM; (at step \d+; )?no checkpoint was written yet\n$/;
    expect(end.stderr).toMatch(said);
    expect(existsSync(join(dir, LOCK))).toBe(false);
  }, 180_000);

  it('a stale lock (same host, its process gone) is cleared; the run releases its own lock at the end', async () => {
    const dir = join(tmp, 'stale');
    mkdirSync(dir);
    const stale = { pid: deadPid(), host: hostname(), since: '2020-01-01T00:00:00.000Z', command: 'spiking-gan train' };
    writeFileSync(join(dir, LOCK), JSON.stringify(stale));
    const r = await cli(...QUICK, '--out', dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(existsSync(join(dir, 'G.safetensors'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith(LOCK))).toEqual([]);
  });

  it('a lock of another host is not judged: the run is refused and the lock is left as it is', async () => {
    const dir = join(tmp, 'elsewhere');
    mkdirSync(dir);
    const owner = { pid: 1, host: 'elsewhere.example', since: '2020-01-01T00:00:00Z', command: 'spiking-gan train' };
    const text = JSON.stringify(owner);
    writeFileSync(join(dir, LOCK), text);
    const mentions = ['pid 1 on host elsewhere.example', 'remove the lock file', join(dir, LOCK)];
    expectFailure(await cli(...QUICK, '--out', dir), 'train', mentions);
    expect(readFileSync(join(dir, LOCK), 'utf8')).toBe(text);
    expect(existsSync(join(dir, 'G.safetensors'))).toBe(false);
  });

  it('the lock is released when the run fails', async () => {
    const dir = join(tmp, 'failing');
    mkdirSync(dir);
    writeFileSync(join(dir, 'checkpoint.safetensors'), 'not a checkpoint');
    const r = await cli('train', '--resume', '--steps', '2', '--quiet', '--out', dir);
    expectFailure(r, 'train', [join(dir, 'checkpoint.safetensors')]);
    expect(existsSync(join(dir, LOCK))).toBe(false);
  });
});

describe('Ctrl-C during train', () => {
  it('SIGINT: one line naming the last checkpoint and its step, exit 130, the lock released', async () => {
    const dir = join(tmp, 'interrupted');
    const run = start([...ENDLESS, '--checkpoint-every', '1', '--out', dir]);
    await waitFor(join(dir, 'checkpoint.safetensors'), run.child);
    run.child.kill('SIGINT');
    const end = await run.done;
    expect(end.code, end.stderr).toBe(130);
    const ckpt = join(dir, 'checkpoint.safetensors');
    const m = new RegExp(
      '^spiking-gan train: interrupted by SIGINT; at step (\\d+); ' +
        `the last checkpoint is ${escape(ckpt)} \\(step (\\d+)\\): continue with --resume\\n$`,
    ).exec(end.stderr);
    expect(m, end.stderr).not.toBeNull();
    expect(readSafetensorsFile(ckpt).metadata.step).toBe(m![2]);
    expect(Number(m![1])).toBeGreaterThanOrEqual(Number(m![2]));
    expect(existsSync(join(dir, LOCK))).toBe(false);
  }, 180_000);
});
