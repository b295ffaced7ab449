import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Root of everything terminal-crm installs outside the repo:
 * `${TERMINAL_CRM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terminal-crm}`.
 * `.ci/run` computes the same path in bash; keep the two in step.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TERMINAL_CRM_CACHE) return env.TERMINAL_CRM_CACHE;
  const xdg = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(xdg, 'terminal-crm');
}

/** First 12 hex digits of the file's sha256, i.e. `sha256sum FILE | cut -c1-12`. */
export function contentKey(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);
}

/** `<cache>/engines/<name>-<key>`: a changed lockfile gets a new directory, never an in-place upgrade. */
export function engineInstallDir(root: string, name: string, key: string): string {
  return join(root, 'engines', `${name}-${key}`);
}
