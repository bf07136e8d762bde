// The classifier's target rules on output spike times: TTFS and Aggressive TTFS (core's `targets`),
// with the weight of each sample's update, which is how the `push` reading of Aggressive TTFS keeps
// its accuracy (see `PushSettings`).
import { targets, ttfsTargets, type GradientSink, type LossName } from '@spiking-gan/core';

/** A target rule's settings (core's `TargetOptions` and the push's). */
export interface TargetSettings {
  loss: LossName;
  /** Window length: the time of a silent neuron (times run from 0, the window's start). */
  tmax: number;
  gamma: number;
  gammaA: number;
  variant: 'earlier' | 'winner' | 'absolute';
  /** The push's weight and reach (see `PushSettings`); null: the rule as it is, every sample at weight 1. */
  push: PushSettings | null;
}

/**
 * Aggressive TTFS read as a weighted push. A sample is *settled* when TTFS asks nothing of it: the
 * label's neuron fired first, every other one γ later or silent. An unsettled sample learns TTFS's
 * targets at weight 1, as S4NN does, so that every wrong or close decision is corrected in full. A
 * settled one is asked to decide earlier, `T_y = max(τ* − γ_a, 0)`, at weight `weight` (and, with
 * `silence`, wrong neurons that fired to stay silent, `T_k = tmax`). S4NN's gradient is normalised per
 * sample, so without the weight a push of one step moves the weights as far as a wrong decision does:
 * since most training samples are settled, the push then outweighs every correction and the accuracy
 * collapses (the `earlier` and `winner` variants).
 *
 * On the relu kernel (windows laid end to end) the push decides earlier but fires more spikes than TTFS.
 * There the first output spike's time is a gauge of the output layer's gain: weights and biases times
 * c > 1 move every decision earlier and change no decision and no spike; and every hidden spike comes
 * before the output window opens, so an earlier decision saves none of them. TTFS leaves the label's
 * neuron just above silence (decisions at the window's end) with selective hidden neurons, because its
 * errors only push wrong neurons down. The push's error on the label makes the hidden neurons that feed
 * it fire on more images wherever it reaches the hidden layer; with reach 0 it outweighs TTFS's
 * corrections, tiny near the window's end (x/B), in the output layer and costs accuracy instead.
 */
export interface PushSettings {
  /** Weight of a settled sample's update (0: TTFS; 1: in full, nearly the `winner` variant). */
  weight: number;
  /** On settled samples, wrong neurons that fired are asked to stay silent (T_k = tmax). */
  silence: boolean;
  /**
   * The share of the push's weight its update carries into the hidden layers (1: all, as backprop
   * gives it; 0: the output layer's weights only, so that the decision comes earlier on the hidden
   * spikes there are). Not a loss of its own: a rule for where the push's gradient goes.
   */
  reach: number;
}

/**
 * True when TTFS asks nothing of the sample (its targets are the times): the label's neuron fired
 * first, every other one at least γ later or silent (a target past tmax is tmax).
 */
export function settled(t: ArrayLike<number>, y: number, tmax: number, gamma: number): boolean {
  if (!(t[y] < tmax)) return false;
  for (let k = 0; k < t.length; k++) if (k !== y && t[k] < tmax && t[k] - t[y] < gamma) return false;
  return true;
}

/** Writes the sample's targets into `T` and returns the weight of its update. */
export function sampleTargets(t: ArrayLike<number>, y: number, o: TargetSettings, T: Float64Array): number {
  const opts = { tmax: o.tmax, gamma: o.gamma, gammaA: o.gammaA, variant: o.variant };
  if (o.push === null) {
    targets(o.loss, t, y, opts, T);
    return 1;
  }
  ttfsTargets(t, y, opts, T);
  if (!settled(t, y, o.tmax, o.gamma)) return 1;
  T[y] = Math.max(t[y] - o.gammaA, 0);
  if (o.push.silence) for (let k = 0; k < t.length; k++) if (k !== y && t[k] < o.tmax) T[k] = o.tmax;
  return o.push.weight;
}

/** A gradient sink that scales another's gradients by a factor (one sample's weight); the decay is untouched. */
export class ScaledSink implements GradientSink {
  /** The factor applied to the next gradients. */
  factor = 1;
  /** The factor of the other layers' gradients (weights and biases; their decay is untouched). */
  hiddenFactor = 1;
  /** Which projection and population are the output layer's (the factor applies there, `hiddenFactor` elsewhere). */
  private outProjection = -1;
  private outPopulation = -1;
  private readonly slot: { array: Float64Array; coef: number } = { array: new Float64Array(0), coef: 0 };
  private readonly biasSlot: { array: Float64Array; coef: number } = { array: new Float64Array(0), coef: 0 };

  private inner: GradientSink | null = null;

  /**
   * Points this sink at `inner` with `factor` for the output layer (projection `outProjection`, population
   * `outPopulation`) and `hiddenFactor` for the others (default: `factor` everywhere); returns it.
   */
  wrap(inner: GradientSink, factor: number, hiddenFactor = factor, outProjection = -1, outPopulation = -1): ScaledSink {
    this.inner = inner;
    this.factor = factor;
    this.hiddenFactor = hiddenFactor;
    this.outProjection = outProjection;
    this.outPopulation = outPopulation;
    return this;
  }

  target(k: number): { array: Float64Array; coef: number } | null {
    const t = this.inner!.target(k);
    if (!t) return null;
    this.slot.array = t.array;
    this.slot.coef = t.coef * (k === this.outProjection ? this.factor : this.hiddenFactor);
    return this.slot;
  }

  afterProjection(k: number): void {
    this.inner!.afterProjection(k);
  }

  biasTarget(p: number): { array: Float64Array; coef: number } | null {
    const t = this.inner!.biasTarget?.(p) ?? null;
    if (!t) return null;
    this.biasSlot.array = t.array;
    this.biasSlot.coef = t.coef * (p === this.outPopulation ? this.factor : this.hiddenFactor);
    return this.biasSlot;
  }
}
