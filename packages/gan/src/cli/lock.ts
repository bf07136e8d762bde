// An exclusive lock on an output folder, so that two runs never write into one folder at once: the
// file `.spiking-gan.lock`, created with O_EXCL, holds the owner's pid, host and start time. A lock
// whose owner is gone (same host, pid no longer alive) is stale and is cleared.
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CliError } from './fail.ts';
import { fsReason } from './output.ts';

/** Name of the lock file inside a locked output folder. */
export const LOCK_NAME = '.spiking-gan.lock';

/** Who holds a lock, as written in the lock file. */
export interface LockOwner {
  pid: number;
  host: string;
  since: string;
  command: string;
}

/** A lock held by this process; `release` removes the file (if it is still this lock) and is safe to call twice. */
export interface OutputLock {
  path: string;
  release(): void;
}

/** Takes the lock of folder `dir` for `command`; refuses, naming the other run and the lock file, when it is held. */
export function lockOutputDir(dir: string, command: string): OutputLock {
  const path = join(dir, LOCK_NAME);
  const mine = `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString(), command })}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (create(path, mine)) return held(path, mine);
    const text = readLock(path);
    if (text === null) continue; // removed meanwhile: try again
    const owner = parseOwner(text);
    if (owner === null || !isStale(owner)) throw new CliError(inUse(dir, path, owner));
    clearStale(path, text);
  }
  throw new CliError(inUse(dir, path, parseOwner(readLock(path) ?? '')));
}

/** Creates the lock file with O_EXCL; false when it exists already. */
function create(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new CliError(`cannot create the lock file ${path}: ${fsReason(err)}`);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

function held(path: string, text: string): OutputLock {
  let done = false;
  const release = () => {
    if (done) return;
    done = true;
    process.removeListener('exit', release);
    if (readLock(path) === text) rmSync(path, { force: true });
  };
  process.on('exit', release); // a backstop for process.exit() and uncaught errors
  return { path, release };
}

function readLock(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const o = JSON.parse(text) as LockOwner;
    const ok = Number.isSafeInteger(o.pid) && o.pid > 0 && typeof o.host === 'string' && typeof o.since === 'string';
    return ok ? o : null;
  } catch {
    return null;
  }
}

/** A lock of this host whose process is gone (or is this very process: the pid of an earlier boot or container). */
function isStale(o: LockOwner): boolean {
  if (o.host !== hostname()) return false;
  if (o.pid === process.pid) return true;
  try {
    process.kill(o.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes the stale lock whose content is `text`. It is first renamed aside, so that of two runs
 * clearing it at once only one does; if what was moved is not that stale lock, it is put back.
 */
function clearStale(path: string, text: string): void {
  const aside = `${path}.sgan-${process.pid}-${randomBytes(6).toString('hex')}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // another run moved it first
  }
  if (readLock(aside) !== text) {
    try {
      linkSync(aside, path); // never over a lock taken meanwhile
    } catch {
      // a newer lock is in place: it holds the folder
    }
  }
  rmSync(aside, { force: true });
}

function inUse(dir: string, path: string, o: LockOwner | null): string {
  if (o === null) {
    return (
      `${dir} is locked by ${path}, which does not say which run holds it; ` +
      'if no run is using the folder, remove that file'
    );
  }
  const other = `pid ${o.pid} on host ${o.host}, since ${o.since}`;
  const gone = o.host === hostname() ? '' : '; if that run is gone, remove the lock file';
  return (
    `${dir} is in use by another run (${other}): wait for it to end or give another --out${gone} ` +
    `(lock file ${path})`
  );
}
