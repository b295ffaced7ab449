import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { note, type Reporter } from './run-logged';

/** A lock whose owner wrote no pid within this long is taken to be left by a killed process. */
const NO_PID_GRACE_MS = 60_000;

function ownerPid(lock: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(lock: string): boolean {
  const pid = ownerPid(lock);
  if (pid !== undefined) return !isAlive(pid);
  try {
    return Date.now() - statSync(lock).mtimeMs > NO_PID_GRACE_MS;
  } catch {
    return true; // vanished meanwhile: try again
  }
}

/**
 * Runs `fn` while holding `<dir>.lock` (an atomic mkdir), so two setups on one machine never
 * install into the same directory at once; the second waits, then usually finds the marker.
 * A lock left by a dead process is taken over.
 */
export async function withInstallLock<T>(dir: string, reporter: Reporter, fn: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (isStale(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      note(reporter, `waiting for another install into ${dir} (pid ${ownerPid(lock) ?? '?'}) to finish ...`);
      announced = true;
    }
    await sleep(1000);
  }
  try {
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
