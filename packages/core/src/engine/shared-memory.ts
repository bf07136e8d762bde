// Networks and arrays handed to worker threads: their shape and where their values sit in the
// shared kernel memory, with the memory itself. A worker rebuilds them around the same values (no
// copy), so every update made in one thread is seen by the others: what data-parallel training
// needs (one network's weights, gradient buffers per worker, their sum).
import { chooseKernels, kernelsOf } from '../kernels/choose.ts';
import {
  adoptKernelMemory,
  allocF64,
  engineBackend,
  kernelMemory,
  offsetOf,
  viewF64,
  type KernelMemory,
} from './kernel-memory.ts';
import { Network, type Kernel, type TimeMode, type Window } from './network.ts';

/** A network of this thread described for worker threads (structured-clone safe: workerData, postMessage). */
export interface SharedNetwork {
  memory: KernelMemory;
  tmax: number;
  time: TimeMode;
  delay: number;
  populations: {
    name: string;
    size: number;
    isInput: boolean;
    threshold: number[];
    /** The window of ReLU-equivalent neurons and their inputs, else null. */
    window: Window | null;
    /** Where the biases of ReLU-equivalent neurons sit in the kernel memory (a byte offset), else -1. */
    bias: number;
  }[];
  projections: { src: number; dst: number; delay: number; kernel: Kernel; offset: number; length: number }[];
}

/** A Float64Array of the kernel memory described for worker threads (structured-clone safe). */
export interface SharedArray {
  memory: KernelMemory;
  offset: number;
  length: number;
}

/** The kernel memory, or an error saying why there is none (`where` names the caller). */
function memoryOf(where: string): KernelMemory {
  const memory = kernelMemory();
  if (!memory) {
    const why = engineBackend().reason;
    throw new Error(`${where}: no shared kernel memory here (${why}), so nothing can be shared between threads`);
  }
  return memory;
}

/**
 * Describes `net` for `attachNetwork` in a worker thread (dense projections, and the biases of
 * ReLU-equivalent neurons, in the kernel memory only).
 */
export function shareNetwork(net: Network): SharedNetwork {
  const memory = memoryOf('shareNetwork');
  return {
    memory,
    tmax: net.tmax,
    time: net.time,
    delay: net.defaultDelay,
    populations: net.populations.map((p) => {
      const bias = p.relu ? offsetOf(p.bias) : -1;
      if (p.relu && bias < 0) throw new Error(`shareNetwork: the biases of '${p.name}' are not in the kernel memory`);
      const window = p.window ? { start: p.window.start, end: p.window.end } : null;
      return { name: p.name, size: p.size, isInput: p.isInput, threshold: Array.from(p.threshold), window, bias };
    }),
    projections: net.projections.map((p) => {
      const offset = offsetOf(p.weights);
      if (!p.dense || offset < 0) {
        const name = `${p.index} (${p.src.name} -> ${p.dst.name})`;
        throw new Error(`shareNetwork: projection ${name} is not a dense projection in the kernel memory`);
      }
      return { src: p.src.index, dst: p.dst.index, delay: p.delay, kernel: p.kernel, offset, length: p.weights.length };
    }),
  };
}

/** Options of `attachNetwork`. */
export interface AttachOptions {
  /**
   * Populations (by index) whose biases this thread keeps a copy of, taken now, instead of sharing
   * them: for what writes biases per sample (dropout); the caller refreshes the copy.
   */
  ownBiases?: number[];
}

/** Rebuilds a shared network in this thread around the same weights and biases (joining the memory they live in). */
export function attachNetwork(d: SharedNetwork, opts: AttachOptions = {}): Network {
  adoptKernelMemory(d.memory);
  const own = new Set(opts.ownBiases ?? []);
  const net = new Network({ tmax: d.tmax, time: d.time, delay: d.delay });
  const pops = d.populations.map((p, k) => {
    if (p.isInput) return net.addInput(p.size, p.name, p.window ?? undefined);
    if (!p.window) return net.addPopulation(p.size, { name: p.name, threshold: p.threshold });
    const shared = viewF64(p.bias, p.size);
    const biasStorage = own.has(k) ? allocF64(p.size) : shared;
    if (biasStorage !== shared) biasStorage.set(shared);
    return net.addPopulation(p.size, { name: p.name, window: p.window, biasStorage });
  });
  for (const pr of d.projections)
    net.connect(pops[pr.src], pops[pr.dst], {
      delay: pr.delay,
      kernel: pr.kernel,
      storage: viewF64(pr.offset, pr.length),
    });
  return net;
}

/** A zeroed array of n values in the kernel memory (for `shareArray`); throws when there is none or it is full. */
export function sharedArray(n: number): Float64Array {
  memoryOf('sharedArray');
  const a = allocF64(n);
  if (n > 0 && offsetOf(a) < 0) {
    throw new Error(`sharedArray: the kernel memory cannot hold ${n} more values (raise SPIKING_GAN_KERNEL_MB)`);
  }
  return a;
}

/** Describes an array of the kernel memory (from `sharedArray`) for `attachArray` in a worker thread. */
export function shareArray(a: Float64Array): SharedArray {
  const memory = memoryOf('shareArray'),
    offset = offsetOf(a);
  if (offset < 0 && a.length > 0) {
    throw new Error('shareArray: the array is not in the kernel memory (make it with sharedArray)');
  }
  return { memory, offset, length: a.length };
}

/** The shared array in this thread (joining the memory it lives in): the same values, not a copy. */
export function attachArray(d: SharedArray): Float64Array {
  adoptKernelMemory(d.memory);
  return d.length > 0 ? viewF64(d.offset, d.length) : new Float64Array(0);
}

/** dst += src element by element, then src = 0 (on the SIMD kernel when both live in the kernel memory). */
export function drainInto(dst: Float64Array, src: Float64Array): void {
  if (dst.length !== src.length) throw new RangeError(`drainInto: lengths differ (${dst.length} vs ${src.length})`);
  kernelsOf(chooseKernels('auto')).drainInto(dst, src);
}
