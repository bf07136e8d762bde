// NumPy .npy files (format versions 1.0, 2.0 and 3.0): the magic `\x93NUMPY`, a version, the length
// of a Python-literal header ({'descr': '<f4', 'fortran_order': False, 'shape': (n, 28, 28), }),
// then the raw array. Only plain numeric dtypes (unsigned and signed integers, floats) are read;
// the header is checked against the file's actual size before anything is derived from it.
import { readClaimedFile } from '@spiking-gan/core';

/** A malformed or unsupported .npy file; the message names the file and the problem. */
export class NpyError extends Error {
  override name = 'NpyError';
}

/** A plain NumPy dtype: kind ('u' unsigned, 'i' signed, 'f' float), bytes per item and byte order. */
export interface NpyDtype {
  /** As written in the header, e.g. '<f4' or '|u1'. */
  descr: string;
  kind: 'u' | 'i' | 'f';
  size: 1 | 2 | 4 | 8;
  littleEndian: boolean;
}

/** A decoded .npy array: its shape, dtype and a view on its raw bytes (C order). */
export interface Npy {
  shape: number[];
  dtype: NpyDtype;
  fortranOrder: boolean;
  /** The payload: product(shape) × dtype.size bytes. */
  data: Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Largest header we agree to parse (NumPy itself refuses headers over 10,000 bytes by default). */
const MAX_HEADER = 1 << 20;
/** Largest payload we agree to describe (2 GiB). */
const MAX_BYTES = 2 ** 31;

/** True when `bytes` start with the .npy magic. */
export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, k) => bytes[k] === b);
}

type PyValue = string | boolean | number[] | null;

/** Parses the header's dict literal: string keys; string, True/False/None or tuple-of-integers values. */
function parseHeader(text: string, file: string): Map<string, PyValue> {
  let i = 0;
  const bad = (what: string): never => {
    throw new NpyError(`${file}: unreadable header (${what} at character ${i}): ${JSON.stringify(text.slice(0, 200))}`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const str = (): string => {
    const q = text[i];
    if (q !== "'" && q !== '"') bad('expected a quoted string');
    const end = text.indexOf(q, i + 1);
    if (end < 0) bad('unterminated string');
    const s = text.slice(i + 1, end);
    if (s.includes('\\')) bad('escapes in strings are not supported');
    i = end + 1;
    return s;
  };
  const value = (): PyValue => {
    ws();
    if (text[i] === "'" || text[i] === '"') return str();
    if (text[i] === '[') bad('a list value (structured dtypes are not supported)');
    if (text[i] === '(') {
      i++;
      const items: number[] = [];
      for (;;) {
        ws();
        if (text[i] === ')') {
          i++;
          return items;
        }
        const m = /^\d+/.exec(text.slice(i, i + 20));
        if (!m) bad('expected a whole number in the tuple');
        items.push(Number(m![0]));
        i += m![0].length;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') bad("expected ',' or ')'");
      }
    }
    for (const [word, v] of [
      ['True', true],
      ['False', false],
      ['None', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return bad('unexpected value');
  };
  const out = new Map<string, PyValue>();
  ws();
  if (text[i] !== '{') bad("expected '{'");
  i++;
  for (;;) {
    ws();
    if (text[i] === '}') {
      i++;
      break;
    }
    const key = str();
    ws();
    if (text[i] !== ':') bad("expected ':'");
    i++;
    if (out.has(key)) bad(`key '${key}' given twice`);
    out.set(key, value());
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') bad("expected ',' or '}'");
  }
  ws();
  if (i !== text.length) bad('text after the dict');
  return out;
}

function parseDescr(descr: string, file: string): NpyDtype {
  const m = /^([<>|=])([uif])([1248])$/.exec(descr);
  if (!m) {
    throw new NpyError(`${file}: dtype '${descr}' is not supported (plain unsigned, signed or float numbers only)`);
  }
  const size = Number(m[3]) as NpyDtype['size'];
  const kind = m[2] as NpyDtype['kind'];
  if (kind === 'f' && size < 4) {
    throw new NpyError(`${file}: dtype '${descr}' (float16) is not supported, save float32 or uint8`);
  }
  return { descr, kind, size, littleEndian: m[1] !== '>' };
}

/** What a .npy header says: shape, dtype, order, and where and how long the payload is. */
export interface NpyHeader {
  shape: number[];
  dtype: NpyDtype;
  fortranOrder: boolean;
  offset: number;
  size: number;
}

/**
 * The header of a .npy file of `total` bytes whose first bytes `head(n)` returns (fewer when the file is
 * shorter), checked against `total`: a header that claims more or less data than the file holds is refused.
 */
export function npyHeader(head: (n: number) => Uint8Array, total: number, file: string): NpyHeader {
  const pre = head(12);
  if (!isNpy(pre)) throw new NpyError(`${file}: not a .npy file (it does not start with \\x93NUMPY)`);
  if (total < 10) throw new NpyError(`${file}: ${total} bytes, too short for a .npy header`);
  const major = pre[6];
  const minor = pre[7];
  if (major < 1 || major > 3 || minor !== 0) {
    throw new NpyError(`${file}: .npy format version ${major}.${minor}, expected 1.0, 2.0 or 3.0`);
  }
  const lenBytes = major === 1 ? 2 : 4;
  if (total < 8 + lenBytes) {
    throw new NpyError(`${file}: ${total} bytes, too short for a version ${major}.0 header`);
  }
  const view = new DataView(pre.buffer, pre.byteOffset, pre.length);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (headerLen > MAX_HEADER) {
    throw new NpyError(`${file}: header length ${headerLen} bytes, more than the ${MAX_HEADER}-byte limit`);
  }
  if (start + headerLen > total) {
    const follow = total - start;
    throw new NpyError(`${file}: header says it is ${headerLen} bytes, but only ${follow} bytes follow (truncated)`);
  }
  const raw = head(start + headerLen).subarray(start);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(raw).replace(/[\s\0]+$/, '');
  const h = parseHeader(text, file);
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!h.has(key)) throw new NpyError(`${file}: header has no '${key}'`);
  }
  for (const key of h.keys()) {
    if (!['descr', 'fortran_order', 'shape'].includes(key)) {
      throw new NpyError(`${file}: unexpected key '${key}' in the header`);
    }
  }
  const descr = h.get('descr');
  const fortran = h.get('fortran_order');
  const shape = h.get('shape');
  if (typeof descr !== 'string') throw new NpyError(`${file}: 'descr' must be a string`);
  if (typeof fortran !== 'boolean') throw new NpyError(`${file}: 'fortran_order' must be True or False`);
  if (!Array.isArray(shape)) throw new NpyError(`${file}: 'shape' must be a tuple of whole numbers`);
  const dtype = parseDescr(descr, file);
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count * dtype.size > MAX_BYTES) {
      throw new NpyError(`${file}: shape (${shape.join(', ')}) of ${descr} is more than the 2 GiB limit`);
    }
  }
  const size = count * dtype.size;
  const offset = start + headerLen;
  const payload = total - offset;
  if (payload < size) {
    const what = `shape (${shape.join(', ')}) of ${descr}`;
    throw new NpyError(`${file}: truncated: ${what} needs ${size} bytes of data, the file has ${payload}`);
  }
  if (payload > size) {
    const what = `shape (${shape.join(', ')}) of ${descr}`;
    throw new NpyError(`${file}: ${payload - size} bytes after the data of ${what} (${size} bytes)`);
  }
  return { shape, dtype, fortranOrder: fortran, offset, size };
}

/** Decodes .npy bytes; `data` is a view on `bytes` (no copy). Throws NpyError on anything malformed. */
export function decodeNpy(bytes: Uint8Array, file = '<buffer>'): Npy {
  const { shape, dtype, fortranOrder, offset, size } = npyHeader((n) => bytes.subarray(0, n), bytes.length, file);
  return { shape, dtype, fortranOrder, data: bytes.subarray(offset, offset + size) };
}

/** Reads and decodes a .npy file: a regular file only, read whole only once its header matches its size. */
export function readNpy(path: string): Npy {
  return decodeNpy(
    readClaimedFile(path, (f) => npyHeader((n) => f.head(n), f.size, path)),
    path,
  );
}

/** Element k of the array as a number (int64 / uint64 values beyond 2^53 are rounded). */
export function npyGetter(a: Npy): (k: number) => number {
  const { kind, size, littleEndian: le } = a.dtype;
  const v = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  if (kind === 'f') return size === 4 ? (k) => v.getFloat32(4 * k, le) : (k) => v.getFloat64(8 * k, le);
  if (kind === 'u') {
    if (size === 1) return (k) => a.data[k];
    if (size === 2) return (k) => v.getUint16(2 * k, le);
    if (size === 4) return (k) => v.getUint32(4 * k, le);
    return (k) => Number(v.getBigUint64(8 * k, le));
  }
  if (size === 1) return (k) => v.getInt8(k);
  if (size === 2) return (k) => v.getInt16(2 * k, le);
  if (size === 4) return (k) => v.getInt32(4 * k, le);
  return (k) => Number(v.getBigInt64(8 * k, le));
}

/** Encodes an array as a version 1.0 .npy file (header padded to a multiple of 64 bytes, as NumPy does). */
export function encodeNpy(shape: number[], descr: string, data: Uint8Array): Uint8Array {
  const dtype = parseDescr(descr, '<encode>');
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count * dtype.size) {
    throw new NpyError(`<encode>: data is ${data.length} bytes, shape needs ${count * dtype.size}`);
  }
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let text = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const total = Math.ceil((10 + text.length + 1) / 64) * 64;
  text = text.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.length);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, text.length, true);
  for (let k = 0; k < text.length; k++) out[10 + k] = text.charCodeAt(k);
  out.set(data, total);
  return out;
}
