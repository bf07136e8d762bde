// `spiking-gan sample`: images from a trained generator, as a PNG grid and an IDX file.
import { existsSync } from 'node:fs';
import { encodeIdx } from '../data/idx.ts';
import { MNIST_SIDE } from '../data/mnist.ts';
import { loadGenerator } from '../train/checkpoint.ts';
import { sampleGenerator } from '../train/trainer.ts';
import { imageGridPng } from '../viz/png.ts';
import { CliError } from './fail.ts';
import { checkDistinct, checkOutputFile, writeOutput, type NamedPath } from './output.ts';

/** Options of `spiking-gan sample`. */
export interface SampleOptions {
  model: string;
  count: number;
  seed: number;
  digit?: number;
  png: string;
  idx?: string;
  grid?: number;
}

/** Generates `count` images with a seed; writes a PNG grid (of at most `grid` images) and the images as an IDX file. */
export async function sample(o: SampleOptions): Promise<void> {
  if (!existsSync(o.model)) throw new CliError(`${o.model}: no such file`);
  const { G, cfg } = loadGenerator(o.model);
  if (o.digit !== undefined && !cfg.conditional && !cfg.infoCode) {
    const why = `${o.model} was trained unconditionally`;
    throw new CliError(`--digit needs a class-conditional (or InfoGAN) generator; ${why}`);
  }
  const idx = o.idx ?? o.png.replace(/\.png$/i, '') + '-images-idx3-ubyte';
  const labelsPath = cfg.conditional ? labelsPathOf(idx) : null;
  const outputs: NamedPath[] = [
    ['--png', o.png],
    ['--idx', idx],
  ];
  if (labelsPath !== null) outputs.push(['the labels file', labelsPath]);
  for (const [, path] of outputs) checkOutputFile(path);
  checkDistinct(outputs, [['--model', o.model]]);
  const { pixels, labels } = sampleGenerator(G, cfg, o.count, o.seed, o.digit);
  const shown = Math.min(o.count, o.grid ?? 100);
  writeOutput(o.png, imageGridPng(pixels, shown, MNIST_SIDE, MNIST_SIDE, { scale: 2 }));
  writeOutput(idx, encodeIdx([o.count, MNIST_SIDE, MNIST_SIDE], pixels));
  if (labelsPath !== null) writeOutput(labelsPath, encodeIdx([o.count], labels));
  let lit = 0;
  for (let i = 0; i < pixels.length; i++) if (pixels[i] > 0) lit++;
  process.stdout.write(
    `sampled ${o.count} images from ${o.model} (seed ${o.seed}${o.digit !== undefined ? `, digit ${o.digit}` : ''}): ` +
      `${((100 * lit) / pixels.length).toFixed(1)} % of pixels lit\n` +
      `wrote ${o.png} (${shown} images) and ${idx} (${o.count} x 28 x 28, uint8)\n`,
  );
}

/** Where a conditional generator's labels go: `…-labels-idx1-ubyte` for `…-images-idx3-ubyte`, else `<idx>.labels`. */
function labelsPathOf(idx: string): string {
  return /images-idx3-ubyte$/.test(idx) ? idx.replace(/images-idx3-ubyte$/, 'labels-idx1-ubyte') : `${idx}.labels`;
}
