// `spiking-gan simulate` against hostile files (issue 14, items 1, 3 and 7), run for real as child
// processes: a metadata bomb, devices, FIFOs and 1.5 GB files as --model or --input are refused at
// once with one line naming the file (no hang, no growth), and a population named __proto__ keeps its
// place in the output JSON.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSafetensors, Network, saveModel } from '@spiking-gan/core';
import { runCli, type Result } from './run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const GB = 2 ** 30;
const simulate = (...args: string[]): Promise<Result> => runCli(tmp, ['simulate', ...args], 30_000);

/** Exit 1 (not killed by the time guard), exactly one line on stderr, naming `file` and matching `what`. */
function refused(r: Result, file: string, what: RegExp): void {
  const info = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  expect(r.code, info).toBe(1);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, info).toHaveLength(1);
  expect(lines[0].startsWith(`spiking-gan simulate: ${file}: `), info).toBe(true);
  expect(lines[0], info).toMatch(what);
}

let fifo = '';
beforeAll(() => {
  const net = new Network({ tmax: 10 });
  net.addInput(2, '__proto__');
  net.addLayer(1, { name: 'out', weights: [60, 60] });
  saveModel(join(tmp, 'proto.safetensors'), net);
  writeFileSync(
    join(tmp, 'in.json'),
    JSON.stringify({
      samples: [
        [0, null],
        [3, 4],
      ],
    }),
  );
  // the metadata bomb: one weight, tmax 300,000,000
  const one = { 'layers.0.weight': { dtype: 'F64' as const, shape: [1, 1], data: new Float64Array([1]) } };
  writeFileSync(join(tmp, 'bomb.safetensors'), encodeSafetensors(one, { tmax: '300000000' }));
  writeFileSync(join(tmp, 'one.json'), JSON.stringify({ samples: [[0]] }));
  for (const name of ['huge.safetensors', 'huge.json']) {
    writeFileSync(join(tmp, name), '');
    truncateSync(join(tmp, name), 1.5 * GB);
  }
  fifo = join(tmp, 'fifo');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
});

describe('spiking-gan simulate refuses hostile files at once', () => {
  it("refuses the issue's 133-byte model with tmax '300000000', naming the file and the key", async () => {
    expect(statSync(join(tmp, 'bomb.safetensors')).size).toBeLessThan(200);
    const r = await simulate('--model', 'bomb.safetensors', '--input', 'one.json', '--out', 'o.json');
    refused(r, 'bomb.safetensors', /'tmax'.*1048576/);
  });

  it.each([
    ['/dev/zero as --model', ['--model', '/dev/zero', '--input', 'in.json'], '/dev/zero', /character device/],
    ['/dev/zero as --input', ['--model', 'proto.safetensors', '--input', '/dev/zero'], '/dev/zero', /character device/],
    ['a FIFO as --model', ['--model', 'fifo', '--input', 'in.json'], 'fifo', /FIFO/],
    ['a FIFO as --input', ['--model', 'proto.safetensors', '--input', 'fifo'], 'fifo', /FIFO/],
    ['a 1.5 GB --model', ['--model', 'huge.safetensors', '--input', 'in.json'], 'huge.safetensors', /header/],
    ['a 1.5 GB --input', ['--model', 'proto.safetensors', '--input', 'huge.json'], 'huge.json', /limit/],
    ['a folder as --input', ['--model', 'proto.safetensors', '--input', '.'], '.', /directory/],
  ])('refuses %s', async (_what, args, file, what) => {
    refused(await simulate(...args, '--out', 'o.json'), file, what);
  });
});

describe('a population named __proto__', () => {
  it("keeps its spike times and its mean in simulate's output", async () => {
    const r = await simulate('--model', 'proto.safetensors', '--input', 'in.json', '--out', 'proto.json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(tmp, 'proto.json'), 'utf8'));
    expect(doc.populations.map((p: { name: string }) => p.name)).toEqual(['__proto__', 'out']);
    expect(Object.hasOwn(doc.summary.meanSpikesPerPopulation, '__proto__')).toBe(true);
    expect(doc.summary.meanSpikesPerPopulation['__proto__']).toBe(1.5);
    expect(Object.keys(doc.samples[0].populations)).toEqual(['__proto__', 'out']);
    expect(doc.samples[0].populations['__proto__'].times).toEqual([0, null]);
    expect(doc.samples[1].populations['__proto__'].times).toEqual([3, 4]);
  });
});
