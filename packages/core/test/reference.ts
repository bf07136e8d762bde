// Small dense clock-driven references that the event engine is checked against (test code only).
import type { Network } from '../src/index.ts';

/**
 * Discrete, clock-driven: at every step, waves of arrivals (spikes at t − d) are applied to all neurons, then
 * thresholds.
 */
export function clockDriven(net: Network, inputs: ArrayLike<number>[]): Float64Array {
  const tmax = net.tmax;
  const times = new Float64Array(net.size).fill(tmax);
  const V = new Float64Array(net.size);
  net.inputs.forEach((p, k) => {
    for (let i = 0; i < p.size; i++) if (inputs[k][i] < tmax) times[p.offset + i] = inputs[k][i];
  });
  for (let t = 0; t < tmax; t++) {
    const applied = new Set<string>();
    for (;;) {
      let any = false;
      for (const pr of net.projections) {
        for (let i = 0; i < pr.src.size; i++) {
          const ti = times[pr.src.offset + i];
          const key = `${pr.index}:${i}`;
          if (ti < tmax && ti + pr.delay === t && !applied.has(key)) {
            applied.add(key);
            any = true;
            for (let j = 0; j < pr.dst.size; j++) V[pr.dst.offset + j] += pr.weight(i, j);
          }
        }
      }
      if (!any) break;
      for (const p of net.populations) {
        if (p.isInput) continue;
        for (let j = 0; j < p.size; j++) {
          const g = p.offset + j;
          if (times[g] === tmax && V[g] > p.threshold[j]) times[g] = t;
        }
      }
    }
  }
  return times;
}

/**
 * Ramp kernel by fine-step integration of V(t) = Σ_{a_i ≤ t} w_i (t − a_i) (plus delta jumps):
 * V is advanced in steps of dt and a neuron fires at the first grid point where V > θ.
 */
export function integrateRamp(net: Network, inputs: ArrayLike<number>[], dt: number): Float64Array {
  const tmax = net.tmax;
  const times = new Float64Array(net.size).fill(tmax);
  net.inputs.forEach((p, k) => {
    for (let i = 0; i < p.size; i++) if (inputs[k][i] < tmax) times[p.offset + i] = inputs[k][i];
  });
  const V = new Float64Array(net.size);
  const I = new Float64Array(net.size);
  const done = new Set<string>();
  const steps = Math.ceil(tmax / dt);
  for (let s = 0; s <= steps; s++) {
    const t = s * dt;
    if (t >= tmax) break;
    for (let j = 0; j < net.size; j++) V[j] += I[j] * dt;
    for (const pr of net.projections) {
      for (let i = 0; i < pr.src.size; i++) {
        const ti = times[pr.src.offset + i];
        const key = `${pr.index}:${i}`;
        if (ti < tmax && ti + pr.delay <= t && !done.has(key)) {
          done.add(key);
          const a = ti + pr.delay;
          for (let j = 0; j < pr.dst.size; j++) {
            const w = pr.weight(i, j);
            if (pr.kernel === 'ramp') {
              I[pr.dst.offset + j] += w;
              V[pr.dst.offset + j] += w * (t - a);
            } else V[pr.dst.offset + j] += w;
          }
        }
      }
    }
    for (const p of net.populations) {
      if (p.isInput) continue;
      for (let j = 0; j < p.size; j++) {
        const g = p.offset + j;
        if (times[g] === tmax && V[g] > p.threshold[j]) times[g] = t;
      }
    }
  }
  return times;
}
