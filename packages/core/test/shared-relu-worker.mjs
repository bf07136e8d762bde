// A worker thread of shared-memory.test.ts: attaches a network of ReLU-equivalent neurons, runs it on
// the input it is handed and reports the output; then writes a bias of the shared network and one of
// a copy of its biases (`ownBiases`), which must stay here (the sources are TypeScript: tsx is registered first).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { attachNetwork, SpikingPass } = await import('../src/index.ts');
const net = attachNetwork(workerData.net);
const out = Array.from(new SpikingPass(net).forward(workerData.input));
const windows = net.populations.map((p) => p.window);
parentPort.postMessage({ out, windows, kernels: net.projections.map((p) => p.kernel) });
attachNetwork(workerData.net, { ownBiases: [1] }).populations[1].bias[1] = -7;
net.populations[1].bias[0] = 0.25;
parentPort.postMessage('written');
