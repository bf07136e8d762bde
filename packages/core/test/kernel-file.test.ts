// Where the SIMD kernels come from (the package's build/kernels.wasm, SPIKING_GAN_KERNEL_FILE or
// useKernelFile), the one warning when they cannot be loaded, and Simulator.backendReason.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { KERNEL_FILE, Network, Simulator } from '../src/index.ts';

const index = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sgan-kernel-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ChildRun {
  out: { backends: string[]; reasons: (string | null)[] };
  stderr: string;
}

/** Builds and runs two layered networks in a child (after \`before\`); its stdout's last line and its stderr. */
function child(env: Record<string, string>, before = ''): ChildRun {
  const script = `
import { Network, Simulator, useKernelFile } from ${JSON.stringify(index)};
${before}
const backends = [], reasons = [];
for (let k = 0; k < 2; k++) {
  const net = new Network({ tmax: 16 });
  net.addInput(5);
  net.addLayer(3, { threshold: 1, init: { uniform: [0, 1], seed: k } });
  const sim = new Simulator(net);
  sim.run([0, 1, 2, 3, 4]);
  backends.push(sim.backend);
  reasons.push(sim.backendReason);
}
console.log(JSON.stringify({ backends, reasons }));
`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, SPIKING_GAN_ENGINE: '', SPIKING_GAN_KERNEL_FILE: '', ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return { out: JSON.parse(r.stdout.trim().split('\n').pop()!), stderr: r.stderr };
}

describe('Simulator.backendReason', () => {
  it('is null on the kernels, and says why otherwise', () => {
    const net = new Network({ tmax: 16 });
    net.addInput(4);
    const hidden = net.addLayer(3, { threshold: 1, init: { uniform: [0, 1], seed: 1 } });
    const onKernels = new Simulator(net);
    const asked = new Simulator(net, { backend: 'typescript' });
    expect(asked.backend).toBe('typescript');
    expect(asked.backendReason).toBe("the 'typescript' backend was asked for");
    if (process.env.SPIKING_GAN_ENGINE !== 'ts') {
      expect(onKernels.backend).toBe('wasm-simd');
      expect(onKernels.backendReason).toBeNull();
    }
    net.connect(hidden, hidden, { init: { uniform: [0, 0.5], seed: 2 } });
    const recurrent = new Simulator(net);
    expect(recurrent.backend).toBe('typescript');
    expect(recurrent.backendReason).toMatch(/layered|SPIKING_GAN_ENGINE=ts/);
  });
});

describe.skipIf(process.env.SPIKING_GAN_ENGINE === 'ts')('the kernel file', () => {
  it("is the package's build/kernels.wasm by default", () => {
    expect(fileURLToPath(KERNEL_FILE)).toBe(fileURLToPath(new URL('../build/kernels.wasm', import.meta.url)));
    const { out, stderr } = child({});
    expect(out.backends).toEqual(['wasm-simd', 'wasm-simd']);
    expect(stderr).not.toMatch(/SPIKING_GAN_NO_KERNELS/);
  }, 60_000);

  it('can be named by SPIKING_GAN_KERNEL_FILE or useKernelFile()', () => {
    const copy = join(dir, 'copy.wasm');
    copyFileSync(KERNEL_FILE, copy);
    expect(child({ SPIKING_GAN_KERNEL_FILE: copy }).out.backends).toEqual(['wasm-simd', 'wasm-simd']);
    const named = child({ SPIKING_GAN_KERNEL_FILE: join(dir, 'none.wasm') }, `useKernelFile(${JSON.stringify(copy)});`);
    expect(named.out.backends).toEqual(['wasm-simd', 'wasm-simd']);
  }, 60_000);

  it('when it cannot be read: one warning naming it, the TypeScript path, and the reason on every simulator', () => {
    const missing = join(dir, 'missing.wasm');
    const { out, stderr } = child({ SPIKING_GAN_KERNEL_FILE: missing });
    expect(out.backends).toEqual(['typescript', 'typescript']);
    expect(out.reasons[0]).toBe(`SPIKING_GAN_KERNEL_FILE=${missing} cannot be read (ENOENT)`);
    expect(out.reasons[1]).toBe(out.reasons[0]);
    expect(stderr.match(/SPIKING_GAN_NO_KERNELS/g)?.length).toBe(1);
    expect(stderr).toContain(missing);
  }, 60_000);

  it('SPIKING_GAN_ENGINE=ts takes the TypeScript path without a warning', () => {
    const { out, stderr } = child({ SPIKING_GAN_ENGINE: 'ts' });
    expect(out.backends).toEqual(['typescript', 'typescript']);
    expect(out.reasons).toEqual(['SPIKING_GAN_ENGINE=ts', 'SPIKING_GAN_ENGINE=ts']);
    expect(stderr).not.toMatch(/SPIKING_GAN_NO_KERNELS/);
  }, 60_000);
});
