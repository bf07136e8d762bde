// Package boundaries: the sources of each package import only their own files, Node's built-ins and
// the packages their package.json declares, and no path in them leaves the package's folder; the
// workspace packages depend on each other one way (bench → gan → core), so the graph has no cycle.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const PACKAGES = ['core', 'gan', 'bench'];

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const manifest = (pkg: string): Manifest =>
  JSON.parse(readFileSync(join(ROOT, 'packages', pkg, 'package.json'), 'utf8')) as Manifest;

/** Every .ts / .mjs file below `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|mjs)$/.test(e.name) ? [path] : [];
  });
}

/** The module paths a source names: static and dynamic imports, re-exports, and `new URL(path, import.meta.url)`. */
function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]/gm,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g,
  ];
  return patterns.flatMap((re) => [...code.matchAll(re)].map((m) => m[1]));
}

/** The package a bare specifier names (`@scope/name` or `name`). */
const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

describe('package boundaries', () => {
  for (const pkg of PACKAGES) {
    it(`${pkg}: imports stay in the package or name a declared dependency`, () => {
      const folder = join(ROOT, 'packages', pkg);
      const m = manifest(pkg);
      const declared = new Set([...Object.keys(m.dependencies ?? {}), ...Object.keys(m.devDependencies ?? {})]);
      const wrong: string[] = [];
      let named = 0;
      for (const file of sources(join(folder, 'src'))) {
        for (const spec of specifiers(readFileSync(file, 'utf8'))) {
          named++;
          const where = `${relative(ROOT, file)}: '${spec}'`;
          if (spec.startsWith('.')) {
            const inside = !relative(folder, resolve(dirname(file), spec)).startsWith('..');
            if (!inside) wrong.push(`${where} leaves packages/${pkg}`);
          } else if (!spec.startsWith('node:') && !builtinModules.includes(spec) && !declared.has(packageOf(spec))) {
            wrong.push(`${where} is not declared in packages/${pkg}/package.json`);
          }
        }
      }
      expect(named).toBeGreaterThan(20);
      expect(wrong).toEqual([]);
    });
  }

  it('the workspace packages depend on each other one way: bench → gan → core', () => {
    const internal = (pkg: string) =>
      Object.keys(manifest(pkg).dependencies ?? {}).filter((d) => d.startsWith('@spiking-gan/'));
    expect(internal('core')).toEqual([]);
    expect(internal('gan')).toEqual(['@spiking-gan/core']);
    expect(internal('bench').sort()).toEqual(['@spiking-gan/core', '@spiking-gan/gan']);
  });
});
