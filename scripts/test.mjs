// Runs the vitest suite and ends with a plain `N passed, N failed` line (CI reads that line,
// not vitest's own summary). Extra arguments go to vitest (e.g. a file filter).
// Without extra arguments, a second leg follows: the engine and learning tests again with
// SPIKING_GAN_ENGINE=ts, the TypeScript path of users without WebAssembly SIMD, then the type check,
// the lint and the format check of the whole tree (each counted as one check); the last line counts them all.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The engine and learning tests that the TypeScript-only leg runs again. */
const TS_LEG = [
  'engine',
  'wasm-engine',
  'learn',
  'learn-kernels',
  'relu-kernel',
  's4nn-rule',
  'optimiser-protocol',
  'properties',
  'library-edges',
  'shared-memory',
].map((name) => `packages/core/test/${name}.test.ts`);

/** Runs vitest with `extra` arguments and `env`; returns its exit status and test counts. */
function vitest(extra, env) {
  const dir = mkdtempSync(join(tmpdir(), 'sgan-test-'));
  const report = join(dir, 'vitest.json');
  const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra];
  const r = spawnSync('pnpm', ['exec', ...args], { stdio: 'inherit', env });
  let passed = 0,
    failed = 0,
    skipped = 0;
  try {
    const j = JSON.parse(readFileSync(report, 'utf8'));
    passed = j.numPassedTests ?? 0;
    // failed tests, plus test files that failed without a failing test (e.g. an error while loading)
    failed = j.numFailedTests ?? 0;
    for (const f of j.testResults ?? []) {
      if (f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')) failed++;
    }
    skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  } catch (e) {
    console.error(`test.mjs: no vitest report at ${report} (${e.message})`);
    failed = Math.max(failed, 1);
  }
  rmSync(dir, { recursive: true, force: true });
  return { ok: r.status === 0 && failed === 0, passed, failed, skipped };
}

const extra = process.argv.slice(2);
const legs = [vitest(extra, process.env)];
if (extra.length === 0 && process.env.SPIKING_GAN_ENGINE !== 'ts') {
  console.log('\nThe TypeScript-only leg: engine and learning tests with SPIKING_GAN_ENGINE=ts');
  legs.push(vitest(TS_LEG, { ...process.env, SPIKING_GAN_ENGINE: 'ts' }));
}
/** The whole-tree checks after the tests, each counted as one check: type check, lint, format. */
const CHECKS = [
  ['The type check', 'typecheck'],
  ['The lint (typescript-eslint, import-x, lines <= 120 incl. the AssemblyScript kernels)', 'lint'],
  ['The format check (prettier, width 120)', 'format:check'],
];
if (extra.length === 0) {
  for (const [title, script] of CHECKS) {
    console.log(`\n${title}: pnpm ${script}`);
    const ok = spawnSync('pnpm', ['-s', script], { stdio: 'inherit' }).status === 0;
    console.log(`pnpm ${script} ${ok ? 'passed' : 'failed'}`);
    legs.push({ ok, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 });
  }
}
const sum = (k) => legs.reduce((s, l) => s + l[k], 0);
if (sum('skipped')) console.log(`${sum('skipped')} skipped (see vitest's list above for which and why)`);
console.log(`${sum('passed')} passed, ${sum('failed')} failed`);
process.exit(legs.every((l) => l.ok) ? 0 : 1);
