// Learning-rate schedules: the factor an optimiser's base rate is multiplied by (`setRateFactor`).

/**
 * The cosine decay's factor at `step` of `steps`: 0.5·(1 + cos(π·step / steps)), from 1 at step 0
 * down to 0 at the last (steps below 1 count as 1). For a fraction p of a run, `cosineFactor(p, 1)`.
 */
export function cosineFactor(step: number, steps: number): number {
  return 0.5 * (1 + Math.cos((Math.PI * step) / Math.max(1, steps)));
}
