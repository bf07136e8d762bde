// The judge's per-sample buffers: one image loaded (scaled to [0, 1], optionally shifted, with the
// list of its non-zero pixels) and the activations of a forward and backward pass over it.
import { MNIST_CLASSES, MNIST_PIXELS, MNIST_SIDE } from '../data/mnist.ts';

/** Width of the judge's first hidden layer. */
export const JUDGE_H1 = 256;
/** Width of its second hidden layer (the feature vector). */
export const JUDGE_H2 = 128;

const IN = MNIST_PIXELS,
  SIDE = MNIST_SIDE,
  OUT = MNIST_CLASSES;

/** Scratch buffers of one forward/backward pass, allocated once per call, reused per sample. */
export class JudgeScratch {
  readonly x = new Float32Array(IN);
  readonly nz = new Int32Array(IN);
  nnz = 0;
  readonly h1 = new Float32Array(JUDGE_H1);
  readonly act1 = new Int32Array(JUDGE_H1);
  na1 = 0;
  readonly h2 = new Float32Array(JUDGE_H2);
  readonly act2 = new Int32Array(JUDGE_H2);
  na2 = 0;
  readonly p = new Float64Array(OUT);
  readonly d1 = new Float32Array(JUDGE_H1);
  readonly d2 = new Float32Array(JUDGE_H2);
  readonly d3 = new Float64Array(OUT);

  /** Loads image `k` of `images` (bytes), shifted by (dx, dy) pixels with zero fill, scaled to [0, 1]. */
  load(images: Uint8Array, k: number, dx = 0, dy = 0): void {
    const x = this.x;
    const nz = this.nz;
    const base = k * IN;
    let nnz = 0;
    if (dx === 0 && dy === 0) {
      for (let i = 0; i < IN; i++) {
        const v = images[base + i];
        if (v !== 0) {
          x[i] = v / 255;
          nz[nnz++] = i;
        } else x[i] = 0;
      }
    } else {
      x.fill(0);
      // target (r, c) takes source (r - dy, c - dx)
      const r0 = Math.max(0, dy),
        r1 = Math.min(SIDE, SIDE + dy);
      const c0 = Math.max(0, dx),
        c1 = Math.min(SIDE, SIDE + dx);
      for (let r = r0; r < r1; r++) {
        const src = base + (r - dy) * SIDE - dx;
        const dst = r * SIDE;
        for (let c = c0; c < c1; c++) {
          const v = images[src + c];
          if (v !== 0) {
            x[dst + c] = v / 255;
            nz[nnz++] = dst + c;
          }
        }
      }
    }
    this.nnz = nnz;
  }
}

/** The most probable class (ties go to the lowest). */
export function argmax(p: Float64Array | Float32Array): number {
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
  return best;
}

/** Throws unless `images` holds n images of 784 bytes. */
export function checkImages(images: Uint8Array, n: number, who: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${who}: n must be a non-negative integer, got ${n}`);
  if (images.length < n * IN) {
    throw new RangeError(`${who}: ${images.length} bytes hold fewer than ${n} images of ${IN} bytes`);
  }
}
