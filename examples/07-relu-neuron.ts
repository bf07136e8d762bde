// examples/07-relu-neuron.ts — run with: pnpm exec tsx examples/07-relu-neuron.ts
// The ReLU-equivalent TTFS neuron (Stanojevic et al. 2024): each layer owns a time window, a neuron
// fires once at t = end − clip(D + Σ w·x, 0, B), and its exact spike-time gradient is a ReLU
// network's. Here a small spiking classifier and its float twin train side by side on MNIST and
// stay equal, step for step.
import { Backprop, FloatTwin, Optimiser, reluNetwork, Rng, Simulator, valuesToTimes } from '@spiking-gan/core';
import { loadMnist } from '@spiking-gan/gan';

const train = loadMnist('train'),
  test = loadMnist('test');
// 784 pixels (x = p/255, window [0, 1]) → 64 hidden (window B = 16) → 10 outputs read as potentials
const make = () => reluNetwork({ sizes: [784, 64, 10], windows: [1, 16, 8], seed: 1 });
const snn = make(),
  flt = make();
const sim = new Simulator(snn),
  bp = new Backprop(snn, { normalise: false, readout: true });
const twin = new FloatTwin(flt, { readout: true });
const opt = (net: typeof snn) => new Optimiser(net, { kind: 'adam', lr: 2e-3, decay: 0, batch: 16 });
const optS = opt(snn),
  optF = opt(flt);

const x = new Float64Array(784),
  err = new Float64Array(10);
const pixels = (img: Uint8Array) => {
  for (let p = 0; p < 784; p++) x[p] = img[p] / 255;
  return x;
};
/** Softmax cross-entropy on the potentials u: ∂L/∂u = softmax(u) − one-hot. */
const softmaxError = (u: Float64Array, label: number) => {
  const m = Math.max(...u);
  let z = 0;
  for (let k = 0; k < 10; k++) z += err[k] = Math.exp(u[k] - m);
  for (let k = 0; k < 10; k++) err[k] = err[k] / z - (k === label ? 1 : 0);
  return err;
};

const rng = new Rng(2);
for (let s = 0; s < 3000; s++) {
  const i = rng.int(train.n),
    label = train.labels[i];
  const rec = sim.run(valuesToTimes(pixels(train.image(i)), snn.populations[0].window!));
  bp.run(rec, softmaxError(rec.potentialOf(snn.output), label), optS);
  optS.endSample();
  twin.backward(softmaxError(twin.forward(pixels(train.image(i))), label), optF);
  optF.endSample();
}

let right = 0,
  spikes = 0,
  worst = 0;
for (let i = 0; i < 1000; i++) {
  const rec = sim.run(valuesToTimes(pixels(test.image(i)), snn.populations[0].window!));
  const u = rec.potentialOf(snn.output);
  if (u.indexOf(Math.max(...u)) === test.labels[i]) right++;
  spikes += rec.totalSpikes();
}
snn.projections.forEach((p, k) =>
  p.weights.forEach((w, e) => (worst = Math.max(worst, Math.abs(w - flt.projections[k].weights[e])))),
);
console.log(`after 3,000 samples (${optS.steps} Adam steps): ${(right / 10).toFixed(1)} % of 1,000 test digits right`);
console.log(`spikes per image: ${(spikes / 1000).toFixed(1)} of 74 neurons (hidden and output)`);
console.log(`largest weight difference between the SNN and its float twin: ${worst.toExponential(1)}`);
