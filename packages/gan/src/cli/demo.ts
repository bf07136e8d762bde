// `spiking-gan demo`: one MNIST test digit through an untrained, S4NN-initialised 784-400-10
// network; writes a spike raster, the digit, the model file and the run record.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBytes, Network, Rng, saveModel, Simulator } from '@spiking-gan/core';
import { loadMnist } from '../data/mnist.ts';
import { imageGridPng } from '../viz/png.ts';
import { rasterSvg } from '../viz/raster.ts';
import { CliError, expected } from './fail.ts';
import { stringifyCompact } from './json.ts';
import { writeOutput } from './output.ts';

/** Options of `demo`, as commander parses them. */
export interface DemoOptions {
  digitIndex: number;
  seed: number;
  out: string;
}

/** The demo network's settings (S4NN's 784-400-10 shape and initialisation). */
export const DEMO_SETTINGS = Object.freeze({
  layers: [784, 400, 10],
  hiddenInit: [0, 5] as const,
  outputInit: [0, 48] as const,
  threshold: 100,
  tmax: 256,
  delay: 1,
  time: 'discrete' as const,
  kernel: 'delta' as const,
});

/**
 * Builds the demo network: input (784) → hidden (400) → output (10), dense, θ = 100, delay 1,
 * tmax 256, weights uniform in [0, 5) and [0, 48). Each layer's weights come from its own seed,
 * drawn from `Rng(seed)`, so one seed fixes the whole network.
 */
export function demoNetwork(seed: number): { net: Network; seeds: { hidden: number; output: number } } {
  const s = DEMO_SETTINGS;
  const rng = new Rng(seed);
  const seeds = { hidden: rng.nextU32(), output: rng.nextU32() };
  const net = new Network({ tmax: s.tmax, time: s.time, delay: s.delay });
  net.addInput(s.layers[0], 'input');
  net.addLayer(s.layers[1], { name: 'hidden', threshold: s.threshold, init: { uniform: [...s.hiddenInit], seed: seeds.hidden } });
  net.addLayer(s.layers[2], { name: 'output', threshold: s.threshold, init: { uniform: [...s.outputInit], seed: seeds.output } });
  return { net, seeds };
}

/** Runs the command (errors are thrown; the caller reports them). */
export async function demo(opts: DemoOptions): Promise<void> {
  const set = expected(() => loadMnist('test'));
  const i = opts.digitIndex;
  if (i < 0 || i >= set.n) throw new CliError(`--digit-index must be in 0..${set.n - 1}, got ${i}`);
  const image = set.image(i);
  const label = set.labels[i];

  const { net, seeds } = demoNetwork(opts.seed);
  const s = DEMO_SETTINGS;
  const [input, hidden, output] = net.populations;
  const sim = new Simulator(net);
  const rec = sim.run(encodeBytes(image, { tmax: s.tmax }));
  const prediction = rec.prediction();

  const settings = {
    network: `${s.layers.join('-')} dense, untrained`,
    init: `S4NN: hidden weights uniform in [${s.hiddenInit.join(', ')}), output weights uniform in [${s.outputInit.join(', ')})`,
    seed: opts.seed,
    layerSeeds: seeds,
    threshold: s.threshold,
    tmax: s.tmax,
    delay: s.delay,
    time: s.time,
    kernel: s.kernel,
    coding: 'TTFS t = floor((255 - p) * tmax / 255)',
    earlyStop: false,
  };
  const dir = opts.out;
  makeDir(dir);
  const paths = {
    raster: join(dir, 'raster.svg'),
    digit: join(dir, 'digit.png'),
    model: join(dir, 'model.safetensors'),
    run: join(dir, 'run.json'),
  };
  const title = `MNIST test #${i}, label ${label}: untrained ${s.layers.join('-')}, S4NN init, ` +
    `seed ${opts.seed}, θ = ${s.threshold}, tmax ${s.tmax}, delay ${s.delay}`;
  const svg = rasterSvg(
    [input, hidden, output].map((p) => ({ name: p.name, times: rec.timesOf(p) })),
    { tmax: s.tmax, title, width: 900 },
  );
  writeOutput(paths.raster, svg);
  writeOutput(paths.digit, imageGridPng(image, 1, set.rows, set.cols, { scale: 8, pad: 0 }));
  saveModel(paths.model, net, {
    metadata: { created_by: 'spiking-gan demo', seed: String(opts.seed), init: settings.init, trained: 'false' },
  });
  writeOutput(paths.run, stringifyCompact({
    command: 'spiking-gan demo',
    digit: { split: 'test', index: i, label },
    prediction,
    settings,
    files: paths,
    record: rec.toJSON(),
  }));

  const sp = rec.spikes, sd = rec.spikesToDecision;
  const lines = [
    `MNIST test digit #${i}, label ${label}: ${s.layers.join('-')} network, S4NN init, seed ${opts.seed} (untrained, so prediction ${prediction} is chance)`,
    `spikes: input ${sp[input.index]}, hidden ${sp[hidden.index]}, output ${sp[output.index]} (hidden + output up to the decision: ${sd[hidden.index] + sd[output.index]})`,
    `synaptic events: ${rec.synapticEvents} (${rec.synapticEventsToDecision} up to the decision)`,
    `first output spike: ${rec.decided ? `step ${rec.decisionTime} (neuron ${prediction})` : `none before tmax ${s.tmax}`}`,
    `wrote ${paths.raster}, ${paths.digit}, ${paths.model}, ${paths.run}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** Creates the output folder (and its parents); a path that exists as a file is refused. */
function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`cannot create the folder ${dir}: ${code === 'EEXIST' || code === 'ENOTDIR' ? 'a file of that name (or a part of the path) is in the way' : (err as Error).message}`);
  }
  if (!statSync(dir).isDirectory()) throw new CliError(`--out ${dir} is not a folder`);
}
