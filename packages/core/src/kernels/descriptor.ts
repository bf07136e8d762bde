// A kernel's descriptor in the kernel memory, written and read by the named byte offsets of
// layout.ts, with the scratch arrays it points at kept alive alongside it.
import { allocF64, KernelMemoryFull, offsetOf } from '../engine/kernel-memory.ts';

/** A block of the kernel memory that a kernel receives by its offset; fields at byte offsets. */
export class Descriptor {
  /** Byte offset of the block in the kernel memory: what the kernel is called with. */
  readonly offset: number;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  // scratch arrays reached only through the descriptor: kept alive with it
  private readonly keep: ArrayBufferView[] = [];

  /** A zeroed descriptor of `bytes` (a multiple of 8); throws KernelMemoryFull past the memory's budget. */
  constructor(bytes: number) {
    this.f64 = allocF64(bytes / 8);
    this.offset = offsetOf(this.f64);
    if (this.offset < 0) throw new KernelMemoryFull();
    this.i32 = new Int32Array(this.f64.buffer, this.offset, bytes / 4);
  }

  /** Writes the i32 at byte `at`. */
  setI32(at: number, v: number): void {
    this.i32[at >> 2] = v;
  }

  /** The i32 at byte `at`. */
  getI32(at: number): number {
    return this.i32[at >> 2];
  }

  /** Writes the f64 at byte `at`. */
  setF64(at: number, v: number): void {
    this.f64[at >> 3] = v;
  }

  /** The f64 at byte `at`. */
  getF64(at: number): number {
    return this.f64[at >> 3];
  }

  /** Points the field at byte `at` to `a`, an array in the kernel memory (throws KernelMemoryFull when it is not). */
  setPtr(at: number, a: ArrayBufferView): void {
    this.i32[at >> 2] = kernelOffset(a);
  }

  /** Like `setPtr`, and keeps `a` alive as long as the descriptor (a scratch array only it reaches). */
  own(at: number, a: Float64Array | Int32Array): void {
    this.keep.push(a);
    this.setPtr(at, a);
  }
}

/** Byte offset of `a` in the kernel memory; throws KernelMemoryFull when it lives elsewhere (the memory was full). */
export function kernelOffset(a: ArrayBufferView): number {
  const off = offsetOf(a);
  if (off < 0) throw new KernelMemoryFull();
  return off;
}
