/**
 * Calendar queue for integer times: one FIFO bucket per step in [0, tmax), linked through
 * event ids. Each event id (a projection/source pair) is queued at most once per run, since a
 * neuron fires at most once, so the links live in one preallocated array.
 */
export class BucketQueue {
  /** First event id of each bucket, -1 when empty. */
  readonly head: Int32Array;
  /** Last event id of each bucket. */
  readonly tail: Int32Array;
  /** Next event id in the same bucket, -1 at the end. */
  readonly next: Int32Array;

  constructor(buckets: number, capacity: number) {
    this.head = new Int32Array(buckets).fill(-1);
    this.tail = new Int32Array(buckets).fill(-1);
    this.next = new Int32Array(Math.max(1, capacity)).fill(-1);
  }

  /** Appends event `id` to the bucket of time `t`. */
  push(t: number, id: number): void {
    this.next[id] = -1;
    if (this.head[t] < 0) this.head[t] = id;
    else this.next[this.tail[t]] = id;
    this.tail[t] = id;
  }

  /** Empties every bucket. */
  clear(): void {
    this.head.fill(-1);
  }
}
