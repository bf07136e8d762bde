// `spiking-gan simulate`: run a saved model on given spike times or on MNIST test digits and write
// every sample's spike times and counts, plus a summary, as JSON.
import {
  encodeBytes, InputFileError, loadModel, readRegularFile, Simulator, type Network, type RunRecord,
} from '@spiking-gan/core';
import { loadMnist } from '../data/mnist.ts';
import { CliError, expected } from './fail.ts';
import { stringifyCompact } from './json.ts';
import { checkDistinct, checkOutputFile, writeOutput, type NamedPath } from './output.ts';

/** Options of `simulate`, as commander parses them. */
export interface SimulateOptions {
  model: string;
  input?: string;
  mnistTest?: number;
  earlyStop?: boolean;
  out: string;
}

/** One sample of the output file. */
export interface SampleJson {
  index: number;
  label?: number;
  correct?: boolean;
  prediction: number;
  firstOutputTime: number | null;
  stoppedEarly: boolean;
  spikes: number;
  spikesToDecision: number;
  synapticEvents: number;
  synapticEventsToDecision: number;
  populations: Record<string, { times: (number | null)[]; spikes: number; spikesToDecision: number }>;
}

/** The summary over all samples. */
export interface SummaryJson {
  samples: number;
  meanSpikes: number;
  meanSpikesToDecision: number;
  meanSpikesPerPopulation: Record<string, number>;
  meanSynapticEvents: number;
  meanSynapticEventsToDecision: number;
  meanFirstOutputTime: number | null;
  decided: number;
  undecidedShare: number;
  accuracy?: number;
}

interface Batch {
  /** Input spike times per sample, one list per input population. */
  inputs: Float64Array[][];
  labels: number[] | null;
  source: Record<string, unknown>;
  what: string;
}

/** Runs the command (errors are thrown; the caller reports them). */
export async function simulate(opts: SimulateOptions): Promise<void> {
  const hasInput = opts.input !== undefined, hasMnist = opts.mnistTest !== undefined;
  if (hasInput === hasMnist) {
    throw new CliError(hasInput ? '--input and --mnist-test exclude each other: give only one' : 'no samples to run: give --input FILE.json or --mnist-test N');
  }
  const named: NamedPath[] = hasInput ? [['--model', opts.model], ['--input', opts.input!]] : [['--model', opts.model]];
  checkOutputFile(opts.out);
  checkDistinct([['--out', opts.out]], named);
  const { net } = loadModel(opts.model);
  const ins = net.inputs;
  if (ins.length === 0) throw new CliError(`${opts.model}: the model has no input population`);
  const batch = hasInput ? readInputFile(opts.input!, net) : mnistBatch(opts.mnistTest!, net, opts.model);

  const sim = new Simulator(net);
  const earlyStop = opts.earlyStop === true;
  const samples: SampleJson[] = [];
  batch.inputs.forEach((lists, s) => {
    const rec = sim.run(ins.length === 1 ? lists[0] : lists, { earlyStop });
    samples.push(sampleJson(rec, s, batch.labels?.[s]));
  });
  const summary = summarise(samples, net);
  const doc = {
    command: 'spiking-gan simulate',
    model: opts.model,
    source: batch.source,
    tmax: net.tmax,
    time: net.time,
    earlyStop,
    populations: net.populations.map((p) => ({ name: p.name, size: p.size, input: p.isInput })),
    output: net.output.name,
    notes: [
      'times: spike time per neuron, null = silent (no spike before tmax)',
      'spikes: neurons that fired, summed over non-input populations; per-population counts include inputs',
      'toDecision: counted up to and including the first output spike (equal to the whole window when none fired)',
      'synapticEvents: delivered arrivals (sum over emitted spikes of their fan-out)',
    ],
    summary,
    samples,
  };
  writeOutput(opts.out, stringifyCompact(doc));
  printSummary(summary, batch.what, opts, net, earlyStop);
}

/** Largest --input file (a 10,000-sample file of 784 times fits; parsing it takes about 5 times its size). */
const MAX_INPUT_BYTES = 64 * 2 ** 20;

/** Reads `{"samples": [[t0, t1, ...], ...]}` from a regular file; null or a time >= tmax means no spike. */
function readInputFile(path: string, net: Network): Batch {
  let text: string;
  try {
    text = readRegularFile(path, MAX_INPUT_BYTES).toString('utf8');
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${path}: ${code === 'ENOENT' ? 'no such input file' : `cannot read the input file (${(err as Error).message})`}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const samples = (doc as { samples?: unknown } | null)?.samples;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !Array.isArray(samples)) {
    throw new CliError(`${path}: expected an object {"samples": [[t_0, t_1, ...], ...]} with one array of spike times per sample`);
  }
  if (samples.length === 0) throw new CliError(`${path}: "samples" is empty`);
  const ins = net.inputs;
  const total = ins.reduce((n, p) => n + p.size, 0);
  const sizes = ins.length === 1 ? `${total}` : `${total} (${ins.map((p) => `${p.name} ${p.size}`).join(' + ')}, in this order)`;
  const discrete = net.time === 'discrete';
  const inputs = samples.map((sample: unknown, s: number) => {
    if (!Array.isArray(sample)) throw new CliError(`${path}: sample ${s} is ${kind(sample)}, expected an array of ${sizes} spike times`);
    if (sample.length !== total) throw new CliError(`${path}: sample ${s} has ${sample.length} spike times, the model's input has ${sizes} neurons`);
    const flat = new Float64Array(total);
    sample.forEach((t: unknown, i: number) => {
      if (t === null) flat[i] = Infinity;
      else if (typeof t !== 'number') throw new CliError(`${path}: sample ${s}, neuron ${i}: spike time is ${kind(t)}, expected a number or null`);
      else if (t < 0) throw new CliError(`${path}: sample ${s}, neuron ${i}: spike time ${t} is negative (times are in [0, ${net.tmax}); null or >= ${net.tmax} = no spike)`);
      else if (discrete && t < net.tmax && !Number.isInteger(t)) throw new CliError(`${path}: sample ${s}, neuron ${i}: spike time ${t} is not a whole step (the model runs in discrete time)`);
      else flat[i] = t;
    });
    let off = 0;
    return ins.map((p) => flat.subarray(off, (off += p.size)));
  });
  return { inputs, labels: null, source: { kind: 'input', file: path }, what: `${inputs.length} sample${inputs.length === 1 ? '' : 's'} from ${path}` };
}

/** The first n MNIST test images, TTFS-coded with the model's tmax. */
function mnistBatch(n: number, net: Network, model: string): Batch {
  const ins = net.inputs;
  if (ins.length !== 1 || ins[0].size !== 784) {
    const has = ins.map((p) => `${p.name} (${p.size})`).join(', ');
    throw new CliError(`--mnist-test needs a model with one 784-neuron input population (28 x 28 pixels); ${model} has ${has}`);
  }
  const set = expected(() => loadMnist('test'));
  if (n < 1 || n > set.n) throw new CliError(`--mnist-test must be in 1..${set.n}, got ${n}`);
  const enc = { tmax: net.tmax, quantise: net.time === 'discrete' };
  const inputs: Float64Array[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    inputs.push([encodeBytes(set.image(i), enc)]);
    labels.push(set.labels[i]);
  }
  return { inputs, labels, source: { kind: 'mnist-test', first: n, coding: 'TTFS t = floor((255 - p) * tmax / 255)' }, what: `the first ${n} MNIST test image${n === 1 ? '' : 's'}` };
}

function sampleJson(rec: RunRecord, index: number, label: number | undefined): SampleJson {
  const j = rec.toJSON() as { populations: SampleJson['populations']; firstOutputTime: number | null; prediction: number };
  const prediction = j.prediction;
  return {
    index,
    ...(label === undefined ? {} : { label, correct: prediction === label }),
    prediction,
    firstOutputTime: j.firstOutputTime,
    stoppedEarly: rec.stoppedEarly,
    spikes: rec.totalSpikes(),
    spikesToDecision: rec.totalSpikes(true),
    synapticEvents: rec.synapticEvents,
    synapticEventsToDecision: rec.synapticEventsToDecision,
    populations: j.populations,
  };
}

function summarise(samples: SampleJson[], net: Network): SummaryJson {
  const n = samples.length;
  const mean = (f: (s: SampleJson) => number): number => samples.reduce((a, s) => a + f(s), 0) / n;
  const decided = samples.filter((s) => s.firstOutputTime !== null);
  const perPop: Record<string, number> = Object.create(null); // any name is an own key, __proto__ included
  for (const p of net.populations) perPop[p.name] = mean((s) => s.populations[p.name].spikes);
  const labelled = samples.filter((s) => s.label !== undefined);
  return {
    samples: n,
    meanSpikes: mean((s) => s.spikes),
    meanSpikesToDecision: mean((s) => s.spikesToDecision),
    meanSpikesPerPopulation: perPop,
    meanSynapticEvents: mean((s) => s.synapticEvents),
    meanSynapticEventsToDecision: mean((s) => s.synapticEventsToDecision),
    meanFirstOutputTime: decided.length > 0 ? decided.reduce((a, s) => a + s.firstOutputTime!, 0) / decided.length : null,
    decided: decided.length,
    undecidedShare: (n - decided.length) / n,
    ...(labelled.length > 0 ? { accuracy: labelled.filter((s) => s.correct).length / labelled.length } : {}),
  };
}

function printSummary(s: SummaryJson, what: string, opts: SimulateOptions, net: Network, earlyStop: boolean): void {
  const shape = net.layered ? net.populations.map((p) => p.size).join('-') : net.populations.map((p) => `${p.name} ${p.size}`).join(', ');
  const f = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(2));
  const lines = [
    `simulated ${what} on ${opts.model} (${shape}, ${net.time} time, tmax ${net.tmax}, early stop ${earlyStop ? 'on' : 'off'})`,
    `spikes per sample: ${f(s.meanSpikes)} (non-input neurons; ${f(s.meanSpikesToDecision)} up to the decision)`,
    `synaptic events per sample: ${f(s.meanSynapticEvents)} (${f(s.meanSynapticEventsToDecision)} up to the decision)`,
    `first output spike: ${s.meanFirstOutputTime === null ? 'none' : `${f(s.meanFirstOutputTime)} steps on average`}; ${s.samples - s.decided} of ${s.samples} undecided`,
  ];
  if (s.accuracy !== undefined) lines.push(`accuracy: ${(100 * s.accuracy).toFixed(1)} % (${Math.round(s.accuracy * s.samples)} of ${s.samples})`);
  lines.push(`wrote ${opts.out}`);
  process.stdout.write(lines.join('\n') + '\n');
}

function kind(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 20 ? x.slice(0, 20) + '...' : x)}`;
  if (typeof x === 'object') return 'an object';
  return `the ${typeof x} ${String(x)}`;
}
