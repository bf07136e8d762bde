// gitCommit: the commit a file is checked out from, '-dirty' with uncommitted changes, 'unknown' outside git.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { gitCommit } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'sgan-git-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();

describe('gitCommit', () => {
  it('names the commit of a tracked file, adds -dirty when a tracked file changed, unknown when untracked', () => {
    const file = join(dir, 'code.ts');
    expect(gitCommit(file)).toBe('unknown');
    git('init', '-q');
    writeFileSync(file, 'one\n');
    expect(gitCommit(file)).toBe('unknown');
    git('add', 'code.ts');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'one');
    const sha = git('rev-parse', '--short', 'HEAD');
    expect(sha).toMatch(/^[0-9a-f]{7,}$/);
    writeFileSync(join(dir, 'other.ts'), 'untracked files do not count\n');
    expect(gitCommit(file)).toBe(sha);
    writeFileSync(file, 'two\n');
    expect(gitCommit(file)).toBe(`${sha}-dirty`);
  });

  it('by default names the checkout of this package (unknown where the tests run outside git)', () => {
    const cwd = fileURLToPath(new URL('.', import.meta.url));
    let head: string | null;
    try {
      head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, stdio: 'pipe' }).toString().trim();
    } catch {
      head = null;
    }
    const commit = gitCommit();
    if (head === null) expect(commit).toBe('unknown');
    else expect(commit.replace(/-dirty$/, '')).toBe(head);
  });
});
