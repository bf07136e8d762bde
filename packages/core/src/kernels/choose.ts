// The one place where the backend is chosen: a class's `backend` option, SPIKING_GAN_ENGINE, and
// whether the WebAssembly SIMD kernels load here (and fit in the kernel memory).
import { engineBackend, KernelMemoryFull, kernels } from '../engine/kernel-memory.ts';
import type { KernelOps } from './ops.ts';
import { OVER_BUDGET, SimdKernels } from './simd.ts';
import { typescriptKernels } from './typescript.ts';

/** The backend chosen for one Simulator, Backprop or Optimiser. */
export interface KernelChoice {
  /** The SIMD kernels, or null: the TypeScript twins (`typescriptKernels`) run. */
  simd: SimdKernels | null;
  /** Why the TypeScript twins run (null when the SIMD kernels do). */
  reason: string | null;
}

/**
 * Resolves a `backend` option: `auto` takes the SIMD kernels unless SPIKING_GAN_ENGINE=ts, the
 * kernels cannot be loaded here, or the kernel memory cannot hold `scratch` values of staging
 * arrays (Backprop's; 0 for none); any other option (`typescript`, the simulator's `event-loop`)
 * takes TypeScript. The reason says why TypeScript runs.
 */
export function chooseKernels(asked: string, scratch = 0): KernelChoice {
  if (asked !== 'auto') return { simd: null, reason: `the '${asked}' backend was asked for` };
  const engine = engineBackend();
  if (engine.reason !== null) return { simd: null, reason: engine.reason };
  try {
    return { simd: new SimdKernels(kernels()!, scratch), reason: null };
  } catch (e) {
    if (e instanceof KernelMemoryFull) return { simd: null, reason: OVER_BUDGET };
    throw e;
  }
}

/** The kernels of a choice. */
export function kernelsOf(choice: KernelChoice): KernelOps {
  return choice.simd ?? typescriptKernels;
}
