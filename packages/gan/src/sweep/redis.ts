// Connections to the Redis server behind a sweep's BullMQ queue: the URL checked, the server reached once
// before any work (a clear one-line error when it cannot be), then connections that reconnect on their own.
import { Redis } from 'ioredis';
import { CliError } from '../cli/fail.ts';

/** The queue that `spiking-gan sweep --queue` fills and `spiking-gan sweep-worker` empties, unless named. */
export const QUEUE_NAME = 'spiking-gan-sweep';

/** Checks that `url` is a redis:// or rediss:// URL and that the server answers; the error names `--queue`. */
export async function checkRedis(url: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--queue ${url}: not a URL (expected redis://host:port)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new CliError(`--queue ${url}: not a redis:// or rediss:// URL`);
  }
  let last = '';
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', (err: Error) => {
    last = err.message;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new CliError(`--queue ${url}: cannot reach the Redis server (${last || (err as Error).message})`);
  } finally {
    probe.disconnect();
  }
}

/** A connection for BullMQ (blocking commands wait as long as they must); errors go to `log`, once each. */
export function redisConnection(url: string, log: (line: string) => void): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  let last = '';
  redis.on('error', (err: Error) => {
    if (err.message !== last) log(`Redis ${url}: ${err.message} (reconnecting)`);
    last = err.message;
  });
  redis.on('ready', () => {
    last = '';
  });
  return redis;
}
