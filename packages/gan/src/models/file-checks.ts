// A G or D read from a file checked against the GAN settings it is used with: the kernel, time
// mode, delays, layer sizes, windows, tmax and thresholds those settings build (see networks.ts).
import { ModelFileError, type Network } from '@spiking-gan/core';
import type { GanConfig } from './config.ts';
import {
  discriminatorWindow,
  extraInputs,
  generatorWindow,
  PIXELS,
  reluDiscriminatorOutputs,
  reluGeneratorInputs,
  reluImageSize,
} from './networks.ts';

type Which = 'G' | 'D';
type Key = keyof GanConfig;

/** One property of the network a config builds: the settings it follows from, what it is, its value. */
interface Fact {
  keys: Key[];
  what: string;
  want: unknown;
  got: (net: Network) => unknown;
}

/** Layer sizes of a G or D: [inputs, hidden, outputs], and the settings each follows from. */
export interface LayerSizes {
  sizes: [number, number, number];
  keys: [Key[], Key[], Key[]];
}

/** The layer sizes of the G or D that `cfg` builds, with the settings each follows from. */
export function layerSizes(cfg: GanConfig, which: Which): LayerSizes {
  const relu = cfg.kernel === 'relu',
    pairs = relu && cfg.leaky > 0 ? 2 : 1;
  if (which === 'G') {
    const inputs = relu ? reluGeneratorInputs(cfg) : cfg.nz + extraInputs(cfg);
    const inKeys: Key[] = relu ? ['nz', 'conditional', 'infoCode'] : ['nz', 'conditional', 'labelCopies', 'bias'];
    const hidKeys: Key[] = relu ? ['gHidden', 'leaky'] : ['gHidden'];
    return { sizes: [inputs, pairs * cfg.gHidden, PIXELS], keys: [inKeys, hidKeys, []] };
  }
  const inputs = relu ? reluImageSize(cfg) * cfg.pack : PIXELS + extraInputs(cfg);
  const inKeys: Key[] = relu ? ['conditional', 'auxClass', 'pack'] : ['conditional', 'labelCopies', 'bias'];
  return {
    sizes: [inputs, pairs * cfg.dHidden, relu ? reluDiscriminatorOutputs(cfg) : 2],
    keys: [
      inKeys,
      relu ? ['dHidden', 'leaky'] : ['dHidden'],
      relu ? ['loss', 'projection', 'auxClass', 'pack'] : ['kernel'],
    ],
  };
}

/** The windows [start, end] of a relu G's or D's three layers, laid end to end as reluNetwork does. */
function reluWindows(cfg: GanConfig, which: Which): [number, number][] {
  const lengths = which === 'G' ? [cfg.zMax, cfg.hiddenWindow, 1] : [1, cfg.hiddenWindow, cfg.outWindow];
  let t = 0;
  return lengths.map((B) => [t, (t += B)]);
}

/** The facts of a G or D built from `cfg`, in the order they are checked (the kernel first: it decides the rest). */
function facts(cfg: GanConfig, which: Which): Fact[] {
  const { sizes, keys } = layerSizes(cfg, which),
    delta = cfg.kernel === 'delta';
  const layer = ['input', 'hidden', which === 'G' ? 'pixel' : 'output'];
  const out: Fact[] = [];
  const add = (k: Key[], what: string, want: unknown, got: Fact['got']) => out.push({ keys: k, what, want, got });
  add(['kernel'], 'synapse kernels', [cfg.kernel, cfg.kernel], (n) => n.projections.map((p) => p.kernel));
  add(['kernel'], 'time', delta ? 'discrete' : 'continuous', (n) => n.time);
  add(['kernel'], 'synaptic delays', delta ? [1, 1] : [0, 0], (n) => n.projections.map((p) => p.delay));
  sizes.forEach((size, k) => add(keys[k], `${layer[k]} neurons`, size, (n) => n.populations[k].size));
  if (cfg.kernel === 'relu') {
    const wins = reluWindows(cfg, which);
    const wKeys: Key[] = which === 'G' ? ['zMax', 'hiddenWindow'] : ['hiddenWindow', 'outWindow'];
    wins.forEach((w, k) => add(wKeys, `the ${layer[k]} layer's window`, w, (n) => windowOf(n, k)));
    add(wKeys, 'tmax', wins[2][1], (n) => n.tmax);
    return out;
  }
  const tKeys: Key[] = which === 'G' ? ['tmax', 'gLatency'] : delta ? ['tmax'] : ['tmax', 'dWindow'];
  add(tKeys, 'tmax', which === 'G' ? generatorWindow(cfg) : discriminatorWindow(cfg), (n) => n.tmax);
  const th = which === 'G' ? 'gThreshold' : 'dThreshold';
  for (const k of [1, 2]) {
    add([th], `thresholds of the ${layer[k]} layer`, [cfg[th]], (n) => distinct(n.populations[k].threshold));
  }
  return out;
}

function windowOf(net: Network, k: number): [number, number] | null {
  const w = net.populations[k].window;
  return w ? [w.start, w.end] : null;
}

/** Up to 3 distinct values (enough to show that they differ). */
function distinct(values: Float64Array): number[] {
  return [...new Set(values)].slice(0, 3);
}

/** "nz 100, conditional true": the settings `keys` of `cfg` with their values, for messages. */
export function settingsText(cfg: GanConfig, keys: Key[]): string {
  return keys.map((k) => `${k} ${JSON.stringify(cfg[k])}`).join(', ');
}

const show = (v: unknown) => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

/** Refuses `net` (read from `file`) unless it is the layered G or D that `cfg` builds; `role` starts the message. */
function checkAgainst(file: string, net: Network, cfg: GanConfig, which: Which, role: string): void {
  const fail = (what: string): never => {
    throw new ModelFileError(file, `${role}: ${what}`);
  };
  if (net.populations.length !== 3 || !net.layered) {
    const has = `${net.populations.length} populations and ${net.projections.length} projections`;
    fail(`the network has ${has}, not the input → hidden → output layers of a ${which}`);
  }
  for (const f of facts(cfg, which)) {
    const got = f.got(net);
    if (JSON.stringify(got) === JSON.stringify(f.want)) continue;
    const given = f.keys.length ? settingsText(cfg, f.keys) : 'MNIST';
    fail(`${given} impl${f.keys.length === 1 ? 'ies' : 'y'} ${f.what} = ${show(f.want)}; the network has ${show(got)}`);
  }
}

/** Refuses a generator `net` read from `file` that is not the one its settings `cfg` (metadata 'gan') describe. */
export function checkGeneratorAgainstConfig(file: string, net: Network, cfg: GanConfig): void {
  checkAgainst(file, net, cfg, 'G', `the generator does not match its metadata 'gan'`);
}

/** Refuses a discriminator `net` read from `file` that does not fit the generator's settings `cfg` (its 'gan'). */
export function checkDiscriminatorAgainstConfig(file: string, net: Network, cfg: GanConfig): void {
  checkAgainst(file, net, cfg, 'D', `the discriminator does not fit the generator's settings (metadata 'gan')`);
}
