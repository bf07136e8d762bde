export { loadMnist, loadImageSet, mnistDir, shuffledIndices } from './data/mnist.ts';
export * from './quality/index.ts';
