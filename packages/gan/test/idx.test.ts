import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeIdx, encodeIdx, IdxError, readIdx, writeIdx } from '../src/data/idx.ts';
import { loadImageSet, loadMnist, mnistDir } from '../src/data/mnist.ts';

const tmp = mkdtempSync(join(tmpdir(), 'idx-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A raw IDX header with arbitrary bytes, for the refusal cases. */
function rawHeader(type: number, dims: number[]): Uint8Array {
  const h = new Uint8Array(4 + 4 * dims.length);
  h[2] = type;
  h[3] = dims.length;
  dims.forEach((d, k) => new DataView(h.buffer).setUint32(4 + 4 * k, d, false));
  return h;
}
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
function refusal(bytes: Uint8Array): string {
  try {
    decodeIdx(bytes, 'x.idx');
  } catch (e) {
    expect(e).toBeInstanceOf(IdxError);
    return (e as Error).message;
  }
  throw new Error('expected an IdxError');
}

describe('IDX encode/decode', () => {
  it('round trips 1-D to 4-D arrays, decoding to a view', () => {
    for (const dims of [[7], [3, 5], [2, 3, 4], [2, 1, 3, 2]]) {
      const size = dims.reduce((a, b) => a * b, 1);
      const data = Uint8Array.from({ length: size }, (_, i) => (i * 37) & 255);
      const bytes = encodeIdx(dims, data);
      expect(bytes.length).toBe(4 + 4 * dims.length + size);
      expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0, 8, dims.length]);
      const back = decodeIdx(bytes);
      expect(back.dims).toEqual(dims);
      expect(back.data).toEqual(data);
      expect(back.data.buffer).toBe(bytes.buffer); // a view, not a copy
    }
  });

  it('writes atomically and reads back', () => {
    const path = join(tmp, 'a-idx2-ubyte');
    const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    writeIdx(path, [2, 3], data);
    expect(readIdx(path)).toEqual({ dims: [2, 3], data });
    expect(readFileSync(path)).toEqual(Buffer.from(encodeIdx([2, 3], data)));
    expect(readdirSync(tmp)).toEqual(['a-idx2-ubyte']); // no temp file left behind
  });

  it('decodes at a non-zero byteOffset', () => {
    const enc = encodeIdx([2, 2], Uint8Array.from([9, 8, 7, 6]));
    const padded = new Uint8Array(enc.length + 3);
    padded.set(enc, 3);
    expect(decodeIdx(padded.subarray(3))).toEqual({ dims: [2, 2], data: Uint8Array.from([9, 8, 7, 6]) });
  });

  it('refuses a bad magic', () => {
    const b = encodeIdx([2], Uint8Array.from([1, 2]));
    b[1] = 1;
    expect(refusal(b)).toMatch(/^x\.idx: bad magic 00 01 08 01/);
    expect(refusal(Uint8Array.from([0, 0]))).toMatch(/^x\.idx: 2 bytes, too short/);
  });

  it('refuses a type code other than 0x08', () => {
    expect(refusal(concat(rawHeader(0x0d, [2]), new Uint8Array(8)))).toMatch(/^x\.idx: type code 0x0d, only 0x08/);
  });

  it('refuses a short payload, naming the sizes', () => {
    const b = encodeIdx([10, 28, 28], new Uint8Array(7840)).subarray(0, 16 + 7824);
    expect(refusal(b)).toBe('x.idx: payload is 7824 bytes, header says 7840 (10 x 28 x 28)');
  });

  it('refuses trailing bytes', () => {
    const b = concat(encodeIdx([3], Uint8Array.from([1, 2, 3])), Uint8Array.from([0]));
    expect(refusal(b)).toBe('x.idx: payload is 4 bytes, header says 3 (3)');
  });

  it('refuses 0 or more than 4 dimensions, a size of 0, absurd sizes and a truncated header', () => {
    expect(refusal(rawHeader(8, []))).toMatch(/0 dimensions, only 1 to 4/);
    expect(refusal(concat(rawHeader(8, [1, 1, 1, 1, 1]), new Uint8Array(1)))).toMatch(/5 dimensions/);
    expect(refusal(rawHeader(8, [3, 0]))).toMatch(/dims 3 x 0 contain 0/);
    expect(refusal(rawHeader(8, [0xffffffff, 0xffffffff]))).toMatch(/more than the 2 GiB limit/);
    expect(refusal(rawHeader(8, [2, 3]).subarray(0, 10))).toMatch(/too short for a 2-D header/);
    expect(() => encodeIdx([2, 2], new Uint8Array(3))).toThrow(IdxError);
    expect(() => encodeIdx([], new Uint8Array(0))).toThrow(IdxError);
  });

  it('names the file when reading from disk', () => {
    const path = join(tmp, 't10k-images-idx3-ubyte');
    const good = encodeIdx([4, 2, 2], new Uint8Array(16));
    writeIdx(path, [4, 2, 2], new Uint8Array(16));
    expect(readIdx(path).dims).toEqual([4, 2, 2]);
    rmSync(path);
    writeFileSync(path, good.subarray(0, good.length - 1));
    expect(() => readIdx(path)).toThrow('t10k-images-idx3-ubyte: payload is 15 bytes, header says 16 (4 x 2 x 2)');
    rmSync(path);
  });
});

describe('MNIST', () => {
  it('loads both splits with the official counts, quickly', () => {
    const t0 = performance.now();
    const train = loadMnist('train');
    const test = loadMnist('test');
    const ms = performance.now() - t0;
    console.log(`MNIST train+test load: ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1000); // target is well under 200 ms; loose bound for slow CI
    expect([train.n, train.rows, train.cols]).toEqual([60000, 28, 28]);
    expect([test.n, test.rows, test.cols]).toEqual([10000, 28, 28]);
    expect(train.images.length).toBe(60000 * 784);
    expect(train.labels[0]).toBe(5);
    const hist = new Array(10).fill(0);
    for (const l of test.labels) hist[l]++;
    expect(hist).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const img = train.image(1);
    expect(img.length).toBe(784);
    expect(img.buffer).toBe(train.images.buffer);
    expect(img[0]).toBe(train.images[784]);
    expect(() => train.image(60000)).toThrow(RangeError);
  });

  it('checks image/label pairs and names a missing folder', () => {
    const dir = mnistDir();
    expect(() => loadImageSet(join(dir, 't10k-labels-idx1-ubyte'), join(dir, 't10k-labels-idx1-ubyte'))).toThrow(
      /must be 3-D/,
    );
    expect(() => loadImageSet(join(dir, 't10k-images-idx3-ubyte'), join(dir, 't10k-images-idx3-ubyte'))).toThrow(
      /must be 1-D/,
    );
    expect(() => loadImageSet(join(dir, 't10k-images-idx3-ubyte'), join(dir, 'train-labels-idx1-ubyte'))).toThrow(
      'train-labels-idx1-ubyte: 60000 labels for 10000 images in t10k-images-idx3-ubyte',
    );
    writeIdx(join(tmp, 'i'), [2, 1, 1], Uint8Array.from([0, 0]));
    writeIdx(join(tmp, 'l'), [2], Uint8Array.from([3, 10]));
    expect(() => loadImageSet(join(tmp, 'i'), join(tmp, 'l'))).toThrow('l: label 1 is 10, expected 0..9');
    const nowhere = join(tmp, 'nowhere');
    expect(() => loadMnist('test', nowhere)).toThrow(
      `MNIST test files missing in ${nowhere}: t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte`,
    );
  });
});
