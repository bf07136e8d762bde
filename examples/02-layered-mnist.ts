// S4NN's 784-400-10 network on a few MNIST test digits: TTFS coding, and what early stop saves.
// The weights are S4NN's initialisation, untrained, so predictions are chance; the point is the counts.
// Run: pnpm exec tsx examples/02-layered-mnist.ts
import { encodeBytes, Network, Simulator } from '@spiking-gan/core';
import { loadMnist } from '@spiking-gan/gan';

const net = new Network(); // S4NN defaults: tmax 256, delay 1, discrete time
net.addInput(784); // one neuron per pixel
net.addLayer(400, { name: 'hidden', threshold: 100, init: { uniform: [0, 5], seed: 1 } });
net.addLayer(10, { name: 'output', threshold: 100, init: { uniform: [0, 48], seed: 2 } });
const sim = new Simulator(net); // the decision is the first spike of the last population

const mnist = loadMnist('test'); // 10,000 images as bytes
console.log(
  'digit  label  first output  prediction  spikes (whole / early stop)  synaptic events (whole / early stop)',
);
for (let i = 0; i < 5; i++) {
  const times = encodeBytes(mnist.image(i), { tmax: net.tmax }); // bright pixels spike early, black ones never
  const whole = sim.run(times).clone(); // clone: the simulator reuses its record
  const early = sim.run(times, { earlyStop: true }); // stop at the first output spike
  console.log(
    `#${i}     ${mnist.labels[i]}      ` +
      `${String(whole.decided ? whole.decisionTime : 'none').padEnd(12)}  ${String(whole.prediction()).padEnd(10)}  ` +
      `${whole.totalSpikes()} / ${early.totalSpikes()}`.padEnd(29) +
      `${whole.synapticEvents} / ${early.synapticEvents}`,
  );
}
