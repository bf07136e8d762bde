// Library edges (issue 14, item 7): a non-finite uniform initialisation is refused when the network is
// built (it used to build NaN weights that saveModel wrote and loadModel refused), a population named
// `__proto__` keeps its place in a record's JSON, and run() takes null as "no spike", as toJSON() writes it.
import { describe, expect, it } from 'vitest';
import { Network, Simulator } from '../src/index.ts';

/** The part of RunRecord.toJSON() these tests read. */
type Json = { populations: Record<string, { times: (number | null)[] }> };

describe('init: {uniform: [lo, hi]}', () => {
  it.each([[[NaN, 1]], [[0, NaN]], [[-Infinity, 1]], [[0, Infinity]], [[-1e308, 1e308]]])(
    'refuses %j when the projection is built',
    (uniform) => {
      const net = new Network();
      const a = net.addInput(3),
        b = net.addPopulation(2);
      const init = { uniform: uniform as [number, number], seed: 1 };
      expect(() => net.connect(a, b, { init })).toThrow(/init\.uniform .*finite/);
      expect(net.projections).toHaveLength(0);
    },
  );

  it('refuses a malformed uniform range', () => {
    const net = new Network();
    const a = net.addInput(3),
      b = net.addPopulation(2);
    const init = { uniform: [1] as unknown as [number, number], seed: 1 };
    expect(() => net.connect(a, b, { init })).toThrow(/init\.uniform/);
  });

  it('still builds finite ranges, reversed ones included', () => {
    const net = new Network();
    const a = net.addInput(3),
      b = net.addPopulation(2);
    const p = net.connect(a, b, { init: { uniform: [2, -2], seed: 1 } });
    expect(p.weights.every((w) => Number.isFinite(w) && w >= -2 && w <= 2)).toBe(true);
  });
});

describe('a population named __proto__', () => {
  it("keeps its spike times in the record's JSON", () => {
    const net = new Network({ tmax: 10 });
    const input = net.addInput(2, '__proto__');
    net.addLayer(1, { name: 'constructor', weights: [60, 60] });
    expect(net.population('__proto__')).toBe(input);
    const json = new Simulator(net).run([0, 3]).toJSON() as Json;
    expect(Object.keys(json.populations)).toEqual(['__proto__', 'constructor']);
    expect(Object.hasOwn(json.populations, '__proto__')).toBe(true);
    expect(json.populations['__proto__'].times).toEqual([0, 3]);
    const back = JSON.parse(JSON.stringify(json));
    expect(Object.keys(back.populations)).toEqual(['__proto__', 'constructor']);
  });
});

describe('run() with null spike times', () => {
  const nets = {
    'discrete (event loop)': () => {
      const net = new Network({ tmax: 10 });
      net.addInput(3);
      net.addLayer(2, { weights: [60, 60, 0, 0, 60, 60], threshold: 50 });
      return { net, backend: 'event-loop' as const };
    },
    'discrete (auto)': () => {
      const net = new Network({ tmax: 10 });
      net.addInput(3);
      net.addLayer(2, { weights: [60, 60, 0, 0, 60, 60], threshold: 50 });
      return { net, backend: 'auto' as const };
    },
    'relu window': () => {
      const net = new Network({ tmax: 4, time: 'continuous', delay: 0 });
      net.addInput(3, 'in', { start: 0, end: 1 });
      net.addLayer(2, { weights: [1, 1, 0, 0, 1, 1], window: { start: 1, end: 2 }, bias: 0.2 });
      return { net, backend: 'auto' as const };
    },
  };

  it.each(Object.keys(nets))('takes null as "no spike" (%s), as toJSON() writes it', (name) => {
    const { net, backend } = nets[name as keyof typeof nets]();
    const sim = new Simulator(net, { backend });
    const withNull = sim.run([0, null, 0.5 * (net.time === 'continuous' ? 1 : 0)]).clone();
    const withTmax = sim.run([0, net.tmax, 0.5 * (net.time === 'continuous' ? 1 : 0)]).clone();
    expect(Array.from(withNull.times)).toEqual(Array.from(withTmax.times));
    expect(withNull.spikes[0]).toBe(2);
    // toJSON's times go back into run() as they are
    const times = (withNull.toJSON() as Json).populations[net.populations[0].name].times;
    expect(times[1]).toBeNull();
    expect(Array.from(sim.run(times).times)).toEqual(Array.from(withNull.times));
  });

  it('still refuses other non-numbers', () => {
    const net = new Network({ tmax: 10 });
    net.addInput(2);
    net.addLayer(1, { weights: [1, 1] });
    expect(() => new Simulator(net).run([0, undefined as unknown as number])).toThrow(/spike time must be a number/);
    expect(() => new Simulator(net).run([0, '1' as unknown as number])).toThrow(/spike time must be a number/);
  });
});
