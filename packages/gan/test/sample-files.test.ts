// Sample files for `spiking-gan eval --samples`: the .npy reader, IDX and .npy images and labels, and
// the refusal of bad files (wrong shape or dtype, values out of range, NaN, truncated, a header that
// claims more than the file holds, FIFOs and devices) with a message naming the file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRegularFile } from '@spiking-gan/core';
import { encodeIdx } from '../src/data/idx.ts';
import { decodeNpy, encodeNpy, npyGetter, readNpy } from '../src/data/npy.ts';
import { readSampleImages, readSampleLabels } from '../src/data/samples.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sample-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const D = 784;
/** n images whose pixel p of image k is (7k + p) mod 256. */
const pixels = (n: number) => Uint8Array.from({ length: n * D }, (_, i) => (7 * Math.floor(i / D) + (i % D)) % 256);
const bytesOf = (a: Float32Array | Float64Array | BigInt64Array | Int32Array) =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const put = (name: string, data: Uint8Array | string) => {
  const path = join(tmp, name);
  writeFileSync(path, data);
  return path;
};
/** A .npy file with a hand-written header dict (version 1.0, padded like NumPy's). */
function npyWithHeader(dict: string, payload: Uint8Array, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const len = Math.ceil((pre + dict.length + 1) / 64) * 64 - pre;
  const text = dict.padEnd(len - 1, ' ') + '\n';
  const out = new Uint8Array(pre + len + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, len, true);
  else view.setUint32(8, len, true);
  for (let k = 0; k < len; k++) out[pre + k] = text.charCodeAt(k);
  out.set(payload, pre + len);
  return out;
}

describe('.npy reader', () => {
  it('writes what NumPy writes and reads it back (uint8, int64, float32, big-endian float64)', () => {
    // np.save('x.npy', np.zeros((5, 28, 28), np.uint8)) starts with exactly this 128-byte header
    const want = "\x93NUMPY\x01\x00v\x00{'descr': '|u1', 'fortran_order': False, 'shape': (5, 28, 28), }";
    const enc = encodeNpy([5, 28, 28], '|u1', new Uint8Array(5 * D));
    expect(enc.length).toBe(128 + 5 * D);
    expect(Buffer.from(enc.subarray(0, want.length)).toString('latin1')).toBe(want);
    expect(enc[127]).toBe(0x0a);
    const labels = decodeNpy(encodeNpy([4], '<i8', bytesOf(BigInt64Array.from([0n, 9n, 3n, 7n]))));
    expect(labels.shape).toEqual([4]);
    expect(Array.from({ length: 4 }, (_, k) => npyGetter(labels)(k))).toEqual([0, 9, 3, 7]);
    const be = new Uint8Array(16);
    new DataView(be.buffer).setFloat64(0, 0.25, false);
    new DataView(be.buffer).setFloat64(8, -3, false);
    const f = decodeNpy(encodeNpy([2], '>f8', be));
    expect([npyGetter(f)(0), npyGetter(f)(1)]).toEqual([0.25, -3]);
  });

  it('parses headers in any key order, versions 2.0 and 3.0, with or without trailing commas', () => {
    const data = bytesOf(Float32Array.from([0, 0.5, 1]));
    for (const [dict, version] of [
      ["{'shape': (3,), 'fortran_order': False, 'descr': '<f4'}", 1],
      ['{"descr": "<f4", "fortran_order": False, "shape": (3,),}', 2],
      ["{'descr':'<f4','fortran_order':False,'shape':(3,)}", 3],
    ] as const) {
      const a = decodeNpy(npyWithHeader(dict, data, version), 'h.npy');
      expect(a.shape).toEqual([3]);
      expect(a.dtype).toMatchObject({ kind: 'f', size: 4, littleEndian: true });
      expect(Array.from({ length: 3 }, (_, k) => npyGetter(a)(k))).toEqual([0, 0.5, 1]);
    }
  });

  it('refuses malformed files with the file name and the problem', () => {
    const ok = npyWithHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 784), }", new Uint8Array(2 * D));
    const F = "'fortran_order': False";
    const h = (dict: string, bytes: number) => npyWithHeader(dict, new Uint8Array(bytes));
    const bad: [Uint8Array, RegExp][] = [
      [ok.subarray(0, 9), /too short/],
      [ok.subarray(0, 100), /header says it is 118 bytes, but only 90 bytes follow \(truncated\)/],
      [
        ok.subarray(0, ok.length - 1),
        /truncated: shape \(2, 784\) of \|u1 needs 1568 bytes of data, the file has 1567/,
      ],
      [Uint8Array.from([...ok, 0, 0]), /2 bytes after the data/],
      [Uint8Array.from(ok).fill(7, 6, 7), /version 7\.0/],
      [h(`{'descr': [('a', '<f4')], ${F}, 'shape': (2,), }`, 8), /structured/],
      [h(`{'descr': '<f2', ${F}, 'shape': (2,), }`, 4), /float16/],
      [h(`{'descr': '|b1', ${F}, 'shape': (2,), }`, 2), /dtype '\|b1' is not supported/],
      [h("{'descr': '<u1', 'shape': (2,), }", 2), /no 'fortran_order'/],
      [h(`{'descr': '<u1', ${F}, 'shape': (2,), 'x': True}`, 2), /unexpected key 'x'/],
      [h(`{'descr': '<u1', ${F}, 'shape': (2,), 'x': 1}`, 2), /unreadable header/],
      [h(`{'descr': '<u1', ${F}, 'shape': (-2,), }`, 2), /unreadable header/],
      [h(`{'descr': '<u1', ${F}, 'shape': (2, 'a'), }`, 2), /unreadable header/],
      [h(`{'descr': '<u1', ${F}, 'shape': (2,)`, 2), /unreadable header/],
      // a lying header: 10^9 images of 784 float64 claimed by a small file, refused before any allocation
      [h(`{'descr': '<f8', ${F}, 'shape': (1000000000, 784), }`, 72), /2 GiB limit/],
      [h(`{'descr': '<f8', ${F}, 'shape': (1000, 784), }`, 72), /needs 6272000 bytes of data, the file has 72/],
    ];
    for (const [bytes, why] of bad) expect(() => decodeNpy(bytes, 'bad.npy'), String(why)).toThrow(why);
    for (const [bytes] of bad) expect(() => decodeNpy(bytes, 'bad.npy')).toThrow(/^bad\.npy: /);
  });
});

describe('sample images', () => {
  const imgs = pixels(6);

  it('reads IDX n × 28 × 28 and n × 784, .npy uint8 / float32 / float64 of shape (n, 28, 28) or (n, 784)', () => {
    const floats = Float64Array.from(imgs, (v) => v / 255);
    const files = [
      put('a-idx3', encodeIdx([6, 28, 28], imgs)),
      put('a-idx2', encodeIdx([6, 784], imgs)),
      put('a-u8.npy', encodeNpy([6, 28, 28], '|u1', imgs)),
      put('a-f32.npy', encodeNpy([6, 784], '<f4', bytesOf(Float32Array.from(floats)))),
      put('a-f64.npy', encodeNpy([6, 28, 28], '<f8', bytesOf(floats))),
    ];
    for (const f of files) {
      const r = readSampleImages(f);
      expect(r.total).toBe(6);
      expect(r.n).toBe(6);
      expect(Buffer.from(r.images).equals(Buffer.from(imgs)), f).toBe(true);
    }
    expect(readSampleImages(files[0]).description).toBe('IDX uint8 6 × 28 × 28');
    const described = readSampleImages(files[3]).description;
    expect(described).toBe('.npy float32 (6, 784), values in [0, 1] rounded to 256 grey levels');
    // a limit keeps the first images
    const first = readSampleImages(files[3], 2);
    expect([first.total, first.n]).toEqual([6, 2]);
    expect(Buffer.from(first.images).equals(Buffer.from(imgs.subarray(0, 2 * D)))).toBe(true);
    // floats are rounded to the nearest grey level
    const near = put('near.npy', encodeNpy([1, 784], '<f8', bytesOf(new Float64Array(D).fill(0.5))));
    expect(readSampleImages(near).images[0]).toBe(128);
  });

  it('refuses a wrong shape or dtype, values outside [0, 1], NaN, and files of another kind', () => {
    const f32 = (vals: number[]) => bytesOf(Float32Array.from({ length: 2 * D }, (_, k) => vals[k] ?? 0));
    const cases: [string, Uint8Array, RegExp][] = [
      ['shape.npy', encodeNpy([2, 28, 27], '|u1', new Uint8Array(1512)), /\(2, 28, 27\), expected \(n, 28, 28\) or/],
      ['flat.npy', encodeNpy([784], '|u1', new Uint8Array(D)), /shape \(784\)/],
      ['empty.npy', encodeNpy([0, 784], '|u1', new Uint8Array(0)), /holds no images/],
      ['int.npy', encodeNpy([2, 784], '<i4', new Uint8Array(8 * D)), /dtype int32 \('<i4'\), expected uint8/],
      [
        'big.npy',
        encodeNpy([2, 784], '<f4', f32([0.5, 1.5])),
        /image 0, pixel 1 is 1\.5, float values must be in \[0, 1\]$/,
      ],
      ['neg.npy', encodeNpy([2, 784], '<f4', f32([0, 0, 0, -0.25])), /image 0, pixel 3 is -0\.25/],
      ['grey.npy', encodeNpy([2, 784], '<f4', f32([...new Array(D + 5).fill(0), 200])), /pixel 5 is 200.*by 255/],
      ['nan.npy', encodeNpy([2, 784], '<f4', f32([...new Array(D).fill(0), NaN])), /image 1, pixel 0 is NaN/],
      ['idx-shape', encodeIdx([2, 28, 27], new Uint8Array(2 * 28 * 27)), /shape \(2, 28, 27\)/],
      ['idx-truncated', encodeIdx([3, 28, 28], new Uint8Array(3 * D)).subarray(0, 2000), /payload is 1984 bytes/],
      ['text.txt', new TextEncoder().encode('hello, world\n'), /neither an IDX file .* nor a \.npy .* 68 65 6c 6c/],
      ['zero', new Uint8Array(0), /neither an IDX file/],
    ];
    // a lying IDX header: 16 million images claimed by a 1 KB file
    const lying = encodeIdx([1, 28, 28], new Uint8Array(D));
    new DataView(lying.buffer).setUint32(4, 16_000_000, false);
    cases.push(['idx-lying', lying, /payload is 784 bytes, header says 12544000000 bytes|2 GiB limit/]);
    for (const [name, bytes, why] of cases) {
      const path = put(name, bytes);
      expect(() => readSampleImages(path), name).toThrow(why);
      expect(() => readSampleImages(path), name).toThrow(path);
    }
    // the limit does not hide a bad value later in the file
    expect(() => readSampleImages(join(tmp, 'nan.npy'), 1)).toThrow(/NaN/);
  });

  it('refuses directories, FIFOs and devices without reading them', () => {
    mkdirSync(join(tmp, 'dir'));
    expect(() => readSampleImages(join(tmp, 'dir'))).toThrow(/dir: is a directory, expected a file/);
    expect(() => readSampleImages('/dev/zero')).toThrow(/\/dev\/zero: is a character device, expected a regular file/);
    const fifo = join(tmp, 'fifo');
    const mk = spawnSync('mkfifo', [fifo]);
    if (mk.status === 0) expect(() => readSampleImages(fifo)).toThrow(/fifo: is a FIFO \(named pipe\), expected a/);
    expect(() => readRegularFile(join(tmp, 'missing'), 10)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => readRegularFile(put('eleven', '0123456789\n'), 10)).toThrow(/eleven: 11 bytes, more than the 10-byte/);
    expect(() => readNpy(join(tmp, 'dir'))).toThrow(/is a directory/);
  });
});

describe('sample labels', () => {
  it('reads IDX 1-D bytes and 1-D .npy integers of any width; returns the first n', () => {
    const want = [0, 9, 3, 3, 7];
    const files = [
      put('l-idx1', encodeIdx([5], Uint8Array.from(want))),
      put('l-u1.npy', encodeNpy([5], '|u1', Uint8Array.from(want))),
      put('l-i8.npy', encodeNpy([5], '<i8', bytesOf(BigInt64Array.from(want.map(BigInt))))),
      put('l-i4.npy', encodeNpy([5], '<i4', bytesOf(Int32Array.from(want)))),
    ];
    for (const f of files) expect(Array.from(readSampleLabels(f, 5)), f).toEqual(want);
    expect(Array.from(readSampleLabels(files[2], 5, 2))).toEqual([0, 9]);
  });

  it('refuses labels outside 0..9, floats, the wrong count and 2-D arrays', () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['l-10', encodeIdx([3], Uint8Array.from([1, 10, 2])), /label 1 is 10, expected 0\.\.9/],
      ['l-neg.npy', encodeNpy([3], '<i4', bytesOf(Int32Array.from([1, 2, -1]))), /label 2 is -1/],
      ['l-float.npy', encodeNpy([3], '<f8', bytesOf(Float64Array.from([1, 2, 3]))), /labels must be integers/],
      ['l-count', encodeIdx([4], Uint8Array.from([1, 2, 3, 4])), /4 labels for 3 images/],
      ['l-2d.npy', encodeNpy([3, 1], '|u1', Uint8Array.from([1, 2, 3])), /shape \(3, 1\), expected 1-D/],
    ];
    for (const [name, bytes, why] of cases) {
      const path = put(name, bytes);
      expect(() => readSampleLabels(path, 3), name).toThrow(why);
      expect(() => readSampleLabels(path, 3), name).toThrow(path);
    }
  });
});
