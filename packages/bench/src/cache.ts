// Trained models of the suite, cached by their settings so that a second run does not retrain.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '@spiking-gan/gan';

/** Where the suite keeps its trained models: $SPIKING_GAN_BENCH_CACHE, else `bench` in gan's `cacheDir()`. */
export function benchCacheDir(): string {
  return process.env.SPIKING_GAN_BENCH_CACHE || join(cacheDir(), 'bench');
}

/** A cache entry's path for `kind` trained with `settings` (a short hash of their JSON names the file). */
export function cachePath(kind: string, settings: unknown, ext = 'safetensors', dir = benchCacheDir()): string {
  const hash = createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 12);
  mkdirSync(dir, { recursive: true });
  return join(dir, `${kind}-${hash}.${ext}`);
}

/** True when the entry exists and `retrain` is not asked for. */
export function cached(path: string, retrain: boolean): boolean {
  return !retrain && existsSync(path);
}
