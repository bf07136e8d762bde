// The validator of a Spiking-GAN config: each setting's type, bounds and choices from its description
// (settings.ts), then the rules that tie settings together.
import { SETTING_KEYS, settingOf, type GanConfig, type Setting } from './settings.ts';

/** A value as a message shows it: strings quoted, anything long cut. */
function show(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' || (typeof v === 'object' && v !== null) ? JSON.stringify(v) : String(v);
  } catch {
    s = 'a value nested too deep to show';
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A uniform init setting: two [lo, hi] ranges of numbers, lo <= hi. */
function isInitRanges(v: unknown): boolean {
  const number = (x: unknown) => typeof x === 'number' && Math.abs(x) <= 1e6;
  const range = (r: unknown) => Array.isArray(r) && r.length === 2 && r.every(number) && r[0] <= r[1];
  return Array.isArray(v) && v.length === 2 && v.every(range);
}

/** What a numeric setting must be, as a message says it ("a positive integer", "in [0, 1)"). */
function range(s: Setting<unknown>): string {
  const b = s.bounds!;
  if (b.max !== undefined) return `in ${b.minOpen ? '(' : '['}${b.min}, ${b.max}${b.maxOpen ? ')' : ']'}`;
  if (s.kind === 'whole') return b.min === 1 ? 'a positive integer' : `a whole number >= ${b.min}`;
  if (b.minOpen) return b.min === 0 ? 'a positive number' : `a number > ${b.min}`;
  return `a number >= ${b.min}`;
}

/** Why the value `v` of setting `key` is refused, or null when it is a valid value. */
function settingProblem(key: string, s: Setting<unknown>, v: unknown): string | null {
  if (s.kind === 'boolean') return typeof v === 'boolean' ? null : `${key} must be true or false, got ${show(v)}`;
  if (s.kind === 'ranges') {
    return isInitRanges(v) ? null : `${key} must be two ranges [lo, hi], lo <= hi, |lo|, |hi| <= 1e6, got ${show(v)}`;
  }
  if (s.kind === 'choice') {
    const c = s.choices!;
    const either = `${c.slice(0, -1).join(', ')} or ${c.at(-1)}`;
    return c.includes(v as string) ? null : `${key} must be ${either}, got ${show(v)}`;
  }
  if (v === null && s.nullable) return null;
  const b = s.bounds!,
    limit = b.limit ?? 1e6,
    or = s.nullable ? ' or null' : '';
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${key} must be a finite number${or}, got ${show(v)}`;
  if (s.kind === 'whole' && !Number.isInteger(v)) return `${key} must be a whole number, got ${v}`;
  const low = b.minOpen ? v <= b.min : v < b.min;
  const high = b.max !== undefined && (b.maxOpen ? v >= b.max : v > b.max);
  if (low || high) return `${key} must be ${range(s)}${or}, got ${v}`;
  return Math.abs(v) > limit ? `${key} must be at most ${limit}, got ${v}` : null;
}

/** Refuses inconsistent settings, wrong types and values out of bounds with a message naming the setting. */
export function checkConfig(c: GanConfig): void {
  const bad = (what: string): never => {
    throw new RangeError(`GAN config: ${what}`);
  };
  if (typeof c !== 'object' || c === null || Array.isArray(c)) bad(`the settings must be an object, got ${show(c)}`);
  for (const k of SETTING_KEYS) {
    const problem = settingProblem(k, settingOf(k), c[k]);
    if (problem !== null) bad(problem);
  }
  if (c.gObjective === 'none' && !(c.mmd > 0)) bad('gObjective none leaves G without an objective: give mmd > 0');
  if (c.loss !== 'bce' && c.realTarget !== 1) bad('realTarget (label smoothing) needs the bce loss');
  if (c.kernel === 'delta' && [c.tmax, c.gLatency, c.noiseSpan].some((x) => !Number.isInteger(x))) {
    bad('the delta kernel runs in discrete time: tmax, gLatency and noiseSpan must be whole steps');
  }
  if (c.kernel === 'delta' && c.loss === 'bce') {
    bad('loss bce needs the ramp kernel (delta spike times are steps; use ttfs or aggressive)');
  }
  if (c.batch % c.pack !== 0) bad(`batch (${c.batch}) must be a multiple of pack (${c.pack})`);
  for (const k of ['dDropout', 'pack', 'leaky', 'tiedNoise'] as const) {
    const off = k === 'pack' ? 1 : k === 'tiedNoise' ? false : 0;
    if (c[k] !== off && c.kernel !== 'relu') bad(`${k} needs the relu kernel`);
  }
  if (c.floatTwin && c.kernel !== 'relu') {
    bad('floatTwin needs the relu kernel (only its spike times map to a float network)');
  }
  if (c.auxClass > 0 && !(c.kernel === 'relu' && (c.conditional || c.infoCode) && c.loss === 'bce')) {
    bad('auxClass needs the relu kernel, conditional mode (or infoCode) and loss bce');
  }
  if (c.infoCode && !(c.kernel === 'relu' && !c.conditional && c.auxClass > 0)) {
    bad('infoCode needs the relu kernel, auxClass > 0 and no conditional mode (it is an unconditional GAN)');
  }
  if (c.projection && !(c.kernel === 'relu' && c.conditional && c.loss === 'bce')) {
    bad("projection needs the relu kernel, conditional mode and loss bce (it reads D's potentials)");
  }
  if (c.kernel === 'relu') checkRelu(c, bad);
}

/** The rules of the relu kernel: the real GAN, whose G learns by D's adversarial term alone (issue 13). */
function checkRelu(c: GanConfig, bad: (what: string) => never): void {
  const extras = (['mmd', 'diversity', 'instanceNoise'] as const).filter((k) => c[k] !== 0);
  if (extras.length) bad(`the relu kernel trains G by D's adversarial term alone: ${extras.join(', ')} must be 0`);
  if (c.gObjective !== 'flip' || c.advWeight !== 1) {
    bad('the relu kernel trains G by the non-saturating loss (gObjective flip, advWeight 1)');
  }
  if (c.bias !== 0) bad('the relu kernel has biases of its own: bias (always-on input neurons) must be 0');
  if (c.digitGroup !== 1) bad('digitGroup only serves the MMD term, which the relu kernel does not have');
  if (c.conditional && c.labelCopies !== 1) {
    bad('the relu kernel codes the label as one input per digit (labelCopies 1)');
  }
  // layers' windows follow one another: a window shorter than this would end where it starts in floating point
  for (const k of ['zMax', 'hiddenWindow', 'outWindow'] as const) {
    if (c[k] < MIN_WINDOW) bad(`${k} must be at least 1e-6, got ${c[k]}`);
  }
}

/** The shortest time window of a relu layer (the windows' ends stay apart from their starts up to the limits). */
const MIN_WINDOW = 1e-6;
