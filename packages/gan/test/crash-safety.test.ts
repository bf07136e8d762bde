// Crash safety of `spiking-gan train`: a real child process writing a checkpoint after every step is
// killed with SIGKILL several times (on a timer, and right while a checkpoint's temporary file is
// being written). After every kill the checkpoint in the folder loads, no half-written file took its
// place, and `--resume` runs on to the end with the same weights as a run that was never interrupted.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensorsFile, type Tensor } from '@spiking-gan/core';
import { loadMnist } from '../src/data/mnist.ts';
import { loadCheckpoint } from '../src/train/checkpoint.ts';

const BIN = resolve(fileURLToPath(new URL('../bin/spiking-gan.mjs', import.meta.url)));
const tmp = mkdtempSync(join(tmpdir(), 'crash-safety-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const STEPS = 40;
const SETTINGS = ['--steps', String(STEPS), '--batch', '2', '--seed', '3'];
const COMMON = ['--checkpoint-every', '1', '--quiet'];

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Ended> } {
  const env = { ...process.env };
  delete env.SPIKING_GAN_DEBUG;
  const child = spawn(process.execPath, [BIN, 'train', ...args], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '',
    stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const guard = setTimeout(() => child.kill('SIGKILL'), 150_000);
  const done = new Promise<Ended>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      res({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmpFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.tmp')) : []);

/**
 * Kills `child` with SIGKILL after `ms`, or (mode 'write') as soon as a checkpoint's temporary file appears after
 * `ms`.
 */
async function killLater(
  child: ChildProcess,
  dir: string,
  ms: number,
  mode: 'timer' | 'write',
  before: Set<string>,
): Promise<boolean> {
  await sleep(ms);
  if (mode === 'write') {
    const until = performance.now() + 20_000;
    while (child.exitCode === null && performance.now() < until) {
      if (tmpFiles(dir).some((f) => f.startsWith('.checkpoint.safetensors.') && !before.has(f))) break;
      await sleep(2);
    }
  }
  if (child.exitCode !== null || child.signalCode !== null) return false;
  return child.kill('SIGKILL');
}

function tensorsEqual(a: Record<string, Tensor>, b: Record<string, Tensor>): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(a)) {
    expect(a[k].dtype, k).toBe(b[k].dtype);
    expect(a[k].shape, k).toEqual(b[k].shape);
    // bit for bit (NaN-safe): compare the raw bytes of the tensor data
    const x = new Uint8Array(a[k].data.buffer, a[k].data.byteOffset, a[k].data.byteLength);
    const y = new Uint8Array(b[k].data.buffer, b[k].data.byteOffset, b[k].data.byteLength);
    expect(Buffer.compare(Buffer.from(x), Buffer.from(y)), `tensor ${k} differs`).toBe(0);
  }
}

describe('spiking-gan train survives SIGKILL at any moment', () => {
  it('after each kill the checkpoint loads; --resume ends with the weights of an uninterrupted run', async () => {
    const ref = join(tmp, 'ref'),
      dir = join(tmp, 'killed');
    // the uninterrupted run, side by side with the interrupted one
    const reference = start([...SETTINGS, ...COMMON, '--out', ref]);
    const data = loadMnist('train');

    const kills: { ms: number; mode: 'timer' | 'write' }[] = [
      { ms: 1500, mode: 'timer' },
      { ms: 700, mode: 'write' },
      { ms: 2500, mode: 'timer' },
      { ms: 900, mode: 'write' },
      { ms: 1900, mode: 'timer' },
      { ms: 1100, mode: 'write' },
    ];
    let killed = 0,
      midWrite = 0,
      lastStep = 0,
      runs = 0;
    const ckpt = join(dir, 'checkpoint.safetensors');
    for (const k of kills) {
      const resume = existsSync(ckpt);
      const before = new Set(tmpFiles(dir));
      const p = start(resume ? ['--resume', ...COMMON, '--out', dir] : [...SETTINGS, ...COMMON, '--out', dir]);
      runs++;
      const didKill = await killLater(p.child, dir, k.ms, k.mode, before);
      const end = await p.done;
      if (!didKill) {
        // it reached the end before the kill: nothing more to interrupt
        expect(end.code, end.stderr).toBe(0);
        break;
      }
      expect(end.signal).toBe('SIGKILL');
      killed++;
      const leftovers = tmpFiles(dir).filter((f) => !before.has(f));
      if (leftovers.length > 0) midWrite++;
      if (!existsSync(ckpt)) {
        expect(lastStep).toBe(0); // killed before the first checkpoint: the next run starts afresh
        continue;
      }
      // the checkpoint in place is complete and consistent, never a half-written file
      const { trainer, metadata } = loadCheckpoint(ckpt, data);
      expect(metadata.format).toBe('spiking-gan-checkpoint/1');
      expect(trainer.step).toBeGreaterThanOrEqual(lastStep);
      expect(trainer.step).toBeLessThanOrEqual(STEPS);
      expect(JSON.parse(metadata.history).length).toBe(Math.floor(trainer.step / 10));
      lastStep = trainer.step;
      // a leftover temporary file is a separate file: the checkpoint is not it
      for (const f of leftovers) expect(f).not.toBe('checkpoint.safetensors');
    }
    console.log(
      `crash safety: ${runs} runs, ${killed} killed (${midWrite} while a checkpoint was being written), ` +
        `last checkpoint before the final resume at step ${lastStep}`,
    );
    expect(killed).toBeGreaterThanOrEqual(2);
    expect(midWrite).toBeGreaterThanOrEqual(1); // at least one kill landed inside a checkpoint write

    // resume to the end
    const fin = await start(
      existsSync(ckpt) ? ['--resume', ...COMMON, '--out', dir] : [...SETTINGS, ...COMMON, '--out', dir],
    ).done;
    expect(fin.code, fin.stderr).toBe(0);
    expect(fin.stderr).toBe('');
    const r = await reference.done;
    expect(r.code, r.stderr).toBe(0);

    for (const f of ['G.safetensors', 'D.safetensors', 'checkpoint.safetensors']) {
      const a = readSafetensorsFile(join(ref, f)),
        b = readSafetensorsFile(join(dir, f));
      tensorsEqual(b.tensors, a.tensors);
      expect(b.metadata.step, f).toBe(String(STEPS));
    }
    // same training state: optimiser counts, random generators, figures history
    const ca = readSafetensorsFile(join(ref, 'checkpoint.safetensors')).metadata,
      cb = readSafetensorsFile(join(dir, 'checkpoint.safetensors')).metadata;
    for (const k of ['config', 'step', 'scales', 'optimiser_steps', 'rng', 'feat_seen', 'history', 'window'])
      expect(cb[k], k).toBe(ca[k]);
    expect(readFileSync(join(dir, 'samples.png')).equals(readFileSync(join(ref, 'samples.png')))).toBe(true);
    const fa = JSON.parse(readFileSync(join(ref, 'figures.json'), 'utf8')),
      fb = JSON.parse(readFileSync(join(dir, 'figures.json'), 'utf8'));
    expect(fb.history).toEqual(fa.history);
    expect(fb.last).toEqual(fa.last);
  }, 240_000);
});
