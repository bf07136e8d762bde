// The packages as a Node user gets them: core and gan are built (tsc) and packed (pnpm pack, which
// swaps in the compiled exports and real versions for workspace:*), the tarballs are installed
// into a fresh npm project outside the workspace (from the npm registry: their dependencies and
// @types/node), and then, with plain Node and no tsx: a .mjs script builds a network and runs it
// on the WebAssembly kernels shipped in the package; a strict NodeNext TypeScript consumer
// type-checks against the shipped declarations; the installed `spiking-gan --help` answers.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const dir = mkdtempSync(join(tmpdir(), 'sgan-install-'));
const project = join(dir, 'project');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command; throws with its output when it fails. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}): exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout + r.stderr;
}

/** Environment of the consumer: nothing of the workspace's engine settings. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['SPIKING_GAN_ENGINE', 'SPIKING_GAN_KERNEL_FILE', 'SPIKING_GAN_DEBUG', 'NODE_OPTIONS']) delete env[k];
  return env;
}

const script = `
import { KERNEL_FILE, Network, Simulator, encodeUnit, engineBackend } from '@spiking-gan/core';
import { buildClassifier } from '@spiking-gan/gan';
const net = new Network({ tmax: 16 });
net.addInput(4);
net.addLayer(3, { threshold: 0.5, init: { uniform: [0, 1], seed: 1 } });
const sim = new Simulator(net);
const rec = sim.run(encodeUnit([1, 0.5, 0.25, 0], { tmax: 16 }));
const clf = new Simulator(buildClassifier({ seed: 1 }));
console.log(JSON.stringify({
  engine: engineBackend(), backend: sim.backend, reason: sim.backendReason, classifier: clf.backend,
  kernelFile: KERNEL_FILE.pathname, spikes: Array.from(rec.times).filter((t) => t < 16).length,
}));
`;

const consumer = `
import { Network, Simulator, encodeUnit, saveModel, loadModel, Optimiser, type RunRecord } from '@spiking-gan/core';
import { allocF64 } from '@spiking-gan/core/internals';
import { buildClassifier, makeConfig, createTrainer, loadOrTrainJudge, type GanConfig } from '@spiking-gan/gan';

const net: Network = new Network({ tmax: 16 });
net.addInput(4);
net.addLayer(3, { threshold: 0.5 });
const sim = new Simulator(net);
const rec: RunRecord = sim.run(encodeUnit([1, 0.5, 0.25, 0], { tmax: 16 }));
const reason: string | null = sim.backendReason;
const config: GanConfig = makeConfig();
const opt = new Optimiser(net, { lr: 0.1 });
export const all = [
  rec.times.length, reason, config, opt, saveModel, loadModel, buildClassifier, createTrainer, loadOrTrainJudge,
  allocF64(2),
];
`;

const tsconfig = {
  compilerOptions: {
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2022',
    lib: ['ES2022'],
    types: ['node'],
    strict: true,
    skipLibCheck: false,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
  },
  files: ['consumer.ts'],
};

describe('installed from the packed tarballs', () => {
  it('builds, packs, installs with npm; plain Node runs the engine on the shipped kernels; strict tsc; the bin', () => {
    // The JavaScript build of `prepack` (build/kernels.wasm is built by `pnpm install`; it is not rebuilt
    // here, as other test files read it meanwhile), then pnpm pack without scripts.
    const tarballs = join(dir, 'tarballs');
    for (const pkg of ['core', 'gan']) {
      run('pnpm', ['--filter', `@spiking-gan/${pkg}`, 'run', pkg === 'core' ? 'build:js' : 'build'], ROOT);
      const folder = join(ROOT, 'packages', pkg);
      run('pnpm', ['--config.ignore-scripts=true', 'pack', '--pack-destination', tarballs], folder);
    }
    const files = readdirSync(tarballs).sort();
    expect(files).toEqual(['spiking-gan-core-0.1.0.tgz', 'spiking-gan-gan-0.1.0.tgz']);
    const listing = files.map((f) => run('tar', ['tzf', join(tarballs, f)], dir)).join('');
    expect(listing).toContain('package/build/kernels.wasm');
    expect(listing).toContain('package/LICENSE');
    expect(listing).not.toMatch(/package\/(src|test)\//);

    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const env = userEnv();
    const from = files.map((f) => join(tarballs, f));
    const npmArgs = ['install', '--no-audit', '--no-fund', '--prefer-offline', ...from, '@types/node@^20.19.0'];
    run('npm', npmArgs, project, env);
    expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', '@spiking-gan', 'core', 'src'))).toBe(false);

    writeFileSync(join(project, 'check.mjs'), script);
    const r = spawnSync(process.execPath, ['check.mjs'], { cwd: project, env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.engine).toEqual({ backend: 'wasm-simd', reason: null });
    expect(out.backend).toBe('wasm-simd');
    expect(out.reason).toBeNull();
    expect(out.classifier).toBe('wasm-simd');
    expect(out.kernelFile).toBe(join(project, 'node_modules/@spiking-gan/core/build/kernels.wasm'));
    expect(out.spikes).toBeGreaterThan(0);

    writeFileSync(join(project, 'consumer.ts'), consumer);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
    run(process.execPath, [TSC, '-p', '.'], project, env);

    const bin = join(project, 'node_modules', '.bin', 'spiking-gan');
    const help = spawnSync(bin, ['--help'], { cwd: project, env, encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: spiking-gan /);
    expect(help.stderr).toBe('');
  }, 600_000);
});
