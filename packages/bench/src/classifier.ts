// Classifier part: 784-400-10 classifiers on full MNIST, trained once and cached, then measured
// (accuracy, decision time, spikes per layer and per neuron, synaptic events, energy against the ANN
// twin) with per-image decision times. On S4NN's delta kernel (S4NN defaults): TTFS, Aggressive TTFS
// as the spec reads it, and the push reading; on the ReLU-equivalent kernel (the relu recipe of
// `classify train --kernel relu`): its softmax classifier, TTFS and the push reading. The claims
// compare each Aggressive reading with TTFS on the same kernel, seed and budget.
import { loadModel, saveModel, Simulator } from '@spiking-gan/core';
import {
  buildClassifier,
  ClassifierInput,
  ClassifierTrainer,
  evaluateClassifier,
  loadMnist,
  type ClassifierMetrics,
  type TrainOptions,
} from '@spiking-gan/gan';
import { checkClaim, median, type ClaimCheck } from './arith.ts';
import { cachePath, cached } from './cache.ts';

/**
 * The push reading of Aggressive TTFS on each kernel, as chosen by the search (gan README, issue 17): its weight,
 * and on the delta kernel its reach (0: the push trains the output layer only) and schedule (`down`: the weight
 * falls linearly to 0 over the epochs).
 */
const PUSH_DELTA = 0.1,
  PUSH_DELTA_REACH = 0,
  PUSH_DELTA_SCHEDULE = 'down',
  PUSH_RELU = 0.3,
  PUSH_RELU_REACH = 0.5;
/** The relu kernel's TTFS margin γ (time units of its 8-unit output window). */
const RELU_GAMMA = 1;
/** The relu kernel's TTFS recipe: Adam's rate, no dropout (the classifier's 1e-3 and 0.3 collapse its hidden layer). */
const RELU_TTFS_LR = 1e-4;

/** The rows: delta kernel `ttfs`, `aggressive`, `push`; relu kernel `relu` (its recipe), `relu-ttfs`, `relu-push`. */
export type ClassifierRowName = 'ttfs' | 'aggressive' | 'push' | 'relu' | 'relu-ttfs' | 'relu-push';

/** One row: its kernel, the trainer's options besides seed and epochs, and the `classify train` flags that train it. */
export interface ClassifierRowSpec {
  kernel: 'delta' | 'relu';
  options: TrainOptions;
  command: string[];
}

/** What each row trains (report.test.ts holds every row to the weights its command trains). */
export const CLASSIFIER_ROWS: Record<ClassifierRowName, ClassifierRowSpec> = (() => {
  // `classify train --kernel relu`'s recipe
  const relu: TrainOptions = {
    loss: 'softmax',
    schedule: 'cosine',
    dropout: 0.3,
    readout: 'spike',
    optimiser: { kind: 'adam', lr: 1e-3, decay: 0, batch: 64 },
  };
  const reluTtfs: TrainOptions = {
    ...relu,
    loss: 'ttfs',
    gamma: RELU_GAMMA,
    dropout: 0,
    optimiser: { ...relu.optimiser!, lr: RELU_TTFS_LR },
  };
  const g = ['--gamma', String(RELU_GAMMA), '--lr', String(RELU_TTFS_LR), '--dropout', '0'];
  return {
    ttfs: { kernel: 'delta', options: { loss: 'ttfs' }, command: [] },
    aggressive: { kernel: 'delta', options: { loss: 'aggressive' }, command: ['--loss', 'aggressive'] },
    push: {
      kernel: 'delta',
      options: { loss: 'aggressive', push: PUSH_DELTA, pushReach: PUSH_DELTA_REACH, pushSchedule: PUSH_DELTA_SCHEDULE },
      command: [
        ...['--loss', 'aggressive', '--push', String(PUSH_DELTA)],
        ...['--push-reach', String(PUSH_DELTA_REACH), '--push-schedule', PUSH_DELTA_SCHEDULE],
      ],
    },
    relu: { kernel: 'relu', options: relu, command: ['--kernel', 'relu'] },
    'relu-ttfs': { kernel: 'relu', options: reluTtfs, command: ['--kernel', 'relu', '--loss', 'ttfs', ...g] },
    'relu-push': {
      kernel: 'relu',
      options: { ...reluTtfs, loss: 'aggressive', push: PUSH_RELU, pushReach: PUSH_RELU_REACH },
      command: [
        ...['--kernel', 'relu', '--loss', 'aggressive', ...g],
        ...['--push', String(PUSH_RELU), '--push-reach', String(PUSH_RELU_REACH)],
      ],
    },
  };
})();

/** Settings of one trained classifier. */
export interface ClassifierSettings {
  name: ClassifierRowName;
  kernel: 'delta' | 'relu';
  options: TrainOptions;
  epochs: number;
  /** Training images per epoch (the first of a seeded shuffle). */
  trainImages: number;
  seed: number;
}

/** One trained classifier, measured. */
export interface ClassifierRow {
  settings: ClassifierSettings;
  model: string;
  fromCache: boolean;
  trainSeconds: number;
  /** Per epoch: running training accuracy and test accuracy on the evaluated images. */
  curve: { epoch: number; trainAccuracy: number; testAccuracy: number }[];
  metrics: ClassifierMetrics;
  /**
   * Each evaluated test image's decision time from the output window's start (delta: steps; none: the window's
   * length).
   */
  decisionTimes: number[];
  /** The output window's length (delta: tmax, 256 steps; relu: 8 time units). */
  window: number;
  /** Wall time per image of the forward pass (median, µs). */
  medianUs: number;
}

/** The part's result: every row and the paper's claims checked on each Aggressive reading against TTFS. */
export interface ClassifierBenchResult {
  testImages: number;
  rows: ClassifierRow[];
  claims: ClaimCheck[];
}

/** Options: epochs (default 30), training images per epoch (60,000), test images (10,000), seed (0), rows (all). */
export interface ClassifierBenchOptions {
  epochs?: number;
  trainImages?: number;
  testImages?: number;
  seed?: number;
  rows?: ClassifierRowName[];
  retrain?: boolean;
  log?: (line: string) => void;
}

/** Trains (or loads) and measures the classifiers, then checks the claims on each Aggressive reading. */
export function benchClassifier(opts: ClassifierBenchOptions = {}): ClassifierBenchResult {
  const train = loadMnist('train'),
    test = loadMnist('test');
  const epochs = opts.epochs ?? 30,
    trainImages = Math.min(opts.trainImages ?? train.n, train.n);
  const testImages = Math.min(opts.testImages ?? test.n, test.n);
  const seed = opts.seed ?? 0,
    log = opts.log ?? (() => {});
  const names = opts.rows ?? (Object.keys(CLASSIFIER_ROWS) as ClassifierRowName[]);
  const rows = names.map((name): ClassifierRow => {
    const spec = CLASSIFIER_ROWS[name];
    const known = Object.keys(CLASSIFIER_ROWS).join(', ');
    if (!spec) throw new RangeError(`benchClassifier: no row '${name}' (rows: ${known})`);
    const { kernel, options } = spec;
    const settings: ClassifierSettings = { name, kernel, options, epochs, trainImages, seed };
    const path = cachePath(`classifier-${name}`, { ...settings, testImages });
    let trainSeconds: number,
      curve: ClassifierRow['curve'] = [];
    const fromCache = cached(path, opts.retrain ?? false);
    let net;
    if (fromCache) {
      const m = loadModel(path);
      net = m.net;
      trainSeconds = Number(m.metadata.trainSeconds);
      curve = JSON.parse(m.metadata.curve ?? '[]');
      log(`classifier: ${name} from the cache (${path})`);
    } else {
      net = buildClassifier({ kernel, seed });
      const tr = new ClassifierTrainer(net, { ...options, seed, epochs });
      const t0 = performance.now(),
        shown = Math.min(testImages, 1000);
      for (let e = 1; e <= epochs; e++) {
        const trainAccuracy = tr.trainEpoch(train, undefined, trainImages);
        const testAccuracy = evaluateClassifier(net, test, { limit: shown, twin: false }).accuracy;
        curve.push({ epoch: e, trainAccuracy, testAccuracy });
        const pc = (x: number) => (100 * x).toFixed(2);
        const test1 = `test (first ${shown}) ${pc(testAccuracy)} %`;
        log(`classifier: ${name} epoch ${e}/${epochs}: train ${pc(trainAccuracy)} %, ${test1}`);
      }
      trainSeconds = (performance.now() - t0) / 1000;
      const metadata = {
        trainSeconds: String(trainSeconds),
        curve: JSON.stringify(curve),
        settings: JSON.stringify(settings),
      };
      saveModel(path, net, { metadata });
    }
    const metrics = evaluateClassifier(net, test, { limit: testImages });
    const w = net.output.window,
      start = w?.start ?? 0,
      window = w ? w.end - w.start : net.tmax;
    const sim = new Simulator(net),
      input = new ClassifierInput(net),
      ns = new Float64Array(testImages);
    const decisionTimes: number[] = [];
    for (let i = 0; i < testImages; i++) {
      const times = input.encode(test.image(i));
      const t0 = process.hrtime.bigint();
      const rec = sim.run(times);
      ns[i] = Number(process.hrtime.bigint() - t0);
      decisionTimes.push(rec.decided ? rec.decisionTime - start : window);
    }
    const medianUs = median(ns) / 1e3;
    return { settings, model: path, fromCache, trainSeconds, curve, metrics, decisionTimes, window, medianUs };
  });
  return { testImages, rows, claims: claims(rows) };
}

/**
 * The paper's claims on every Aggressive reading that has its TTFS row on the same kernel: > 33 % sooner
 * (mean first output spike from the output window's start), > 11 % fewer spikes (whole window, and to the
 * decision); the accuracy beside (the issue asks for at most 0.3 point less).
 */
function claims(rows: ClassifierRow[]): ClaimCheck[] {
  const by = new Map(rows.map((r) => [r.settings.name, r]));
  const pairs: [ClassifierRowName, ClassifierRowName, string][] = [
    ['ttfs', 'aggressive', "delta, the spec's reading T_y = τ* − γ_a"],
    ['ttfs', 'push', 'delta, the push reading'],
    ['relu-ttfs', 'relu-push', 'relu, the push reading'],
    ['relu', 'relu-push', 'relu, the push reading against the softmax classifier'],
  ];
  const out: ClaimCheck[] = [];
  for (const [before, after, what] of pairs) {
    const t = by.get(before)?.metrics,
      a = by.get(after)?.metrics;
    if (!t || !a) continue;
    const points = 100 * (a.accuracy - t.accuracy);
    const kept = points >= -0.3 ? 'kept' : 'not kept';
    const at =
      `accuracy ${(100 * t.accuracy).toFixed(2)} % → ${(100 * a.accuracy).toFixed(2)} % ` +
      `(${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(2)} point: ${kept}, the issue allows −0.3)`;
    const claim = (c: string, pct: number, b: number, x: number) =>
      checkClaim(`classifier (${what}): ${c}`, pct, b, x, at);
    out.push(
      claim('decides > 33 % sooner (mean first output spike)', 33, t.inferenceTimeInWindow, a.inferenceTimeInWindow),
      claim('> 11 % fewer spikes (whole window)', 11, t.spikes, a.spikes),
      claim('> 11 % fewer spikes up to the decision', 11, t.spikesToDecision, a.spikesToDecision),
    );
  }
  return out;
}
