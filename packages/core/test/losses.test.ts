// The losses behind one interface (learn/losses): each one's error against a finite difference of
// its loss (−∂L/∂t on spike times, ∂L/∂z on values), and their agreement with the target rules and
// softmax functions they are built from.
import { describe, expect, it } from 'vitest';
import {
  LogitBce,
  logisticLoss,
  outputError,
  softmaxError,
  SoftmaxTimeLoss,
  softmaxValueError,
  SoftmaxValueLoss,
  softplus,
  TargetLoss,
  targets,
  TimeDifferenceBce,
  type LossFunction,
} from '../src/index.ts';

/** The numerical derivative of `loss` at `out` against each output, by central differences. */
function numericGradient(loss: LossFunction, out: number[], target: number): number[] {
  const scratch = new Float64Array(out.length),
    h = 1e-6;
  return out.map((_, k) => {
    const up = out.slice(),
      dn = out.slice();
    up[k] += h;
    dn[k] -= h;
    return (loss.compute(up, target, scratch) - loss.compute(dn, target, scratch)) / (2 * h);
  });
}

/** Checks that `loss`'s error is −∂L/∂t (times) or ∂L/∂z (values), times `scale`. */
function expectGradient(loss: LossFunction, out: number[], target: number, scale = 1): void {
  const err = new Float64Array(out.length);
  loss.compute(out, target, err);
  const g = numericGradient(loss, out, target),
    sign = loss.on === 'times' ? -1 : 1;
  out.forEach((_, k) => expect(err[k]).toBeCloseTo(sign * scale * g[k], 6));
}

describe('losses of one sample', () => {
  it('softmax on −β·t and on β·z: the error is the gradient, the loss −log p_y', () => {
    expectGradient(new SoftmaxTimeLoss(2, 10), [1, 2, 4], 1);
    expectGradient(new SoftmaxValueLoss(1.5), [0.5, 3, 1.25, 0], 2);
    const err = new Float64Array(3);
    const L = new SoftmaxValueLoss(1).compute([0, Math.log(2), Math.log(5)], 1, err);
    expect(L).toBeCloseTo(Math.log(8 / 2), 12);
    // a silent output counts as tmax: moving it further changes nothing
    const silent = new SoftmaxTimeLoss(2, 10);
    expect(silent.compute([1, 10, 3], 0, err)).toBe(silent.compute([1, 50, 3], 0, err));
  });

  it("the softmax functions write the losses' errors bit for bit", () => {
    const t = [3.5, 1.25, 9, 20],
      z = [0.5, -2, 7.25],
      a = new Float64Array(4),
      b = new Float64Array(4);
    new SoftmaxTimeLoss(0.7, 10).compute(t, 2, a);
    expect(Array.from(softmaxError(t, 2, 0.7, 10, b))).toEqual(Array.from(a));
    new SoftmaxValueLoss(1.3).compute(z, 0, a);
    expect(Array.from(softmaxValueError(z, 0, 1.3, b)).slice(0, 3)).toEqual(Array.from(a).slice(0, 3));
  });

  it('bce on a logit: ∂L/∂u = σ(u) − s; on a time difference: −∂L/∂t, flat beyond the window', () => {
    expectGradient(new LogitBce(), [0.8], 0.9);
    expectGradient(new LogitBce(), [-3], 1);
    expectGradient(new TimeDifferenceBce(8, 1, 3), [0.4, 1.1], 1);
    expectGradient(new TimeDifferenceBce(8, 1, 3), [0.4, 1.1], 0);
    const err = new Float64Array(2),
      bce = new TimeDifferenceBce(8, 1, 3);
    expect(bce.compute([0.5, 3], 1, err)).toBe(bce.compute([0.5, 7], 1, err));
    expect(bce.compute([0.5, 0.5], 0.5, err)).toBeCloseTo(Math.log(2), 12);
    expect(logisticLoss(2, 1)).toBeCloseTo(Math.log1p(Math.exp(-2)), 12);
    expect(softplus(100)).toBe(100);
    expect(softplus(-100)).toBe(Math.exp(-100));
  });

  it("TTFS and Aggressive TTFS: the error is S4NN's (T − t)/tmax, tmax times the gradient of ½ Σ error²", () => {
    const o = { tmax: 20, gamma: 3, gammaA: 2 };
    for (const rule of ['ttfs', 'aggressive'] as const) {
      const loss = new TargetLoss(rule, o, 3),
        t = [5, 6.5, 12],
        err = new Float64Array(3);
      const L = loss.compute(t, 1, err);
      const T = targets(rule, t, 1, o);
      expect(Array.from(loss.T)).toEqual(Array.from(T));
      expect(Array.from(err)).toEqual(Array.from(outputError(T, t, 20)));
      expect(L).toBe(0.5 * err[0] * err[0] + 0.5 * err[1] * err[1] + 0.5 * err[2] * err[2]);
      // with the targets held (no output crosses a target rule's boundary under the small step)
      const fixed: LossFunction = {
        on: 'times',
        compute: (u, _y, e) => {
          outputError(T, u, 20, e);
          return 0.5 * (e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
        },
      };
      expectGradient(fixed, t, 1, 20);
    }
    expect(() => new TargetLoss('ttfs', o, 2).compute([1, 2], 2, new Float64Array(2))).toThrow(/label 2/);
  });
});
