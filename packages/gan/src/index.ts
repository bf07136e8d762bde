/**
 * MNIST data, TTFS classifiers, the Spiking-GAN's generators, discriminators and trainers, the
 * sample-quality judge and metrics, and figures of sparsity and energy.
 * @module @spiking-gan/gan
 */
export { loadMnist, loadImageSet, mnistDir, MNIST_CLASSES, MNIST_PIXELS, MNIST_SIDE } from './data/mnist.ts';
export { IdxError } from './data/idx.ts';
export { NpyError } from './data/npy.ts';
export { SampleFileError } from './data/samples.ts';
export { DivergenceError } from './train/divergence.ts';
export { CliError } from './cli/fail.ts';
export * from './quality/index.ts';
export { cacheDir, judgeCacheDir, CACHE_VARIABLE } from './cache-dir.ts';
export { gitCommit } from './git-commit.ts';
export { buildClassifier, defaultInit } from './classify/model.ts';
export type { ClassifierShape } from './classify/model.ts';
export { ClassifierTrainer } from './classify/train.ts';
export type { TrainOptions, EpochProgress } from './classify/train.ts';
export { evaluateClassifier } from './classify/evaluate.ts';
export { ClassifierInput } from './classify/input.ts';
export type { ClassifierMetrics } from './classify/evaluate.ts';
export { Tally, PJ_PER_SOP, PJ_PER_MAC, ENERGY_NOTE } from './eval/figures.ts';
export type { NetFigures } from './eval/figures.ts';
export { ganSparsity } from './eval/sparsity.ts';
export type { GanSparsity, PipelineFigures } from './eval/sparsity.ts';
export { makeConfig, checkConfig, PRESETS, RAMP, FAITHFUL, RELU, RELU_COND, DEFAULT_PRESET } from './models/config.ts';
export type { GanConfig } from './models/config.ts';
export { fakeImageInput, realImageInput, PIXELS, reluNoise, reluRealInput, reluLatency } from './models/networks.ts';
export { GanTrainer } from './train/gan-trainer.ts';
export { ReluGanTrainer } from './train/relu-trainer.ts';
export { generatorInput, sampleRelu, sampleSpiking } from './train/sample.ts';
export type { Samples } from './train/sample.ts';
export { meanStats } from './train/stats.ts';
export { createTrainer, sampleGenerator } from './train/trainer.ts';
export type { Trainer } from './train/trainer.ts';
export type { StepStats } from './train/stats.ts';
export { saveNetwork, loadGenerator } from './train/checkpoint.ts';
export { imageGridPng } from './viz/png.ts';
export { rasterSvg, escapeXml } from './viz/raster.ts';
export type { RasterPop } from './viz/raster.ts';
