// Aggressive TTFS read as a weighted push (classify/targets.ts): its targets, its weight, weight 0
// being TTFS bit for bit, on the delta kernel and on the relu kernel (TTFS losses on its output times).
import { describe, expect, it } from 'vitest';
import { aggressiveTargets, GradientCollector, ttfsTargets, type GradientSink, type Network } from '@spiking-gan/core';
import { buildClassifier } from '../src/classify/model.ts';
import { sampleTargets, ScaledSink, settled, type TargetSettings } from '../src/classify/targets.ts';
import { ClassifierTrainer, pushWeight, type TrainOptions } from '../src/classify/train.ts';
import { evaluateClassifier } from '../src/classify/evaluate.ts';
import { ClassifierInput } from '../src/classify/input.ts';
import { SampleLearner } from '../src/classify/sample.ts';
import { loadMnist } from '../src/data/mnist.ts';

const train = loadMnist('train'),
  test = loadMnist('test');
const base: TargetSettings = { loss: 'aggressive', tmax: 256, gamma: 3, gammaA: 5, variant: 'earlier', push: null };
const push = (weight: number, silence = false): TargetSettings => ({ ...base, push: { weight, silence, reach: 1 } });

describe('the push reading of Aggressive TTFS: targets and weights', () => {
  it('a sample is settled when the label fired first, every other neuron at least γ later or silent', () => {
    expect(settled([10, 13, 256], 0, 256, 3)).toBe(true);
    expect(settled([254, 256, 256], 0, 256, 3)).toBe(true); // TTFS asks the others for tmax: they are there
    expect(settled([10, 12, 256], 0, 256, 3)).toBe(false); // another neuron within γ
    expect(settled([10, 10], 1, 256, 3)).toBe(false); // a tie
    expect(settled([20, 10], 0, 256, 3)).toBe(false); // wrong winner
    expect(settled([256, 256], 0, 256, 3)).toBe(false); // nothing fired
  });

  it('an unsettled sample learns TTFS at weight 1; a settled one is pushed γ_a earlier at the weight', () => {
    const T = new Float64Array(3);
    expect(sampleTargets([10, 11, 40], 1, push(0.1), T)).toBe(1);
    expect(Array.from(T)).toEqual(Array.from(ttfsTargets([10, 11, 40], 1, base)));
    expect(sampleTargets([256, 256, 256], 1, push(0.1), T)).toBe(1);
    expect(Array.from(T)).toEqual([256, 253, 256]);
    expect(sampleTargets([10, 30, 256], 0, push(0.1), T)).toBe(0.1);
    expect(Array.from(T)).toEqual([5, 30, 256]);
    expect(sampleTargets([2, 30, 256], 0, push(0.1), T)).toBe(0.1);
    expect(Array.from(T)).toEqual([0, 30, 256]);
    // with silence, wrong neurons that fired are sent to tmax (silent ones stay there)
    expect(sampleTargets([10, 30, 256], 0, push(0.5, true), T)).toBe(0.5);
    expect(Array.from(T)).toEqual([5, 256, 256]);
  });

  it("without the push the rule is core's, at weight 1", () => {
    const T = new Float64Array(3),
      t = [10, 30, 256];
    for (const variant of ['earlier', 'winner', 'absolute'] as const) {
      expect(sampleTargets(t, 0, { ...base, variant }, T)).toBe(1);
      expect(Array.from(T)).toEqual(Array.from(aggressiveTargets(t, 0, { ...base, variant })));
    }
    expect(sampleTargets(t, 1, { ...base, loss: 'ttfs' }, T)).toBe(1);
    expect(Array.from(T)).toEqual(Array.from(ttfsTargets(t, 1, base)));
  });

  it('ScaledSink scales weight and bias gradients and passes afterProjection on', () => {
    const w = new Float64Array(2),
      b = new Float64Array(2),
      calls: number[] = [];
    const inner: GradientSink = {
      target: (k) => (k === 0 ? { array: w, coef: -2 } : null),
      biasTarget: () => ({ array: b, coef: 3 }),
      afterProjection: (k) => calls.push(k),
    };
    const s = new ScaledSink().wrap(inner, 0.25);
    expect(s.target(0)).toEqual({ array: w, coef: -0.5 });
    expect(s.target(1)).toBeNull();
    expect(s.biasTarget(1)).toEqual({ array: b, coef: 0.75 });
    s.afterProjection(4);
    expect(calls).toEqual([4]);
    const split = new ScaledSink().wrap({ ...inner, target: () => ({ array: w, coef: -2 }) }, 0.5, 0.25, 1, 2);
    expect(split.target(0)).toEqual({ array: w, coef: -0.5 });
    expect(split.target(1)).toEqual({ array: w, coef: -1 });
    expect(split.biasTarget(1)).toEqual({ array: b, coef: 0.75 });
    expect(split.biasTarget(2)).toEqual({ array: b, coef: 1.5 });
  });
});

describe.each(['delta', 'relu'] as const)('the push on the %s kernel: its reach', (kernel) => {
  it("reach 0: a settled sample's push reaches the output weights and no hidden weight", () => {
    const relu = kernel === 'relu',
      gamma = relu ? 1 : 3;
    // relu: a softmax-trained network decides early and by a margin, so that settled samples exist
    const net = trained(kernel, { loss: relu ? 'softmax' : 'ttfs' }, relu ? 1000 : 3000),
      input = new ClassifierInput(net),
      w = net.output.window;
    const settings = (reach: number) => ({
      loss: 'aggressive' as const,
      variant: 'earlier' as const,
      gamma,
      gammaA: gamma,
      beta: 3,
      silentPenalty: 0,
      push: { weight: 1, silence: false, reach },
      relu: relu ? { readout: 'spike' as const, dropout: 0, floatTwin: false, seed: 0 } : null,
    });
    // output times from the window's start (relu: the window [17, 25] is [0, 8] to the targets)
    const start = w?.start ?? 0,
      tmax = w ? w.end - w.start : net.tmax;
    const sim = new SampleLearner(net, settings(0)).sim;
    const times = (i: number) =>
      Array.from(sim.run(input.encode(test.image(i))).timesOf(net.output), (t) => Math.min(t, net.tmax) - start);
    const s = [...Array(200).keys()].find((i) => settled(times(i), test.labels[i], tmax, gamma))!;
    expect(s).toBeDefined();
    const grads = (reach: number) => {
      const g = new GradientCollector(net);
      new SampleLearner(net, settings(reach)).learn(test.image(s), test.labels[s], g);
      return g.grad.map((a) => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0));
    };
    const [hidden, output] = grads(0),
      full = grads(1),
      part = grads(0.25);
    expect(hidden).toBe(0);
    expect(output).toBeGreaterThan(0);
    expect(full[0]).toBeGreaterThan(0);
    expect(part[0]).toBeCloseTo(0.25 * full[0], 12);
    expect(part[1]).toBe(full[1]);
  });
});

/** Weights, scales and biases of a network as bytes, to compare two trainings bit for bit. */
function bytes(net: Network): Buffer {
  const parts = net.projections.flatMap((p) => [p.weights, Float64Array.of(p.scale)]);
  parts.push(...net.populations.map((p) => p.bias));
  return Buffer.concat(parts.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
}

function trained(kernel: 'delta' | 'relu', opts: TrainOptions, images: number): Network {
  const net = buildClassifier({ kernel, seed: 1 });
  const relu = kernel === 'relu' ? { optimiser: { kind: 'adam' as const, lr: 1e-3, batch: 16 }, dropout: 0.3 } : {};
  new ClassifierTrainer(net, { seed: 2, ...relu, ...opts }).trainEpoch(train, undefined, images);
  return net;
}

describe.each(['delta', 'relu'] as const)('the push on the %s kernel', (kernel) => {
  const n = kernel === 'delta' ? 1500 : 600,
    gamma = kernel === 'delta' ? 3 : 1;
  it('weight 0 trains as TTFS bit for bit; a weight above 0 trains otherwise', () => {
    const ttfs = bytes(trained(kernel, { loss: 'ttfs', gamma }, n));
    expect(bytes(trained(kernel, { loss: 'aggressive', gamma, push: 0 }, n)).equals(ttfs)).toBe(true);
    expect(bytes(trained(kernel, { loss: 'aggressive', gamma, push: 0.1 }, n)).equals(ttfs)).toBe(false);
  });
});

describe('the push decides earlier than TTFS', () => {
  it('delta kernel, 3,000 images: an earlier mean first output spike', () => {
    const ttfs = evaluateClassifier(trained('delta', { loss: 'ttfs' }, 3000), test, { limit: 500 });
    const pushed = evaluateClassifier(trained('delta', { loss: 'aggressive', push: 0.1 }, 3000), test, { limit: 500 });
    expect(pushed.inferenceTime).toBeLessThan(ttfs.inferenceTime);
  });

  it('refuses what it is not: push beside another loss, out of [0, 1], silence alone', () => {
    const net = buildClassifier({ seed: 1 });
    expect(() => new ClassifierTrainer(net, { loss: 'ttfs', push: 0.1 })).toThrow(/reading of the aggressive loss/);
    expect(() => new ClassifierTrainer(net, { loss: 'aggressive', push: 2 })).toThrow(/push must be in \[0, 1\]/);
    expect(() => new ClassifierTrainer(net, { loss: 'aggressive', pushSilence: true })).toThrow(/go with push/);
    expect(() => new ClassifierTrainer(net, { loss: 'aggressive', pushSchedule: 'down' })).toThrow(/go with push/);
  });

  it('the schedules: constant, down from w to w/epochs, up from w/epochs to w', () => {
    expect([0, 1, 3].map((e) => pushWeight(0.4, 'constant', e, 4))).toEqual([0.4, 0.4, 0.4]);
    const near = (xs: number[], ys: number[]) => xs.forEach((x, k) => expect(x).toBeCloseTo(ys[k], 12));
    near(
      [0, 1, 2, 3].map((e) => pushWeight(0.4, 'down', e, 4)),
      [0.4, 0.3, 0.2, 0.1],
    );
    near(
      [0, 1, 2, 3, 9].map((e) => pushWeight(0.4, 'up', e, 4)),
      [0.1, 0.2, 0.3, 0.4, 0.4],
    );
  });
});
