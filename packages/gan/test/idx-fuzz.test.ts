// Fuzzing the IDX reader: thousands of seeded mutations of valid files (truncations at every length,
// bit flips, lying dimension headers, wrong type codes, extra dimensions). Every case must either
// decode to a structurally valid result or throw IdxError: never another error, never a hang, never
// a huge allocation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeIdx, encodeIdx, IdxError, type Idx } from '../src/data/idx.ts';

/** Valid files of 1 to 4 dimensions (the 3-D one shaped like a tiny MNIST images file). */
const VALID: Uint8Array[] = [
  encodeIdx(
    [7],
    Uint8Array.from({ length: 7 }, (_, i) => i + 1),
  ),
  encodeIdx(
    [3, 5],
    Uint8Array.from({ length: 15 }, (_, i) => (i * 37) & 255),
  ),
  encodeIdx(
    [2, 4, 4],
    Uint8Array.from({ length: 32 }, (_, i) => (i * 91) & 255),
  ),
  encodeIdx(
    [2, 1, 3, 2],
    Uint8Array.from({ length: 12 }, (_, i) => 255 - i),
  ),
];

interface Outcome {
  ok: number;
  refused: number;
  slowest: number;
}

/**
 * Decodes `bytes` (placed inside a larger buffer, with garbage before and after, so that a read past
 * the end of the slice would not fault but would be visible) and checks the result or the refusal.
 */
function check(bytes: Uint8Array, out: Outcome, what: string): void {
  const pad = 16;
  const big = new Uint8Array(bytes.length + 2 * pad).fill(0xab);
  big.set(bytes, pad);
  const view = big.subarray(pad, pad + bytes.length);
  const t0 = performance.now();
  let res: Idx;
  try {
    res = decodeIdx(view, 'fuzz.idx');
  } catch (e) {
    out.slowest = Math.max(out.slowest, performance.now() - t0);
    if (!(e instanceof IdxError))
      throw new Error(`${what}: threw ${(e as Error)?.name}: ${(e as Error)?.message} instead of IdxError`, {
        cause: e,
      });
    expect(e.message.startsWith('fuzz.idx: '), `${what}: ${e.message}`).toBe(true);
    out.refused++;
    return;
  }
  out.slowest = Math.max(out.slowest, performance.now() - t0);
  const { dims, data } = res;
  expect(dims.length >= 1 && dims.length <= 4, `${what}: ${dims.length} dims`).toBe(true);
  for (const d of dims) expect(Number.isInteger(d) && d >= 1, `${what}: dim ${d}`).toBe(true);
  expect(
    dims.reduce((a, b) => a * b, 1),
    `${what}: product of ${dims.join(' x ')}`,
  ).toBe(data.length);
  expect(data).toBeInstanceOf(Uint8Array);
  // the data lies inside the slice that was given, right after the header
  expect(data.buffer).toBe(big.buffer);
  expect(data.byteOffset).toBe(pad + 4 + 4 * dims.length);
  expect(data.byteOffset + data.length).toBe(pad + bytes.length);
  out.ok++;
}

const withHeader = (type: number, dims: number[], payload: number): Uint8Array => {
  const b = new Uint8Array(4 + 4 * dims.length + payload);
  b[2] = type;
  b[3] = dims.length & 255;
  dims.forEach((d, k) => new DataView(b.buffer).setUint32(4 + 4 * k, d >>> 0, false));
  return b;
};

describe('IDX reader under fuzzing', () => {
  it('survives thousands of mutations: a valid decode or an IdxError, quickly, without a memory jump', () => {
    const out: Outcome = { ok: 0, refused: 0, slowest: 0 };
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let maxJump = 0;
    const watch = () => (maxJump = Math.max(maxJump, process.memoryUsage().rss - rss0));

    for (const [f, file] of VALID.entries()) {
      check(file, out, `valid ${f}`);
      // truncation at every length (and one byte too many)
      for (let n = 0; n <= file.length; n++) check(file.subarray(0, n), out, `file ${f} cut at ${n}`);
      const longer = new Uint8Array(file.length + 1);
      longer.set(file);
      check(longer, out, `file ${f} + 1 byte`);
      // every single-bit flip of the header
      const header = 4 + 4 * file[3];
      for (let bit = 0; bit < header * 8; bit++) {
        const b = file.slice();
        b[bit >> 3] ^= 1 << (bit & 7);
        check(b, out, `file ${f} bit ${bit} flipped`);
      }
      // every byte of the payload inverted: the header still fits, so these decode
      for (let k = header; k < file.length; k++) {
        const b = file.slice();
        b[k] ^= 0xff;
        check(b, out, `file ${f} payload byte ${k} inverted`);
      }
      // every type code and every dimension count in the header
      for (let v = 0; v < 256; v++) {
        const t = file.slice();
        t[2] = v;
        check(t, out, `file ${f} type 0x${v.toString(16)}`);
        const d = file.slice();
        d[3] = v;
        check(d, out, `file ${f} ndim ${v}`);
      }
      watch();
    }

    // lying dimension headers: huge sizes over a tiny payload
    const huge = [0xffffffff, 0x80000000, 0x7fffffff, 0x10000, 65536 * 2, 1 << 31, 2 ** 31 + 1, 46341, 0];
    for (const a of huge) {
      for (const b of huge) {
        check(withHeader(8, [a, b], 16), out, `dims ${a} x ${b}`);
        check(withHeader(8, [a, b, 28, 28], 0), out, `dims ${a} x ${b} x 28 x 28`);
        check(withHeader(8, [b, a, a, b], 64), out, `dims ${b} x ${a} x ${a} x ${b}`);
      }
      check(withHeader(8, [a], 8), out, `dims ${a}`);
    }
    // 2^31 exactly (the limit) and products that exceed 2^53 (inexact in floating point)
    check(withHeader(8, [2 ** 16, 2 ** 15], 10), out, 'dims 2^16 x 2^15');
    check(withHeader(8, [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], 10), out, '4 x 0xffffffff');
    // extra dimensions (5..255 dims declared, with and without the bytes for their sizes)
    for (const n of [5, 6, 8, 16, 255]) {
      check(withHeader(8, Array(n).fill(1), 1), out, `${n} dims of size 1`);
      check(
        withHeader(8, Array(4).fill(1), 1).map((x, i) => (i === 3 ? n : x)),
        out,
        `${n} dims declared, 4 given`,
      );
    }
    watch();

    // seeded random mutations: several random byte writes, insertions, deletions and truncations
    const mutation = fc.record({
      file: fc.integer({ min: 0, max: VALID.length - 1 }),
      edits: fc.array(
        fc.oneof(
          fc.record({ kind: fc.constant('set' as const), at: fc.nat(64), value: fc.integer({ min: 0, max: 255 }) }),
          fc.record({ kind: fc.constant('flip' as const), at: fc.nat(64), value: fc.integer({ min: 0, max: 7 }) }),
          fc.record({ kind: fc.constant('insert' as const), at: fc.nat(64), value: fc.integer({ min: 0, max: 255 }) }),
          fc.record({ kind: fc.constant('delete' as const), at: fc.nat(64), value: fc.constant(0) }),
          fc.record({
            kind: fc.constant('u32' as const),
            at: fc.integer({ min: 1, max: 4 }),
            value: fc.integer({ min: 0, max: 0xffffffff }),
          }),
        ),
        { minLength: 1, maxLength: 6 },
      ),
      cut: fc.option(fc.nat(80)),
    });
    const random = fc.sample(mutation, { seed: 42, numRuns: 5000 });
    for (const [r, m] of random.entries()) {
      let b = Array.from(VALID[m.file]);
      for (const e of m.edits) {
        const at = b.length === 0 ? 0 : e.at % b.length;
        if (e.kind === 'set' && b.length) b[at] = e.value;
        else if (e.kind === 'flip' && b.length) b[at] ^= 1 << e.value;
        else if (e.kind === 'insert') b.splice(at, 0, e.value);
        else if (e.kind === 'delete') b.splice(at, 1);
        else if (e.kind === 'u32' && b.length >= 4 + 4 * e.at)
          for (let k = 0; k < 4; k++) b[4 * e.at + k] = (e.value >>> (24 - 8 * k)) & 255;
      }
      if (m.cut !== null) b = b.slice(0, m.cut);
      check(Uint8Array.from(b), out, `random mutation ${r} (${JSON.stringify(m)})`);
      if (r % 500 === 0) watch();
    }
    watch();

    console.log(
      `IDX fuzz: ${out.ok + out.refused} cases, ${out.ok} decoded, ${out.refused} refused; ` +
        `slowest ${out.slowest.toFixed(2)} ms; rss jump ${(maxJump / 2 ** 20).toFixed(1)} MB`,
    );
    expect(out.ok + out.refused).toBeGreaterThan(7500);
    expect(out.ok).toBeGreaterThan(60); // some mutations (payload edits, harmless ones) still decode
    expect(out.refused).toBeGreaterThan(1000);
    expect(out.slowest).toBeLessThan(250); // no case hangs (generous: the machine is shared)
    expect(maxJump).toBeLessThan(200 * 2 ** 20);
  });

  it('never reads past the slice it was given: a header that claims the bytes after the slice is refused', () => {
    const file = encodeIdx([4, 4], new Uint8Array(16));
    const big = new Uint8Array(file.length + 100);
    big.set(file);
    // 10 x 4 = 40 bytes: 24 more than the slice holds, all present in the buffer
    new DataView(big.buffer).setUint32(4, 10, false);
    expect(() => decodeIdx(big.subarray(0, file.length), 'x')).toThrow(IdxError);
    expect(() => decodeIdx(big.subarray(0, file.length), 'x')).toThrow(
      'x: payload is 16 bytes, header says 40 (10 x 4)',
    );
  });
});
