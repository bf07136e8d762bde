// The line-length check (at most 120 characters, as eslint's max-len counts them: code points) of the
// AssemblyScript kernels, which eslint and prettier leave alone (decorated functions are not TypeScript syntax).
// Run by `pnpm lint` after eslint; prints each long line as file:line and exits 1 if there is one.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const MAX = 120;
const root = join(import.meta.dirname, '..');
const dirs = process.argv.length > 2 ? process.argv.slice(2) : [join(root, 'packages/core/assembly')];

let long = 0;
for (const dir of dirs) {
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.ts')) continue;
    const path = join(dir, name);
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const length = Array.from(line).length;
        if (length > MAX) {
          long++;
          console.error(`${relative(process.cwd(), path)}:${i + 1}: ${length} characters (at most ${MAX})`);
        }
      });
  }
}
if (long > 0) {
  console.error(`line-length: ${long} line${long === 1 ? '' : 's'} over ${MAX} characters`);
  process.exit(1);
}
