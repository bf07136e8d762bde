// S4NN.py's test-set count, ported line by line (dense voltages, its class order, argmax of the
// output voltage three steps before the end when no output fired), against `evaluateClassifier`
// with `undecided: 's4nn'`, image by image.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBytes, saveModel, Simulator, type Network } from '@spiking-gan/core';
import { buildClassifier } from '../src/classify/model.ts';
import { ClassifierTrainer } from '../src/classify/train.ts';
import { evaluateClassifier } from '../src/classify/evaluate.ts';
import { classOf, S4NN_CLASS_ORDER, s4nnUndecidedClass } from '../src/classify/s4nn-rule.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { expectFailure } from './expect-failure.ts';
import { runCli } from './run-cli.ts';

const train = loadMnist('train'),
  test = loadMnist('test');
const TMAX = 256,
  THR = 100;

/** S4NN.py's weights of `net`: W[layer][m][i], its output neuron m being our digit S4NN_CLASS_ORDER[m]. */
function s4nnWeights(net: Network): number[][][] {
  return net.projections.map((pr, k) => {
    const rows = k === net.projections.length - 1 ? S4NN_CLASS_ORDER : [...Array(pr.dst.size).keys()];
    return rows.map((j) => Array.from({ length: pr.src.size }, (_, i) => pr.weight(i, j)));
  });
}

/** One image through S4NN.py's evaluation loop: its firing times and, per layer, Voltage (tmax + 1 steps). */
function s4nnForward(W: number[][][], times: ArrayLike<number>): { t: number[]; V: number[][] } {
  let spikeTimes = Array.from(times);
  let V: number[][] = [];
  for (const layer of W) {
    V = layer.map((w) => {
      const v = new Array<number>(TMAX + 1).fill(0);
      for (let i = 0; i < spikeTimes.length; i++) v[spikeTimes[i]] += w[i]; // tensordot with the spike train
      for (let s = 1; s <= TMAX; s++) v[s] += v[s - 1]; // cumsum
      v[TMAX] = THR + 1; // the fake spike
      return v;
    });
    spikeTimes = V.map((v) => Math.min(v.findIndex((x) => x > THR) + 1, TMAX));
  }
  return { t: spikeTimes, V };
}

/** S4NN.py's verdict on one test image (labels in its class order), and its class (a digit) when no output fired. */
function s4nnVerdict(W: number[][][], times: ArrayLike<number>, digit: number): { right: boolean; undecided: number } {
  const { t, V } = s4nnForward(W, times);
  const label = S4NN_CLASS_ORDER.indexOf(digit),
    min = Math.min(...t);
  if (min === TMAX) {
    const v = V.map((row) => row[TMAX - 3]),
      m = v.indexOf(Math.max(...v)); // np.argmax: the first maximum
    return { right: m === label, undecided: S4NN_CLASS_ORDER[m] };
  }
  return { right: t[label] === min, undecided: -1 };
}

describe("S4NN.py's count of the test set (ties correct, its rule for undecided images)", () => {
  // trained on 2,000 images, then its output weights scaled by 0.45, so that most test images leave
  // every output neuron silent (164 of the first 200)
  const net = buildClassifier({ seed: 2 });
  new ClassifierTrainer(net, { seed: 2 }).trainEpoch(train, undefined, 2000);
  const out = net.projections[1];
  for (let i = 0; i < out.weights.length; i++) out.weights[i] *= 0.45;
  const n = 200,
    sim = new Simulator(net),
    W = s4nnWeights(net),
    x = new Float64Array(784);
  const verdicts = Array.from({ length: n }, (_, s) => {
    encodeBytes(test.image(s), { tmax: TMAX, quantise: true }, x);
    return s4nnVerdict(W, x, test.labels[s]);
  });

  it('agrees with S4NN.py image by image: the verdict, and the class of every undecided image', () => {
    let undecided = 0,
      right = 0;
    for (let s = 0; s < n; s++) {
      encodeBytes(test.image(s), { tmax: TMAX, quantise: true }, x);
      const rec = sim.run(x),
        y = test.labels[s],
        ref = verdicts[s];
      expect(rec.decided, `image ${s}`).toBe(ref.undecided < 0);
      if (!rec.decided) {
        undecided++;
        expect(classOf(net, rec, 's4nn'), `image ${s}`).toBe(ref.undecided);
      } else {
        expect(rec.timesOf(net.output)[y] === rec.decisionTime, `image ${s}`).toBe(ref.right);
      }
      if (ref.right) right++;
    }
    expect(undecided).toBeGreaterThan(100);
    const m = evaluateClassifier(net, test, { limit: n, undecided: 's4nn' });
    expect(m.undecidedRule).toBe('s4nn');
    expect(Math.round(m.accuracyTiesCorrect * n)).toBe(right);
  });

  it("the default rule classifies some of those images otherwise (so the check above needs S4NN's rule)", () => {
    let differ = 0;
    for (let s = 0; s < n; s++) {
      encodeBytes(test.image(s), { tmax: TMAX, quantise: true }, x);
      const rec = sim.run(x);
      if (!rec.decided && rec.prediction() !== verdicts[s].undecided) differ++;
    }
    expect(differ).toBeGreaterThan(0);
    expect(evaluateClassifier(net, test, { limit: n }).undecidedRule).toBe('potential');
  });

  it("breaks ties in S4NN's class order and counts hidden spikes up to tmax − 3 only", () => {
    const rec = sim.run(new Float64Array(784).fill(TMAX)); // nothing fires: every potential 0
    expect(s4nnUndecidedClass(net, rec)).toBe(4);
    expect(rec.prediction()).toBe(0);
    const hidden = rec.timesOf(net.populations[1]);
    hidden[300] = TMAX - 2; // too late for S4NN's Voltage[tmax − 3]
    const kept = out.weights[300 * 10 + 7];
    out.weights[300 * 10 + 7] = 50;
    expect(s4nnUndecidedClass(net, rec)).toBe(4);
    hidden[300] = TMAX - 3;
    expect(s4nnUndecidedClass(net, rec)).toBe(7);
    out.weights[300 * 10 + 7] = kept;
  });

  it('refuses networks it does not describe', () => {
    const relu = buildClassifier({ kernel: 'relu', seed: 1 });
    const rec = new Simulator(relu).run(new Float64Array(784).fill(1));
    expect(() => s4nnUndecidedClass(relu, rec)).toThrow(/delta-kernel output layer of 10 neurons/);
    expect(() => evaluateClassifier(net, test, { limit: 1, undecided: 'x' as 's4nn' })).toThrow(/potential or s4nn/);
  });
});

describe('classify train --json and --undecided (CLI)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sgan-s4nn-eval-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const cli = (...args: string[]) => runCli(tmp, ['classify', ...args], 90_000);
  const small = ['--epochs', '2', '--train-limit', '300', '--test-limit', '200', '--hidden', '20', '--quiet'];

  it("every epoch of the history holds S4NN's count beside the strict one; --undecided s4nn is recorded", async () => {
    const out = join(tmp, 'c.safetensors');
    const r = await cli('train', ...small, '--undecided', 's4nn', '--json', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.settings.undecided).toBe('s4nn');
    expect(j.history).toHaveLength(2);
    for (const e of j.history) {
      expect(e.testAccuracyTiesCorrect).toBeGreaterThanOrEqual(e.testAccuracy);
      expect(e.undecided).toBeGreaterThanOrEqual(0);
    }
    expect(j.history[1].testAccuracyTiesCorrect).toBe(j.test.accuracyTiesCorrect);
    expect(j.test.undecidedRule).toBe('s4nn');
    const e = await cli('eval', '--model', out, '--limit', '200', '--undecided', 's4nn', '--json');
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).accuracyTiesCorrect).toBe(j.test.accuracyTiesCorrect);
  });

  it("refuses an unknown rule, and S4NN's on a kernel it does not describe (naming the model file)", async () => {
    expectFailure(
      await cli('train', ...small, '--undecided', 'first', '--out', join(tmp, 'x.safetensors')),
      'classify train',
      ['--undecided', 'first'],
    );
    const relu = ['--kernel', 'relu', '--undecided', 's4nn', '--out', join(tmp, 'y.safetensors')];
    expectFailure(await cli('train', ...small, ...relu), 'classify train', ['--undecided s4nn', 'relu']);
    const model = join(tmp, 'relu.safetensors');
    saveModel(model, buildClassifier({ kernel: 'relu', seed: 1 }));
    expectFailure(await cli('eval', '--model', model, '--limit', '5', '--undecided', 's4nn'), 'classify eval', [
      model,
      '--undecided s4nn',
      'relu',
    ]);
  });
});
