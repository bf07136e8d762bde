// Every script in examples/ runs to completion (exit 0) and prints something.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const files = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.ts'))
  .sort();

describe('examples/', () => {
  it('has the five documented examples', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        '01-first-network.ts',
        '02-layered-mnist.ts',
        '03-continuous-ramp.ts',
        '04-recurrent-sparse.ts',
        '05-model-files.ts',
      ]),
    );
  });

  for (const f of files) {
    it(`${f} runs and exits 0`, () => {
      // `node --import tsx` is what `pnpm exec tsx` does, without the extra process.
      const r = spawnSync(process.execPath, ['--import', 'tsx', join('examples', f)], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status, `stderr:\n${r.stderr}`).toBe(0);
      expect(r.stdout.trim().length).toBeGreaterThan(0);
      expect(r.stderr).not.toMatch(/Error/);
    }, 120_000);
  }

  it('01 prints the hand-checked spike times', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/01-first-network.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stdout).toMatch(/output spike times: \[ 3, 6 \]/);
  });

  it('08 trains a classifier (saved and loaded back alike) and a GAN through the library', () => {
    const args = ['--import', 'tsx', 'examples/08-training.ts'];
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const acc = /classifier: [\d.]+ % right while training, ([\d.]+) % of 500 test digits/.exec(r.stdout);
    expect(Number(acc?.[1])).toBeGreaterThan(30);
    expect(r.stdout).toContain('saved and loaded back, same accuracy: true');
    expect(r.stdout).toMatch(/gan step 40: /);
    expect(r.stdout).toMatch(/gan: 16 samples written to /);
  }, 120_000);

  it('03 agrees with the closed form', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/03-continuous-ramp.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const m = /output at ([\d.]+) \(simulated\), ([\d.]+) \(closed form\)/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(m![2]);
  });
});
