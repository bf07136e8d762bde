import FastPriorityQueue from 'fastpriorityqueue';

/**
 * Arrival queue for real-valued times: a binary heap (fastpriorityqueue) of event ids ordered
 * by arrival time, ties broken by event id so that the order never depends on insertion history.
 */
export class ArrivalHeap {
  /** Arrival time of each queued event id. */
  readonly time: Float64Array;
  private readonly heap: FastPriorityQueue<number>;

  constructor(capacity: number) {
    const time = (this.time = new Float64Array(Math.max(1, capacity)));
    this.heap = new FastPriorityQueue<number>((a, b) => time[a] < time[b] || (time[a] === time[b] && a < b));
  }

  /** Queues event `id` at time `t`. */
  push(t: number, id: number): void {
    this.time[id] = t;
    this.heap.add(id);
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    const id = this.heap.peek();
    return id === undefined ? Infinity : this.time[id];
  }

  /** Removes and returns the earliest event id (the queue must not be empty). */
  pop(): number {
    return this.heap.poll() as number;
  }

  /** Empties the queue. */
  clear(): void {
    this.heap.size = 0;
  }
}
