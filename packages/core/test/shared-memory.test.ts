// Networks and arrays shared with worker threads (the root export's shareNetwork, sharedArray,
// shareArray, attachNetwork, attachArray, drainInto): a worker thread sees the same weights and
// arrays, not copies, and its writes are seen here; without the kernel memory (SPIKING_GAN_ENGINE=ts)
// sharing is refused with the reason.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  attachArray,
  attachNetwork,
  drainInto,
  engineBackend,
  Network,
  reluNetwork,
  shareArray,
  sharedArray,
  shareNetwork,
  SpikingPass,
} from '../src/index.ts';

const forced = process.env.SPIKING_GAN_ENGINE === 'ts';

/** Runs a worker script on `workerData` until it posts 'written'; returns the messages before that. */
async function runWorker(script: string, workerData: unknown): Promise<unknown[]> {
  const worker = new Worker(new URL(script, import.meta.url), { workerData });
  const messages: unknown[] = [];
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m) => {
      if (m === 'written') resolve();
      else messages.push(m);
    });
    worker.on('error', reject);
  });
  await worker.terminate();
  return messages;
}

function smallNet(): Network {
  const net = new Network({ tmax: 16 });
  net.addInput(3);
  net.addLayer(2, { threshold: 1.5, init: { uniform: [0, 1], seed: 4 } });
  return net;
}

describe.skipIf(forced)('sharing with worker threads', () => {
  it('a worker thread sees the weights and the array, and what it writes is seen here', async () => {
    const net = smallNet(),
      out = sharedArray(5),
      weights = Array.from(net.projections[0].weights.subarray(0, 4));
    out.set([1, 2, 3, 4, 5]);
    const messages = await runWorker('./shared-memory-worker.mjs', { net: shareNetwork(net), out: shareArray(out) });
    expect(messages[0]).toEqual({ sizes: [3, 2], weights, out: [1, 2, 3, 4, 5] });
    expect(net.projections[0].weights[0]).toBe(42);
    expect(Array.from(out)).toEqual([7, 7, 7, 7, 7]);
  });

  it('a worker thread runs a network of ReLU-equivalent neurons on the same weights and biases', async () => {
    const net = reluNetwork({ sizes: [6, 9, 4], windows: [2, 8, 1], seed: 7, biasGain: 1 }),
      input = [0.5, 0, 1.5, 2, 0.25, 1];
    const here = Array.from(new SpikingPass(net).forward(input)),
      bias1 = net.populations[1].bias[1];
    const [seen] = await runWorker('./shared-relu-worker.mjs', { net: shareNetwork(net), input });
    expect(seen).toEqual({
      out: here,
      windows: net.populations.map((p) => p.window),
      kernels: ['relu', 'relu'],
    });
    expect(here.some((x) => x > 0)).toBe(true);
    // its write to the shared biases is seen here; the one to its own copy (ownBiases) is not
    expect([net.populations[1].bias[0], net.populations[1].bias[1]]).toEqual([0.25, bias1]);
  });

  it('ownBiases gives this thread a copy of the biases, taken when attaching', () => {
    const net = reluNetwork({ sizes: [3, 4, 2], windows: [1, 4, 1], seed: 2, biasGain: 1 }),
      bias = net.populations[1].bias;
    const shared = attachNetwork(shareNetwork(net)),
      own = attachNetwork(shareNetwork(net), { ownBiases: [1] });
    expect(Array.from(own.populations[1].bias)).toEqual(Array.from(bias));
    own.populations[1].bias[0] = 99;
    shared.populations[2].bias[1] = 5;
    expect([bias[0] === 99, net.populations[2].bias[1], own.populations[2].bias[1]]).toEqual([false, 5, 5]);
  });

  it('attachArray in this thread gives the same values, not a copy; drainInto adds and clears', () => {
    const a = sharedArray(3),
      b = sharedArray(3);
    a.set([1, 2, 3]);
    b.set([10, 20, 30]);
    const view = attachArray(shareArray(a));
    view[1] = 5;
    expect(Array.from(a)).toEqual([1, 5, 3]);
    drainInto(b, a);
    expect([Array.from(b), Array.from(a)]).toEqual([
      [11, 25, 33],
      [0, 0, 0],
    ]);
  });

  it('refuses an array outside the kernel memory and a network whose weights are elsewhere', () => {
    expect(() => shareArray(new Float64Array(4))).toThrow(/shareArray: the array is not in the kernel memory/);
    const net = new Network({ tmax: 8 });
    net.addInput(1);
    net.addLayer(2, { storage: new Float64Array(2) });
    expect(() => shareNetwork(net)).toThrow(
      /shareNetwork: projection 0 \(input -> layer1\) is not a dense projection in the kernel memory/,
    );
  });
});

describe('sharing without the kernel memory', () => {
  it.runIf(forced)('is refused with the reason', () => {
    expect(engineBackend().reason).toBe('SPIKING_GAN_ENGINE=ts');
    expect(() => sharedArray(4)).toThrow('sharedArray: no shared kernel memory here (SPIKING_GAN_ENGINE=ts)');
    expect(() => shareNetwork(smallNet())).toThrow(
      'shareNetwork: no shared kernel memory here (SPIKING_GAN_ENGINE=ts)',
    );
  });

  it('drainInto adds ordinary arrays too, and refuses arrays of different lengths', () => {
    const a = Float64Array.from([0.5, -1]),
      b = Float64Array.from([1, 1]);
    drainInto(b, a);
    expect([Array.from(b), Array.from(a)]).toEqual([
      [1.5, 0],
      [0, 0],
    ]);
    expect(() => drainInto(new Float64Array(2), new Float64Array(3))).toThrow(RangeError);
  });
});
