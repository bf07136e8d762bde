// What both GAN trainers do to their parameters around a step: check that training stayed finite,
// follow the learning-rate schedule, and move a moving average of G towards G.
import { cosineFactor, type Network, type Optimiser } from '@spiking-gan/core';
import type { GanConfig } from '../models/config.ts';
import { DivergenceError } from './divergence.ts';

/** Throws a DivergenceError naming the network and parameter when a weight, scale or bias is not finite. */
export function checkFiniteNetworks(nets: readonly (readonly [string, Network])[], step: number): void {
  for (const [name, net] of nets) {
    for (const p of net.projections) {
      if (!(Number.isFinite(p.scale) && p.scale > 0)) {
        throw new DivergenceError(`${name} projection ${p.index} has scale ${p.scale}`, step);
      }
      const w = p.weights;
      for (let k = 0; k < w.length; k++) {
        if (Number.isFinite(w[k])) continue;
        throw new DivergenceError(`${name} projection ${p.index} weight ${k} is ${w[k]}`, step);
      }
    }
    for (const p of net.populations) {
      for (let j = 0; j < p.bias.length; j++) {
        if (Number.isFinite(p.bias[j])) continue;
        throw new DivergenceError(`${name} population '${p.name}' bias ${j} is ${p.bias[j]}`, step);
      }
    }
  }
}

/** The weight β of the moving average's past at `step`: min(gEma, (1 + step)/(10 + step)). */
export function averageWeight(gEma: number, step: number): number {
  return Math.min(gEma, (1 + step) / (10 + step));
}

/**
 * Moves the moving average `ema` of G towards G: ema ← β·ema + (1 − β)·G for every effective weight
 * (scale applied) and bias, β = min(gEma, (1 + step)/(10 + step)) (a warm-up while few steps are averaged).
 */
export function followAverage(ema: Network, G: Network, gEma: number, step: number): void {
  const beta = averageWeight(gEma, step);
  G.projections.forEach((p, k) => moveAverage(ema.projections[k].weights, p.weights, beta, p.scale));
  G.populations.forEach((p, k) => moveAverage(ema.populations[k].bias, p.bias, beta));
}

/** e ← β·e + (1 − β)·scale·w over [from, to) (the rule of `followAverage`, for one array or a part of it). */
export function moveAverage(e: Float64Array, w: Float64Array, beta: number, scale = 1, from = 0, to = w.length): void {
  for (let i = from; i < to; i++) e[i] = beta * e[i] + (1 - beta) * scale * w[i];
}

/** Sets the rate factor of `optimisers` for `step` of the cosine schedule (a constant schedule leaves them). */
export function followSchedule(cfg: GanConfig, step: number, optimisers: readonly Optimiser[]): void {
  if (cfg.schedule !== 'cosine') return;
  const f = cosineFactor(step, cfg.steps);
  for (const o of optimisers) o.setRateFactor(f);
}
