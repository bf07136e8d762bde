// Without the SIMD kernels (SPIKING_GAN_ENGINE=ts here, as when build/kernels.wasm is missing or
// WebAssembly SIMD is not available), everything runs on the TypeScript path with the same results.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Network, Simulator, engineBackend } from '../src/index.ts';

const index = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const internals = fileURLToPath(new URL('../src/internals.ts', import.meta.url));

/** Spike times and counts of a small delta network and a small ramp network, as JSON. */
const script = `
import { Network, Simulator, engineBackend } from ${JSON.stringify(index)};
import { allocF64, offsetOf } from ${JSON.stringify(internals)};
const out = { backend: engineBackend(), alloc: offsetOf(allocF64(4)), runs: [] };
for (const time of ['discrete', 'continuous']) {
  const ramp = time === 'continuous';
  const net = new Network({ tmax: ramp ? 4 : 32, time, delay: ramp ? 0 : 1 });
  net.addInput(20);
  const kernel = ramp ? 'ramp' : 'delta';
  net.addLayer(13, { kernel, threshold: ramp ? 0.6 : 3, init: { uniform: [-0.3, 1.2], seed: 5 } });
  net.addLayer(3, { kernel, threshold: ramp ? 0.4 : 2, init: { uniform: [-0.2, 1.5], seed: 6 } });
  const sim = new Simulator(net);
  const x = Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? Infinity : ramp ? (i * 0.37) % 4 : (i * 7) % 32));
  const rec = sim.run(x);
  out.runs.push({
    backend: sim.backend,
    times: Array.from(rec.times),
    potential: Array.from(rec.potential),
    slope: Array.from(rec.slope),
    syn: rec.synapticEvents,
  });
}
console.log(JSON.stringify(out));
`;

function runChild(env: Record<string, string>): {
  backend: { backend: string; reason: string | null };
  alloc: number;
  runs: { backend: string; times: number[]; potential: number[]; slope: number[]; syn: number }[];
} {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe.skipIf(process.env.SPIKING_GAN_ENGINE === 'ts')('without the SIMD kernels', () => {
  it('says why, keeps weights in ordinary arrays, and gives the same records as the kernels', () => {
    expect(engineBackend().backend).toBe('wasm-simd');
    const ts = runChild({ SPIKING_GAN_ENGINE: 'ts' }),
      simd = runChild({});
    expect(ts.backend).toEqual({ backend: 'typescript', reason: 'SPIKING_GAN_ENGINE=ts' });
    expect(ts.alloc).toBe(-1);
    expect(simd.backend.backend).toBe('wasm-simd');
    expect(ts.runs.map((r) => r.backend)).toEqual(['typescript', 'typescript']);
    expect(simd.runs.map((r) => r.backend)).toEqual(['wasm-simd', 'wasm-simd']);
    expect(ts.runs).toEqual(simd.runs.map((r) => ({ ...r, backend: 'typescript' })));
    // and the records are the ones this process computes on the kernels
    const net = new Network({ tmax: 32 });
    net.addInput(20);
    net.addLayer(13, { threshold: 3, init: { uniform: [-0.3, 1.2], seed: 5 } });
    net.addLayer(3, { threshold: 2, init: { uniform: [-0.2, 1.5], seed: 6 } });
    const rec = new Simulator(net).run(Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? Infinity : (i * 7) % 32)));
    expect(Array.from(rec.times)).toEqual(ts.runs[0].times);
  }, 60_000);
});

describe.skipIf(process.env.SPIKING_GAN_ENGINE === 'ts')('the kernel memory budget', () => {
  const title =
    'gives ordinary arrays past the budget (with one warning), so networks built in one synchronous loop stay ' +
    'correct and bounded';
  it(title, { timeout: 60_000 }, () => {
    const loop = `
import { Network, Simulator } from ${JSON.stringify(index)};
const backends = [], times = [];
for (let i = 0; i < 12; i++) {
  const net = new Network();
  net.addInput(784);
  net.addLayer(400, { init: { uniform: [0, 5], seed: 1 } }); // 2.5 MB of weights each
  net.addLayer(10, { init: { uniform: [0, 48], seed: 2 } });
  const sim = new Simulator(net);
  backends.push(sim.backend);
  times.push(Array.from(sim.run(Array.from({ length: 784 }, (_, p) => (p * 37) % 300)).times).join(','));
}
console.log(JSON.stringify({ backends, same: times.every((t) => t === times[0]) }));
`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', loop], {
      env: { ...process.env, SPIKING_GAN_KERNEL_MB: '8' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.same).toBe(true);
    expect(out.backends.slice(0, 3)).toEqual(['wasm-simd', 'wasm-simd', 'wasm-simd']);
    expect(out.backends.slice(-3)).toEqual(['typescript', 'typescript', 'typescript']);
    expect(r.stderr.match(/SPIKING_GAN_KERNEL_MEMORY/g)?.length).toBe(1);
  });
});
