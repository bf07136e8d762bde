// The engine's two paths: the WebAssembly SIMD kernel that Simulator.run takes for layered dense
// networks, and the TypeScript event loop (backend: 'typescript'). Same records, bit for bit.
// Run: pnpm exec tsx examples/06-simd-engine.ts   (SPIKING_GAN_ENGINE=ts turns the kernels off)
import { encodeBytes, engineBackend, Network, Simulator } from '@spiking-gan/core';
import { loadMnist } from '@spiking-gan/gan';

console.log('kernels:', engineBackend()); // { backend: 'wasm-simd', reason: null } once `pnpm install` has built them

const net = new Network(); // S4NN's 784-400-10, discrete time, delay 1
net.addInput(784);
net.addLayer(400, { threshold: 100, init: { uniform: [0, 5], seed: 1 } });
net.addLayer(10, { threshold: 100, init: { uniform: [0, 48], seed: 2 } });
const fast = new Simulator(net); // the kernel, when it can run this network
const slow = new Simulator(net, { backend: 'typescript' }); // always the event loop
console.log('paths:', fast.backend, 'and', slow.backend);

const mnist = loadMnist('test');
const images = Array.from({ length: 2000 }, (_, i) => encodeBytes(mnist.image(i), { tmax: net.tmax }));
for (const [name, sim] of [
  ['kernel', fast],
  ['event loop', slow],
] as const) {
  for (const x of images.slice(0, 200)) sim.run(x); // warm-up
  const t0 = performance.now();
  for (const x of images) sim.run(x);
  console.log(`${name.padEnd(10)} ${((1000 * (performance.now() - t0)) / images.length).toFixed(1)} µs per image`);
}

let same = 0;
for (const x of images) {
  const a = fast.run(x).clone(),
    b = slow.run(x);
  if (
    a.times.every((t, g) => Object.is(t, b.times[g])) &&
    a.potential.every((v, g) => Object.is(v, b.potential[g])) &&
    a.synapticEvents === b.synapticEvents
  )
    same++;
}
console.log(`identical records (spike times, potentials, events): ${same} of ${images.length}`);
