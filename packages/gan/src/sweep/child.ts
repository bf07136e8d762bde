// `spiking-gan` commands run as child processes of a sweep: their failure becomes an error holding the
// command's own one-line message; the children still running can be stopped together (on Ctrl-C).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The command's bin script (the same relative place in src/ and in dist/). */
const BIN = fileURLToPath(new URL('../../bin/spiking-gan.mjs', import.meta.url));

const running = new Set<ChildProcess>();

/** Runs `spiking-gan ...args`; resolves when it exits 0, rejects with its last stderr line otherwise. */
export function runSpikingGan(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let tail = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      tail = (tail + s).slice(-4000);
    });
    child.on('error', (err) => {
      running.delete(child);
      reject(err);
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      if (code === 0) return resolve();
      const last = tail.trimEnd().split('\n').at(-1)?.trim();
      const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
      reject(new Error(last ? `${last} (${how})` : `spiking-gan ${args[0]} ${how}`));
    });
  });
}

/** Sends `signal` to every child still running. */
export function stopChildren(signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const child of running) child.kill(signal);
}
