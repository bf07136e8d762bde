// Property-based tests of the engine's contract on random small networks, with fast-check (seeded).
// Networks: one input population and 1–3 IF populations of 1–8 neurons, 1–6 projections between any
// two of them (feed-forward, skip, recurrent, self), dense or CSR, delays 0..3 (zero delays
// included), mixed-sign weights and thresholds on a 1/1024 grid so that every sum is exact whatever
// the order of additions, input times with many equal values and silent ones (tmax, beyond, Infinity).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Network, Simulator, type Kernel, type Population, type RunRecord, type TimeMode } from '../src/index.ts';
import { clockDriven } from './reference.ts';

const SEED = 42;
const GRID = 1024;

interface ProjSpec {
  src: number;
  dst: number;
  /** Delay in time units (an integer in discrete time, a multiple of 1/4 in continuous time). */
  delay: number;
  sparse: boolean;
  kernel: Kernel;
  /** Weights by presynaptic row: w[i * dstSize + j]. */
  w: number[];
  /** Which synapses a sparse projection has (ignored for dense ones). */
  mask: boolean[];
}

interface NetSpec {
  time: TimeMode;
  tmax: number;
  /** sizes[0] is the input population, the others IF populations. */
  sizes: number[];
  /** thresholds[p - 1] for population p >= 1. */
  thresholds: number[][];
  projs: ProjSpec[];
  inputs: number[];
  /** Index (>= 1) of the population whose first spike is the decision. */
  out: number;
}

const gridValue = (lo: number, hi: number) => fc.integer({ min: lo * GRID, max: hi * GRID }).map((k) => k / GRID);

interface NetArbOptions {
  time: TimeMode;
  /** Kernels projections may use (ramp needs continuous time). */
  kernels?: Kernel[];
  /** Range of weights. */
  weights?: [number, number];
  /** Time values are integers (steps) or multiples of 1/4. */
  quarter?: boolean;
}

function netSpecArb(o: NetArbOptions): fc.Arbitrary<NetSpec> {
  const [wlo, whi] = o.weights ?? [-2, 4];
  const kernels = o.kernels ?? ['delta'];
  const q = o.quarter ? 4 : 1;
  return fc
    .record({
      tmax: fc.integer({ min: 4, max: 24 }),
      sizes: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 2, maxLength: 4 }),
    })
    .chain(({ tmax, sizes }) => {
      const P = sizes.length;
      const proj = fc
        .record({
          src: fc.integer({ min: 0, max: P - 1 }),
          dst: fc.integer({ min: 1, max: P - 1 }),
          delay: fc.integer({ min: 0, max: 3 * q }).map((d) => d / q),
          sparse: fc.boolean(),
          kernel: fc.constantFrom(...kernels),
        })
        .chain((p) => {
          const n = sizes[p.src] * sizes[p.dst];
          return fc.record({
            src: fc.constant(p.src),
            dst: fc.constant(p.dst),
            delay: fc.constant(p.delay),
            sparse: fc.constant(p.sparse),
            kernel: fc.constant(p.kernel),
            w: fc.array(gridValue(wlo, whi), { minLength: n, maxLength: n }),
            mask: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
          });
        });
      const time = fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 2 * q }).map((t) => t / q) }, // many equal times
        { weight: 4, arbitrary: fc.integer({ min: 0, max: tmax * q - 1 }).map((t) => t / q) },
        { weight: 2, arbitrary: fc.constantFrom(tmax, tmax + 3, Infinity) }, // silent inputs
      );
      return fc.record({
        time: fc.constant(o.time),
        tmax: fc.constant(tmax),
        sizes: fc.constant(sizes),
        thresholds: fc.tuple(...sizes.slice(1).map((n) => fc.array(gridValue(0, 3), { minLength: n, maxLength: n }))),
        projs: fc.array(proj, { minLength: 1, maxLength: 6 }),
        inputs: fc.array(time, { minLength: sizes[0], maxLength: sizes[0] }),
        out: fc.integer({ min: 1, max: P - 1 }),
      });
    });
}

/**
 * Builds the network of a spec. `perm[p][k]` = the spec's neuron of population p that new neuron k
 * stands for (identity when absent); `order` = the order in which projections are created.
 */
function build(
  spec: NetSpec,
  perm?: number[][],
  order?: number[],
): { net: Network; pops: Population[]; inputs: number[] } {
  const net = new Network({ tmax: spec.tmax, time: spec.time });
  const id = (p: number) => (perm ? perm[p] : Array.from({ length: spec.sizes[p] }, (_, k) => k));
  const pops: Population[] = spec.sizes.map((n, p) =>
    p === 0
      ? net.addInput(n, 'in')
      : net.addPopulation(n, { name: `p${p}`, threshold: id(p).map((k) => spec.thresholds[p - 1][k]) }),
  );
  for (const k of order ?? spec.projs.map((_, k) => k)) {
    const pr = spec.projs[k];
    const ns = spec.sizes[pr.src],
      nd = spec.sizes[pr.dst];
    const ps = id(pr.src),
      pd = id(pr.dst);
    const at = (i: number, j: number) => ps[i] * nd + pd[j]; // new (i, j) -> the spec's synapse
    const opts = { delay: pr.delay, kernel: pr.kernel };
    if (pr.sparse) {
      const indptr = [0],
        indices: number[] = [],
        values: number[] = [];
      for (let i = 0; i < ns; i++) {
        for (let j = 0; j < nd; j++)
          if (pr.mask[at(i, j)]) {
            indices.push(j);
            values.push(pr.w[at(i, j)]);
          }
        indptr.push(indices.length);
      }
      net.connect(pops[pr.src], pops[pr.dst], { ...opts, sparse: { indptr, indices, values } });
    } else {
      const w: number[] = [];
      for (let i = 0; i < ns; i++) for (let j = 0; j < nd; j++) w.push(pr.w[at(i, j)]);
      net.connect(pops[pr.src], pops[pr.dst], { ...opts, weightsPrePost: w });
    }
  }
  return { net, pops, inputs: id(0).map((k) => spec.inputs[k]) };
}

/** Fan-out of source neuron i of a projection (its synapses). */
function fanOut(net: Network, k: number, i: number): number {
  const pr = net.projections[k];
  return pr.csr ? pr.csr.indptr[i + 1] - pr.csr.indptr[i] : pr.dst.size;
}

/** Σ over emitted spikes (t < tmax) whose arrival t + d falls before `until` (and before tmax) of their fan-out. */
function expectedEvents(net: Network, times: Float64Array, until = Infinity): number {
  let n = 0;
  for (const pr of net.projections) {
    for (let i = 0; i < pr.src.size; i++) {
      const t = times[pr.src.offset + i];
      if (t < net.tmax && t + pr.delay < net.tmax && t + pr.delay <= until) n += fanOut(net, pr.index, i);
    }
  }
  return n;
}

/** Invariants every run must satisfy: times in [0, tmax], silent = exactly tmax, counts consistent with times. */
function checkRecord(net: Network, rec: RunRecord): void {
  const tmax = net.tmax;
  for (let g = 0; g < net.size; g++) {
    const t = rec.times[g];
    expect(t >= 0 && t <= tmax, `neuron ${g} at ${t}`).toBe(true);
    if (!(t < tmax)) expect(t).toBe(tmax);
  }
  for (const p of net.populations) {
    const fired = Array.from(rec.timesOf(p)).filter((t) => t < tmax).length;
    // at most one spike per neuron: the count of spikes equals the count of neurons with a spike time
    expect(rec.spikes[p.index], `spikes of ${p.name}`).toBe(fired);
  }
  // a neuron that fired twice would deliver its fan-out twice
  expect(rec.synapticEvents).toBe(expectedEvents(net, rec.times));
}

let firedCases = 0;
const countFired = (net: Network, rec: RunRecord) => {
  if (net.populations.some((p) => !p.isInput && rec.spikes[p.index] > 0)) firedCases++;
};

describe.each(['discrete', 'continuous'] as const)('engine properties, %s time, delta kernel', (time) => {
  const arb = netSpecArb({ time, quarter: time === 'continuous' });

  it('at most one spike per neuron, times in [0, tmax], silent <=> tmax, synaptic events = Σ fan-outs', () => {
    firedCases = 0;
    fc.assert(
      fc.property(arb, (spec) => {
        const { net, inputs } = build(spec);
        const rec = new Simulator(net).run(inputs);
        checkRecord(net, rec);
        // inputs keep their given time (or tmax when given at/after tmax)
        inputs.forEach((t, i) => expect(rec.times[i]).toBe(t < spec.tmax ? t : spec.tmax));
        countFired(net, rec);
      }),
      { seed: SEED, numRuns: 400 },
    );
    expect(firedCases).toBeGreaterThan(150); // the generated cases are not all silent
  });

  const referenceTitle =
    'equals the dense clock-driven reference (continuous: on quarter steps, against a discrete twin at 4x resolution)';
  it(referenceTitle, () => {
    fc.assert(
      fc.property(arb, (spec) => {
        const { net, inputs } = build(spec);
        const rec = new Simulator(net).run(inputs);
        if (time === 'discrete') {
          expect(Array.from(rec.times)).toEqual(Array.from(clockDriven(net, [inputs])));
        } else {
          const twinSpec: NetSpec = {
            ...spec,
            time: 'discrete',
            tmax: 4 * spec.tmax,
            projs: spec.projs.map((p) => ({ ...p, delay: 4 * p.delay })),
            inputs: spec.inputs.map((t) => 4 * t),
          };
          const twin = build(twinSpec);
          const ref = clockDriven(twin.net, [twin.inputs]);
          expect(Array.from(rec.times)).toEqual(Array.from(ref, (t) => t / 4));
          expect(rec.synapticEvents).toBe(new Simulator(twin.net).run(twin.inputs).synapticEvents);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('does not depend on the order in which neurons (inputs included) are listed', () => {
    const withPerm = arb.chain((spec) =>
      fc.record({
        spec: fc.constant(spec),
        perm: fc.tuple(
          ...spec.sizes.map((n) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n })),
        ),
      }),
    );
    fc.assert(
      fc.property(withPerm, ({ spec, perm }) => {
        const a = build(spec);
        const b = build(spec, perm);
        const ra = new Simulator(a.net).run(a.inputs).clone();
        const rb = new Simulator(b.net).run(b.inputs);
        for (let p = 0; p < spec.sizes.length; p++) {
          const ta = ra.timesOf(a.pops[p]),
            tb = rb.timesOf(b.pops[p]);
          expect(Array.from(tb), `population ${p}`).toEqual(perm[p].map((k) => ta[k]));
        }
        expect(rb.synapticEvents).toBe(ra.synapticEvents);
        expect(Array.from(rb.spikes)).toEqual(Array.from(ra.spikes));
        expect(rb.decisionTime).toBe(ra.decisionTime);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('does not depend on the order in which projections were created', () => {
    const withOrder = arb.chain((spec) =>
      fc.record({
        spec: fc.constant(spec),
        order: fc.shuffledSubarray([...spec.projs.keys()], {
          minLength: spec.projs.length,
          maxLength: spec.projs.length,
        }),
      }),
    );
    fc.assert(
      fc.property(withOrder, ({ spec, order }) => {
        const a = build(spec);
        const b = build(spec, undefined, order);
        const ra = new Simulator(a.net).run(a.inputs).clone();
        const rb = new Simulator(b.net).run(b.inputs);
        expect(Array.from(rb.times)).toEqual(Array.from(ra.times));
        expect(rb.synapticEvents).toBe(ra.synapticEvents);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  const earlyStopTitle =
    'early stop gives the decision time and to-decision counts of a full run; the counts match the spike times';
  it(earlyStopTitle, () => {
    fc.assert(
      fc.property(arb, (spec) => {
        const { net, pops, inputs } = build(spec);
        const out = pops[spec.out];
        const sim = new Simulator(net, { output: out });
        const full = sim.run(inputs).clone();
        const early = sim.run(inputs, { earlyStop: true }).clone();
        const again = sim.run(inputs); // the reused simulator forgets the early-stopped run
        expect(Array.from(again.times)).toEqual(Array.from(full.times));
        expect(again.synapticEvents).toBe(full.synapticEvents);

        const first = Math.min(...Array.from(full.timesOf(out)));
        expect(full.decisionTime).toBe(first);
        expect(early.decisionTime).toBe(full.decisionTime);
        expect(Array.from(early.spikesToDecision)).toEqual(Array.from(full.spikesToDecision));
        expect(early.synapticEventsToDecision).toBe(full.synapticEventsToDecision);
        if (full.decided) {
          const d = full.decisionTime;
          expect(early.stoppedEarly).toBe(true);
          expect(Array.from(early.spikes)).toEqual(Array.from(early.spikesToDecision));
          expect(early.synapticEvents).toBe(early.synapticEventsToDecision);
          for (const p of net.populations) {
            expect(full.spikesToDecision[p.index]).toBe(Array.from(full.timesOf(p)).filter((t) => t <= d).length);
          }
          expect(full.synapticEventsToDecision).toBe(expectedEvents(net, full.times, d));
          // everything that happened up to the decision happened the same way
          for (let g = 0; g < net.size; g++) if (full.times[g] <= d) expect(early.times[g]).toBe(full.times[g]);
        } else {
          expect(early.stoppedEarly).toBe(false);
          expect(Array.from(full.spikesToDecision)).toEqual(Array.from(full.spikes));
          expect(full.synapticEventsToDecision).toBe(full.synapticEvents);
          expect(Array.from(early.times)).toEqual(Array.from(full.times));
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('with non-negative weights, moving an input spike earlier never makes any neuron fire later', () => {
    const pos = netSpecArb({ time, quarter: time === 'continuous', weights: [0, 3] }).chain((spec) =>
      fc.record({ spec: fc.constant(spec), which: fc.nat(spec.sizes[0] - 1), to: fc.nat(spec.tmax - 1) }),
    );
    fc.assert(
      fc.property(pos, ({ spec, which, to }) => {
        const { net, inputs } = build(spec);
        const sim = new Simulator(net);
        const before = sim.run(inputs).clone();
        const moved = inputs.slice();
        moved[which] = Math.min(moved[which], to);
        const after = sim.run(moved);
        for (let g = 0; g < net.size; g++) expect(after.times[g], `neuron ${g}`).toBeLessThanOrEqual(before.times[g]);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('ramp kernel properties (continuous time)', () => {
  // ramp and delta projections mixed; times and delays real-valued (multiples of 1/1024)
  const realTimes = (spec: NetSpec) =>
    fc.array(
      fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 0, max: 2 * GRID }).map((t) => t / GRID) },
        { weight: 4, arbitrary: fc.integer({ min: 0, max: spec.tmax * GRID - 1 }).map((t) => t / GRID) },
        { weight: 1, arbitrary: fc.constantFrom(spec.tmax, Infinity) },
      ),
      { minLength: spec.sizes[0], maxLength: spec.sizes[0] },
    );
  const arb = netSpecArb({ time: 'continuous', kernels: ['ramp', 'ramp', 'delta'], weights: [-1, 2] }).chain((spec) =>
    fc
      .record({
        spec: fc.constant(spec),
        inputs: realTimes(spec),
        delays: fc.array(
          fc.integer({ min: 0, max: 2 * GRID }).map((d) => d / GRID),
          { minLength: spec.projs.length, maxLength: spec.projs.length },
        ),
      })
      .map(({ spec, inputs, delays }) => ({
        ...spec,
        inputs,
        projs: spec.projs.map((p, k) => ({ ...p, delay: delays[k] })),
      })),
  );

  it('at most one spike each, times within [0, tmax], silent <=> tmax, events = Σ fan-outs', () => {
    let fired = 0;
    fc.assert(
      fc.property(arb, (spec) => {
        const { net, inputs } = build(spec);
        const rec = new Simulator(net).run(inputs);
        checkRecord(net, rec);
        if (net.populations.some((p) => !p.isInput && rec.spikes[p.index] > 0)) fired++;
        // a neuron fed by ramp synapses only crosses its threshold continuously: V = θ at the spike, with a rising
        // slope
        for (const p of net.populations) {
          if (p.isInput) continue;
          const into = net.projections.filter((pr) => pr.dst === p);
          if (into.length === 0 || into.some((pr) => pr.kernel !== 'ramp')) continue;
          for (let j = 0; j < p.size; j++) {
            const g = p.offset + j;
            if (rec.times[g] < net.tmax) {
              expect(rec.slope[g], `slope of neuron ${g}`).toBeGreaterThan(0);
              expect(Math.abs(rec.potential[g] - p.threshold[j]), `potential of neuron ${g}`).toBeLessThan(
                1e-9 * (1 + Math.abs(rec.slope[g]) * net.tmax),
              );
            }
          }
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
    expect(fired).toBeGreaterThan(100);
  });

  it('a neuron whose input weights are all <= 0 never fires', () => {
    fc.assert(
      fc.property(arb, (spec) => {
        const { net, inputs } = build(spec);
        const rec = new Simulator(net).run(inputs);
        for (const p of net.populations) {
          if (p.isInput) continue;
          for (let j = 0; j < p.size; j++) {
            let anyPositive = false;
            for (const pr of net.projections) {
              if (pr.dst !== p) continue;
              for (let i = 0; i < pr.src.size; i++) if (pr.weight(i, j) > 0) anyPositive = true;
            }
            if (!anyPositive) expect(rec.times[p.offset + j], `neuron ${j} of ${p.name}`).toBe(net.tmax);
          }
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('the same inputs give the same record on a reused simulator and on a fresh one', () => {
    fc.assert(
      fc.property(arb, (spec) => {
        const { net, inputs } = build(spec);
        const sim = new Simulator(net);
        const a = sim.run(inputs).clone();
        sim.run(inputs.map(() => 0)); // something else in between
        const b = sim.run(inputs);
        expect(Array.from(b.times)).toEqual(Array.from(a.times));
        expect(b.synapticEvents).toBe(a.synapticEvents);
        const c = new Simulator(net).run(inputs);
        expect(Array.from(c.times)).toEqual(Array.from(a.times));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
