// `spiking-gan classify train` and `spiking-gan classify eval`: TTFS classifiers on MNIST (S4NN and friends).
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadModel, saveModel, type LossName, type Network } from '@spiking-gan/core';
import { buildClassifier } from '../classify/model.ts';
import { ClassifierTrainer } from '../classify/train.ts';
import { evaluateClassifier, type ClassifierMetrics } from '../classify/evaluate.ts';
import { loadMnist } from '../data/mnist.ts';
import { CliError } from './fail.ts';
import { checkDistinct, checkOutputFile, writeOutput } from './output.ts';
import { formatDuration, Progress } from './progress.ts';

/** Options of `classify train`. */
export interface TrainCommandOptions {
  epochs: number;
  loss: LossName | 'softmax';
  kernel: 'delta' | 'ramp';
  gamma: number;
  gammaA?: number;
  variant: 'earlier' | 'winner' | 'absolute';
  seed: number;
  hidden: number[];
  lr?: number;
  decay?: number;
  batch: number;
  workers: number;
  optimizer: 'sgd' | 'adam';
  beta?: number;
  silentPenalty?: number;
  trainLimit?: number;
  testLimit?: number;
  shuffle: boolean;
  schedule: 'constant' | 'cosine';
  averageEpochs: number;
  out: string;
  json?: boolean;
  quiet?: boolean;
}

/** The short commit hash of the working tree, or 'unknown'. */
export function gitCommit(): string {
  try {
    const dirty = execSync('git status --porcelain --untracked-files=no', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() + (dirty ? '+dirty' : '');
  } catch {
    return 'unknown';
  }
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** The input layer as the classifier's metadata describes it. */
const INPUT = JSON.stringify({ name: 'input', size: 784 });

/** A history entry without its timing (kept for --json and stderr): the model file is the same byte for byte. */
const untimed = ({ seconds: _s, ...entry }: { seconds: number }) => entry;

/** Trains a classifier, evaluating on the test set after every epoch; saves the model (atomically) after each. */
export async function classifyTrain(o: TrainCommandOptions): Promise<void> {
  if (!['ttfs', 'aggressive', 'softmax'].includes(o.loss)) throw new CliError(`--loss must be ttfs, aggressive or softmax, got '${o.loss}'`);
  if (o.kernel !== 'delta' && o.kernel !== 'ramp') throw new CliError(`--kernel must be delta or ramp, got '${o.kernel}'`);
  if (o.optimizer !== 'sgd' && o.optimizer !== 'adam') throw new CliError(`--optimizer must be sgd or adam, got '${o.optimizer}'`);
  if (!['earlier', 'winner', 'absolute'].includes(o.variant)) throw new CliError(`--variant must be earlier, winner or absolute, got '${o.variant}'`);
  if (o.schedule !== 'constant' && o.schedule !== 'cosine') throw new CliError(`--schedule must be constant or cosine, got '${o.schedule}'`);
  if (o.workers > 1 && o.batch < 2) throw new CliError(`--workers ${o.workers} needs mini-batches (--batch > 1): S4NN's per-sample updates (--batch 1) run in one thread`);
  if (o.kernel === 'ramp' && o.loss !== 'softmax') throw new CliError(`--kernel ramp needs --loss softmax (the TTFS targets are for the delta kernel's integer times)`);
  checkOutputFile(o.out);
  const train = loadMnist('train'), test = loadMnist('test');
  const net = buildClassifier({ kernel: o.kernel, hidden: o.hidden, seed: o.seed });
  const lr = o.lr ?? (o.optimizer === 'adam' ? 1e-3 : 0.2);
  const trainer = new ClassifierTrainer(net, {
    loss: o.loss, variant: o.variant, gamma: o.gamma, gammaA: o.gammaA, seed: o.seed, shuffle: o.shuffle, beta: o.beta, silentPenalty: o.silentPenalty, schedule: o.schedule, epochs: o.epochs, averageEpochs: o.averageEpochs,
    optimiser: { kind: o.optimizer, lr, decay: o.decay ?? (o.optimizer === 'adam' ? 0 : 1e-6), batch: o.batch }, workers: o.workers,
  });
  const settings = { epochs: o.epochs, loss: o.loss, kernel: o.kernel, gamma: o.gamma, gammaA: o.gammaA ?? o.gamma, variant: o.variant, seed: o.seed, hidden: o.hidden, lr, decay: o.decay ?? (o.optimizer === 'adam' ? 0 : 1e-6), batch: o.batch, workers: o.workers, optimizer: o.optimizer, schedule: o.schedule, averageEpochs: o.averageEpochs, shuffle: o.shuffle, trainLimit: o.trainLimit ?? train.n, commit: gitCommit() };
  const history: { epoch: number; trainAccuracy: number; testAccuracy: number; seconds: number; inferenceTime: number; spikes: number; reinitialised: number }[] = [];
  let last: ClassifierMetrics | null = null;
  const save = (extra: Record<string, string> = {}) => {
    const meta = { settings: JSON.stringify(settings), history: JSON.stringify(history.map(untimed)), input: INPUT };
    saveModel(o.out, net, { metadata: { ...extra, kind: 'classifier', ...meta } });
  };
  try {
    for (let e = 0; e < o.epochs; e++) {
      const bar = new Progress(`epoch ${e + 1}/${o.epochs}`, Math.min(o.trainLimit ?? train.n, train.n), o.quiet || o.json);
      const t0 = performance.now();
      const acc = await trainer.trainEpochAsync(train, (p) => bar.update(p.done, `train accuracy ${pct(p.accuracy)}`), o.trainLimit);
      const seconds = (performance.now() - t0) / 1000;
      last = evaluateClassifier(net, test, { limit: o.testLimit });
      history.push({ epoch: e + 1, trainAccuracy: acc, testAccuracy: last.accuracy, seconds, inferenceTime: last.inferenceTime, spikes: last.spikes, reinitialised: trainer.lastReinit });
      save();
      if (!o.json && !o.quiet) {
        process.stderr.write(`epoch ${e + 1}: train ${pct(acc)} in ${formatDuration(seconds)} (${((seconds * 1e6) / Math.min(o.trainLimit ?? train.n, train.n)).toFixed(0)} µs/image) | test ${pct(last.accuracy)} (ties correct ${pct(last.accuracyTiesCorrect)}), inference time ${last.inferenceTime.toFixed(2)} ${timeUnit(net)}, ${last.spikes.toFixed(1)} spikes/sample, ${trainer.lastReinit} dead neurons re-initialised\n`);
      }
    }
  } finally {
    await trainer.close(); // the worker threads, if any
  }
  if (trainer.average && trainer.average.count > 0) {
    trainer.average.apply();
    last = evaluateClassifier(net, test, { limit: o.testLimit });
    save({ averaged: String(trainer.average.count) });
    if (!o.json && !o.quiet) process.stderr.write(`weights averaged over ${trainer.average.count} snapshots of the last ${o.averageEpochs} epochs: test ${pct(last.accuracy)} (ties correct ${pct(last.accuracyTiesCorrect)})\n`);
  }
  const result = { model: o.out, settings, history, test: last };
  if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`saved ${o.out}: test accuracy ${last ? pct(last.accuracy) : '-'} after ${o.epochs} epochs (seed ${o.seed}, commit ${settings.commit})\n`);
}

/** Options of `classify eval`. */
export interface EvalCommandOptions {
  model: string;
  limit?: number;
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
  const m = evaluateClassifier(net, test, { limit: o.limit });
  const result = { model: o.model, settings: metadata.settings ? JSON.parse(metadata.settings) : null, ...m };
  if (o.out) writeOutput(o.out, `${JSON.stringify(result, null, 2)}\n`);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const layers = Object.keys(m.spikesPerLayer);
  const lines = [
    `model ${o.model}: ${net.populations.map((p) => p.size).join('-')}, ${net.time} time, tmax ${net.tmax}, ${m.samples} MNIST test images`,
    `accuracy            ${pct(m.accuracy)}   (S4NN's count, ties correct: ${pct(m.accuracyTiesCorrect)})`,
    `inference time      ${m.inferenceTime.toFixed(2)} ${timeUnit(net)} (first output spike, decided samples); undecided ${pct(m.undecided)}`,
    `spikes per sample   ${m.spikes.toFixed(2)} whole window, ${m.spikesToDecision.toFixed(2)} to the decision (${layers.map((l) => `${l} ${m.spikesPerLayer[l].toFixed(1)}/${m.spikesPerLayerToDecision[l].toFixed(1)}`).join(', ')}); input spikes ${m.inputSpikes.toFixed(1)}`,
    `synaptic events     ${m.synapticEvents.toFixed(0)} whole window, ${m.synapticEventsToDecision.toFixed(0)} to the decision`,
    `energy estimate     ${m.energy.snnNj.toFixed(1)} nJ (${m.energy.snnToDecisionNj.toFixed(1)} nJ to the decision) at 0.9 pJ/SOP, against ${m.energy.annNj.toFixed(1)} nJ for the same ANN (${m.energy.macs} MACs at 4.6 pJ); ${m.energy.note}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** How times of a network are counted: steps in discrete time, time units of the window otherwise. */
function timeUnit(net: Network): string {
  return net.time === 'discrete' ? 'steps' : `time units (window ${net.tmax})`;
}

function checkClassifier(net: Network, file: string): void {
  if (!net.layered) throw new CliError(`${file}: not a layered classifier (it has ${net.projections.length} projections in a graph)`);
  if (net.populations[0].size !== 784) throw new CliError(`${file}: the model has ${net.populations[0].size} inputs; an MNIST classifier needs 784`);
  if (net.output.size < 10) throw new CliError(`${file}: the output layer has ${net.output.size} neurons; an MNIST classifier needs 10 (neuron k = digit k)`);
}
