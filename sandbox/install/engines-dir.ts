import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repo's (or installed pack's) `sandbox/engines` folder, which holds the pinned
 * lockfiles. Found by walking up from this file, so it works from `dist/`, `build/`
 * and from the published package (package.json "files" ships `sandbox/engines`).
 */
export function findEnginesDir(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'sandbox', 'engines');
    if (existsSync(join(candidate, 'node24.version'))) return candidate;
    if (dirname(dir) === dir) {
      throw new Error(
        `terminal-crm: cannot find sandbox/engines/node24.version above ${start}. ` +
          'The pack is incomplete: reinstall it, or run from a checkout of the repo.',
      );
    }
  }
}
