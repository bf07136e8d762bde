// Parsers of option values for commander: a bad value becomes commander's one-line error.
import { InvalidArgumentError } from 'commander';

/** Parses a whole number in [min, max]; anything else (1.5, 1e3, 'abc', '') is refused. */
export function integerArg(min: number, max?: number): (value: string) => number {
  const range = max === undefined ? `>= ${min}` : `in ${min}..${max}`;
  return (value: string): number => {
    const s = value.trim();
    const n = /^[+-]?\d+$/.test(s) ? Number(s) : NaN;
    if (!(n >= min && n <= (max ?? Number.MAX_SAFE_INTEGER)))
      throw new InvalidArgumentError(`It must be a whole number ${range}.`);
    return n;
  };
}

/** Parses a finite number >= min (e.g. 0.2, 1e-6). */
export function numberArg(min: number): (value: string) => number {
  return (value: string): number => {
    const s = value.trim();
    const n = s === '' ? NaN : Number(s);
    if (!(Number.isFinite(n) && n >= min)) throw new InvalidArgumentError(`It must be a number >= ${min}.`);
    return n;
  };
}

/** Parses a comma-separated list of whole numbers >= min (e.g. 400 or 400,200). */
export function listArg(min: number): (value: string) => number[] {
  const one = integerArg(min);
  return (value: string): number[] => value.split(',').map((x) => one(x));
}

/** A commander parser for a comma-separated list of numbers > 0 (e.g. window lengths). */
export function positiveListArg(value: string): number[] {
  return value.split(',').map((x) => {
    const s = x.trim(),
      n = s === '' ? NaN : Number(s);
    if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError('It must be comma-separated numbers > 0.');
    return n;
  });
}
