// How the `spiking-gan` command reports failures: one line `spiking-gan <cmd>: <message>` on stderr
// and exit code 1. Set SPIKING_GAN_DEBUG=1 to get the stack trace as well.
// This module imports nothing, so that `spiking-gan --help` stays fast: errors are recognised by name.
// Only errors raised on purpose for bad input count as the user's: a built-in error (a RangeError or
// TypeError from deep inside) is a bug, and is reported as an unexpected one.

/** An expected failure of a command (bad input, missing file): its message is shown as it is. */
export class CliError extends Error {
  override name = 'CliError';
}

/** Names of the errors whose messages are meant for the user (ours, the library's file errors, commander's). */
const EXPECTED = new Set([
  'CliError',
  'ModelFileError',
  'IdxError',
  'NpyError',
  'SampleFileError',
  'InputFileError',
  'InvalidArgumentError',
  'DivergenceError',
]);

/** True when SPIKING_GAN_DEBUG asks for stack traces. */
export function debugEnabled(): boolean {
  const v = process.env.SPIKING_GAN_DEBUG;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** A one-line description of an error: its message for expected errors, a hint for the others. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const path = (err as NodeJS.ErrnoException).path;
    let msg: string;
    if (EXPECTED.has(err.name)) msg = err.message;
    else if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) msg = systemMessage(code, path, err.message);
    else msg = `unexpected ${err.name}: ${err.message} (set SPIKING_GAN_DEBUG=1 for the stack trace)`;
    return oneLine(msg);
  }
  return oneLine(`unexpected failure: ${String(err)}`);
}

/**
 * Prints the one-line report of `err` for command `cmd` (plus the stack with SPIKING_GAN_DEBUG=1) and sets exit
 * code 1.
 */
export function reportFailure(cmd: string, err: unknown): void {
  process.stderr.write(`spiking-gan ${cmd}: ${describeError(err)}\n`);
  if (debugEnabled() && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
}

/** Runs `fn`; any error it throws is an expected one (its message is shown as it is, without the "unexpected" hint). */
export function expected<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Error && !EXPECTED.has(err.name)) {
      const e = new CliError(err.message);
      e.stack = err.stack;
      throw e;
    }
    throw err;
  }
}

/** Makes a failed write to stdout (full disk, closed pipe) end command `cmd` with one line and exit code 1. */
export function guardStdout(cmd: string): void {
  process.stdout.once('error', (err: NodeJS.ErrnoException) => {
    const why = systemMessage(err.code ?? '', undefined, err.message);
    process.stderr.write(`spiking-gan ${cmd}: cannot write to standard output: ${oneLine(why)}\n`);
    process.exit(1);
  });
}

/** Wraps a command's action: failures are reported by `reportFailure`, those of stdout by `guardStdout`. */
export function guarded<A extends unknown[]>(
  cmd: string,
  action: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    guardStdout(cmd);
    try {
      await action(...args);
    } catch (err) {
      reportFailure(cmd, err);
    }
  };
}

function systemMessage(code: string, path: string | undefined, message: string): string {
  const where = path ? `${path}: ` : '';
  switch (code) {
    case 'ENOENT':
      return `${where}no such file or directory`;
    case 'EACCES':
    case 'EPERM':
      return `${where}permission denied`;
    case 'EISDIR':
      return `${where}is a directory, expected a file`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `${where}a part of the path is a file, not a directory`;
    case 'ENOSPC':
      return `${where}no space left on the device`;
    case 'EPIPE':
      return `${where}the reading end of the pipe was closed`;
    default:
      return message;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
