// The one folder where trained helper models are kept (the quality judge, the benchmark's models),
// shared by every working folder and by global installs, so each is trained once per machine.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** The environment variable that moves the cache folder. */
export const CACHE_VARIABLE = 'SPIKING_GAN_CACHE';

/**
 * The cache folder: $SPIKING_GAN_CACHE, else $XDG_CACHE_HOME/spiking-gan (when XDG_CACHE_HOME is an
 * absolute path), else %LOCALAPPDATA%\spiking-gan on Windows, else ~/.cache/spiking-gan.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const own = env[CACHE_VARIABLE];
  if (own) return resolve(own);
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'spiking-gan');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'spiking-gan');
  return join(homedir(), '.cache', 'spiking-gan');
}

/** Where the quality judge is cached: the `judge` folder of `cacheDir()`. */
export function judgeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'judge');
}
