// Runs the vitest suite and ends with a plain `N passed, N failed` line (CI reads that line,
// not vitest's own summary). Extra arguments go to vitest (e.g. a file filter).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'sgan-test-'));
const report = join(dir, 'vitest.json');
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const r = spawnSync('pnpm', ['exec', ...args], { stdio: 'inherit' });
let passed = 0, failed = 0, skipped = 0;
try {
  const j = JSON.parse(readFileSync(report, 'utf8'));
  passed = j.numPassedTests ?? 0;
  // failed tests, plus test files that failed without a failing test (e.g. an error while loading)
  failed = j.numFailedTests ?? 0;
  for (const f of j.testResults ?? []) if (f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')) failed++;
  skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
} catch (e) {
  console.error(`test.mjs: no vitest report at ${report} (${e.message})`);
  failed = Math.max(failed, 1);
}
rmSync(dir, { recursive: true, force: true });
if (skipped) console.log(`${skipped} skipped (see vitest's list above for which and why)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(r.status === 0 && failed === 0 ? 0 : 1);
