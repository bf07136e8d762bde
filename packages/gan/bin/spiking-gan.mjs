#!/usr/bin/env node
// The `spiking-gan` command. The sources are TypeScript run as they are: tsx is registered in this
// process (no child process), then the command-line program is loaded.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
