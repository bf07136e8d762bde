// `spiking-gan classify train` and `spiking-gan classify eval`: TTFS classifiers on MNIST (S4NN and friends).
import { existsSync } from 'node:fs';
import { loadModel, saveModel, type LossName, type Network } from '@spiking-gan/core';
import { buildClassifier, defaultReluWindows } from '../classify/model.ts';
import { ClassifierTrainer } from '../classify/train.ts';
import { evaluateClassifier, type ClassifierMetrics } from '../classify/evaluate.ts';
import { loadMnist, MNIST_CLASSES, MNIST_PIXELS } from '../data/mnist.ts';
import { gitCommit } from '../git-commit.ts';
import { CliError } from './fail.ts';
import { checkDistinct, checkOutputFile, writeOutput } from './output.ts';
import { formatDuration, Progress } from './progress.ts';

/** Options of `classify train`. */
export interface TrainCommandOptions {
  epochs: number;
  /** Default ttfs; relu kernel: softmax. */
  loss?: LossName | 'softmax';
  kernel: 'delta' | 'ramp' | 'relu';
  gamma: number;
  gammaA?: number;
  variant: 'earlier' | 'winner' | 'absolute';
  /** Aggressive TTFS read as a weighted push: the weight of settled samples (see `PushSettings`). */
  push?: number;
  /** With --push: wrong output neurons of settled samples are asked to stay silent. */
  pushSilence?: boolean;
  /** With --push: constant (default), down or up over the epochs. */
  pushSchedule?: 'constant' | 'down' | 'up';
  /** With --push: the share of its weight that reaches the hidden layers (default 1). */
  pushReach?: number;
  seed: number;
  hidden: number[];
  lr?: number;
  decay?: number;
  /** Default 1; relu kernel: 64. */
  batch?: number;
  workers: number;
  /** Default sgd; relu kernel: adam. */
  optimiser?: 'sgd' | 'adam';
  /** The old name of `optimiser`. */
  optimizer?: 'sgd' | 'adam';
  beta?: number;
  silentPenalty?: number;
  trainLimit?: number;
  testLimit?: number;
  shuffle: boolean;
  /** Default constant; relu kernel: cosine. */
  schedule?: 'constant' | 'cosine';
  /** relu kernel: `spike` (default; cross-entropy on the output values x = window end − t) or `potential`. */
  readout?: string;
  /** relu kernel: dropout of the hidden neurons per training sample (default `RELU_DROPOUT`). */
  dropout?: number;
  /** relu kernel: window lengths, input first (default 1, 16 per hidden layer, 8). */
  windows?: number[];
  averageEpochs: number;
  /** How test images no output neuron fired on are classified: `potential` (default) or `s4nn` (S4NN.py's rule). */
  undecided?: string;
  out: string;
  json?: boolean;
  quiet?: boolean;
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** The input layer as the classifier's metadata describes it. */
const INPUT = JSON.stringify({ name: 'input', size: MNIST_PIXELS });

/** A history entry without its timing (kept for --json and stderr): the model file is the same byte for byte. */
const untimed = ({ seconds: _s, ...entry }: { seconds: number }) => entry;

/**
 * One epoch of `classify train`'s history: the running training accuracy, then the test set's accuracy
 * (strict, and S4NN's count with ties correct), decision time, undecided share and spikes per image.
 */
interface EpochEntry {
  epoch: number;
  trainAccuracy: number;
  testAccuracy: number;
  testAccuracyTiesCorrect: number;
  seconds: number;
  inferenceTime: number;
  undecided: number;
  spikes: number;
  reinitialised: number;
}

/** `classify train`'s options with the kernel's defaults filled in (`resolveTrainOptions`). */
export type ResolvedTrainOptions = TrainCommandOptions &
  Required<Pick<TrainCommandOptions, 'loss' | 'optimizer' | 'batch' | 'schedule'>>;

/** Hidden dropout of the relu classifier's recipe. */
export const RELU_DROPOUT = 0.3;

/**
 * The options with every kernel-dependent default filled in: S4NN's for delta and ramp; for relu the
 * ReLU MLP recipe (softmax cross-entropy, Adam, batch 64, cosine decay, dropout `RELU_DROPOUT`).
 * Refuses the combinations that cannot work.
 */
export function resolveTrainOptions(o: TrainCommandOptions): ResolvedTrainOptions {
  const fail = (why: string) => {
    throw new CliError(why);
  };
  if (!['delta', 'ramp', 'relu'].includes(o.kernel)) fail(`--kernel must be delta, ramp or relu, got '${o.kernel}'`);
  const relu = o.kernel === 'relu';
  if (o.optimiser !== undefined && o.optimizer !== undefined) {
    fail('--optimiser and its old name --optimizer are the same setting: give one');
  }
  const r = {
    ...o,
    loss: o.loss ?? (relu ? 'softmax' : 'ttfs'),
    optimizer: o.optimiser ?? o.optimizer ?? (relu ? 'adam' : 'sgd'),
    batch: o.batch ?? (relu ? 64 : 1),
    schedule: o.schedule ?? (relu ? 'cosine' : 'constant'),
  } as const;
  if (!['ttfs', 'aggressive', 'softmax'].includes(r.loss)) {
    fail(`--loss must be ttfs, aggressive or softmax, got '${r.loss}'`);
  }
  if (r.optimizer !== 'sgd' && r.optimizer !== 'adam') fail(`--optimiser must be sgd or adam, got '${r.optimizer}'`);
  if (!['earlier', 'winner', 'absolute'].includes(o.variant)) {
    fail(`--variant must be earlier, winner or absolute, got '${o.variant}'`);
  }
  if (r.schedule !== 'constant' && r.schedule !== 'cosine') {
    fail(`--schedule must be constant or cosine, got '${r.schedule}'`);
  }
  if (o.workers > 1 && r.batch < 2) {
    const why = "S4NN's per-sample updates (--batch 1) run in one thread";
    fail(`--workers ${o.workers} needs mini-batches (--batch > 1): ${why}`);
  }
  if (o.push !== undefined && (r.loss !== 'aggressive' || o.variant !== 'earlier')) {
    fail(`--push is a reading of --loss aggressive (no --variant), not --loss ${r.loss} --variant ${o.variant}`);
  }
  if (o.push !== undefined && !(o.push <= 1)) fail(`--push must be in [0, 1], got ${o.push}`);
  if ((o.pushSilence || o.pushSchedule !== undefined || o.pushReach !== undefined) && o.push === undefined) {
    fail('--push-silence, --push-schedule and --push-reach go with --push');
  }
  if (o.pushReach !== undefined && !(o.pushReach <= 1)) fail(`--push-reach must be in [0, 1], got ${o.pushReach}`);
  if (o.pushSchedule !== undefined && !['constant', 'down', 'up'].includes(o.pushSchedule)) {
    fail(`--push-schedule must be constant, down or up, got '${o.pushSchedule}'`);
  }
  checkUndecided(o.undecided, o.kernel);
  if (o.kernel === 'ramp' && r.loss !== 'softmax') {
    fail(`--kernel ramp needs --loss softmax (the TTFS targets are for the delta kernel's integer times)`);
  }
  if (!relu) {
    const given = (['readout', 'dropout', 'windows'] as const).filter((k) => o[k] !== undefined);
    if (given.length > 0) fail(`--${given[0]} is for --kernel relu, not ${o.kernel}`);
    return r;
  }
  if (o.readout !== undefined && o.readout !== 'spike' && o.readout !== 'potential') {
    fail(`--readout must be spike or potential, got '${o.readout}'`);
  }
  if (r.loss !== 'softmax' && o.readout === 'potential') {
    fail(`--loss ${r.loss} reads the output spike times, not --readout potential`);
  }
  if (o.dropout !== undefined && !(o.dropout < 1)) fail(`--dropout must be below 1, got ${o.dropout}`);
  if (o.workers > 1) {
    const why = "its data-parallel shards keep no buffers for the biases' gradients, and dropout is drawn per sample";
    fail(`--kernel relu trains in one thread, not --workers ${o.workers} (${why})`);
  }
  if (o.silentPenalty !== undefined) fail('--silent-penalty is for --kernel ramp, not relu');
  if (o.averageEpochs > 0) {
    fail(`--average-epochs ${o.averageEpochs} is not for --kernel relu (the weight average leaves the biases out)`);
  }
  const layers = o.hidden.length + 2;
  if (o.windows !== undefined && o.windows.length !== layers) {
    fail(`--windows needs ${layers} lengths (input, ${layers - 2} hidden, output), got ${o.windows.length}`);
  }
  const windows = o.windows ?? defaultReluWindows(o.hidden.length);
  return { ...r, readout: o.readout ?? 'spike', dropout: o.dropout ?? RELU_DROPOUT, windows };
}

/** The push's settings as the model's metadata records them. */
function pushSettings(o: TrainCommandOptions): Record<string, unknown> {
  const { push, pushSilence = false, pushSchedule = 'constant', pushReach = 1 } = o;
  return { push, pushSilence, pushSchedule, pushReach };
}

/** Refuses an unknown rule for undecided images, and S4NN's on a kernel it does not describe. */
function checkUndecided(rule: string | undefined, kernel: string): void {
  if (rule === undefined || rule === 'potential') return;
  if (rule !== 's4nn') throw new CliError(`--undecided must be potential or s4nn, got '${rule}'`);
  if (kernel !== 'delta') throw new CliError(`--undecided s4nn is S4NN's rule for the delta kernel, not ${kernel}`);
}

/** Trains a classifier, evaluating on the test set after every epoch; saves the model (atomically) after each. */
export async function classifyTrain(options: TrainCommandOptions): Promise<void> {
  const o = resolveTrainOptions(options),
    relu = o.kernel === 'relu';
  checkOutputFile(o.out);
  const train = loadMnist('train'),
    test = loadMnist('test');
  const net = buildClassifier({ kernel: o.kernel, hidden: o.hidden, seed: o.seed, windows: o.windows });
  const lr = o.lr ?? (o.optimizer === 'adam' ? 1e-3 : 0.2);
  const readout: 'spike' | 'potential' = o.readout === 'potential' ? 'potential' : 'spike';
  const reluOptions = relu ? { readout, dropout: o.dropout } : {};
  const decay = o.decay ?? (o.optimizer === 'adam' ? 0 : 1e-6);
  const trainer = new ClassifierTrainer(net, {
    loss: o.loss,
    variant: o.variant,
    gamma: o.gamma,
    gammaA: o.gammaA,
    seed: o.seed,
    shuffle: o.shuffle,
    beta: o.beta,
    push: o.push,
    pushSilence: o.pushSilence,
    pushSchedule: o.pushSchedule,
    pushReach: o.pushReach,
    silentPenalty: o.silentPenalty,
    schedule: o.schedule,
    epochs: o.epochs,
    averageEpochs: o.averageEpochs,
    optimiser: { kind: o.optimizer, lr, decay, batch: o.batch },
    workers: o.workers,
    ...reluOptions,
  });
  const reluSettings = relu ? { readout, dropout: o.dropout, windows: o.windows, beta: o.beta ?? 1 } : {};
  const undecided = o.undecided === 's4nn' ? 's4nn' : 'potential';
  const settings = {
    epochs: o.epochs,
    loss: o.loss,
    kernel: o.kernel,
    gamma: o.gamma,
    gammaA: o.gammaA ?? o.gamma,
    variant: o.variant,
    ...(o.push === undefined ? {} : pushSettings(o)),
    seed: o.seed,
    hidden: o.hidden,
    lr,
    decay,
    batch: o.batch,
    workers: o.workers,
    optimizer: o.optimizer,
    schedule: o.schedule,
    averageEpochs: o.averageEpochs,
    shuffle: o.shuffle,
    trainLimit: o.trainLimit ?? train.n,
    undecided,
    ...reluSettings,
    commit: gitCommit(),
  };
  const history: EpochEntry[] = [];
  let last: ClassifierMetrics | null = null;
  const save = (extra: Record<string, string> = {}) => {
    const meta = { settings: JSON.stringify(settings), history: JSON.stringify(history.map(untimed)), input: INPUT };
    saveModel(o.out, net, { metadata: { ...extra, kind: 'classifier', ...meta } });
  };
  try {
    await trainer.startWorkers(train); // outside the epochs' timers
    for (let e = 0; e < o.epochs; e++) {
      const bar = new Progress(
        `epoch ${e + 1}/${o.epochs}`,
        Math.min(o.trainLimit ?? train.n, train.n),
        o.quiet || o.json,
      );
      const t0 = performance.now();
      const acc = await trainer.trainEpochAsync(
        train,
        (p) => bar.update(p.done, `train accuracy ${pct(p.accuracy)}`),
        o.trainLimit,
      );
      const seconds = (performance.now() - t0) / 1000;
      last = evaluateClassifier(net, test, { limit: o.testLimit, twin: e === o.epochs - 1, undecided });
      history.push({
        epoch: e + 1,
        trainAccuracy: acc,
        testAccuracy: last.accuracy,
        testAccuracyTiesCorrect: last.accuracyTiesCorrect,
        seconds,
        inferenceTime: last.inferenceTime,
        undecided: last.undecided,
        spikes: last.spikes,
        reinitialised: trainer.lastReinit,
      });
      save();
      if (!o.json && !o.quiet) {
        const perImage = ((seconds * 1e6) / Math.min(o.trainLimit ?? train.n, train.n)).toFixed(0);
        process.stderr.write(
          `epoch ${e + 1}: train ${pct(acc)} in ${formatDuration(seconds)} (${perImage} µs/image) | ` +
            `test ${pct(last.accuracy)} (ties correct ${pct(last.accuracyTiesCorrect)}), ` +
            `inference time ${last.inferenceTime.toFixed(2)} ${timeUnit(net)}, ` +
            `${last.spikes.toFixed(1)} spikes/sample, ${trainer.lastReinit} dead neurons re-initialised\n`,
        );
      }
    }
  } finally {
    await trainer.close(); // the worker threads, if any
  }
  if (trainer.average && trainer.average.count > 0) {
    trainer.average.apply();
    last = evaluateClassifier(net, test, { limit: o.testLimit, undecided });
    save({ averaged: String(trainer.average.count) });
    if (!o.json && !o.quiet)
      process.stderr.write(
        `weights averaged over ${trainer.average.count} snapshots of the last ${o.averageEpochs} epochs: ` +
          `test ${pct(last.accuracy)} (ties correct ${pct(last.accuracyTiesCorrect)})\n`,
      );
  }
  const result = { model: o.out, settings, history, test: last };
  if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else
    process.stdout.write(
      `saved ${o.out}: test accuracy ${last ? pct(last.accuracy) : '-'} after ${o.epochs} epochs ` +
        `(seed ${o.seed}, commit ${settings.commit})\n`,
    );
}

/** Options of `classify eval`. */
export interface EvalCommandOptions {
  model: string;
  limit?: number;
  /** How images no output neuron fired on are classified: `potential` (default) or `s4nn`. */
  undecided?: string;
  json?: boolean;
  out?: string;
}

/** Evaluates a classifier model file on the MNIST test set with the spec §7 figures. */
export async function classifyEval(o: EvalCommandOptions): Promise<void> {
  if (!existsSync(o.model)) throw new CliError(`${o.model}: no such file`);
  const { net, metadata } = loadModel(o.model);
  checkClassifier(net, o.model);
  const test = loadMnist('test');
  if (o.out) checkOutputFile(o.out);
  if (o.out) checkDistinct([['--out', o.out]], [['--model', o.model]]);
  const kernels = [...new Set(net.projections.map((p) => p.kernel))].join(', ');
  if (o.undecided === 's4nn' && kernels !== 'delta') {
    throw new CliError(`${o.model}: --undecided s4nn is S4NN's rule for delta-kernel models, not ${kernels}`);
  }
  checkUndecided(o.undecided, 'delta');
  const m = evaluateClassifier(net, test, { limit: o.limit, undecided: o.undecided === 's4nn' ? 's4nn' : 'potential' });
  const result = { model: o.model, settings: metadata.settings ? JSON.parse(metadata.settings) : null, ...m };
  if (o.out) writeOutput(o.out, `${JSON.stringify(result, null, 2)}\n`);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const layers = Object.keys(m.spikesPerLayer);
  const s4nnNote = m.undecidedRule === 's4nn' ? "; undecided images by S4NN's rule" : '';
  const perLayer = layers
    .map((l) => `${l} ${m.spikesPerLayer[l].toFixed(1)}/${m.spikesPerLayerToDecision[l].toFixed(1)}`)
    .join(', ');
  const shape = net.populations.map((p) => p.size).join('-');
  const lines = [
    `model ${o.model}: ${shape}, ${net.time} time, tmax ${net.tmax}, ${m.samples} MNIST test images`,
    `accuracy            ${pct(m.accuracy)}   (S4NN's count, ties correct: ${pct(m.accuracyTiesCorrect)})${s4nnNote}`,
    `inference time      ${m.inferenceTime.toFixed(2)} ${timeUnit(net)} (first output spike, decided samples); ` +
      `undecided ${pct(m.undecided)}`,
    `spikes per sample   ${m.spikes.toFixed(2)} whole window, ${m.spikesToDecision.toFixed(2)} to the decision ` +
      `(${perLayer}); input spikes ${m.inputSpikes.toFixed(1)}`,
    `spikes per neuron   ${layers.map((l) => `${l} ${m.spikesPerNeuron[l].toFixed(3)}`).join(', ')} (whole window)`,
    `synaptic events     ${m.synapticEvents.toFixed(0)} whole window, ` +
      `${m.synapticEventsToDecision.toFixed(0)} to the decision`,
    `energy estimate     ${m.energy.snnNj.toFixed(1)} nJ (${m.energy.snnToDecisionNj.toFixed(1)} nJ to the decision) ` +
      `at 0.9 pJ/SOP, against ${m.energy.annNj.toFixed(1)} nJ for the same ANN ` +
      `(${m.energy.macs} MACs at 4.6 pJ); ${m.energy.note}`,
  ];
  if (m.twin) {
    const { accuracy, agreement } = m.twin;
    const same = `the SNN's decision on ${pct(agreement)}`;
    lines.push(`float twin (ANN)    ${pct(accuracy)} (the ReLU MLP on the same weights); ${same}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** How times of a network are counted: steps in discrete time, time units of the window otherwise. */
function timeUnit(net: Network): string {
  const w = net.output.window;
  if (w) return `time units (output window [${w.start}, ${w.end}])`;
  return net.time === 'discrete' ? 'steps' : `time units (window ${net.tmax})`;
}

function checkClassifier(net: Network, file: string): void {
  if (!net.layered)
    throw new CliError(`${file}: not a layered classifier (it has ${net.projections.length} projections in a graph)`);
  const inputs = net.populations[0].size,
    outputs = net.output.size;
  if (inputs !== MNIST_PIXELS) {
    throw new CliError(`${file}: the model has ${inputs} inputs; an MNIST classifier needs ${MNIST_PIXELS}`);
  }
  if (outputs < MNIST_CLASSES) {
    const need = `${MNIST_CLASSES} (neuron k = digit k)`;
    throw new CliError(`${file}: the output layer has ${outputs} neurons; an MNIST classifier needs ${need}`);
  }
}
