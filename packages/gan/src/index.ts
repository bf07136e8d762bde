export { loadMnist, loadImageSet, mnistDir, shuffledIndices } from './data/mnist.ts';
