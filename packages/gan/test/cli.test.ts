// The `spiking-gan` command, run for real as a child process (through its bin) in a temporary folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBytes, loadModel, Network, saveModel, Simulator } from '@spiking-gan/core';
import { buildClassifier } from '../src/classify/model.ts';
import { loadMnist } from '../src/data/mnist.ts';

const BIN = resolve(fileURLToPath(new URL('../bin/spiking-gan.mjs', import.meta.url)));
const tmp = mkdtempSync(join(tmpdir(), 'cli-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `spiking-gan ...args` in the temp folder. */
function cli(...args: string[]): Result {
  const env = { ...process.env };
  delete env.SPIKING_GAN_DEBUG;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: tmp, encoding: 'utf8', env, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A failure: non-zero exit, exactly one line on stderr, no stack trace, naming the problem. */
function expectFailure(r: Result, ...mentions: (string | RegExp)[]): void {
  expect(r.code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).not.toBe(0);
  expect(r.stderr).not.toContain('    at ');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^spiking-gan( [a-z]+)?: /);
  for (const m of mentions)
    expect(lines[0]).toMatch(typeof m === 'string' ? new RegExp(m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : m);
}

const MODEL = 'demo/model.safetensors';

describe('spiking-gan demo', () => {
  let demo: Result;
  beforeAll(() => {
    demo = cli('demo', '--digit-index', '3', '--seed', '5', '--out', 'demo');
  }, 120_000);

  it('writes raster.svg, digit.png, model.safetensors and run.json, and prints a short summary', () => {
    expect(demo.code, demo.stderr).toBe(0);
    for (const f of ['raster.svg', 'digit.png', 'model.safetensors', 'run.json'])
      expect(existsSync(join(tmp, 'demo', f)), f).toBe(true);
    const lines = demo.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.length).toBeLessThanOrEqual(6);
    expect(demo.stdout).toMatch(/spikes: input \d+, hidden \d+, output \d+/);
    expect(demo.stdout).toMatch(/synaptic events: \d+/);
    expect(demo.stdout).toContain('model.safetensors');
  });

  it('draws spikes of every layer in the raster, titled with the digit and its label', () => {
    const svg = readFileSync(join(tmp, 'demo', 'raster.svg'), 'utf8');
    const label = loadMnist('test').labels[3];
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain(`MNIST test #3, label ${label}`);
    expect(svg).toContain('seed 5');
    expect(svg.match(/<path fill="[^"]+" shape-rendering="crispEdges" d="M/g)?.length).toBe(3);
    expect(svg).toMatch(/hidden1: [1-9]\d* spikes?/);
  });

  it('writes the digit upscaled as a PNG and the record with its settings', () => {
    const png = PNG.sync.read(readFileSync(join(tmp, 'demo', 'digit.png')));
    expect(png.width).toBeGreaterThan(28);
    expect(png.width).toBe(png.height);
    const run = JSON.parse(readFileSync(join(tmp, 'demo', 'run.json'), 'utf8'));
    expect(run.digit).toEqual({ split: 'test', index: 3, label: loadMnist('test').labels[3] });
    expect(run.settings).toMatchObject({ seed: 5, threshold: 100, tmax: 256, delay: 1 });
    expect(run.record.populations.hidden1.times).toHaveLength(400);
  });

  it("saves a model that loads as 784-400-10 with S4NN-range weights, classify train's of that seed", () => {
    const { net } = loadModel(join(tmp, MODEL));
    expect(net.populations.map((p) => p.size)).toEqual([784, 400, 10]);
    const same = buildClassifier({ seed: 5 }).projections.map((p) => p.weights);
    net.projections.forEach((p, k) => expect(p.weights.findIndex((w, i) => w !== same[k][i])).toBe(-1));
    expect(net.tmax).toBe(256);
    const [h, o] = net.projections;
    const range = (w: Float64Array): [number, number] =>
      w.reduce(([lo, hi], x) => [Math.min(lo, x), Math.max(hi, x)], [Infinity, -Infinity]);
    const [hlo, hhi] = range(h.weights),
      [olo, ohi] = range(o.weights);
    expect(hlo).toBeGreaterThanOrEqual(0);
    expect(hhi).toBeLessThan(5);
    expect(olo).toBeGreaterThanOrEqual(0);
    expect(ohi).toBeGreaterThan(5);
    expect(ohi).toBeLessThan(48);
  });

  it('simulate --mnist-test 5 writes 5 samples whose spike times agree with an in-process Simulator run', () => {
    const r = cli('simulate', '--model', MODEL, '--mnist-test', '5', '--out', 'sim/mnist5.json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/accuracy: /);
    const doc = JSON.parse(readFileSync(join(tmp, 'sim', 'mnist5.json'), 'utf8'));
    expect(doc.samples).toHaveLength(5);
    const { net } = loadModel(join(tmp, MODEL));
    const sim = new Simulator(net);
    const set = loadMnist('test');
    let spikes = 0,
      correct = 0;
    for (let i = 0; i < 5; i++) {
      const rec = sim.run(encodeBytes(set.image(i), { tmax: net.tmax }));
      const s = doc.samples[i];
      expect(s.label).toBe(set.labels[i]);
      expect(s.prediction).toBe(rec.prediction());
      expect(s.synapticEvents).toBe(rec.synapticEvents);
      expect(s.firstOutputTime).toBe(rec.decided ? rec.decisionTime : null);
      for (const p of net.populations) {
        const want = Array.from(rec.timesOf(p), (t) => (t >= net.tmax ? null : t));
        expect(s.populations[p.name].times).toEqual(want);
        expect(s.populations[p.name].spikes).toBe(rec.spikes[p.index]);
      }
      spikes += rec.totalSpikes();
      if (rec.prediction() === set.labels[i]) correct++;
    }
    expect(doc.summary.samples).toBe(5);
    expect(doc.summary.meanSpikes).toBeCloseTo(spikes / 5, 10);
    expect(doc.summary.accuracy).toBeCloseTo(correct / 5, 10);
  });

  it('simulate --early-stop counts only what was spent up to the decision', () => {
    const r = cli('simulate', '--model', MODEL, '--mnist-test', '3', '--early-stop', '--out', 'sim/early.json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(tmp, 'sim', 'early.json'), 'utf8'));
    expect(doc.earlyStop).toBe(true);
    for (const s of doc.samples) {
      if (s.firstOutputTime === null) continue;
      expect(s.stoppedEarly).toBe(true);
      expect(s.spikes).toBe(s.spikesToDecision);
      expect(s.synapticEvents).toBe(s.synapticEventsToDecision);
    }
  });

  it('simulate refuses --mnist-test on a model without a 784-neuron input', () => {
    const net = new Network();
    net.addInput(3);
    net.addLayer(2, { weights: [1, 1, 1, 1, 1, 1] });
    saveModel(join(tmp, 'small.safetensors'), net);
    expectFailure(cli('simulate', '--model', 'small.safetensors', '--mnist-test', '2', '--out', 'x.json'), '784');
  });
});

describe('spiking-gan simulate --input', () => {
  it('runs hand-written spike times (null and >= tmax mean no spike) like the engine does', () => {
    const net = new Network({ tmax: 20 });
    net.addInput(4, 'in');
    // out0 needs two early inputs; out1 fires from input 1 alone; out2 only from input 3.
    net.addLayer(3, { name: 'out', threshold: 1, weights: [0.6, 0.6, 0, 0, 0, 1.5, 0, 0, 0, 0, 0, 2] });
    saveModel(join(tmp, 'tiny.safetensors'), net);
    const samples = [
      [0, 3, null, 25],
      [null, null, null, null],
      [2, 20, 1, 5],
    ];
    writeFileSync(join(tmp, 'in.json'), JSON.stringify({ samples }));
    const r = cli('simulate', '--model', 'tiny.safetensors', '--input', 'in.json', '--out', 'tiny.json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(tmp, 'tiny.json'), 'utf8'));
    expect(doc.samples).toHaveLength(3);
    expect(doc.samples[0].label).toBeUndefined();
    expect(doc.summary.accuracy).toBeUndefined();
    const sim = new Simulator(loadModel(join(tmp, 'tiny.safetensors')).net);
    samples.forEach((s, k) => {
      const rec = sim.run(s.map((t) => (t === null ? Infinity : t)));
      const out = Array.from(rec.timesOf(rec.output), (t) => (t >= 20 ? null : t));
      expect(doc.samples[k].populations.out.times).toEqual(out);
      expect(doc.samples[k].firstOutputTime).toBe(rec.decided ? rec.decisionTime : null);
    });
    // hand-checked: sample 0: out0 at 1+3 = 4 (0.6 + 0.6 > 1 once input 1 arrives), out1 at 4, out2 silent
    // (input 3 at 25 >= tmax)
    expect(doc.samples[0].populations.out.times).toEqual([4, 4, null]);
    expect(doc.samples[0].populations.in.times).toEqual([0, 3, null, null]);
    expect(doc.samples[1].firstOutputTime).toBeNull();
    expect(doc.summary.undecidedShare).toBeCloseTo(1 / 3, 10);
    expect(doc.samples[2].populations.out.times).toEqual([null, null, 6]); // input 1 at 20 = tmax is no spike
    expect(doc.summary.meanFirstOutputTime).toBe(5);
  });
});

describe('misuse fails with one line and no stack trace', () => {
  beforeAll(() => {
    const net = new Network({ tmax: 20 });
    net.addInput(4, 'in');
    net.addLayer(2, { threshold: 1, weights: [1, 1, 1, 1, 1, 1, 1, 1] });
    saveModel(join(tmp, 'm4.safetensors'), net);
    const bytes = new Uint8Array(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    writeFileSync(join(tmp, 'corrupt.safetensors'), bytes);
    writeFileSync(join(tmp, 'good.json'), JSON.stringify({ samples: [[0, 1, 2, 3]] }));
  });
  const sim = (...args: string[]): Result => cli('simulate', ...args);

  it('missing --model', () => expectFailure(sim('--input', 'good.json', '--out', 'x.json'), '--model'));
  it('model file that does not exist', () =>
    expectFailure(
      sim('--model', 'nope.safetensors', '--input', 'good.json', '--out', 'x.json'),
      'nope.safetensors',
      'no such file',
    ));
  it('corrupt model file (random bytes)', () =>
    expectFailure(
      sim('--model', 'corrupt.safetensors', '--input', 'good.json', '--out', 'x.json'),
      'corrupt.safetensors',
    ));
  it('both --input and --mnist-test', () =>
    expectFailure(
      sim('--model', 'm4.safetensors', '--input', 'good.json', '--mnist-test', '2', '--out', 'x.json'),
      '--input',
      '--mnist-test',
    ));
  it('neither --input nor --mnist-test', () =>
    expectFailure(sim('--model', 'm4.safetensors', '--out', 'x.json'), '--input', '--mnist-test'));

  it('input JSON of the wrong shape', () => {
    writeFileSync(
      join(tmp, 'short.json'),
      JSON.stringify({
        samples: [
          [0, 1, 2, 3],
          [0, 1],
        ],
      }),
    );
    expectFailure(
      sim('--model', 'm4.safetensors', '--input', 'short.json', '--out', 'x.json'),
      'sample 1',
      '2 spike times',
      '4',
    );
    writeFileSync(join(tmp, 'flat.json'), JSON.stringify([0, 1, 2, 3]));
    expectFailure(sim('--model', 'm4.safetensors', '--input', 'flat.json', '--out', 'x.json'), 'samples');
    writeFileSync(join(tmp, 'broken.json'), '{"samples": [[0, 1,');
    expectFailure(sim('--model', 'm4.safetensors', '--input', 'broken.json', '--out', 'x.json'), 'broken.json', 'JSON');
  });

  it('a negative spike time', () => {
    writeFileSync(
      join(tmp, 'neg.json'),
      JSON.stringify({
        samples: [
          [0, 1, 2, 3],
          [0, -2, null, 1],
        ],
      }),
    );
    expectFailure(
      sim('--model', 'm4.safetensors', '--input', 'neg.json', '--out', 'x.json'),
      'sample 1, neuron 1',
      'negative',
    );
  });

  it('a non-numeric or fractional spike time', () => {
    writeFileSync(join(tmp, 'str.json'), JSON.stringify({ samples: [[0, 1, '2', 3]] }));
    expectFailure(
      sim('--model', 'm4.safetensors', '--input', 'str.json', '--out', 'x.json'),
      'sample 0, neuron 2',
      'number or null',
    );
    writeFileSync(join(tmp, 'frac.json'), JSON.stringify({ samples: [[0, 1.5, 2, 3]] }));
    expectFailure(
      sim('--model', 'm4.safetensors', '--input', 'frac.json', '--out', 'x.json'),
      'sample 0, neuron 1',
      'whole step',
    );
  });

  it('a non-integer --mnist-test value', () => {
    expectFailure(
      sim('--model', 'm4.safetensors', '--mnist-test', '2.5', '--out', 'x.json'),
      '--mnist-test',
      'whole number',
    );
    expectFailure(
      sim('--model', 'm4.safetensors', '--mnist-test', 'ten', '--out', 'x.json'),
      '--mnist-test',
      'whole number',
    );
  });

  it('an unknown flag or command', () => {
    expectFailure(sim('--model', 'm4.safetensors', '--input', 'good.json', '--out', 'x.json', '--bogus'), '--bogus');
    expectFailure(cli('frobnicate'), 'frobnicate');
  });

  it('an output path that is a directory', () => {
    expectFailure(sim('--model', 'm4.safetensors', '--input', 'good.json', '--out', '.'), 'directory');
  });

  it('shows the stack with SPIKING_GAN_DEBUG=1', () => {
    const r = spawnSync(
      process.execPath,
      [BIN, 'simulate', '--model', 'corrupt.safetensors', '--input', 'good.json', '--out', 'x.json'],
      {
        cwd: tmp,
        encoding: 'utf8',
        env: { ...process.env, SPIKING_GAN_DEBUG: '1' },
        timeout: 120_000,
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('    at ');
  });
});

describe('spiking-gan --help', () => {
  it('lists the commands and documents every simulate option with an example', () => {
    const top = cli('--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/simulate/);
    expect(top.stdout).toMatch(/demo/);
    const h = cli('simulate', '--help');
    expect(h.code).toBe(0);
    for (const o of ['--model', '--input', '--mnist-test', '--early-stop', '--out', 'Examples:'])
      expect(h.stdout).toContain(o);
    const d = cli('demo', '--help');
    for (const o of ['--digit-index', '--seed', '--out', 'Examples:']) expect(d.stdout).toContain(o);
  });
});
