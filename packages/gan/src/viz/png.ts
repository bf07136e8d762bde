// Greyscale image grids as PNG files (white digits on black, like MNIST).
import { writeFileAtomic } from '@spiking-gan/core';
import { PNG } from 'pngjs';

/** Layout of an image grid: images per row, grey padding in px, integer upscaling. */
export interface GridOptions {
  columns?: number;
  pad?: number;
  scale?: number;
}

const PAD_GREY = 128;

function positiveInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min)
    throw new RangeError(`imageGridPng: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/** Lay out the first n images (rows x cols grey bytes each) in a grid and encode it as a greyscale PNG. */
export function imageGridPng(
  images: Uint8Array,
  n: number,
  rows: number,
  cols: number,
  opts: GridOptions = {},
): Uint8Array {
  positiveInt('n', n, 1);
  positiveInt('rows', rows, 1);
  positiveInt('cols', cols, 1);
  const columns = positiveInt('columns', opts.columns ?? Math.ceil(Math.sqrt(n)), 1);
  const pad = positiveInt('pad', opts.pad ?? 1, 0);
  const scale = positiveInt('scale', opts.scale ?? 1, 1);
  if (images.length < n * rows * cols) {
    throw new RangeError(`imageGridPng: ${images.length} bytes, need ${n} x ${rows} x ${cols} = ${n * rows * cols}`);
  }
  const gridRows = Math.ceil(n / columns);
  const cw = cols * scale;
  const ch = rows * scale;
  const width = columns * cw + (columns + 1) * pad;
  const height = gridRows * ch + (gridRows + 1) * pad;
  const grey = Buffer.alloc(width * height, PAD_GREY);
  for (let k = 0; k < n; k++) {
    const x0 = pad + (k % columns) * (cw + pad);
    const y0 = pad + Math.floor(k / columns) * (ch + pad);
    const src = k * rows * cols;
    for (let y = 0; y < ch; y++) {
      const line = src + Math.floor(y / scale) * cols;
      const dst = (y0 + y) * width + x0;
      for (let x = 0; x < cw; x++) grey[dst + x] = images[line + Math.floor(x / scale)];
    }
  }
  const png = new PNG();
  png.width = width;
  png.height = height;
  png.data = grey;
  const out = PNG.sync.write(png, { colorType: 0, inputColorType: 0 });
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Write bytes (e.g. a PNG) atomically: temp file in the same folder, then rename. */
export function writePng(path: string, bytes: Uint8Array): void {
  writeFileAtomic(path, bytes);
}
