/**
 * Queue of predicted spike times, at most one per neuron, that supports moving or removing a
 * neuron's prediction (the role of ihmehimmeli's SpikeQueue). Neurons are grouped in blocks of
 * 32 whose minima are recomputed lazily: a ramp arrival through a dense projection moves the
 * prediction of every target, and rescanning a block is cheaper than 32 heap updates.
 * Ties: the lower neuron index comes first.
 */
export class SpikeQueue {
  private readonly key: Float64Array;
  private readonly blockMin: Float64Array;
  private readonly blockArg: Int32Array;
  private readonly dirty: Uint8Array;
  private readonly dirtyList: Int32Array;
  private nDirty = 0;
  private changed = true;
  private gMin = Infinity;
  private gArg = -1;
  private n = 0;

  constructor(readonly neurons: number) {
    const blocks = Math.max(1, Math.ceil(neurons / 32));
    this.key = new Float64Array(Math.max(1, neurons)).fill(Infinity);
    this.blockMin = new Float64Array(blocks).fill(Infinity);
    this.blockArg = new Int32Array(blocks).fill(-1);
    this.dirty = new Uint8Array(blocks);
    this.dirtyList = new Int32Array(blocks);
  }

  /** Number of queued predictions. */
  get size(): number {
    return this.n;
  }

  /** Sets (adds or moves) neuron `id`'s predicted spike to time `t` (a finite time). */
  set(id: number, t: number): void {
    const old = this.key[id];
    if (old === Infinity) this.n++;
    this.key[id] = t;
    const b = id >> 5;
    if (this.dirty[b]) return;
    const m = this.blockMin[b],
      a = this.blockArg[b];
    if (t < m || (t === m && id < a)) {
      this.blockMin[b] = t;
      this.blockArg[b] = id;
      this.changed = true;
    } else if (id === a) this.markDirty(b);
  }

  /** Removes neuron `id`'s prediction, if any. */
  remove(id: number): void {
    if (this.key[id] === Infinity) return;
    this.key[id] = Infinity;
    this.n--;
    const b = id >> 5;
    if (!this.dirty[b] && this.blockArg[b] === id) this.markDirty(b);
  }

  /** Earliest predicted time, or Infinity when empty. */
  peekTime(): number {
    this.refresh();
    return this.gMin;
  }

  /** Neuron with the earliest prediction (the queue must not be empty). */
  peek(): number {
    this.refresh();
    return this.gArg;
  }

  /** Empties the queue. */
  clear(): void {
    this.key.fill(Infinity);
    this.blockMin.fill(Infinity);
    this.blockArg.fill(-1);
    this.dirty.fill(0);
    this.nDirty = 0;
    this.n = 0;
    this.changed = true;
  }

  private markDirty(b: number): void {
    this.dirty[b] = 1;
    this.dirtyList[this.nDirty++] = b;
    this.changed = true;
  }

  private refresh(): void {
    if (!this.changed) return;
    const key = this.key;
    for (let k = 0; k < this.nDirty; k++) {
      const b = this.dirtyList[k];
      let m = Infinity,
        a = -1;
      const end = Math.min(this.neurons, (b + 1) << 5);
      for (let id = b << 5; id < end; id++)
        if (key[id] < m) {
          m = key[id];
          a = id;
        }
      this.blockMin[b] = m;
      this.blockArg[b] = a;
      this.dirty[b] = 0;
    }
    this.nDirty = 0;
    let m = Infinity,
      a = -1;
    for (let b = 0; b < this.blockMin.length; b++)
      if (this.blockMin[b] < m) {
        m = this.blockMin[b];
        a = this.blockArg[b];
      }
    this.gMin = m;
    this.gArg = a;
    this.changed = false;
  }
}
