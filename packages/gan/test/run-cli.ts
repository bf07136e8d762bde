// Test helper: runs the real `spiking-gan` command as a child process (asynchronously, so that
// cases can run side by side), without SPIKING_GAN_DEBUG, and collects its output.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The command's bin script. */
export const BIN = resolve(fileURLToPath(new URL('../bin/spiking-gan.mjs', import.meta.url)));

/** Exit code and output of one run. */
export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `spiking-gan ...args` in `cwd`; the process is killed after `timeoutMs`. */
export function runCli(cwd: string, args: string[], timeoutMs = 120_000): Promise<Result> {
  const env = { ...process.env };
  delete env.SPIKING_GAN_DEBUG;
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}
