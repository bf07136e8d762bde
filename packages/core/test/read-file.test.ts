// Special and huge files (issue 14, item 3): model files are opened as regular files only (a FIFO,
// a device or a folder is refused after open, without reading), the 8-byte length and the header are
// read first, and nothing more is read than the header claims and the file holds.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GB, peakGrowth, sparse as sparseIn } from './huge-files.ts';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeSafetensors,
  InputFileError,
  loadModel,
  ModelFileError,
  readRegularFile,
  readSafetensorsFile,
  withRegularFile,
} from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'sgan-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A sparse file in this test's folder. */
const sparse = (name: string, size: number, head?: Uint8Array) => sparseIn(dir, name, size, head);

const refuses = (f: string, what: RegExp) => () => {
  let error: unknown;
  try {
    readSafetensorsFile(f);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ModelFileError);
  expect((error as Error).message.startsWith(`${f}: `), (error as Error).message).toBe(true);
  expect((error as Error).message).toMatch(what);
};

describe('model files that are not regular files', () => {
  it('refuses /dev/zero, a folder and a FIFO without reading them', () => {
    refuses('/dev/zero', /is a character device, expected a regular file/)();
    refuses(dir, /is a directory/)();
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    refuses(fifo, /is a FIFO/)();
    expect(() => loadModel(fifo)).toThrow(ModelFileError);
  });
});

describe('huge model files', () => {
  it('refuses a 1.5 GB file of zeros after reading its first bytes, not the whole file', () => {
    const f = sparse('zeros.safetensors', 1.5 * GB);
    expect(peakGrowth(refuses(f, /header is not valid JSON/))).toBeLessThan(100 * 2 ** 20);
  });

  it('refuses a valid small model followed by 1.5 GB that its header does not claim, without reading them', () => {
    const head = encodeSafetensors({ 'layers.0.weight': { dtype: 'F64', shape: [1, 1], data: new Float64Array(1) } });
    const f = sparse('trailing.safetensors', 1.5 * GB, head);
    expect(peakGrowth(refuses(f, /trailing bytes/))).toBeLessThan(100 * 2 ** 20);
  });

  it('refuses a header that claims more data than the file holds, before allocating it', () => {
    const header = { w: { dtype: 'F64', shape: [2 ** 27], data_offsets: [0, 2 ** 30] } };
    const json = new TextEncoder().encode(JSON.stringify(header));
    const bytes = new Uint8Array(8 + json.length + 16);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    const f = join(dir, 'claims.safetensors');
    writeFileSync(f, bytes);
    expect(peakGrowth(refuses(f, /run past the 16-byte data section/))).toBeLessThan(100 * 2 ** 20);
  });
});

describe('readRegularFile and withRegularFile', () => {
  it('read whole regular files up to a limit and refuse the rest, naming the path', () => {
    const f = join(dir, 'ten');
    writeFileSync(f, '0123456789');
    expect(readRegularFile(f, 10).toString()).toBe('0123456789');
    expect(() => readRegularFile(f, 9)).toThrow(/ten: 10 bytes, more than the 9-byte limit/);
    expect(() => readRegularFile('/dev/zero', 10)).toThrow(InputFileError);
    expect(() => readRegularFile(join(dir, 'missing'), 10)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('read ranges of an open file and refuse a range past its end', () => {
    const f = join(dir, 'abc');
    const fd = openSync(f, 'w');
    writeSync(fd, 'abcdef');
    closeSync(fd);
    withRegularFile(f, (file) => {
      expect(file.size).toBe(6);
      expect(Buffer.from(file.read(2, 3)).toString()).toBe('cde');
      expect(() => file.read(4, 3)).toThrow(/abc: ended after 6 bytes, 7 expected/);
    });
  });
});
