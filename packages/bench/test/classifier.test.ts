// The classifier part of the benchmark: every row is what its `classify train` command trains (so the
// README's commands reproduce the bench's figures), and the claims pair each Aggressive reading with
// TTFS on its own kernel.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Network } from '@spiking-gan/core';
import {
  benchClassifier,
  CLASSIFIER_ROWS,
  type ClassifierBenchResult,
  type ClassifierRowName,
} from '../src/classifier.ts';

/** Weights, scales and biases of a network as bytes. */
function bytes(net: Network): Buffer {
  const weights = net.projections.flatMap((p) => [p.weights, Float64Array.of(p.scale)]);
  const arrays = [...weights, ...net.populations.map((p) => p.bias)];
  return Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
}

describe('pnpm bench classifier', () => {
  let dir: string;
  let result: ClassifierBenchResult;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bench-classifier-'));
    process.env.SPIKING_GAN_BENCH_CACHE = join(dir, 'cache');
    result = benchClassifier({ epochs: 1, trainImages: 200, testImages: 100 });
  }, 300_000);
  afterAll(() => {
    delete process.env.SPIKING_GAN_BENCH_CACHE;
    rmSync(dir, { recursive: true, force: true });
  });

  it('every row is what its classify train command trains, weight for weight', async () => {
    const bin = join(dirname(createRequire(import.meta.url).resolve('@spiking-gan/gan')), '../bin/spiking-gan.mjs');
    const names = Object.keys(CLASSIFIER_ROWS) as ClassifierRowName[];
    expect(result.rows.map((r) => r.settings.name)).toEqual(names);
    for (const row of result.rows) {
      const out = join(dir, `cli-${row.settings.name}.safetensors`),
        spec = CLASSIFIER_ROWS[row.settings.name];
      const limits = ['--epochs', '1', '--train-limit', '200', '--test-limit', '10', '--quiet', '--out', out];
      await promisify(execFile)(process.execPath, [bin, 'classify', 'train', ...spec.command, ...limits]);
      expect(bytes(loadModel(out).net).equals(bytes(loadModel(row.model).net)), row.settings.name).toBe(true);
    }
  }, 600_000);

  it('measures the relu rows from their output window and the delta rows in steps', () => {
    for (const row of result.rows) {
      const m = row.metrics,
        relu = row.settings.kernel === 'relu';
      expect(row.window).toBe(relu ? 8 : 256);
      expect(m.inferenceTimeInWindow).toBeCloseTo(m.inferenceTime - (relu ? 17 : 0), 9);
      expect(Object.keys(m.spikesPerNeuron)).toEqual(['hidden1', 'output']);
      expect(m.energy.macs).toBe(784 * 400 + 400 * 10);
      for (const t of row.decisionTimes) expect(t >= 0 && t <= row.window).toBe(true);
    }
  });

  it('checks each Aggressive reading against TTFS on its kernel (and relu-push against the softmax classifier)', () => {
    const by = new Map(result.rows.map((r) => [r.settings.name, r.metrics]));
    const pairs = [
      ['ttfs', 'aggressive'],
      ['ttfs', 'push'],
      ['relu-ttfs', 'relu-push'],
      ['relu', 'relu-push'],
    ] as const;
    expect(result.claims).toHaveLength(3 * pairs.length);
    pairs.forEach(([before, after], k) => {
      const [sooner, spikes, toDecision] = result.claims.slice(3 * k, 3 * k + 3);
      expect(sooner.before).toBe(by.get(before)!.inferenceTimeInWindow);
      expect(sooner.after).toBe(by.get(after)!.inferenceTimeInWindow);
      expect(spikes.before).toBe(by.get(before)!.spikes);
      expect(toDecision.after).toBe(by.get(after)!.spikesToDecision);
      expect(sooner.at).toMatch(/^accuracy .* the issue allows −0\.3\)$/);
    });
    const nope = { epochs: 1, trainImages: 10, testImages: 10, rows: ['nope' as 'ttfs'] };
    expect(() => benchClassifier(nope)).toThrow(/no row 'nope'/);
  });
});
