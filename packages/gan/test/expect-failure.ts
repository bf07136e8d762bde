// Test helper: the house form of a command failure, one line `spiking-gan <cmd>: …` on stderr.
import { expect } from 'vitest';
import type { Result } from './run-cli.ts';

/** A failure: non-zero exit, one line `spiking-gan <cmd>: ...` on stderr naming each of `mentions`, no stack trace. */
export function expectFailure(r: Result, cmd: string, mentions: (string | RegExp)[]): string {
  const info = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  expect(r.code, info).not.toBe(0);
  expect(r.code, info).not.toBeNull(); // exited, was not killed
  expect(r.stderr, info).not.toContain('    at ');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, info).toHaveLength(1);
  expect(lines[0].startsWith(`spiking-gan ${cmd}: `), info).toBe(true);
  for (const m of mentions) expect(lines[0], info).toMatch(typeof m === 'string' ? new RegExp(escape(m)) : m);
  return lines[0];
}

/** `s` as a literal inside a regular expression. */
export function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
