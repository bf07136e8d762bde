import { writeFileAtomic } from './atomic.ts';
import { InputFileError, ModelFileError } from './errors.ts';
import { withRegularFile } from './read-file.ts';

/** Element types of the safetensors format supported here. */
export type DType = 'F64' | 'F32' | 'I32' | 'I64' | 'U8' | 'I8' | 'U16' | 'I16' | 'U32' | 'BOOL' | 'F16' | 'BF16';

/** A tensor: dtype, shape and row-major data (F16/BF16 are raw Uint16Array bits, BOOL is Uint8Array). */
export interface Tensor {
  dtype: DType;
  shape: number[];
  data:
    | Float64Array
    | Float32Array
    | Int32Array
    | Uint8Array
    | Int8Array
    | Uint16Array
    | Int16Array
    | Uint32Array
    | BigInt64Array;
}

type TensorData = Tensor['data'];
type DataCtor = { new (buffer: ArrayBuffer): TensorData; readonly BYTES_PER_ELEMENT: number };

const CTORS: Record<DType, DataCtor> = {
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

/**
 * Largest header read (16 MiB; the reference implementation allows 100 MB, but parsing such a header takes
 * gigabytes, and this project's files need kilobytes), and most tensors in one file.
 */
const MAX_HEADER = 16 * 2 ** 20;
const MAX_TENSORS = 65_536;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Swap each element's bytes in place on big-endian hosts (the file is always little-endian). */
function toFromLE(bytes: Uint8Array, size: number): void {
  if (!LITTLE_ENDIAN && size > 1) for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isDType = (v: unknown): v is DType => typeof v === 'string' && Object.hasOwn(CTORS, v);
const isSize = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const quote = (s: string): string => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}...` : s);

/** Number of elements of `shape`; exact whenever it is below 2^53, otherwise some value >= 2^53. */
function elementCount(shape: number[]): number {
  return shape.includes(0) ? 0 : shape.reduce((a, d) => a * d, 1);
}

function encode(
  tensors: Record<string, Tensor>,
  metadata: Record<string, string> | undefined,
  file: string,
): Uint8Array {
  const fail = (what: string): never => {
    throw new ModelFileError(file, what);
  };
  const names = Object.keys(tensors).sort();
  const entries: [string, unknown][] = [];
  if (metadata && Object.keys(metadata).length > 0) {
    if (!Object.values(metadata).every((v) => typeof v === 'string')) fail('__metadata__ values must be strings');
    entries.push(['__metadata__', metadata]);
  }
  let offset = 0;
  for (const name of names) {
    const { dtype, shape, data } = tensors[name];
    if (name === '__metadata__') fail('"__metadata__" is not a valid tensor name');
    if (!isDType(dtype)) fail(`tensor ${quote(name)}: unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(isSize))
      fail(`tensor ${quote(name)}: shape must be an array of non-negative integers`);
    if (!(data instanceof CTORS[dtype]))
      fail(`tensor ${quote(name)}: ${dtype} needs a ${CTORS[dtype].name}, got ${data?.constructor?.name}`);
    if (data.length !== elementCount(shape))
      fail(`tensor ${quote(name)}: data has ${data.length} elements but shape [${shape}] needs ${elementCount(shape)}`);
    entries.push([name, { dtype, shape, data_offsets: [offset, offset + data.byteLength] }]);
    offset += data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(Object.fromEntries(entries)));
  const n = json.length + ((8 - (json.length % 8)) % 8); // pad with spaces to a multiple of 8
  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  let pos = 8 + n;
  for (const name of names) {
    const { data } = tensors[name];
    const bytes = out.subarray(pos, pos + data.byteLength);
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    toFromLE(bytes, data.BYTES_PER_ELEMENT);
    pos += data.byteLength;
  }
  return out;
}

/** Serialize tensors (in sorted name order) and optional string metadata to safetensors bytes. */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  return encode(tensors, metadata, '<buffer>');
}

interface TensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/** The header length of the first 8 bytes, checked against the limit and the `available` bytes after them. */
function headerLength(first8: Uint8Array, available: number, fail: (what: string) => never): number {
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) fail(`header length ${n} exceeds the ${MAX_HEADER}-byte limit`);
  if (n > BigInt(available)) fail(`header length ${n} exceeds the ${available} bytes after the length field`);
  return Number(n);
}

/** Parses the header and checks every entry against a data section of `dataLen` bytes (the file's real size). */
function parseHeader(
  bytes: Uint8Array,
  dataLen: number,
  fail: (what: string) => never,
): { metadata: Record<string, string>; infos: TensorInfo[] } {
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    fail(`header is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isObject(header)) fail('header is not a JSON object');
  const count = Object.keys(header as object).length - (Object.hasOwn(header as object, '__metadata__') ? 1 : 0);
  if (count > MAX_TENSORS) fail(`header lists ${count} tensors, more than the ${MAX_TENSORS} a file may hold`);

  let metadata: Record<string, string> = {};
  const infos: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (!isObject(entry) || !Object.values(entry).every((v) => typeof v === 'string')) {
        fail('__metadata__ must be an object whose values are all strings');
      }
      metadata = Object.fromEntries(Object.entries(entry as Record<string, string>));
      continue;
    }
    const what = `tensor ${quote(name)}`;
    if (!isObject(entry)) fail(`${what}: entry is not an object`);
    const { dtype, shape, data_offsets: offs } = entry as Record<string, unknown>;
    if (!isDType(dtype)) fail(`${what}: unknown dtype ${JSON.stringify(dtype) ?? 'undefined'}`);
    if (!Array.isArray(shape) || !shape.every(isSize))
      fail(`${what}: shape must be an array of non-negative safe integers`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isSize) || offs[0] > offs[1]) {
      fail(`${what}: data_offsets must be two non-negative integers [begin, end] with begin <= end`);
    }
    const [begin, end] = offs as [number, number];
    const size = CTORS[dtype as DType].BYTES_PER_ELEMENT;
    // elementCount is exact below 2^53 and >= 2^53 above it, so no huge shape can match a real byte span.
    const need = elementCount(shape as number[]) * size;
    if (need !== end - begin)
      fail(`${what}: data_offsets span ${end - begin} bytes but shape [${shape}] of ${dtype} needs ${need}`);
    if (end > dataLen) fail(`${what}: data_offsets [${begin}, ${end}] run past the ${dataLen}-byte data section`);
    infos.push({ name, dtype: dtype as DType, shape: shape as number[], begin, end });
  }

  const sorted = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let prev = '';
  for (const t of sorted) {
    if (t.begin < covered) fail(`tensors ${quote(prev)} and ${quote(t.name)} overlap`);
    if (t.begin > covered) fail(`data bytes ${covered}..${t.begin} are not covered by any tensor (hole)`);
    covered = t.end;
    prev = t.name;
  }
  if (covered !== dataLen)
    fail(`${dataLen - covered} trailing bytes after the last tensor (data section not fully covered)`);
  return { metadata, infos };
}

/** The tensor of `info` over `bytes`, a fresh buffer of its own (aligned for any typed array). */
function tensorOf(info: TensorInfo, bytes: Uint8Array): [string, Tensor] {
  toFromLE(bytes, CTORS[info.dtype].BYTES_PER_ELEMENT);
  const data = new CTORS[info.dtype](bytes.buffer as ArrayBuffer);
  return [info.name, { dtype: info.dtype, shape: info.shape, data }];
}

const failer =
  (file: string) =>
  (what: string): never => {
    throw new ModelFileError(file, what);
  };

/** Parse and fully validate safetensors bytes; throws ModelFileError naming `file` on any defect. */
export function decodeSafetensors(
  bytes: Uint8Array,
  file = '<buffer>',
): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const fail = failer(file);
  if (bytes.length < 8) fail(`file too short: ${bytes.length} bytes, need at least 8 for the header length`);
  const dataStart = 8 + headerLength(bytes.subarray(0, 8), bytes.length - 8, fail);
  const { metadata, infos } = parseHeader(bytes.subarray(8, dataStart), bytes.length - dataStart, fail);
  const at = (i: TensorInfo): Uint8Array => new Uint8Array(bytes.subarray(dataStart + i.begin, dataStart + i.end));
  return { tensors: Object.fromEntries(infos.map((i) => tensorOf(i, at(i)))), metadata };
}

/**
 * Read and validate a safetensors file; errors (including 'no such file') name the path. Only a regular
 * file is read, and only what its header claims: the length field, then the header, checked against the
 * file's real size, then each tensor into its own buffer.
 */
export function readSafetensorsFile(path: string): {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
} {
  const fail = failer(path);
  try {
    return withRegularFile(path, (file) => {
      if (file.size < 8) fail(`file too short: ${file.size} bytes, need at least 8 for the header length`);
      const dataStart = 8 + headerLength(file.read(0, 8), file.size - 8, fail);
      const { metadata, infos } = parseHeader(file.read(8, dataStart - 8), file.size - dataStart, fail);
      const at = (i: TensorInfo): Uint8Array => file.read(dataStart + i.begin, i.end - i.begin);
      const tensors = Object.fromEntries(infos.map((i) => tensorOf(i, at(i))));
      file.checkEnd();
      return { tensors, metadata };
    });
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    if (err instanceof InputFileError) throw new ModelFileError(path, err.what);
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFileError(path, code === 'ENOENT' ? 'no such file' : `cannot read (${(err as Error).message})`);
  }
}

/** Encode tensors and metadata and write them to `path` atomically; validation errors name the path. */
export function writeSafetensorsFile(
  path: string,
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomic(path, encode(tensors, metadata, path));
}
