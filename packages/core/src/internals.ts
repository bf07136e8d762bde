/**
 * The engine's internals (kernel memory, shared networks, queues), for packages that extend it.
 * @module @spiking-gan/core/internals
 */
// The engine's internals, for packages that extend it (the data-parallel classifier trainer of
// @spiking-gan/gan, the benchmark): the kernel memory's allocator, networks shared between worker
// threads, and the engine's queues. `import ... from '@spiking-gan/core/internals'`; not covered by
// the stability of the root export.
export { allocF64, viewF64, kernelMemory, adoptKernelMemory, offsetOf } from './engine/kernel-memory.ts';
export { drainInto } from './kernels/choose.ts';
export type { KernelMemory } from './engine/kernel-memory.ts';
export { shareNetwork, attachNetwork } from './engine/shared-network.ts';
export type { SharedNetwork } from './engine/shared-network.ts';
export { BucketQueue } from './engine/bucket-queue.ts';
export { ArrivalHeap } from './engine/arrival-heap.ts';
export { SpikeQueue } from './engine/spike-queue.ts';
