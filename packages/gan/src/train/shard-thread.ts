// A worker thread that runs a shard's phases of each step, handed over without sleeping: a phase is
// a few milliseconds, and a thread that sleeps between phases is woken late and often on the
// waker's core (measured: 2–4 ms lost per phase on 2 cores, more than piscina's messages cost).
// The task goes over a MessageChannel and a counter in a SharedArrayBuffer is bumped; the worker
// polls the port (receiveMessageOnPort) and sleeps on the counter only after `SPIN_MS` without a
// task; this thread polls for the result the same way.
import { MessageChannel, parentPort, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** How long a worker polls for its next task before it sleeps (between steps, checkpoints, the end). */
export const SPIN_MS = 50;

/**
 * How long this thread polls for a worker's reply before it gives up on the worker (a phase takes milliseconds;
 * a worker that died without replying cannot say so while this thread polls).
 */
export const REPLY_TIMEOUT_MS = 120_000;

/** What a worker posts back for a task: its result, or the message of what it threw. */
export type Reply<R> = { ok: true; result: R } | { ok: false; error: string };

/** This thread's end of one shard's worker. */
export class ShardThread<T, R> {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly wake: Int32Array;
  private readonly started: Promise<void>;

  /** Starts `file` with `data` in workerData (and the channel's port and wake counter as `thread`). */
  constructor(file: URL, data: Record<string, unknown>) {
    const { port1, port2 } = new MessageChannel(),
      wake = new SharedArrayBuffer(4);
    this.port = port1;
    this.wake = new Int32Array(wake);
    this.worker = new Worker(file, { workerData: { ...data, thread: { port: port2, wake } }, transferList: [port2] });
    this.started = new Promise((resolve, reject) => {
      this.worker.once('message', () => resolve());
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`a training worker stopped (exit code ${code})`)));
    });
  }

  /** Resolves once the worker has loaded its modules and set up its shard. */
  ready(): Promise<void> {
    return this.started;
  }

  /** Hands the worker a task (collect its reply with `result`). */
  post(task: T): void {
    this.port.postMessage(task);
    Atomics.add(this.wake, 0, 1);
    Atomics.notify(this.wake, 0);
  }

  /** Waits (polling) for the reply to the task posted last; throws when none comes within `timeoutMs`. */
  result(timeoutMs = REPLY_TIMEOUT_MS): Reply<R> {
    const until = performance.now() + timeoutMs;
    for (let k = 1; ; k++) {
      const m = receiveMessageOnPort(this.port);
      if (m) return m.message as Reply<R>;
      if (k % 1024 === 0 && performance.now() > until) {
        throw new Error(`a training worker did not reply within ${timeoutMs / 1000} s (it may have stopped)`);
      }
    }
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.port.close();
    await this.worker.terminate();
  }
}

/** Resolves once every thread has started; if one cannot start, stops them all and rejects with its error. */
export async function startThreads(threads: readonly ShardThread<unknown, unknown>[]): Promise<void> {
  try {
    await Promise.all(threads.map((t) => t.ready()));
  } catch (e) {
    await Promise.all(threads.map((t) => t.close()));
    throw e;
  }
}

/**
 * Runs `mine` here while the threads run the tasks posted to them, then collects their results after this
 * thread's; a failure here or there throws, once every thread has replied (no reply is left behind).
 */
export function runBeside<R>(threads: readonly ShardThread<unknown, R>[], mine: () => R): R[] {
  let own: R;
  try {
    own = mine();
  } catch (e) {
    for (const t of threads) t.result();
    throw e;
  }
  const out = [own];
  for (const t of threads) {
    const r = t.result();
    if (!r.ok) throw new Error(r.error);
    out.push(r.result);
  }
  return out;
}

/**
 * The worker's loop, once its shard is set up: tells this thread it is ready (what `ShardThread.ready` waits for),
 * then polls `port` for tasks, runs each with `run` and posts the reply; never returns.
 */
export function serveShard<T, R>(thread: { port: MessagePort; wake: SharedArrayBuffer }, run: (task: T) => R): never {
  if (!parentPort) throw new Error('serveShard runs in a worker thread');
  parentPort.postMessage('ready');
  const { port } = thread,
    wake = new Int32Array(thread.wake);
  for (;;) {
    const seen = Atomics.load(wake, 0),
      until = performance.now() + SPIN_MS;
    let m = receiveMessageOnPort(port);
    while (!m && performance.now() < until) m = receiveMessageOnPort(port);
    if (!m) {
      Atomics.wait(wake, 0, seen);
      continue;
    }
    let reply: Reply<R>;
    try {
      reply = { ok: true, result: run(m.message as T) };
    } catch (e) {
      reply = { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  }
}
