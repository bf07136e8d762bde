// A network handed to another thread: its shape and where its weights sit in the shared kernel
// memory. The other thread rebuilds the populations and projections around the same weights (no
// copy), so every update made in one thread is seen by the other.
import { kernelMemory, offsetOf, viewF64 } from './kernel-memory.ts';
import { Network, type Kernel, type TimeMode } from './network.ts';

/** The shape of a network and the kernel-memory offsets of its weights (structured-clone safe). */
export interface SharedNetwork {
  tmax: number;
  time: TimeMode;
  delay: number;
  populations: { name: string; size: number; isInput: boolean; threshold: number[] }[];
  projections: { src: number; dst: number; delay: number; kernel: Kernel; offset: number; length: number }[];
}

/** Describes `net` for `attachNetwork` in a worker thread (dense projections in the kernel memory only). */
export function shareNetwork(net: Network): SharedNetwork {
  if (!kernelMemory()) throw new Error('shareNetwork: no kernel memory here (WebAssembly unavailable or SPIKING_GAN_ENGINE=ts), so weights cannot be shared between threads');
  return {
    tmax: net.tmax,
    time: net.time,
    delay: net.defaultDelay,
    populations: net.populations.map((p) => ({ name: p.name, size: p.size, isInput: p.isInput, threshold: Array.from(p.threshold) })),
    projections: net.projections.map((p) => {
      const offset = offsetOf(p.weights);
      if (!p.dense || offset < 0) throw new Error(`shareNetwork: projection ${p.index} (${p.src.name} -> ${p.dst.name}) is not a dense projection in the kernel memory`);
      return { src: p.src.index, dst: p.dst.index, delay: p.delay, kernel: p.kernel, offset, length: p.weights.length };
    }),
  };
}

/** Rebuilds a shared network in this thread around the same weights (after `adoptKernelMemory`). */
export function attachNetwork(d: SharedNetwork): Network {
  const net = new Network({ tmax: d.tmax, time: d.time, delay: d.delay });
  const pops = d.populations.map((p) => (p.isInput ? net.addInput(p.size, p.name) : net.addPopulation(p.size, { name: p.name, threshold: p.threshold })));
  for (const pr of d.projections) net.connect(pops[pr.src], pops[pr.dst], { delay: pr.delay, kernel: pr.kernel, storage: viewF64(pr.offset, pr.length) });
  return net;
}
