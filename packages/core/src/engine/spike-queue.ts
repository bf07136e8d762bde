/**
 * Indexed min-heap of predicted spike times, at most one per neuron, that supports moving or
 * removing a neuron's prediction (the pattern of ihmehimmeli's SpikeQueue). Ties: lower neuron first.
 */
export class SpikeQueue {
  private readonly heap: Int32Array;
  private readonly pos: Int32Array;
  private readonly key: Float64Array;
  private n = 0;

  constructor(neurons: number) {
    this.heap = new Int32Array(Math.max(1, neurons));
    this.pos = new Int32Array(Math.max(1, neurons)).fill(-1);
    this.key = new Float64Array(Math.max(1, neurons));
  }

  /** Number of queued predictions. */
  get size(): number {
    return this.n;
  }

  /** Sets (adds or moves) neuron `id`'s predicted spike to time `t`. */
  set(id: number, t: number): void {
    const p = this.pos[id];
    this.key[id] = t;
    if (p < 0) {
      this.heap[this.n] = id;
      this.pos[id] = this.n;
      this.up(this.n++);
    } else {
      this.up(p);
      this.down(this.pos[id]);
    }
  }

  /** Removes neuron `id`'s prediction, if any. */
  remove(id: number): void {
    const p = this.pos[id];
    if (p < 0) return;
    this.pos[id] = -1;
    const last = this.heap[--this.n];
    if (p === this.n) return;
    this.heap[p] = last;
    this.pos[last] = p;
    this.up(p);
    this.down(this.pos[last]);
  }

  /** Earliest predicted time, or Infinity when empty. */
  peekTime(): number {
    return this.n === 0 ? Infinity : this.key[this.heap[0]];
  }

  /** Neuron with the earliest prediction (the queue must not be empty). */
  peek(): number {
    return this.heap[0];
  }

  /** Predicted time of neuron `id` (Infinity when it has none). */
  timeOf(id: number): number {
    return this.pos[id] < 0 ? Infinity : this.key[id];
  }

  /** Empties the queue. */
  clear(): void {
    for (let k = 0; k < this.n; k++) this.pos[this.heap[k]] = -1;
    this.n = 0;
  }

  private less(a: number, b: number): boolean {
    const ka = this.key[a], kb = this.key[b];
    return ka < kb || (ka === kb && a < b);
  }

  private up(i: number): void {
    const h = this.heap, id = h[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(id, h[parent])) break;
      h[i] = h[parent];
      this.pos[h[i]] = i;
      i = parent;
    }
    h[i] = id;
    this.pos[id] = i;
  }

  private down(i: number): void {
    const h = this.heap, id = h[i], n = this.n;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(h[c + 1], h[c])) c++;
      if (!this.less(h[c], id)) break;
      h[i] = h[c];
      this.pos[h[i]] = i;
      i = c;
    }
    h[i] = id;
    this.pos[id] = i;
  }
}
