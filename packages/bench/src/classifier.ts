// Classifier part: TTFS against Aggressive TTFS on full MNIST (784-400-10, S4NN defaults), trained
// once and cached, then measured (accuracy, decision time, spikes, synaptic events, energy) and
// per-sample decision times.
import { loadModel, saveModel, Simulator, encodeBytes } from '@spiking-gan/core';
import {
  buildClassifier, ClassifierTrainer, evaluateClassifier, loadMnist, MNIST_PIXELS, type ClassifierMetrics,
} from '@spiking-gan/gan';
import { checkClaim, median, type ClaimCheck } from './arith.ts';
import { cachePath, cached } from './cache.ts';

/** Settings of one trained classifier. */
export interface ClassifierSettings {
  loss: 'ttfs' | 'aggressive';
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
  /** Decision time of every evaluated test image (steps; tmax when undecided). */
  decisionTimes: number[];
  /** Wall time per image of the forward pass (median, µs). */
  medianUs: number;
}

/** The part's result: both losses and the paper's two claims checked on them. */
export interface ClassifierBenchResult {
  testImages: number;
  rows: ClassifierRow[];
  claims: ClaimCheck[];
}

/** Options: epochs (default 30), training images per epoch (60,000), test images (10,000), seed (0), retrain. */
export interface ClassifierBenchOptions {
  epochs?: number;
  trainImages?: number;
  testImages?: number;
  seed?: number;
  retrain?: boolean;
  log?: (line: string) => void;
}

/** Trains (or loads) and measures the TTFS and Aggressive TTFS classifiers. */
export function benchClassifier(opts: ClassifierBenchOptions = {}): ClassifierBenchResult {
  const train = loadMnist('train'), test = loadMnist('test');
  const epochs = opts.epochs ?? 30, trainImages = Math.min(opts.trainImages ?? train.n, train.n), testImages = Math.min(opts.testImages ?? test.n, test.n);
  const seed = opts.seed ?? 0, log = opts.log ?? (() => {});
  const rows = (['ttfs', 'aggressive'] as const).map((loss): ClassifierRow => {
    const settings: ClassifierSettings = { loss, epochs, trainImages, seed };
    const path = cachePath(`classifier-${loss}`, { ...settings, testImages });
    let trainSeconds = 0, curve: ClassifierRow['curve'] = [];
    const fromCache = cached(path, opts.retrain ?? false);
    let net;
    if (fromCache) {
      const m = loadModel(path);
      net = m.net;
      trainSeconds = Number(m.metadata.trainSeconds);
      curve = JSON.parse(m.metadata.curve ?? '[]');
      log(`classifier: ${loss} from the cache (${path})`);
    } else {
      net = buildClassifier({ seed });
      const tr = new ClassifierTrainer(net, { loss, seed, epochs });
      const t0 = performance.now();
      for (let e = 1; e <= epochs; e++) {
        const trainAccuracy = tr.trainEpoch(train, undefined, trainImages);
        const testAccuracy = evaluateClassifier(net, test, { limit: Math.min(testImages, 1000) }).accuracy;
        curve.push({ epoch: e, trainAccuracy, testAccuracy });
        log(`classifier: ${loss} epoch ${e}/${epochs}: train ${(100 * trainAccuracy).toFixed(2)} %, test (first ${Math.min(testImages, 1000)}) ${(100 * testAccuracy).toFixed(2)} %`);
      }
      trainSeconds = (performance.now() - t0) / 1000;
      saveModel(path, net, { metadata: { trainSeconds: String(trainSeconds), curve: JSON.stringify(curve), settings: JSON.stringify(settings) } });
    }
    const metrics = evaluateClassifier(net, test, { limit: testImages });
    const sim = new Simulator(net), buf = new Float64Array(MNIST_PIXELS), ns = new Float64Array(testImages);
    const decisionTimes: number[] = [];
    for (let i = 0; i < testImages; i++) {
      encodeBytes(test.image(i), { tmax: net.tmax, quantise: true }, buf);
      const t0 = process.hrtime.bigint();
      const rec = sim.run(buf);
      ns[i] = Number(process.hrtime.bigint() - t0);
      decisionTimes.push(rec.decided ? rec.decisionTime : net.tmax);
    }
    return { settings, model: path, fromCache, trainSeconds, curve, metrics, decisionTimes, medianUs: median(ns) / 1e3 };
  });
  const [t, a] = rows;
  const at = `accuracy ${(100 * t.metrics.accuracy).toFixed(2)} % → ${(100 * a.metrics.accuracy).toFixed(2)} %`;
  const claims = [
    checkClaim('classifier: Aggressive TTFS infers > 33 % faster (mean first output spike)', 33, t.metrics.inferenceTime, a.metrics.inferenceTime, at),
    checkClaim('classifier: Aggressive TTFS uses > 11 % fewer spikes (whole window)', 11, t.metrics.spikes, a.metrics.spikes, at),
    checkClaim('classifier: … fewer spikes up to the decision', 11, t.metrics.spikesToDecision, a.metrics.spikesToDecision, at),
  ];
  return { testImages, rows, claims };
}
