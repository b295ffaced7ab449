import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../../../sandbox/run/shared/repo-root';

/** Where the editor checks keep their screenshots: build/test-artefacts/editor (git-ignored, kept by CI). */
export function artefactDir(): string {
  const dir = join(repoRoot(), 'build', 'test-artefacts', 'editor');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A screenshot of what the editor shows now, named after the check; the path is printed so a failure can be seen. */
export async function keepScreenshot(page: Page, name: string): Promise<string> {
  const file = join(artefactDir(), `${name.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}.png`);
  await page.screenshot({ path: file, timeout: 10_000 }).catch(() => undefined);
  process.stdout.write(`# screenshot: ${file}\n`);
  return file;
}
