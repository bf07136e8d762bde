import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { ModelFileError } from '../src/io/errors.ts';
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsFile,
  writeSafetensorsFile,
  type DType,
  type Tensor,
} from '../src/io/safetensors.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'safetensors-test-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Seeded PRNG (mulberry32), uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const u64le = (n: bigint): number[] => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return [...b];
};

/** Build a file from a raw header (string or JSON value, not padded) and data bytes. */
function build(header: string | unknown, data: ArrayLike<number> = [], headerLen?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  return Uint8Array.from([...u64le(headerLen ?? BigInt(json.length)), ...json, ...Array.from(data)]);
}

const FILE = 'bad.safetensors';
function refuse(bytes: Uint8Array, problem: RegExp): void {
  let error: unknown;
  try {
    decodeSafetensors(bytes, FILE);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ModelFileError);
  const err = error as ModelFileError;
  expect(err.file).toBe(FILE);
  expect(err.message.startsWith(`${FILE}: `)).toBe(true);
  expect(err.message).toMatch(problem);
  expect(() => decodeSafetensors(bytes, FILE)).toThrow(ModelFileError);
}

const sample = (): Record<string, Tensor> => ({
  weights: { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1.5, -2, 3.25, 0, 1e-30, -7]) },
  bias: { dtype: 'F64', shape: [3], data: Float64Array.from([Math.PI, -Math.E, 1e300]) },
  index: { dtype: 'I32', shape: [2, 2], data: Int32Array.from([-1, 0, 2147483647, -2147483648]) },
  pixels: { dtype: 'U8', shape: [5], data: Uint8Array.from([0, 1, 127, 128, 255]) },
  'ünïcode name': { dtype: 'U8', shape: [1], data: Uint8Array.from([9]) },
  __proto__x: { dtype: 'I64', shape: [2], data: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]) },
  half: { dtype: 'F16', shape: [2], data: Uint16Array.from([0x3c00, 0xc000]) },
  brain: { dtype: 'BF16', shape: [1], data: Uint16Array.from([0x3f80]) },
  empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
});

describe('safetensors encode/decode', () => {
  it('round-trips F32/F64/I32/U8 (and others) with metadata', () => {
    const tensors = sample();
    const metadata = { format: 'pt', epoch: '12', 'note ✓': 'hello "world"' };
    const bytes = encodeSafetensors(tensors, metadata);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const out = decodeSafetensors(bytes);
    expect(out.metadata).toEqual(metadata);
    expect(Object.keys(out.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const got = out.tensors[name];
      expect(got.dtype).toBe(t.dtype);
      expect(got.shape).toEqual(t.shape);
      expect(got.data.constructor).toBe(t.data.constructor);
      expect(Array.from(got.data as ArrayLike<number | bigint>)).toEqual(
        Array.from(t.data as ArrayLike<number | bigint>),
      );
    }
    expect(decodeSafetensors(encodeSafetensors({})).tensors).toEqual({});
  });

  it('round-trips through files and names the path in errors', () => {
    const dir = tempDir();
    const path = join(dir, 'sub', 'model.safetensors');
    writeSafetensorsFile(path, sample(), { a: 'b' });
    expect(readSafetensorsFile(path).metadata).toEqual({ a: 'b' });
    expect(readdirSync(join(dir, 'sub'))).toEqual(['model.safetensors']);
    writeFileSync(path, readFileSync(path).subarray(0, 50));
    expect(() => readSafetensorsFile(path)).toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    const missing = join(dir, 'missing.safetensors');
    expect(() => readSafetensorsFile(missing)).toThrow(ModelFileError);
    expect(() => readSafetensorsFile(missing)).toThrow(`${missing}: no such file`);
  });

  it('decodes bytes laid out exactly as the official library writes them, and encodes them identically', () => {
    // {"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}} is 57 bytes, padded with 7 spaces to 64.
    const header = '{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}       ';
    // 1, 2, 3, 4
    const data = [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0x80, 0x40];
    const file = Uint8Array.from([64, 0, 0, 0, 0, 0, 0, 0, ...ascii(header), ...data]);
    const { tensors, metadata } = decodeSafetensors(file);
    expect(metadata).toEqual({});
    expect(tensors.w.dtype).toBe('F32');
    expect(tensors.w.shape).toEqual([2, 2]);
    expect(tensors.w.data).toEqual(Float32Array.from([1, 2, 3, 4]));
    expect(encodeSafetensors({ w: tensors.w })).toEqual(file);

    // With metadata: the reference writes "__metadata__" first, then tensors; 141 bytes + 3 spaces = 144.
    const header2 =
      '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"b":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}   ';
    const file2 = Uint8Array.from([144, 0, 0, 0, 0, 0, 0, 0, ...ascii(header2), ...data.slice(0, 12)]);
    const dec2 = decodeSafetensors(file2);
    expect(dec2.metadata).toEqual({ format: 'pt' });
    expect(dec2.tensors.a.data).toEqual(Float32Array.from([1, 2]));
    expect(dec2.tensors.b.data).toEqual(Float32Array.from([3]));
    expect(encodeSafetensors({ b: dec2.tensors.b, a: dec2.tensors.a }, { format: 'pt' })).toEqual(file2);

    // The unpadded example from the reference implementation's documentation (60-byte header, I32).
    const doc = Uint8Array.from([
      60,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      ...ascii('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}'),
      ...new Array(16).fill(0),
    ]);
    expect(decodeSafetensors(doc).tensors.test.data).toEqual(new Int32Array(4));
  });

  it('produces deterministic bytes regardless of key insertion order', () => {
    const a = encodeSafetensors(sample(), { x: '1', y: '2' });
    const b = encodeSafetensors(sample(), { x: '1', y: '2' });
    const reversed = Object.fromEntries(Object.entries(sample()).reverse());
    expect(b).toEqual(a);
    expect(encodeSafetensors(reversed, { x: '1', y: '2' })).toEqual(a);
  });

  it('returns aligned copies even from a misaligned input buffer', () => {
    const bytes = encodeSafetensors(sample());
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    const view = big.subarray(3);
    const { tensors } = decodeSafetensors(view);
    expect(tensors.bias.data).toEqual(Float64Array.from([Math.PI, -Math.E, 1e300]));
    big.fill(0);
    expect(tensors.bias.data[0]).toBe(Math.PI); // a copy, not a view
    for (const t of Object.values(tensors)) expect(t.data.byteOffset % t.data.BYTES_PER_ELEMENT).toBe(0);
  });

  it('validates tensors when writing', () => {
    const bad =
      (t: Tensor, name = 'x'): (() => Uint8Array) =>
      () =>
        encodeSafetensors({ [name]: t });
    expect(bad({ dtype: 'F32', shape: [3], data: new Float32Array(2) })).toThrow(
      /data has 2 elements but shape \[3\] needs 3/,
    );
    expect(bad({ dtype: 'F32', shape: [2], data: new Float64Array(2) })).toThrow(
      /F32 needs a Float32Array, got Float64Array/,
    );
    expect(bad({ dtype: 'I64', shape: [1], data: new Int32Array(1) })).toThrow(ModelFileError);
    expect(bad({ dtype: 'F32', shape: [-1], data: new Float32Array(0) })).toThrow(/shape/);
    expect(bad({ dtype: 'F32', shape: [1], data: new Float32Array(1) }, '__metadata__')).toThrow(
      /not a valid tensor name/,
    );
    expect(bad({ dtype: 'Q4' as DType, shape: [1], data: new Float32Array(1) })).toThrow(/unknown dtype "Q4"/);
    const dir = tempDir();
    const path = join(dir, 'm.safetensors');
    expect(() => writeSafetensorsFile(path, { x: { dtype: 'F32', shape: [3], data: new Float32Array(2) } })).toThrow(
      `${path}: `,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('safetensors refusals', () => {
  const w = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    dtype: 'F32',
    shape: [2],
    data_offsets: [0, 8],
    ...extra,
  });
  const eight = new Array(8).fill(0);

  it('refuses a file shorter than 8 bytes', () => {
    refuse(new Uint8Array(0), /file too short: 0 bytes/);
    refuse(new Uint8Array(7), /file too short: 7 bytes/);
  });

  it('refuses a header length larger than the file', () => {
    refuse(build('{}', [], 1000n), /header length 1000 exceeds the 2 bytes after the length field/);
    refuse(Uint8Array.from(u64le(1n)), /header length 1 exceeds the 0 bytes/);
  });

  it('refuses a header length larger than 16 MiB, and more than 65,536 tensors', () => {
    refuse(build('{}', [], 16_777_217n), /header length 16777217 exceeds the 16777216-byte limit/);
    refuse(build('{}', [], 2n ** 64n - 1n), /header length 18446744073709551615 exceeds the 16777216-byte limit/);
    const empty = { dtype: 'U8', shape: [0], data_offsets: [0, 0] };
    const many = Object.fromEntries(Array.from({ length: 65_537 }, (_, k) => [`t${k}`, empty]));
    refuse(build(many), /header lists 65537 tensors, more than the 65536 a file may hold/);
    expect(Object.keys(decodeSafetensors(build({ ...many, t0: undefined }), FILE).tensors)).toHaveLength(65_536);
  });

  it('refuses a header that is not valid UTF-8', () => {
    refuse(Uint8Array.from([...u64le(4n), 0x7b, 0xff, 0xfe, 0x7d]), /header is not valid UTF-8/);
    refuse(Uint8Array.from([...u64le(3n), 0x7b, 0xc3, 0x7d]), /header is not valid UTF-8/);
  });

  it('refuses a header that is not valid JSON', () => {
    refuse(build('{"w":'), /header is not valid JSON/);
    refuse(build(''), /header is not valid JSON/);
    refuse(build('{"a":1}\u0000'), /header is not valid JSON/);
  });

  it('refuses a header that is not a JSON object', () => {
    refuse(build('[1,2]'), /header is not a JSON object/);
    refuse(build('42'), /header is not a JSON object/);
    refuse(build('null'), /header is not a JSON object/);
  });

  it('refuses an entry that is not an object', () => {
    refuse(build({ w: 5 }), /tensor "w": entry is not an object/);
    refuse(build({ w: [1] }), /tensor "w": entry is not an object/);
    refuse(build({ w: null }), /tensor "w": entry is not an object/);
  });

  it('refuses an unknown dtype', () => {
    refuse(build({ w: w({ dtype: 'F8' }) }, eight), /tensor "w": unknown dtype "F8"/);
    refuse(build({ w: w({ dtype: 'toString' }) }, eight), /tensor "w": unknown dtype "toString"/);
    refuse(build({ w: w({ dtype: undefined }) }, eight), /tensor "w": unknown dtype undefined/);
  });

  it('refuses a shape that is not an array of non-negative safe integers', () => {
    for (const shape of [[-1], [1.5], ['2'], [2 ** 53], 2, null, [null]]) {
      refuse(build({ w: w({ shape }) }, eight), /tensor "w": shape must be an array of non-negative safe integers/);
    }
  });

  it('refuses data_offsets that are not two integers with begin <= end', () => {
    for (const data_offsets of [[8, 0], [0], [0, 8, 8], [0, '8'], [-1, 7], [0.5, 8.5], null, 'x']) {
      refuse(build({ w: w({ data_offsets }) }, eight), /tensor "w": data_offsets must be two non-negative integers/);
    }
  });

  it('refuses a byte length that does not match shape * dtype size, without overflow', () => {
    refuse(
      build({ w: w({ data_offsets: [0, 6] }) }, eight.slice(0, 6)),
      /tensor "w": data_offsets span 6 bytes but shape \[2\] of F32 needs 8/,
    );
    refuse(build({ w: w({ dtype: 'F64' }) }, eight), /span 8 bytes but shape \[2\] of F64 needs 16/);
    refuse(
      build({ w: w({ shape: [2 ** 40, 2 ** 40] }) }, eight),
      /tensor "w": data_offsets span 8 bytes but shape \[1099511627776,1099511627776\]/,
    );
    // 2^62 * 4 wraps to 0 in 64-bit arithmetic; it must not match an empty span.
    refuse(
      build({ w: w({ shape: [2 ** 31, 2 ** 31], data_offsets: [0, 0] }) }),
      /tensor "w": data_offsets span 0 bytes/,
    );
  });

  it('refuses offsets outside the data section', () => {
    refuse(
      build({ w: w({ data_offsets: [8, 16] }) }, eight),
      /tensor "w": data_offsets \[8, 16\] run past the 8-byte data section/,
    );
    refuse(build({ w: w({ data_offsets: [2 ** 52, 2 ** 52 + 8] }) }, eight), /run past the 8-byte data section/);
  });

  it('refuses overlapping tensors', () => {
    const header = { a: w({ data_offsets: [0, 8] }), b: w({ data_offsets: [4, 12] }) };
    refuse(build(header, new Array(12).fill(0)), /tensors "a" and "b" overlap/);
    refuse(build({ a: w(), b: w() }, eight), /tensors "a" and "b" overlap/);
  });

  it('refuses holes in the data section', () => {
    const header = { a: w({ data_offsets: [0, 8] }), b: w({ data_offsets: [12, 20] }) };
    refuse(build(header, new Array(20).fill(0)), /data bytes 8\.\.12 are not covered by any tensor/);
    refuse(build({ a: w({ data_offsets: [4, 12] }) }, new Array(12).fill(0)), /data bytes 0\.\.4 are not covered/);
  });

  it('refuses trailing bytes not covered by any tensor', () => {
    refuse(build({ a: w() }, new Array(10).fill(0)), /2 trailing bytes after the last tensor/);
    refuse(build({}, [1]), /1 trailing bytes/);
    refuse(build({ __metadata__: {} }, [1, 2, 3]), /3 trailing bytes/);
  });

  it('refuses __metadata__ that is not an object of strings', () => {
    for (const meta of [{ k: 1 }, { k: null }, { k: { n: 'x' } }, 'x', ['a'], null]) {
      refuse(build({ __metadata__: meta }), /__metadata__ must be an object whose values are all strings/);
    }
  });

  it('accepts any tensor name except __metadata__', () => {
    const names = ['', ' ', '__proto__', 'constructor', 'a.b/c:0', '名前', '\u0000'];
    const entry = (n: string, i: number) =>
      `${JSON.stringify(n)}:${JSON.stringify(w({ data_offsets: [8 * i, 8 * i + 8] }))}`;
    const json = `{${names.map(entry).join(',')}}`;
    const { tensors } = decodeSafetensors(build(json, new Array(8 * names.length).fill(0)));
    expect(Object.keys(tensors).sort()).toEqual([...names].sort());
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    expect(decodeSafetensors(encodeSafetensors(tensors)).tensors['__proto__'].shape).toEqual([2]);
  });
});

describe('safetensors fuzz', () => {
  const CTOR: Record<DType, unknown> = {
    F64: Float64Array,
    F32: Float32Array,
    I32: Int32Array,
    I64: BigInt64Array,
    U8: Uint8Array,
    I8: Int8Array,
    U16: Uint16Array,
    I16: Int16Array,
    U32: Uint32Array,
    BOOL: Uint8Array,
    F16: Uint16Array,
    BF16: Uint16Array,
  };

  it('either decodes a structurally valid result or throws ModelFileError, quickly', () => {
    const rand = mulberry32(0x5eed);
    const int = (n: number): number => Math.floor(rand() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
    const valid = encodeSafetensors(
      { ...sample(), flags: { dtype: 'BOOL', shape: [3], data: Uint8Array.from([0, 1, 1]) } },
      { format: 'pt', fuzz: 'yes' },
    );
    const n = Number(new DataView(valid.buffer).getBigUint64(0, true));
    const headerEnd = 8 + n;
    const header = JSON.parse(new TextDecoder().decode(valid.subarray(8, headerEnd))) as Record<
      string,
      Record<string, unknown>
    >;
    const data = valid.subarray(headerEnd);
    const names = Object.keys(header).filter((k) => k !== '__metadata__');

    let accepted = 0;
    let refused = 0;
    const problems: string[] = [];
    const check = (bytes: Uint8Array, label: string): void => {
      try {
        const { tensors, metadata } = decodeSafetensors(bytes, 'fuzz.safetensors');
        for (const v of Object.values(metadata))
          if (typeof v !== 'string') problems.push(`${label}: metadata value ${String(v)}`);
        for (const [name, t] of Object.entries(tensors)) {
          const count = t.shape.reduce((a, d) => a * d, 1);
          const ok =
            t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) &&
            t.data instanceof (CTOR[t.dtype] as typeof Uint8Array) &&
            t.data.length === count &&
            t.data.byteOffset === 0;
          if (!ok) problems.push(`${label}: tensor ${name} is inconsistent`);
        }
        accepted++;
      } catch (e) {
        if (!(e instanceof ModelFileError) || !e.message.startsWith('fuzz.safetensors: ')) {
          problems.push(`${label}: threw ${String(e)}`);
        }
        refused++;
      }
    };
    const withHeader = (h: unknown, pad = true): Uint8Array => {
      let json = JSON.stringify(h);
      if (pad) json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
      return build(json, data);
    };
    const clone = (): Record<string, Record<string, unknown>> => structuredClone(header);

    const start = performance.now();
    let cases = 0;
    // 1. truncation at every length up to the end of the header plus some data lengths
    for (let len = 0; len < Math.min(valid.length, headerEnd + 40); len++, cases++)
      check(valid.subarray(0, len), `truncate ${len}`);
    for (let i = 0; i < 60; i++, cases++) check(valid.subarray(0, headerEnd + int(data.length)), 'truncate data');
    // 2. random bit flips (biased to the header, where they matter)
    for (let i = 0; i < 1200; i++, cases++) {
      const b = valid.slice();
      const flips = 1 + int(4);
      for (let k = 0; k < flips; k++) {
        const pos = rand() < 0.8 ? int(headerEnd) : int(b.length);
        b[pos] ^= 1 << int(8);
      }
      check(b, `bitflip ${i}`);
    }
    // 3. header length overwritten with huge / random / nearby values
    const lengths = [2n ** 64n - 1n, 2n ** 63n, 2n ** 53n + 1n, 16_777_217n, 16_777_216n, BigInt(valid.length), 0n];
    for (let i = 0; i < 300; i++, cases++) {
      const b = valid.slice();
      const r = rand();
      const value =
        r < 0.3
          ? pick(lengths)
          : r < 0.6
            ? (BigInt(int(2 ** 32)) << 32n) | BigInt(int(2 ** 32))
            : BigInt(Math.max(0, n + int(33) - 16));
      new DataView(b.buffer).setBigUint64(0, value, true);
      check(b, `header length ${value}`);
    }
    // 4. dtypes replaced
    const dtypes: unknown[] = [...Object.keys(CTOR), 'F8_E4M3', 'U64', 'f32', '', 'constructor', 5, null, {}, ['F32']];
    for (let i = 0; i < 300; i++, cases++) {
      const h = clone();
      h[pick(names)].dtype = pick(dtypes);
      check(withHeader(h, rand() < 0.8), `dtype ${i}`);
    }
    // 5. shapes changed
    const shapes: unknown[] = [
      [2 ** 40, 2 ** 40],
      [2 ** 53],
      [2 ** 53 + 2],
      [2 ** 31, 2 ** 31],
      [2 ** 26, 2 ** 26, 2 ** 26],
      [2 ** 62, 0],
      [1e308, 1e308, 0],
      [-1],
      [1.5],
      [],
      [0],
      [1],
      'x',
      null,
      [null],
      [[2]],
      {},
    ];
    for (let i = 0; i < 300; i++, cases++) {
      const h = clone();
      const randomShape = Array.from({ length: int(4) }, () => int(8));
      h[pick(names)].shape = rand() < 0.5 ? pick(shapes) : randomShape;
      check(withHeader(h), `shape ${i}`);
    }
    // 6. data_offsets changed
    for (let i = 0; i < 300; i++, cases++) {
      const h = clone();
      const t = h[pick(names)];
      const [b0, e0] = t.data_offsets as number[];
      const choices: unknown[] = [
        [e0, b0],
        [b0 - 1, e0 - 1],
        [b0 + 1, e0 + 1],
        [0, 2 ** 60],
        [b0, e0, 0],
        [b0],
        [`${b0}`, e0],
        [b0 + 0.5, e0],
      ];
      t.data_offsets = rand() < 0.5 ? pick(choices) : [int(data.length + 8), int(data.length + 8)];
      check(withHeader(h), `offsets ${i}`);
    }
    const elapsed = performance.now() - start;

    expect(problems).toEqual([]);
    expect(cases).toBeGreaterThanOrEqual(2900);
    expect(accepted + refused).toBe(cases);
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(cases / 2);
    expect(elapsed).toBeLessThan(5000);
  });
});

describe('writeFileAtomic', () => {
  it('writes, overwrites and leaves no temp files', () => {
    const dir = tempDir();
    const path = join(dir, 'nested', 'out.bin');
    writeFileAtomic(path, Uint8Array.from([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    writeFileAtomic(path, 'hello');
    expect(readFileSync(path, 'utf8')).toBe('hello');
    expect(readdirSync(join(dir, 'nested'))).toEqual(['out.bin']);
  });

  it('throws without leaving a temp file when the write fails', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    expect(() => writeFileAtomic(join(dir, 'file', 'out.bin'), 'data')).toThrow();
    // the target is an existing directory: the temp file is written, then the rename fails
    mkdirSync(join(dir, 'target'));
    expect(() => writeFileAtomic(join(dir, 'target'), 'data')).toThrow();
    expect(readdirSync(dir).sort()).toEqual(['file', 'target']);
    expect(readdirSync(join(dir, 'target'))).toEqual([]);
  });
});
