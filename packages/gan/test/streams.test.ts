// Output streams of the `spiking-gan` command, run for real as child processes: simulate writes its JSON piece
// by piece (an output whose pretty-printed form is past a JavaScript string's length is written whole, and a
// small one is byte for byte the compact JSON it always was); a standard output that cannot be written (a
// full disk, a closed pipe) ends the command with one line and exit code 1, not a stack trace.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Network, Rng, saveModel } from '@spiking-gan/core';
import { stringifyCompact } from '../src/cli/json.ts';
import { expectFailure } from './expect-failure.ts';
import { BIN, runCli, type Result } from './run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'streams-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const at = (p: string) => join(tmp, p);

/** The compact JSON as simulate wrote it before it streamed (the reference layout). */
function referenceCompact(value: unknown): string {
  return (
    JSON.stringify(value, null, 2).replace(
      /\[\s*((?:-?[\d.eE+-]+|null)(?:,\s*(?:-?[\d.eE+-]+|null))*)\s*\]/g,
      (_m, body: string) => `[${body.replace(/,\s+/g, ', ')}]`,
    ) + '\n'
  );
}

/** Runs `spiking-gan ...args` with its stdout going to `stdout` ('pipe' is closed by this end at once). */
function runWithStdout(args: string[], stdout: number | 'closed-pipe'): Promise<Result> {
  const env = { ...process.env };
  delete env.SPIKING_GAN_DEBUG;
  return new Promise((res, rej) => {
    const out = stdout === 'closed-pipe' ? 'pipe' : stdout;
    const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp, env, stdio: ['ignore', out, 'pipe'] });
    if (stdout === 'closed-pipe') child.stdout!.destroy();
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout: '', stderr });
    });
  });
}

/** `length` bytes of `path` from `position`. */
function readSlice(path: string, position: number, length: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    return buf.subarray(0, readSync(fd, buf, 0, length, position)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const WIDE = 200_000,
  MANY = 160;

beforeAll(() => {
  // a silent population of 200,000 neurons: every sample writes 200,000 nulls
  const wide = new Network({ tmax: 8, time: 'continuous', delay: 0 });
  wide.addInput(1);
  wide.addLayer(WIDE, { kernel: 'ramp', threshold: 1, weights: new Float64Array(WIDE) });
  wide.addLayer(1, { kernel: 'ramp', threshold: 1, weights: new Float64Array(WIDE) });
  saveModel(at('wide.safetensors'), wide);
  writeFileSync(at('wide.json'), JSON.stringify({ samples: Array.from({ length: MANY }, () => [null]) }));
  const tiny = new Network({ tmax: 8, time: 'continuous', delay: 0 });
  tiny.addInput(3);
  const weights = (n: number, a: number, m: number) => Float64Array.from({ length: n }, (_, i) => ((i * a) % m) / 3);
  tiny.addLayer(5, { kernel: 'ramp', threshold: 1, weights: weights(15, 7, 5) });
  tiny.addLayer(2, { kernel: 'ramp', threshold: 1, weights: weights(10, 3, 4) });
  saveModel(at('tiny.safetensors'), tiny);
  writeFileSync(at('tiny.json'), '{"samples": [[0, 1.5, null], [0.25, 9, 3], [null, null, null], [0.125, 0.5, 2]]}');
  const rng = new Rng(3);
  const clf = new Network();
  clf.addInput(784);
  clf.addLayer(10, { weights: Float64Array.from({ length: 7840 }, () => rng.next() * 5) });
  saveModel(at('clf.safetensors'), clf, { metadata: { kind: 'classifier' } });
});

describe('simulate writes its JSON piece by piece', () => {
  it(
    `${MANY} samples of a ${WIDE.toLocaleString('en')}-neuron population: ` +
      "past a string's length when pretty-printed, written whole",
    async () => {
      const args = ['simulate', '--model', 'wide.safetensors', '--input', 'wide.json', '--out', 'wide-out.json'];
      const r = await runCli(tmp, args, 280_000);
      expect(r.code, r.stderr).toBe(0);
      const path = at('wide-out.json'),
        size = statSync(path).size;
      // JSON.stringify(doc, null, 2) puts each of the 32 M nulls on a line of its own: 18 characters, past 2^29
      expect(MANY * WIDE * 18).toBeGreaterThan(2 ** 29);
      expect(size).toBeGreaterThan(MANY * WIDE * 'null, '.length);
      const start = readSlice(path, 0, 1 << 16),
        cut = start.indexOf('  "samples": [\n');
      expect(cut).toBeGreaterThan(0);
      const doc = JSON.parse(`${start.slice(0, cut)}  "samples": []\n}\n`);
      expect(doc.summary).toMatchObject({ samples: MANY, decided: 0, meanSpikes: 0 });
      const tail = readSlice(path, size - 2 * WIDE * 6, 2 * WIDE * 6),
        lastSample = tail.lastIndexOf('\n    {\n');
      expect(tail.endsWith('\n  ]\n}\n')).toBe(true);
      const last = JSON.parse(tail.slice(lastSample, -'\n  ]\n}\n'.length));
      expect(last.index).toBe(MANY - 1);
      expect(last.populations.layer1.times).toHaveLength(WIDE);
      expect(last.populations.layer1.times.every((t: null) => t === null)).toBe(true);
    },
    300_000,
  );

  it('a small output is byte for byte the compact JSON of its content, as before', async () => {
    const r = await runCli(tmp, ['simulate', '-m', 'tiny.safetensors', '--input', 'tiny.json', '--out', 'tiny.out']);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(at('tiny.out'), 'utf8');
    expect(text).toBe(referenceCompact(JSON.parse(text)));
    expect(JSON.parse(text).samples).toHaveLength(4);
  });

  it('stringifyCompact equals the reference layout on random values', () => {
    const rng = new Rng(11);
    const pick = <T>(a: T[]): T => a[rng.int(a.length)];
    const leaves: unknown[] = [0, -1.5, 1e-7, 3e21, NaN, Infinity, null, true, false, 'a b', '', 'x"\\\n', -0];
    const leaf = () => pick(leaves);
    const value = (depth: number): unknown => {
      const r = rng.int(10);
      if (depth > 4 || r < 3) return leaf();
      const item = () => (rng.int(3) ? pick([1, 2.25, null, -3e-9, NaN]) : value(depth + 1));
      if (r < 6) return Array.from({ length: rng.int(5) }, item);
      const o: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) {
        o[pick(['a', 'b c', '"q"', 'times', `x${i}`])] = rng.int(8) ? value(depth + 1) : undefined;
      }
      return o;
    };
    for (let i = 0; i < 5000; i++) {
      const v = value(0);
      expect(stringifyCompact(v), JSON.stringify(v)).toBe(referenceCompact(v));
      expect(stringifyCompact(v, '    '), JSON.stringify(v)).toBe(referenceCompact(v).replace(/^(?=.)/gm, '    '));
    }
  });
});

describe('a standard output that cannot be written', () => {
  const EVAL_JSON = ['classify', 'eval', '--model', 'clf.safetensors', '--limit', '5', '--json'];

  it('classify eval --json > /dev/full: one line, exit 1', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = await runWithStdout(EVAL_JSON, full);
      expectFailure(r, 'classify eval', ['standard output', 'no space left']);
    } finally {
      closeSync(full);
    }
  });

  it('classify eval --json into a pipe closed by the reader: one line, exit 1', async () => {
    const r = await runWithStdout(EVAL_JSON, 'closed-pipe');
    expectFailure(r, 'classify eval', ['standard output', 'pipe']);
  });
});
