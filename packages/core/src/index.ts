/**
 * The event-driven spiking engine: networks of integrate-and-fire neurons with time-to-first-spike
 * coding (discrete or continuous time, WebAssembly SIMD kernels with a TypeScript fallback),
 * temporal backpropagation and optimisers, and model files in safetensors.
 * @module @spiking-gan/core
 */
export { Network, Population, Projection, S4NN_DEFAULTS } from './engine/network.ts';
export type {
  TimeMode,
  Kernel,
  Csr,
  PopulationOptions,
  ConnectOptions,
  NetworkOptions,
  Window,
} from './engine/network.ts';
export { Simulator } from './engine/simulator.ts';
export { reluNetwork } from './engine/relu-network.ts';
export type { ReluNetworkOptions } from './engine/relu-network.ts';
export type { RunOptions, SimulatorOptions, SpikeTimes } from './engine/simulator.ts';
export { RunRecord } from './engine/record.ts';
export { engineBackend, useKernelFile, KERNEL_FILE } from './engine/kernel-memory.ts';
export {
  shareNetwork,
  attachNetwork,
  sharedArray,
  shareArray,
  attachArray,
  drainInto,
} from './engine/shared-memory.ts';
export type { AttachOptions, SharedNetwork, SharedArray } from './engine/shared-memory.ts';
export { Rng, permutation } from './coding/rng.ts';
export { encodeBytes, encodeUnit, decodeUnit, decodeBytes, noiseTimes } from './coding/ttfs.ts';
export type { EncodeOptions } from './coding/ttfs.ts';
export { valuesToTimes, timesToValues, signedNoise } from './coding/relu-code.ts';
export { saveModel, loadModel, MODEL_FORMAT } from './io/model.ts';
export { MAX_MODEL_TMAX, MAX_MODEL_NEURONS, MAX_MODEL_POPULATIONS } from './io/model-plan.ts';
export type { SaveOptions, LoadedModel } from './io/model.ts';
export { encodeSafetensors, decodeSafetensors, readSafetensorsFile, writeSafetensorsFile } from './io/safetensors.ts';
export type { DType, Tensor } from './io/safetensors.ts';
export { InputFileError, ModelFileError } from './io/errors.ts';
export { KernelMemoryFull } from './engine/kernel-memory.ts';
export { RegularFile, readClaimedFile, readRegularFile, withRegularFile } from './io/read-file.ts';
export { writeFileAtomic, tempPathFor, tempFileOwner } from './io/atomic.ts';
export { Backprop, GradientCollector, normalise } from './learn/backprop.ts';
export type { BackpropOptions, GradientSink } from './learn/backprop.ts';
export { Optimiser, PASSES_WITHOUT_END_SAMPLE } from './learn/optimiser.ts';
export { FloatTwin } from './learn/float-twin.ts';
export type { FloatTwinOptions } from './learn/float-twin.ts';
export { SpikingPass, TwinPass } from './learn/value-pass.ts';
export { LeakyPairs, SignedInputPairs, tieHooks } from './learn/leaky-pairs.ts';
export type { ValuePass, ValuePassOptions } from './learn/value-pass.ts';
export type { OptimiserOptions } from './learn/optimiser.ts';
export {
  applyUpdatePart,
  attachUpdateArrays,
  partRanges,
  reducePart,
  shareUpdateArrays,
} from './learn/update-parts.ts';
export type { SharedUpdateArrays, UpdateArrays, UpdatePlan } from './learn/update-parts.ts';
export { ADAM_DEFAULTS, adamCorrections, adamUpdate } from './kernels/adam.ts';
export type { AdamStep, AdamValues } from './kernels/adam.ts';
export { cosineFactor } from './learn/schedule.ts';
export { ttfsTargets, aggressiveTargets, targets, outputError } from './learn/losses/targets.ts';
export type { LossName, TargetOptions } from './learn/losses/targets.ts';
export type { LossFunction } from './learn/losses/loss-function.ts';
export { TargetLoss } from './learn/losses/target-loss.ts';
export { softmaxError, softmaxValueError, SoftmaxTimeLoss, SoftmaxValueLoss } from './learn/losses/softmax.ts';
export { LogitBce, logisticLoss, sigmoid, softplus, TimeDifferenceBce } from './learn/losses/logistic.ts';
export { WeightAverage } from './learn/average.ts';
