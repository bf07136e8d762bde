// Continuous time with the ramp kernel: each arrival starts a constant current, so V is piecewise
// linear and the firing time has a closed form, t = (θ + Σ w_i a_i) / Σ w_i over the arrivals so far.
// Run: pnpm exec tsx examples/03-continuous-ramp.ts
import { Network, Simulator } from '@spiking-gan/core';

const theta = 1,
  delay = 0.5,
  w = [0.8, 0.5, -0.3];
const net = new Network({ time: 'continuous', tmax: 10 });
const input = net.addInput(3);
const out = net.addPopulation(1, { name: 'out', threshold: theta });
net.connect(input, out, { kernel: 'ramp', delay, weights: w }); // weights [n_out = 1, n_in = 3]
const sim = new Simulator(net);

/**
 * The closed form: walk the arrivals in time order and keep the first prediction that comes before the next
 * arrival.
 */
function closedForm(tIn: number[]): number {
  const arrivals = tIn.map((t, i) => ({ a: t + delay, w: w[i] })).sort((x, y) => x.a - y.a);
  let W = 0,
    A = 0;
  for (let k = 0; k < arrivals.length; k++) {
    W += arrivals[k].w;
    A += arrivals[k].w * arrivals[k].a;
    const t = (theta + A) / W,
      next = arrivals[k + 1]?.a ?? Infinity;
    if (W > 0 && t <= next) return t;
  }
  return net.tmax; // silent
}

const tIn = [0.2, 1.1, 4.0];
const t = sim.run(tIn).timesOf(out)[0];
console.log(
  `inputs at ${tIn.join(', ')} -> output at ${t.toFixed(6)} (simulated), ${closedForm(tIn).toFixed(6)} (closed form)`,
);

// Spike times are smooth in the input times: dt_out/dt_in_i = w_i / W over the inputs that arrived before the spike.
const h = 1e-4,
  W = w[0] + w[1];
const shifted = sim.run([tIn[0], tIn[1] + h, tIn[2]]).timesOf(out)[0];
console.log(
  `d t_out / d t_in1: ${((shifted - t) / h).toFixed(6)} (finite difference), ${(w[1] / W).toFixed(6)} (w_1 / W)`,
);
