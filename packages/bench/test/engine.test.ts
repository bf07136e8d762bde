// The engine part on a few images: every row of both networks (benchEngine throws when
// implementations of one network disagree on any image), the relu sweeps beside the delta ones, and
// the report's tables with the relu figures.
import { describe, expect, it } from 'vitest';
import { benchEngine } from '../src/engine.ts';
import { tables } from '../src/report/report.ts';
import { sweepEngine } from '../src/sweep.ts';

describe('the engine part', () => {
  it("times both networks; the relu rows (r), (r'), (r'') beside the delta rows", () => {
    const r = benchEngine({ images: 40, repeats: 1, warmup: 5, denseImages: 2 });
    expect(r.impls.map((i) => i.key)).toEqual([
      'engine',
      'engine-ts',
      'engine-early-stop',
      'plain-loop',
      'dense-loop',
      'relu',
      'relu-ts',
      'relu-event-loop',
    ]);
    const by = Object.fromEntries(r.impls.map((i) => [i.key, i]));
    for (const i of r.impls) expect(i.medianUs, i.key).toBeGreaterThan(0);
    expect(by['relu-ts'].synEventsPerImage).toBe(by.relu.synEventsPerImage);
    expect(by['relu-event-loop'].spikesPerImage).toBe(by.relu.spikesPerImage);
    // a fired input reaches the 400 hidden neurons, a fired hidden neuron the 10 outputs
    expect(by.relu.synEventsPerImage).toBeGreaterThan(100 * 400);
    expect(by.relu.meanFirstOutputTime).toBeGreaterThan(17); // in the output window [17, 25]
    expect(r.relu?.windows).toEqual([1, 16, 8]);
    const [title, header, rows] = tables({ ...suite(), engine: r })[0];
    expect(title).toMatch(/^Engine: 784-400-10, delta .*; \(r\) rows: 784-400-10 ReLU-equivalent neurons/);
    expect(header[0]).toBe('implementation');
    expect(rows.map((row) => row[0])).toContain("(r') relu network, TypeScript layered pass");
  });

  it('refuses a number of images outside the test set', () => {
    expect(() => benchEngine({ images: 0 })).toThrow('benchEngine: images must be 1..10000, got 0');
  });

  it('sweeps the relu kernel over density, width and depth beside the delta networks', () => {
    const s = sweepEngine({ images: 5, densities: [0.1, 0.5], widths: [20, 40], depths: [1, 2] });
    expect(s.relu!.density.map((p) => p.x)).toEqual([0.1, 0.5]);
    expect(s.relu!.width.map((p) => p.x)).toEqual([20, 40]);
    expect(s.relu!.depth.map((p) => p.x)).toEqual([1, 2]);
    // denser inputs, more arrivals; a wider hidden layer, more arrivals per input spike
    expect(s.relu!.density[1].synEventsPerImage).toBeGreaterThan(s.relu!.density[0].synEventsPerImage);
    expect(s.relu!.width[1].synEventsPerImage).toBeGreaterThan(s.relu!.width[0].synEventsPerImage);
    const density = tables({ ...suite(), sweep: s }).find(([t]) => t.startsWith('Sweep over input density'))!;
    expect(density[1]).toEqual([
      'input density',
      'delta: median µs/image',
      'delta: spikes/image',
      'delta: syn events/image',
      'delta: M syn events/s',
      'relu: median µs/image',
      'relu: spikes/image',
      'relu: syn events/image',
      'relu: M syn events/s',
    ]);
    expect(density[2]).toHaveLength(2);
    // a report from before the relu sweeps renders its delta columns only
    const old = tables({ ...suite(), sweep: { ...s, relu: undefined } }).find(([t]) =>
      t.startsWith('Sweep over input'),
    )!;
    expect(old[1]).toHaveLength(5);
  });
});

/** The frame of a suite result (no part measured). */
function suite() {
  const machine = { cpu: 'test cpu', cores: 2, node: 'v20', platform: 'linux-x64' };
  return { commit: 'abc1234', date: '2026-11-28T00:00:00Z', machine, seed: 0, quick: true, seconds: 1 };
}
