// The commit of the code that runs: the provenance recorded in model files, run summaries and reports.
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The short hash of the git commit that `file` (default: this package's code) is checked out from,
 * with `-dirty` when tracked files have uncommitted changes (the suffix of `git describe --dirty`),
 * or 'unknown' when there is no git or `file` is not a tracked file (an installed package).
 */
export function gitCommit(file: string = fileURLToPath(import.meta.url)): string {
  const cwd = dirname(file);
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();
  try {
    git('ls-files', '--error-unmatch', file);
    const sha = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}
