// Networks and arrays shared with worker threads (the root export's shareNetwork, sharedArray,
// shareArray, attachNetwork, attachArray, drainInto): a worker thread sees the same weights and
// arrays, not copies, and its writes are seen here; without the kernel memory (SPIKING_GAN_ENGINE=ts)
// sharing is refused with the reason.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { attachArray, drainInto, engineBackend, Network, shareArray, sharedArray, shareNetwork } from '../src/index.ts';

const forced = process.env.SPIKING_GAN_ENGINE === 'ts';

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
    const worker = new Worker(new URL('./shared-memory-worker.mjs', import.meta.url), {
      workerData: { net: shareNetwork(net), out: shareArray(out) },
    });
    const messages: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m) => {
        messages.push(m);
        if (m === 'written') resolve();
      });
      worker.on('error', reject);
    });
    await worker.terminate();
    expect(messages[0]).toEqual({ sizes: [3, 2], weights, out: [1, 2, 3, 4, 5] });
    expect(net.projections[0].weights[0]).toBe(42);
    expect(Array.from(out)).toEqual([7, 7, 7, 7, 7]);
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
