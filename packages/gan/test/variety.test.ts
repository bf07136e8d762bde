// Within-class variety: mean pairwise pixel distance within a class over that of MNIST test
// digits of the class. Exact against a brute-force sum, 0 for copies of one image, 1 for the test set.
import { Rng } from '@spiking-gan/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type ImageSet } from '../src/data/mnist.ts';
import { classDistances, meanPairwiseDistance, withinClassVariety } from '../src/quality/index.ts';

const D = 784;

/** The mean of √Σ(a − b)² / 255 over all pairs, summed pair by pair. */
function bruteForce(images: Uint8Array, idx: number[]): number {
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < idx.length; a++) {
    for (let b = a + 1; b < idx.length; b++) {
      let s = 0;
      for (let p = 0; p < D; p++) {
        const d = images[idx[a] * D + p] - images[idx[b] * D + p];
        s += d * d;
      }
      sum += Math.sqrt(s) / 255;
      pairs++;
    }
  }
  return sum / pairs;
}

describe('within-class variety', () => {
  let test: ImageSet;
  beforeAll(() => {
    test = loadMnist('test');
  });

  it('meanPairwiseDistance equals the brute-force mean over all pairs (digits, noise, blanks)', () => {
    const rng = new Rng(3);
    const n = 37;
    const images = new Uint8Array(n * D);
    for (let k = 0; k < n; k++) {
      if (k % 3 === 0)
        images.set(test.image(k), k * D); // sparse digits
      else if (k % 3 === 1) for (let p = 0; p < D; p++) images[k * D + p] = rng.int(256); // dense noise
      // k % 3 === 2: blank
    }
    const idx = Array.from({ length: n }, (_, k) => k);
    expect(meanPairwiseDistance(images, idx)).toBeCloseTo(bruteForce(images, idx), 12);
    const some = [5, 0, 33, 2, 2];
    expect(meanPairwiseDistance(images, some)).toBeCloseTo(bruteForce(images, some), 12);
    expect(meanPairwiseDistance(images, [4])).toBeNaN();
    // two images, one black and one all white: distance √784 = 28
    const bw = new Uint8Array(2 * D).fill(255, D);
    expect(meanPairwiseDistance(bw, [0, 1])).toBe(28);
  });

  it('is 0 for copies of one image per class', () => {
    const n = 200;
    const images = new Uint8Array(n * D);
    const labels = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      labels[k] = k % 10;
      images.set(test.image(labels[k]), k * D);
    }
    const v = withinClassVariety(images, n, labels, test);
    expect(v.perClass).toEqual(new Array(10).fill(0));
    expect(v.mean).toBe(0);
    expect(v.classesCounted).toBe(10);
    expect(v.samples.count).toEqual(new Array(10).fill(20));
  });

  it('is exactly 1 for every class of the MNIST test digits against themselves', () => {
    const ref = classDistances(test.images, test.n, test.labels);
    expect(ref.used).toEqual(ref.count); // no class of MNIST test exceeds the cap: all pairs are used
    for (const d of ref.meanDistance) {
      expect(d).not.toBeNull();
      expect(d!).toBeGreaterThan(5);
      expect(d!).toBeLessThan(12);
    }
    const v = withinClassVariety(test.images, test.n, test.labels, ref, { labelSource: 'MNIST labels' });
    expect(v.perClass).toEqual(new Array(10).fill(1));
    expect(v.mean).toBe(1);
    expect(v.labelSource).toBe('MNIST labels');
    // the reference may be given as images (computed on the spot) or as figures: same result
    const sub = test.images.subarray(0, 500 * D);
    const a = withinClassVariety(sub, 500, test.labels, ref);
    const b = withinClassVariety(sub, 500, test.labels, test);
    expect(a.perClass).toEqual(b.perClass);
    // other real digits (3,000 of MNIST train) are about as varied
    const train = loadMnist('train');
    const t = withinClassVariety(train.images, 3000, train.labels, ref);
    for (const x of t.perClass) expect(Math.abs(x! - 1)).toBeLessThan(0.08);
  });

  it('leaves classes with fewer than 2 images out of the mean (null, not NaN) and says how many were counted', () => {
    const labels = Uint8Array.from([3, 3, 3, 7, 7, 1]); // 1 image of digit 1, none of the others
    const v = withinClassVariety(test.images, 6, labels, test);
    expect(v.classesCounted).toBe(2);
    expect(v.perClass.filter((x) => x !== null)).toHaveLength(2);
    expect(v.perClass[1]).toBeNull();
    expect(v.perClass[0]).toBeNull();
    expect(v.samples.meanDistance[1]).toBeNull();
    expect(v.mean).toBeCloseTo((v.perClass[3]! + v.perClass[7]!) / 2, 15);
    expect(JSON.stringify(v)).not.toContain('NaN');
    const none = withinClassVariety(test.images, 1, labels, test);
    expect(none.mean).toBeNull();
    expect(none.classesCounted).toBe(0);
  });

  it('reduces a class above the cap to a seeded sample: same seed, same figure', () => {
    const n = 2000;
    const labels = new Uint8Array(n); // every image in class 0
    const a = classDistances(test.images, n, labels, { maxPerClass: 300, seed: 4 });
    const b = classDistances(test.images, n, labels, { maxPerClass: 300, seed: 4 });
    const c = classDistances(test.images, n, labels, { maxPerClass: 300, seed: 5 });
    expect(a.used[0]).toBe(300);
    expect(a.count[0]).toBe(2000);
    expect(a.meanDistance[0]).toBe(b.meanDistance[0]);
    expect(c.meanDistance[0]).not.toBe(a.meanDistance[0]);
    const all = classDistances(test.images, n, labels, { maxPerClass: 2000 });
    expect(Math.abs(a.meanDistance[0]! - all.meanDistance[0]!)).toBeLessThan(0.05 * all.meanDistance[0]!);
  });

  it('refuses labels outside 0..9 and too few labels', () => {
    expect(() => classDistances(test.images, 3, [0, 10, 1])).toThrow(/label 1 is 10/);
    expect(() => classDistances(test.images, 3, [0, 1.5, 1])).toThrow(/label 1 is 1.5/);
    expect(() => classDistances(test.images, 3, [0, 1])).toThrow(/2 labels for 3 images/);
  });
});
