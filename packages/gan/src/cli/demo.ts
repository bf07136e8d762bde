// `spiking-gan demo`: one MNIST test digit through an untrained, S4NN-initialised 784-400-10
// network (the one `classify train` starts from); writes a spike raster, the digit, the model file and the run record.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBytes, saveModel, Simulator } from '@spiking-gan/core';
import { buildClassifier, defaultInit } from '../classify/model.ts';
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

/** Runs the command (errors are thrown; the caller reports them). */
export async function demo(opts: DemoOptions): Promise<void> {
  const set = expected(() => loadMnist('test'));
  const i = opts.digitIndex;
  if (i < 0 || i >= set.n) throw new CliError(`--digit-index must be in 0..${set.n - 1}, got ${i}`);
  const image = set.image(i);
  const label = set.labels[i];

  const net = buildClassifier({ seed: opts.seed });
  const [hiddenInit, outputInit] = defaultInit('delta', 2);
  const [input, hidden, output] = net.populations;
  const s = {
    layers: net.populations.map((p) => p.size),
    threshold: hidden.threshold[0],
    tmax: net.tmax,
    delay: net.projections[0].delay,
    time: net.time,
    kernel: net.projections[0].kernel,
  };
  const sim = new Simulator(net);
  const rec = sim.run(encodeBytes(image, { tmax: s.tmax }));
  const prediction = rec.prediction();

  const settings = {
    network: `${s.layers.join('-')} dense, untrained`,
    init:
      `S4NN: hidden weights uniform in [${hiddenInit.join(', ')}), output weights uniform in ` +
      `[${outputInit.join(', ')}) (classify train's network of this seed: layer k from seed·1000 + k)`,
    seed: opts.seed,
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
  const title =
    `MNIST test #${i}, label ${label}: untrained ${s.layers.join('-')}, S4NN init, ` +
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
  writeOutput(
    paths.run,
    stringifyCompact({
      command: 'spiking-gan demo',
      digit: { split: 'test', index: i, label },
      prediction,
      settings,
      files: paths,
      record: rec.toJSON(),
    }),
  );

  const sp = rec.spikes,
    sd = rec.spikesToDecision;
  const first = rec.decided ? `step ${rec.decisionTime} (neuron ${prediction})` : `none before tmax ${s.tmax}`;
  const lines = [
    `MNIST test digit #${i}, label ${label}: ${s.layers.join('-')} network, S4NN init, seed ${opts.seed} ` +
      `(untrained, so prediction ${prediction} is chance)`,
    `spikes: input ${sp[input.index]}, hidden ${sp[hidden.index]}, output ${sp[output.index]} ` +
      `(hidden + output up to the decision: ${sd[hidden.index] + sd[output.index]})`,
    `synaptic events: ${rec.synapticEvents} (${rec.synapticEventsToDecision} up to the decision)`,
    `first output spike: ${first}`,
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
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'a file of that name (or a part of the path) is in the way'
        : (err as Error).message;
    throw new CliError(`cannot create the folder ${dir}: ${why}`);
  }
  if (!statSync(dir).isDirectory()) throw new CliError(`--out ${dir} is not a folder`);
}
