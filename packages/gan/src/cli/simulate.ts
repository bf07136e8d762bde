// `spiking-gan simulate`: run a saved model on given spike times or on MNIST test digits and write
// every sample's spike times and counts, plus a summary, as JSON.
import {
  encodeBytes,
  InputFileError,
  loadModel,
  readRegularFile,
  Simulator,
  type Network,
  type RunRecord,
} from '@spiking-gan/core';
import { loadMnist, MNIST_PIXELS } from '../data/mnist.ts';
import { CliError, expected } from './fail.ts';
import { stringifyCompact } from './json.ts';
import { checkDistinct, checkOutputFile, type NamedPath } from './output.ts';
import { StreamFile } from './stream-file.ts';

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
  const hasInput = opts.input !== undefined,
    hasMnist = opts.mnistTest !== undefined;
  if (hasInput === hasMnist) {
    throw new CliError(
      hasInput
        ? '--input and --mnist-test exclude each other: give only one'
        : 'no samples to run: give --input FILE.json or --mnist-test N',
    );
  }
  const named: NamedPath[] = hasInput
    ? [
        ['--model', opts.model],
        ['--input', opts.input!],
      ]
    : [['--model', opts.model]];
  checkOutputFile(opts.out);
  checkDistinct([['--out', opts.out]], named);
  const { net } = loadModel(opts.model);
  const ins = net.inputs;
  if (ins.length === 0) throw new CliError(`${opts.model}: the model has no input population`);
  const batch = hasInput ? readInputFile(opts.input!, net) : mnistBatch(opts.mnistTest!, net, opts.model);

  const sim = new Simulator(net);
  const earlyStop = opts.earlyStop === true;
  const tally = new Tally(net);
  // the samples go to a spool file as they come; the summary, which comes before them in the output, at the end
  const spool = new StreamFile(opts.out);
  try {
    batch.inputs.forEach((lists, s) => {
      const sample = sampleJson(sim.run(ins.length === 1 ? lists[0] : lists, { earlyStop }), s, batch.labels?.[s]);
      tally.add(sample);
      spool.write(`${s > 0 ? ',\n' : ''}${stringifyCompact(sample, '    ').slice(0, -1)}`);
    });
    const summary = tally.summary();
    writeDocument(opts.out, head(opts, batch, net, earlyStop, summary), spool);
    printSummary(summary, batch.what, opts, net, earlyStop);
  } finally {
    spool.discard();
  }
}

/** Everything of the output document but its samples (which `writeDocument` puts in its empty "samples" array). */
function head(opts: SimulateOptions, batch: Batch, net: Network, earlyStop: boolean, summary: SummaryJson): object {
  return {
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
    samples: [],
  };
}

/**
 * Writes `stringifyCompact({...doc, samples})` (byte for byte) without holding it as one string: the document
 * with an empty "samples" array, whose `[]` is replaced by the spooled samples.
 */
function writeDocument(path: string, doc: object, samples: StreamFile): void {
  const text = stringifyCompact(doc),
    end = '[]\n}\n';
  if (!text.endsWith(end)) throw new Error('simulate: the output document must end with its "samples" array');
  const file = new StreamFile(path);
  try {
    file.write(`${text.slice(0, -end.length)}[\n`);
    file.append(samples);
    file.write('\n  ]\n}\n');
    file.commit();
  } finally {
    file.discard();
  }
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
    throw new CliError(
      `${path}: ${code === 'ENOENT' ? 'no such input file' : `cannot read the input file (${(err as Error).message})`}`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const samples = (doc as { samples?: unknown } | null)?.samples;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !Array.isArray(samples)) {
    throw new CliError(
      `${path}: expected an object {"samples": [[t_0, t_1, ...], ...]} with one array of spike times per sample`,
    );
  }
  if (samples.length === 0) throw new CliError(`${path}: "samples" is empty`);
  const ins = net.inputs;
  const total = ins.reduce((n, p) => n + p.size, 0);
  const sizes =
    ins.length === 1 ? `${total}` : `${total} (${ins.map((p) => `${p.name} ${p.size}`).join(' + ')}, in this order)`;
  const discrete = net.time === 'discrete';
  const inputs = samples.map((sample: unknown, s: number) => {
    if (!Array.isArray(sample))
      throw new CliError(`${path}: sample ${s} is ${kind(sample)}, expected an array of ${sizes} spike times`);
    if (sample.length !== total)
      throw new CliError(
        `${path}: sample ${s} has ${sample.length} spike times, the model's input has ${sizes} neurons`,
      );
    const flat = new Float64Array(total);
    sample.forEach((t: unknown, i: number) => {
      if (t === null) flat[i] = Infinity;
      else if (typeof t !== 'number')
        throw new CliError(`${path}: sample ${s}, neuron ${i}: spike time is ${kind(t)}, expected a number or null`);
      else if (t < 0)
        throw new CliError(
          `${path}: sample ${s}, neuron ${i}: spike time ${t} is negative ` +
            `(times are in [0, ${net.tmax}); null or >= ${net.tmax} = no spike)`,
        );
      else if (discrete && t < net.tmax && !Number.isInteger(t))
        throw new CliError(
          `${path}: sample ${s}, neuron ${i}: spike time ${t} is not a whole step (the model runs in discrete time)`,
        );
      else flat[i] = t;
    });
    let off = 0;
    return ins.map((p) => flat.subarray(off, (off += p.size)));
  });
  return {
    inputs,
    labels: null,
    source: { kind: 'input', file: path },
    what: `${inputs.length} sample${inputs.length === 1 ? '' : 's'} from ${path}`,
  };
}

/** The first n MNIST test images, TTFS-coded with the model's tmax. */
function mnistBatch(n: number, net: Network, model: string): Batch {
  const ins = net.inputs;
  if (ins.length !== 1 || ins[0].size !== MNIST_PIXELS) {
    const has = ins.map((p) => `${p.name} (${p.size})`).join(', ');
    throw new CliError(
      `--mnist-test needs a model with one 784-neuron input population (28 x 28 pixels); ${model} has ${has}`,
    );
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
  return {
    inputs,
    labels,
    source: { kind: 'mnist-test', first: n, coding: 'TTFS t = floor((255 - p) * tmax / 255)' },
    what: `the first ${n} MNIST test image${n === 1 ? '' : 's'}`,
  };
}

function sampleJson(rec: RunRecord, index: number, label: number | undefined): SampleJson {
  const j = rec.toJSON() as {
    populations: SampleJson['populations'];
    firstOutputTime: number | null;
    prediction: number;
  };
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

/** Running sums over the samples (added in order, so the means are those of summing a list), for the summary. */
class Tally {
  private n = 0;
  private spikes = 0;
  private spikesToDecision = 0;
  private events = 0;
  private eventsToDecision = 0;
  private decided = 0;
  private firstTimes = 0;
  private labelled = 0;
  private correct = 0;
  private readonly perPop: number[];

  constructor(private readonly net: Network) {
    this.perPop = net.populations.map(() => 0);
  }

  add(s: SampleJson): void {
    this.n++;
    this.spikes += s.spikes;
    this.spikesToDecision += s.spikesToDecision;
    this.events += s.synapticEvents;
    this.eventsToDecision += s.synapticEventsToDecision;
    this.net.populations.forEach((p, k) => (this.perPop[k] += s.populations[p.name].spikes));
    if (s.firstOutputTime !== null) {
      this.decided++;
      this.firstTimes += s.firstOutputTime;
    }
    if (s.label !== undefined) {
      this.labelled++;
      if (s.correct) this.correct++;
    }
  }

  summary(): SummaryJson {
    const n = this.n;
    const means = this.net.populations.map((p, k) => [p.name, this.perPop[k] / n] as const);
    const perPop: Record<string, number> = Object.fromEntries(means); // an own key for every name, __proto__ too
    return {
      samples: n,
      meanSpikes: this.spikes / n,
      meanSpikesToDecision: this.spikesToDecision / n,
      meanSpikesPerPopulation: perPop,
      meanSynapticEvents: this.events / n,
      meanSynapticEventsToDecision: this.eventsToDecision / n,
      meanFirstOutputTime: this.decided > 0 ? this.firstTimes / this.decided : null,
      decided: this.decided,
      undecidedShare: (n - this.decided) / n,
      ...(this.labelled > 0 ? { accuracy: this.correct / this.labelled } : {}),
    };
  }
}

function printSummary(s: SummaryJson, what: string, opts: SimulateOptions, net: Network, earlyStop: boolean): void {
  const shape = net.layered
    ? net.populations.map((p) => p.size).join('-')
    : net.populations.map((p) => `${p.name} ${p.size}`).join(', ');
  const f = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(2));
  const first = s.meanFirstOutputTime === null ? 'none' : `${f(s.meanFirstOutputTime)} steps on average`;
  const lines = [
    `simulated ${what} on ${opts.model} ` +
      `(${shape}, ${net.time} time, tmax ${net.tmax}, early stop ${earlyStop ? 'on' : 'off'})`,
    `spikes per sample: ${f(s.meanSpikes)} (non-input neurons; ${f(s.meanSpikesToDecision)} up to the decision)`,
    `synaptic events per sample: ${f(s.meanSynapticEvents)} (${f(s.meanSynapticEventsToDecision)} up to the decision)`,
    `first output spike: ${first}; ${s.samples - s.decided} of ${s.samples} undecided`,
  ];
  if (s.accuracy !== undefined)
    lines.push(`accuracy: ${(100 * s.accuracy).toFixed(1)} % (${Math.round(s.accuracy * s.samples)} of ${s.samples})`);
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
