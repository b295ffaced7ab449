import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Written as the very last step of an install, so a directory without it (or with a marker for
 * another version/key) is a half install that gets wiped and redone. `.ci/run` writes the same
 * file for Node 24 (first line = the version).
 */
export const MARKER_FILE = '.terminal-crm-complete';

export function isComplete(dir: string, expectedFirstLine: string): boolean {
  try {
    return readFileSync(join(dir, MARKER_FILE), 'utf8').split('\n')[0].trim() === expectedFirstLine;
  } catch {
    return false;
  }
}

export function writeMarker(dir: string, firstLine: string, details: Record<string, string | number> = {}): void {
  const body = [firstLine, ...Object.entries(details).map(([k, v]) => `${k}: ${v}`)].join('\n') + '\n';
  const tmp = join(dir, `${MARKER_FILE}.tmp`);
  writeFileSync(tmp, body);
  renameSync(tmp, join(dir, MARKER_FILE));
}

