// The smallest network: 3 input neurons -> 2 integrate-and-fire neurons, one run, spike times out.
// Run: pnpm exec tsx examples/01-first-network.ts
import { Network, Simulator } from '@spiking-gan/core';

const net = new Network({ tmax: 10 }); // discrete time: steps 0..9, every synapse delays 1 step
const input = net.addInput(3);
const out = net.addLayer(2, {
  threshold: 1, // a neuron fires once, when its potential V > 1
  weights: [
    0.6,
    0.6,
    0.0, // weights [n_out, n_in], as in torch.nn.Linear: out 0 listens to inputs 0 and 1
    0.0,
    0.0,
    1.5,
  ], //                                               out 1 listens to input 2
});

const rec = new Simulator(net).run([0, 2, 5]); // input spike times; a time >= tmax would mean "no spike"
console.log('input spike times: ', Array.from(rec.timesOf(input)));
console.log('output spike times:', Array.from(rec.timesOf(out)), '(silent neurons report tmax =', net.tmax + ')');
console.log(
  `spikes: ${rec.totalSpikes()}, synaptic events: ${rec.synapticEvents}, first to fire: neuron ${rec.prediction()}`,
);
