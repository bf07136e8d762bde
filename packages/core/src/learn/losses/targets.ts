// S4NN's TTFS target rule and Aggressive TTFS on output spike times, and the output error of targets.
/** Which target rule a classifier-style temporal loss uses. */
export type LossName = 'ttfs' | 'aggressive';

/** Options of the target rules. */
export interface TargetOptions {
  /** Window length (the time of a silent neuron). */
  tmax: number;
  /** Margin γ between the desired neuron and the others (default 3). */
  gamma?: number;
  /** Aggressive TTFS: how far before the current winner the desired neuron is asked to fire (default γ). */
  gammaA?: number;
  /**
   * Aggressive TTFS variant: `earlier` (default, T_y = max(τ* − γ_a, 0) always), `winner` (the same
   * push only once the desired neuron wins alone by γ, TTFS otherwise) or `absolute` (T_y = 0, wrong neurons at tmax).
   */
  variant?: 'earlier' | 'winner' | 'absolute';
}

/**
 * S4NN's relative targets ("TTFS", previous works): with τ* the earliest output spike, every neuron
 * within γ of τ* is pushed to min(τ* + γ, tmax), the desired one to τ*; others keep their time.
 * If nothing fired: all at tmax, the desired one at tmax − γ.
 */
export function ttfsTargets(t: ArrayLike<number>, y: number, opts: TargetOptions, out?: Float64Array): Float64Array {
  const tmax = opts.tmax,
    gamma = opts.gamma ?? 3;
  const T = out ?? new Float64Array(t.length);
  checkLabel(y, t.length);
  const m = minOf(t);
  if (m >= tmax) {
    T.fill(tmax);
    T[y] = tmax - gamma;
    return T;
  }
  for (let k = 0; k < t.length; k++) T[k] = t[k] - m < gamma ? Math.min(m + gamma, tmax) : t[k];
  T[y] = m;
  return T;
}

/**
 * Aggressive TTFS (the paper's loss; its exact formula is not public, this is our reading): as TTFS, but the
 * desired neuron is always asked to fire γ_a before the current winner, T_y = max(τ* − γ_a, 0), so the
 * decision keeps moving earlier. Variant `absolute`: T_y = 0 and every other neuron at tmax.
 */
export function aggressiveTargets(
  t: ArrayLike<number>,
  y: number,
  opts: TargetOptions,
  out?: Float64Array,
): Float64Array {
  const tmax = opts.tmax,
    gamma = opts.gamma ?? 3,
    gammaA = opts.gammaA ?? gamma;
  if ((opts.variant ?? 'earlier') === 'absolute') {
    const T = out ?? new Float64Array(t.length);
    checkLabel(y, t.length);
    T.fill(tmax);
    T[y] = 0;
    return T;
  }
  const T = ttfsTargets(t, y, opts, out);
  const m = Math.min(minOf(t), tmax);
  if (opts.variant === 'winner') {
    // push only a clear, correct decision: y fired first and every other neuron at least γ later
    for (let k = 0; k < t.length; k++) if (k !== y && t[k] - t[y] < gamma) return T;
    if (t[y] >= tmax) return T;
  }
  T[y] = Math.max(m - gammaA, 0);
  return T;
}

/** Targets by loss name. */
export function targets(
  loss: LossName,
  t: ArrayLike<number>,
  y: number,
  opts: TargetOptions,
  out?: Float64Array,
): Float64Array {
  if (loss === 'ttfs') return ttfsTargets(t, y, opts, out);
  if (loss === 'aggressive') return aggressiveTargets(t, y, opts, out);
  throw new Error(`targets: unknown loss '${String(loss)}' (use ttfs or aggressive)`);
}

/** Output error δ_k = (T_k − t_k) / tmax (this is −∂L/∂t_k of L = ½ Σ e²; normalisation happens in backprop). */
export function outputError(
  T: ArrayLike<number>,
  t: ArrayLike<number>,
  tmax: number,
  out?: Float64Array,
): Float64Array {
  const d = out ?? new Float64Array(t.length);
  for (let k = 0; k < t.length; k++) d[k] = (T[k] - Math.min(t[k], tmax)) / tmax;
  return d;
}

function minOf(t: ArrayLike<number>): number {
  let m = Infinity;
  for (let k = 0; k < t.length; k++) if (t[k] < m) m = t[k];
  return m;
}

function checkLabel(y: number, n: number): void {
  if (!Number.isInteger(y) || y < 0 || y >= n) {
    throw new RangeError(`targets: label ${y} is not an output neuron (0..${n - 1})`);
  }
}
