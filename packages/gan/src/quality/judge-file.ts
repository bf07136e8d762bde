// The judge's weights in safetensors form: the torch convention of the model files (`layers.{k}.weight`
// of shape [n_out, n_in], `layers.{k}.bias`), transposed from and to the judge's input-major layers,
// and the metadata that records its recipe.
import { ModelFileError, type Tensor } from '@spiking-gan/core';

/** What is known about a judge: its recipe and, once measured, its test accuracy. */
export interface JudgeInfo {
  version: string;
  arch: number[];
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  shift: number;
  /** Accuracy on the MNIST test set (NaN if not measured). */
  testAccuracy: number;
  /** Wall-clock training time in seconds (NaN if unknown). */
  trainSeconds: number;
  /** Set by `loadOrTrainJudge`: the cache file, and whether the weights came from it. */
  cachePath?: string;
  fromCache?: boolean;
}

/** One layer of the judge: input-major weights (`w[i * nOut + j]`), biases, sizes. */
export interface JudgeLayer {
  w: Float32Array;
  b: Float32Array;
  nIn: number;
  nOut: number;
}

/** The layers as tensors: `layers.{k}.weight` [n_out, n_in] F32 and `layers.{k}.bias` [n_out]. */
export function layersToTensors(layers: JudgeLayer[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  layers.forEach(({ w, b, nIn, nOut }, k) => {
    const t = new Float32Array(nIn * nOut);
    for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) t[j * nIn + i] = w[i * nOut + j];
    out[`layers.${k}.weight`] = { dtype: 'F32', shape: [nOut, nIn], data: t };
    out[`layers.${k}.bias`] = { dtype: 'F32', shape: [nOut], data: b.slice() };
  });
  return out;
}

/**
 * Fills `layers` from tensors written by `layersToTensors` (F32 or F64); throws naming `file` and the
 * defect: an unexpected or missing tensor, a dtype or shape that does not fit, a non-finite value.
 */
export function layersFromTensors(tensors: Record<string, Tensor>, layers: JudgeLayer[], file: string): void {
  const expected = new Set(layers.flatMap((_, k) => [`layers.${k}.weight`, `layers.${k}.bias`]));
  const arch = [layers[0].nIn, ...layers.map((l) => l.nOut)].join('-');
  for (const name of Object.keys(tensors)) {
    if (!expected.has(name)) throw new ModelFileError(file, `unexpected tensor '${name}' for a ${arch} judge`);
  }
  layers.forEach(({ w, b, nIn, nOut }, k) => {
    const tw = tensors[`layers.${k}.weight`];
    const tb = tensors[`layers.${k}.bias`];
    if (!tw || !tb) throw new ModelFileError(file, `missing tensor layers.${k}.${tw ? 'bias' : 'weight'}`);
    for (const [t, shape, name] of [
      [tw, [nOut, nIn], 'weight'],
      [tb, [nOut], 'bias'],
    ] as const) {
      if (t.dtype !== 'F32' && t.dtype !== 'F64') {
        throw new ModelFileError(file, `layers.${k}.${name}: dtype ${t.dtype}, expected F32 or F64`);
      }
      if (t.shape.length !== shape.length || t.shape.some((d, q) => d !== shape[q])) {
        throw new ModelFileError(file, `layers.${k}.${name}: shape [${t.shape}], expected [${shape}]`);
      }
    }
    const dw = tw.data as Float32Array | Float64Array;
    for (let i = 0; i < nIn; i++) for (let o = 0; o < nOut; o++) w[i * nOut + o] = dw[o * nIn + i];
    b.set(tb.data as Float32Array | Float64Array);
  });
  for (const a of layers.flatMap(({ w, b }) => [w, b])) {
    if (!a.every(Number.isFinite)) throw new ModelFileError(file, 'weights hold a non-finite value');
  }
}

/** The safetensors metadata of a judge (all strings): format, version, architecture, recipe, figures. */
export function judgeMetadata(i: JudgeInfo): Record<string, string> {
  return {
    format: 'spiking-gan-judge',
    version: i.version,
    arch: i.arch.join('-'),
    seed: String(i.seed),
    epochs: String(i.epochs),
    batch_size: String(i.batchSize),
    lr: String(i.lr),
    shift: String(i.shift),
    test_accuracy: String(i.testAccuracy),
    train_seconds: String(i.trainSeconds),
  };
}
