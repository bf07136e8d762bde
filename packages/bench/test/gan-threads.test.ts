// The GAN part's throughput rows: `spiking-gan train` of relu-cond on 1 and 2 threads, each run's
// steps per second as it reports them, and the report's table of them (no timing is asserted:
// speed lives in the report, not in a test).
import { describe, expect, it } from 'vitest';
import { kernelMemory } from '@spiking-gan/core/internals';
import { benchGanThreads } from '../src/gan-threads.ts';
import { tables, type SuiteResult } from '../src/report/report.ts';

describe('GAN training throughput on threads', () => {
  it('runs the default recipe on 1 and 2 threads in turns and reports the median steps per second of each', () => {
    const rows = benchGanThreads({ steps: 2, repeats: 2 });
    expect(rows.map((r) => [r.threads, r.steps])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(rows[0].runs).toHaveLength(2);
    expect(rows[0].stepsPerSecond).toBe((rows[0].runs![0] + rows[0].runs![1]) / 2);
    expect(rows[0].stepsPerSecond).toBeGreaterThan(0);
    // 2 threads share the weights through the kernel memory: refused with the reason without it
    if (kernelMemory()) expect(rows[1].stepsPerSecond).toBeGreaterThan(0);
    else {
      expect(rows[1].note).toMatch(/needs the WebAssembly kernel memory/);
      expect([rows[1].stepsPerSecond, rows[1].runs]).toEqual([null, []]);
    }
    const suite = { gan: { rows: [], claims: [], sparsitySamples: 0, qualitySamples: 0, threads: rows } };
    const [title, header, cells] = tables(suite as unknown as SuiteResult).find(([t]) => t.includes('throughput'))!;
    expect([title, header]).toEqual([
      'Spiking-GAN training throughput: relu-cond, spiking-gan train --steps 2 --workers N',
      ['threads', 'steps/s (median)', 'runs (steps/s, in the order they ran)', 'against 1 thread'],
    ]);
    expect(cells.map((c) => c[0])).toEqual(['1', '2']);
    expect(cells[0][2].split(', ')).toHaveLength(2);
    expect(cells[0][3]).toBe('1.00×');
    expect(() => benchGanThreads({ steps: 2, repeats: 0 })).toThrow(/repeats must be an integer >= 1/);
  }, 120_000);
});
