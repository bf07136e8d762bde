#!/usr/bin/env node
// The `spiking-gan` command. Installed from npm, it runs the compiled JavaScript of dist/. In a
// checkout of the repository (src/ beside this folder) it runs the TypeScript sources, with tsx
// registered in this process, so no build step is needed while developing.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/cli/main.js');
}
