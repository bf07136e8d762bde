// How `spiking-gan` reports a failure: errors raised on purpose for bad input (CliError, the file
// errors, commander's InvalidArgumentError, DivergenceError) show their message as it is; anything
// else, a RangeError from deep inside included, is reported as an unexpected (internal) error.
// Also: every error class is exported from the package roots and names itself.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from 'commander';
import * as core from '@spiking-gan/core';
import * as gan from '../src/index.ts';
import { CliError, describeError, expected, guarded } from '../src/cli/fail.ts';

const INTERNAL = /^unexpected RangeError: .* \(set SPIKING_GAN_DEBUG=1 for the stack trace\)$/;

/** Some depth of ordinary code that ends in a RangeError nobody meant for the user. */
function deep(n: number): number {
  if (n > 0) return deep(n - 1) + 1;
  return new Float64Array(-1).length;
}

describe('describeError', () => {
  it('shows the message of errors raised on purpose for bad input as it is', () => {
    expect(describeError(new CliError('--count must be 2 or more'))).toBe('--count must be 2 or more');
    expect(describeError(new core.ModelFileError('m.safetensors', 'not a model file'))).toBe(
      'm.safetensors: not a model file',
    );
    expect(describeError(new core.InputFileError('x.json', 'too large'))).toBe('x.json: too large');
    expect(describeError(new gan.IdxError('bad magic'))).toBe('bad magic');
    expect(describeError(new gan.NpyError('bad header'))).toBe('bad header');
    expect(describeError(new gan.SampleFileError('s.npy: empty'))).toBe('s.npy: empty');
    expect(describeError(new gan.DivergenceError('G stopped spiking', 3))).toBe(
      'training diverged at step 3: G stopped spiking',
    );
    const bad = new InvalidArgumentError('It must be a whole number >= 1.');
    expect(describeError(bad)).toBe('It must be a whole number >= 1.');
  });

  it('reports a RangeError (or any built-in error) as an internal one, not as misuse', () => {
    let err: unknown;
    try {
      deep(5);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RangeError);
    expect(describeError(err)).toMatch(INTERNAL);
    expect(describeError(new RangeError('Backprop: output error 3 is NaN'))).toMatch(INTERNAL);
    expect(describeError(new TypeError('x is undefined'))).toMatch(/^unexpected TypeError: x is undefined/);
  });

  it('expected() turns any error of the code it wraps into a user error', () => {
    expect(() => expected(() => deep(2))).toThrow(CliError);
    let err: unknown;
    try {
      expected(() => deep(2));
    } catch (e) {
      err = e;
    }
    expect(describeError(err)).toMatch(/^Invalid typed array length: -1$/);
  });
});

/** Collects what is written to stderr (and keeps guarded() from hooking stdout). */
function capture(lines: string[]): void {
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
  vi.spyOn(process.stdout, 'once').mockImplementation(() => process.stdout);
}

describe('guarded', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('prints an unexpected RangeError from deep inside a command as an internal error, exit code 1', async () => {
    const lines: string[] = [];
    capture(lines);
    await guarded('train', async () => {
      deep(10);
    })();
    expect(process.exitCode).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^spiking-gan train: unexpected RangeError: Invalid typed array length: -1 \(set SPIKING/);
  });

  it('prints a user error as its message alone', async () => {
    const lines: string[] = [];
    capture(lines);
    await guarded('sample', async () => {
      throw new CliError('--digit needs a class-conditional generator');
    })();
    expect(process.exitCode).toBe(1);
    expect(lines).toEqual(['spiking-gan sample: --digit needs a class-conditional generator\n']);
  });
});

describe('error classes', () => {
  const classes: [string, new (a: string, b: never) => Error][] = [
    ['ModelFileError', core.ModelFileError],
    ['InputFileError', core.InputFileError],
    ['KernelMemoryFull', core.KernelMemoryFull],
    ['CliError', gan.CliError],
    ['IdxError', gan.IdxError],
    ['NpyError', gan.NpyError],
    ['SampleFileError', gan.SampleFileError],
    ['DivergenceError', gan.DivergenceError],
  ];
  it.each(classes)('%s is exported from its package root and names itself', (name, Class) => {
    const e = new Class('f', 'what' as never);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe(name);
    expect(Class.name).toBe(name);
    expect(String(e).startsWith(`${name}: `)).toBe(true);
  });
});
