// Sparse (CSR) projections and recurrent wiring: a ring of 8 neurons, each exciting the next one.
// Every neuron fires at most once, so a wave goes round the ring once and stops.
// Run: pnpm exec tsx examples/04-recurrent-sparse.ts
import { Network, Simulator } from '@spiking-gan/core';

const n = 8;
const net = new Network({ tmax: 50 }); // discrete time
const input = net.addInput(2);
const ring = net.addPopulation(n, { name: 'ring', threshold: 1 });

// CSR by presynaptic neuron: the targets of source i are indices[indptr[i] .. indptr[i+1]).
// input 0 -> ring 0, input 1 -> ring 4 (delay 1, the default)
net.connect(input, ring, { sparse: { indptr: [0, 1, 2], indices: [0, 4], values: [2, 2] } });
// ring i -> ring (i + 1) mod n, 3 steps of delay: a recurrent projection from the population to itself
net.connect(ring, ring, {
  sparse: {
    indptr: Array.from({ length: n + 1 }, (_, i) => i),
    indices: Array.from({ length: n }, (_, i) => (i + 1) % n),
    values: new Array(n).fill(2),
  },
  delay: 3,
});

const sim = new Simulator(net);
for (const times of [
  [0, 50],
  [0, 10],
]) {
  // 50 = tmax: input 1 silent; then input 1 at step 10 cuts in at ring 4
  const rec = sim.run(times);
  console.log(
    `inputs at [${times}]: ring fires at [${Array.from(rec.timesOf(ring))}], ` +
      `${rec.spikes[ring.index]} spikes, ${rec.synapticEvents} synaptic events`,
  );
}
