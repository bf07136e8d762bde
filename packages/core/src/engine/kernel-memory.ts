// The shared WebAssembly memory that the SIMD kernels work on, its allocator, and the kernels'
// loader. Dense weights live here (so a kernel reads them where the optimiser writes them, with no
// copy), as do the kernels' scratch arrays. The memory is a shared one: growing it leaves earlier
// views valid (a plain memory would detach them), and worker threads can map the same weights.
// Its layout (the allocator's header, the kernels' descriptors) is in src/kernels/layout.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUMP_AT, RESERVED_BYTES } from '../kernels/layout.ts';

/** A WebAssembly.Memory, typed by what the engine uses of it (so the declarations need no DOM library). */
export interface KernelMemory {
  readonly buffer: ArrayBufferLike;
  grow(delta: number): number;
}

/**
 * The exports of build/kernels.wasm (assembly/*.ts): byte offsets into the kernel memory and numbers.
 * The forward passes and the backward passes of ramp and relu projections take a descriptor
 * (src/kernels/layout.ts); the kernel operations on typed arrays are in src/kernels/ops.ts.
 */
export interface Kernels {
  forward(desc: number, earlyStop: number): void;
  rampForward(desc: number, earlyStop: number): number;
  rampBackward(desc: number): void;
  reluForward(desc: number, earlyStop: number): number;
  reluBackward(desc: number): void;
  deltaUpdate(
    w: number,
    nI: number,
    nJ: number,
    pre: number,
    post: number,
    delta: number,
    c: number,
    delay: number,
    tmax: number,
  ): void;
  drainInto(dst: number, src: number, n: number): void;
  sgdStep(w: number, g: number, n: number, lr: number, mean: number, inv: number): void;
  adamStep(
    w: number,
    g: number,
    m: number,
    v: number,
    n: number,
    lr: number,
    mean: number,
    inv: number,
    b1: number,
    b2: number,
    bc1: number,
    bc2: number,
    eps: number,
  ): void;
}

/** The kernel memory is over its budget: what would have lived there takes the TypeScript path instead. */
export class KernelMemoryFull extends Error {
  override name = 'KernelMemoryFull';

  constructor() {
    super('kernel memory over its budget');
  }
}

const PAGE = 65536;
const MAX_PAGES = 65536;

/** Why the kernels are not in use, or null when they are. */
let reason: string | null = null;
let state:
  | {
      memory: WebAssembly.Memory;
      kernels: Kernels;
      u32: Uint32Array;
      buffers: WeakSet<ArrayBufferLike>;
      free: Map<number, number[]>;
      live: number;
      warned: boolean;
    }
  | null
  | undefined;
const registry = new FinalizationRegistry<[number, number]>(([offset, bytes]) => release(offset, bytes));

/** The kernels shipped with this package (build/kernels.wasm; in a checkout `pnpm install` builds it). */
export const KERNEL_FILE = new URL('../../build/kernels.wasm', import.meta.url);
/** The environment variable naming another kernels.wasm (for bundles, which leave the package's file behind). */
const FILE_VAR = 'SPIKING_GAN_KERNEL_FILE';
let noKernelsWarned = false;

/**
 * Points the engine at a kernels.wasm (a path or file URL), e.g. the copy a bundled application
 * ships; call it before the first network is built. Same as setting SPIKING_GAN_KERNEL_FILE, which
 * it sets, so worker threads and child processes started afterwards find the same file.
 */
export function useKernelFile(file: string | URL): void {
  if (state) {
    throw new Error('useKernelFile: the kernels are already loaded (call it before the first network is built)');
  }
  process.env[FILE_VAR] = file instanceof URL ? fileURLToPath(file) : file;
  state = undefined;
}

/** The kernels' bytes, or why they cannot be read. */
function kernelBytes(): Uint8Array | string {
  const named = process.env[FILE_VAR];
  try {
    return readFileSync(named || KERNEL_FILE);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    if (named) return `${FILE_VAR}=${named} cannot be read (${why})`;
    return (
      `${fileURLToPath(KERNEL_FILE)} cannot be read (${why}): a bundle leaves it behind, so point ` +
      `${FILE_VAR} or useKernelFile() at the kernels.wasm of @spiking-gan/core ` +
      '(in a checkout, `pnpm install` builds it)'
    );
  }
}

function fail(why: string): void {
  reason = why;
  state = null;
  if (noKernelsWarned) return;
  noKernelsWarned = true;
  process.emitWarning(
    `the WebAssembly kernels are not in use: ${why}. Networks run on the TypeScript path ` +
      '(same results, about 5× slower); SPIKING_GAN_ENGINE=ts chooses that path without this warning',
    { code: 'SPIKING_GAN_NO_KERNELS' },
  );
}

function init(memory?: KernelMemory): void {
  if (process.env.SPIKING_GAN_ENGINE === 'ts') {
    reason = 'SPIKING_GAN_ENGINE=ts';
    state = null;
    return;
  }
  const bytes = kernelBytes();
  if (typeof bytes === 'string') return fail(bytes);
  try {
    const mem =
      (memory as WebAssembly.Memory | undefined) ??
      new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: mem } });
    const u32 = new Uint32Array(mem.buffer, 0, 4);
    if (!memory) Atomics.store(u32, BUMP_AT / 4, RESERVED_BYTES);
    state = {
      memory: mem,
      kernels: inst.exports as unknown as Kernels,
      u32,
      buffers: new WeakSet([mem.buffer]),
      free: new Map(),
      live: 0,
      warned: false,
    };
    reason = null;
  } catch (e) {
    fail(`WebAssembly SIMD kernels unavailable here (${(e as Error).message})`);
  }
}

function ready(): NonNullable<typeof state> | null {
  if (state === undefined) init();
  return state ?? null;
}

/** The SIMD kernels' exports, or null when they cannot run here (src/kernels/choose.ts picks a backend). */
export function kernels(): Kernels | null {
  return ready()?.kernels ?? null;
}

/** Which path the engine takes for eligible networks: `wasm-simd`, or `typescript` with the reason. */
export function engineBackend(): { backend: 'wasm-simd' | 'typescript'; reason: string | null } {
  return ready() ? { backend: 'wasm-simd', reason: null } : { backend: 'typescript', reason };
}

/** The shared memory (to hand to a worker thread), or null without kernels. */
export function kernelMemory(): KernelMemory | null {
  return ready()?.memory ?? null;
}

/** Joins the kernel memory of another thread (before anything is allocated in this one; a second time: nothing). */
export function adoptKernelMemory(memory: KernelMemory): void {
  if (state && state.memory === memory) return;
  if (state) throw new Error('adoptKernelMemory: this thread already has a kernel memory');
  init(memory);
}

/**
 * A zeroed Float64Array of n values: in the kernel memory when the kernels run (freed when the
 * array is garbage-collected; views made from it must not outlive it), else an ordinary one.
 */
export function allocF64(n: number): Float64Array {
  return allocView(Float64Array, n);
}

/** A zeroed Int32Array of n values in the kernel memory (see `allocF64`). */
export function allocI32(n: number): Int32Array {
  return allocView(Int32Array, n);
}

function allocView<A extends Float64Array | Int32Array>(
  Ctor: { new (n: number): A; new (b: ArrayBufferLike, off: number, n: number): A; BYTES_PER_ELEMENT: number },
  n: number,
): A {
  const s = ready();
  if (!s || n === 0) return new Ctor(n);
  const bytes = n * Ctor.BYTES_PER_ELEMENT,
    off = alloc(s, bytes);
  if (off < 0) return new Ctor(n); // over the budget: an ordinary array (its network runs on the TypeScript path)
  const a = new Ctor(buffer(s, off + bytes), off, n);
  registry.register(a, [off, bytes]);
  return a;
}

/** Byte offset of `a` in the kernel memory, or -1 when `a` lives elsewhere. */
export function offsetOf(a: ArrayBufferView): number {
  const s = ready();
  return s && s.buffers.has(a.buffer) ? a.byteOffset : -1;
}

/** A view of n Float64 values at byte offset `off` of the kernel memory (not owned: never freed). */
export function viewF64(off: number, n: number): Float64Array {
  const s = ready();
  if (!s) throw new Error('viewF64: no kernel memory in this thread');
  return new Float64Array(buffer(s, off + n * 8), off, n);
}

/** Blocks are whole cache lines: two threads' arrays never share a line (no false sharing). */
const LINE = 64;

/** Bytes this thread may hold in the kernel memory at once (SPIKING_GAN_KERNEL_MB, default 256). */
function budget(): number {
  const mb = Number(process.env.SPIKING_GAN_KERNEL_MB ?? 256);
  return (Number.isFinite(mb) && mb > 0 ? mb : 256) * 2 ** 20;
}

/**
 * A block of the kernel memory (a byte offset), or -1 past this thread's budget. Blocks come back
 * when their arrays are garbage-collected, which needs the event loop to turn: a long synchronous
 * loop that keeps building networks reaches the budget, and then gets ordinary arrays.
 */
function alloc(s: NonNullable<typeof state>, bytes: number): number {
  const size = Math.ceil(bytes / LINE) * LINE;
  if (s.live + size > budget()) return overBudget(s);
  const list = s.free.get(size);
  if (list && list.length > 0) {
    const off = list.pop()!;
    new Uint8Array(buffer(s, off + size), off, size).fill(0);
    s.live += size;
    return off;
  }
  const off = Atomics.add(s.u32, BUMP_AT / 4, size);
  const end = off + size;
  if (end > MAX_PAGES * PAGE - PAGE) {
    Atomics.sub(s.u32, BUMP_AT / 4, size); // (both wrap alike past 2^32)
    return overBudget(s);
  }
  while (s.memory.buffer.byteLength < end) {
    const have = s.memory.buffer.byteLength / PAGE,
      want = Math.ceil(end / PAGE);
    s.memory.grow(Math.min(MAX_PAGES - have, Math.max(want - have, have >> 2)));
  }
  s.live += size;
  return off;
}

function overBudget(s: NonNullable<typeof state>): number {
  if (!s.warned) {
    s.warned = true;
    process.emitWarning(
      `the kernel memory holds ${(s.live / 2 ** 20).toFixed(0)} MB ` +
        `(budget ${(budget() / 2 ** 20).toFixed(0)} MB, SPIKING_GAN_KERNEL_MB): ` +
        'new networks get ordinary arrays and run on the TypeScript path ' +
        'until earlier ones are garbage-collected (which needs the event loop to turn)',
      { code: 'SPIKING_GAN_KERNEL_MEMORY' },
    );
  }
  return -1;
}

/** The current buffer of the memory, covering at least `end` bytes. */
function buffer(s: NonNullable<typeof state>, end: number): ArrayBufferLike {
  const b = s.memory.buffer;
  if (b.byteLength < end) throw new Error('kernel memory: buffer shorter than an allocation');
  s.buffers.add(b);
  return b;
}

function release(offset: number, bytes: number): void {
  if (!state) return;
  const size = Math.ceil(bytes / LINE) * LINE;
  state.live -= size;
  let list = state.free.get(size);
  if (!list) state.free.set(size, (list = []));
  list.push(offset);
}
