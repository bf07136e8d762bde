import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { imageGridPng, writePng } from '../src/viz/png.ts';
import { rasterSvg } from '../src/viz/raster.ts';

const tmp = mkdtempSync(join(tmpdir(), 'viz-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** n images of rows x cols where pixel (k, y, x) = 10k + 3y + x (distinct, recoverable). */
function testImages(n: number, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(n * rows * cols);
  for (let k = 0; k < n; k++)
    for (let y = 0; y < rows; y++)
      for (let x = 0; x < cols; x++) out[(k * rows + y) * cols + x] = 10 * k + 3 * y + x + 1;
  return out;
}

/** Decode a PNG and return a grey-level getter (checks that r = g = b and alpha is opaque). */
function decode(png: Uint8Array): { width: number; height: number; at(x: number, y: number): number } {
  const img = PNG.sync.read(Buffer.from(png));
  return {
    width: img.width,
    height: img.height,
    at(x, y) {
      const o = 4 * (y * img.width + x);
      const [r, g, b, a] = img.data.subarray(o, o + 4);
      expect([g, b, a]).toEqual([r, r, 255]);
      return r;
    },
  };
}

describe('imageGridPng', () => {
  it('lays out images in a padded grid that decodes back to the right pixels', () => {
    const n = 5,
      rows = 3,
      cols = 2;
    const png = imageGridPng(testImages(n, rows, cols), n, rows, cols);
    expect(Array.from(png.subarray(0, 8))).toEqual(SIGNATURE);
    const img = decode(png);
    // default 3 columns (ceil(sqrt 5)), 2 grid rows, 1 px padding
    expect([img.width, img.height]).toEqual([3 * 2 + 4, 2 * 3 + 3]);
    expect(img.at(0, 0)).toBe(128);
    for (let k = 0; k < n; k++) {
      const x0 = 1 + (k % 3) * 3,
        y0 = 1 + Math.floor(k / 3) * 4;
      for (let y = 0; y < rows; y++)
        for (let x = 0; x < cols; x++) expect(img.at(x0 + x, y0 + y)).toBe(10 * k + 3 * y + x + 1);
    }
    expect(img.at(1 + 2 * 3, 1 + 4)).toBe(128); // the empty sixth cell stays padding grey
  });

  it('honours columns, pad and integer scale', () => {
    const n = 2,
      rows = 2,
      cols = 2;
    const img = decode(imageGridPng(testImages(n, rows, cols), n, rows, cols, { columns: 1, pad: 2, scale: 3 }));
    expect([img.width, img.height]).toEqual([6 + 4, 2 * 6 + 3 * 2]);
    expect(img.at(2, 2)).toBe(1);
    expect(img.at(4, 4)).toBe(1);
    expect(img.at(5, 2)).toBe(2);
    expect(img.at(2, 5)).toBe(4);
    expect(img.at(7, 7)).toBe(5);
    expect(img.at(2, 2 + 6 + 2)).toBe(11);
    expect(img.at(1, 1)).toBe(128);
  });

  it('refuses bad sizes and writes atomically', () => {
    expect(() => imageGridPng(new Uint8Array(7), 2, 2, 2)).toThrow(RangeError);
    expect(() => imageGridPng(new Uint8Array(8), 0, 2, 2)).toThrow(RangeError);
    expect(() => imageGridPng(new Uint8Array(8), 2, 2, 2, { scale: 1.5 })).toThrow(RangeError);
    const png = imageGridPng(testImages(4, 28, 28), 4, 28, 28, { scale: 2 });
    const path = join(tmp, 'grid.png');
    writePng(path, png);
    expect(new Uint8Array(readFileSync(path))).toEqual(png);
    expect(readdirSync(tmp)).toEqual(['grid.png']);
  });
});

/** Minimal well-formedness check: balanced tags, quoted attributes, no stray `<` or `&`. */
function checkXml(s: string): void {
  const stack: string[] = [];
  const text = s.replace(
    /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g,
    (_m, close: string, name: string, _a, self: string) => {
      if (close) expect(stack.pop()).toBe(name);
      else if (!self) stack.push(name);
      return '';
    },
  );
  expect(stack).toEqual([]);
  expect(text).not.toMatch(/[<>]/);
  expect(s.replace(/&(lt|gt|amp|quot|apos);/g, '')).not.toContain('&');
}

const marks = (svg: string): number =>
  [...svg.matchAll(/<path fill="[^"]+" shape-rendering="crispEdges" d="([^"]*)"/g)].reduce(
    (s, m) => s + (m[1].match(/M/g)?.length ?? 0),
    0,
  );

describe('rasterSvg', () => {
  const pops = [
    { name: 'input', times: Float64Array.from([0, 3, Infinity, 19.5, 20, 25, NaN, 7]) },
    { name: 'hidden', times: [1, 2, 2, Infinity] },
    { name: 'output', times: new Float32Array([Infinity, Infinity]) },
  ];

  it('draws one mark per spike before tmax, with counts and labels', () => {
    const svg = rasterSvg(pops, { tmax: 20 });
    expect(svg.startsWith('<svg')).toBe(true);
    checkXml(svg);
    expect(marks(svg)).toBe(4 + 3);
    expect(svg).toContain('input: 4 spikes');
    expect(svg).toContain('hidden: 3 spikes');
    expect(svg).toContain('output: 0 spikes');
    expect(svg).toContain('time (steps)');
    expect(svg).toMatch(/>20<\/text>/); // last tick at tmax
    expect(new Set(svg.match(/<path fill="#[0-9a-f]+"/g)).size).toBe(2); // one colour per drawn population
  });

  it('escapes the title and names, and limits neurons per population', () => {
    const svg = rasterSvg([{ name: 'a"b', times: [1, 2, 3, 4] }], {
      tmax: 10,
      title: 'G <&> D',
      maxNeuronsPerPop: 2,
      width: 400,
    });
    checkXml(svg);
    expect(svg).toContain('G &lt;&amp;&gt; D');
    expect(svg).toContain('a&quot;b: 4 spikes');
    expect(svg).toContain('neurons 0-1 of 4');
    expect(marks(svg)).toBe(2);
    expect(svg).toMatch(/width="400"/);
  });

  it('stays compact for thousands of spikes and refuses a bad tmax', () => {
    const times = Float64Array.from({ length: 5000 }, (_, i) => (i * 7) % 100);
    const svg = rasterSvg([{ name: 'big', times }], { tmax: 100 });
    checkXml(svg);
    expect(marks(svg)).toBe(5000);
    expect(svg.length).toBeLessThan(5000 * 40);
    expect(() => rasterSvg([], { tmax: 0 })).toThrow(RangeError);
    expect(rasterSvg([], { tmax: 5 })).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
  });
});
