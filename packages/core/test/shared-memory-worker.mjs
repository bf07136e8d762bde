// A worker thread of shared-memory.test.ts: attaches the network and the array it is handed, reports
// what it sees, then writes into both (the sources are TypeScript: tsx is registered first).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { attachArray, attachNetwork } = await import('../src/index.ts');
const net = attachNetwork(workerData.net);
const out = attachArray(workerData.out);
const w = net.projections[0].weights;
const sizes = net.populations.map((p) => p.size);
parentPort.postMessage({ sizes, weights: Array.from(w.subarray(0, 4)), out: Array.from(out) });
w[0] = 42;
out.fill(7);
parentPort.postMessage('written');
