/**
 * The engine's internals (the kernel memory's allocator, the event queues), for packages that extend it.
 * @module @spiking-gan/core/internals
 */
// The engine's internals, for packages that extend it or look inside it (tests, the benchmark): the
// kernel memory's allocator (arrays by byte offset, joining another thread's memory) and the event
// loop's queues. `import ... from '@spiking-gan/core/internals'`; not covered by the stability of
// the root export. Sharing networks and arrays between worker threads is in the root export
// (shareNetwork, sharedArray, ...): it names no offset and no allocator.
export { allocF64, viewF64, kernelMemory, adoptKernelMemory, offsetOf } from './engine/kernel-memory.ts';
export type { KernelMemory } from './engine/kernel-memory.ts';
export { BucketQueue } from './engine/bucket-queue.ts';
export { ArrivalHeap } from './engine/arrival-heap.ts';
export { SpikeQueue } from './engine/spike-queue.ts';
