// Data files that are not what they claim (issue 14, item 3): the IDX and .npy readers (MNIST-style
// image sets, eval's sample and label files) open regular files only and read a file whole only after
// its header's claims match the file's real size: a 1.5 GB file is refused after its first bytes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GB, peakGrowth, sparse as sparseIn } from '../../core/test/huge-files.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx, readIdx } from '../src/data/idx.ts';
import { loadImageSet } from '../src/data/mnist.ts';
import { encodeNpy, readNpy } from '../src/data/npy.ts';
import { readSampleImages, readSampleLabels } from '../src/data/samples.ts';

const tmp = mkdtempSync(join(tmpdir(), 'data-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A sparse file in this test's folder. */
const sparse = (name: string, size: number, head?: Uint8Array) => sparseIn(tmp, name, size, head);

const MB = 2 ** 20;
const idxHead = (dims: number[]) => encodeIdx(dims, new Uint8Array(dims.reduce((a, b) => a * b, 1)));

describe('1.5 GB files are refused after their header', () => {
  it('readIdx: an IDX header of 10 bytes followed by 1.5 GB', () => {
    const f = sparse('big.idx', 1.5 * GB, idxHead([10]));
    const growth = peakGrowth(() => expect(() => readIdx(f)).toThrow(/big\.idx: payload is \d+ bytes, header says 10/));
    expect(growth).toBeLessThan(100 * MB);
  });

  it('readNpy: a (10,) uint8 header followed by 1.5 GB', () => {
    const f = sparse('big.npy', 1.5 * GB, encodeNpy([10], '|u1', new Uint8Array(10)));
    const growth = peakGrowth(() => expect(() => readNpy(f)).toThrow(/big\.npy: \d+ bytes after the data/));
    expect(growth).toBeLessThan(100 * MB);
  });

  it('eval --samples and --labels files: IDX and .npy headers followed by 1.5 GB, and 1.5 GB of zeros', () => {
    const idx = sparse('samples.idx', 1.5 * GB, idxHead([2, 28, 28]));
    const npy = sparse('samples.npy', 1.5 * GB, encodeNpy([2, 784], '|u1', new Uint8Array(2 * 784)));
    const zeros = sparse('zeros', 1.5 * GB, new Uint8Array(0));
    const labels = sparse('labels.idx', 1.5 * GB, idxHead([2]));
    const growth = peakGrowth(() => {
      expect(() => readSampleImages(idx)).toThrow(/samples\.idx: payload is \d+ bytes, header says 1568/);
      expect(() => readSampleImages(npy)).toThrow(/samples\.npy: \d+ bytes after the data/);
      expect(() => readSampleImages(zeros)).toThrow(/zeros: type code 0x00/);
      expect(() => readSampleLabels(labels, 2)).toThrow(/labels\.idx: payload is \d+ bytes, header says 2/);
    });
    expect(growth).toBeLessThan(100 * MB);
  });
});

describe('devices, FIFOs and folders are refused without reading', () => {
  it('as IDX, .npy, sample and label files', () => {
    const fifo = join(tmp, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const images = join(tmp, 'images.idx');
    writeFileSync(images, idxHead([1, 2, 2]));
    for (const read of [readIdx, readNpy, (p: string) => readSampleImages(p), (p: string) => readSampleLabels(p, 1)]) {
      expect(() => read('/dev/zero')).toThrow(/\/dev\/zero: is a character device, expected a regular file/);
      expect(() => read(fifo)).toThrow(/fifo: is a FIFO/);
      expect(() => read(tmp)).toThrow(/is a directory/);
    }
    expect(() => loadImageSet(images, fifo)).toThrow(/fifo: is a FIFO/);
    expect(() => loadImageSet('/dev/zero', images)).toThrow(/\/dev\/zero: is a character device/);
  });
});
