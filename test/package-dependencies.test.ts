import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO, sourceFiles } from './support/import-graph';

/** Where the pack's code lives: what an n8n, Node-RED or worker host runs (tests and benches are not shipped). */
const ROOTS = ['nodes', 'credentials', 'temporal', 'workflows', 'bin', 'sandbox'];

/** Every package a file names: import, export … from, a bare import, import() and require(). */
const PACKAGE = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])((?:@[\w.-]+\/)?[\w.-]+)(?:\/[^'"]*)?\1/gm;

function packagesThePackLoads(): Set<string> {
  const out = new Set<string>();
  for (const root of ROOTS) {
    for (const file of sourceFiles(join(REPO, root))) for (const m of readFileSync(file, 'utf8').matchAll(PACKAGE)) out.add(m[2]!);
  }
  return out;
}

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

describe('runtime dependencies', () => {
  it('are each loaded by the pack itself: one only the tests use is a dev dependency, not 40 MB in every n8n', () => {
    const loaded = packagesThePackLoads();
    assert.ok(loaded.has('zod') && loaded.has('@adyen/api-library'), 'the packages the sources name are read');
    assert.deepEqual(Object.keys(pkg.dependencies).filter((d) => !loaded.has(d)), []);
  });

  it('are each justified in the README', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Runtime dependencies'), readme.indexOf('## Development'));
    assert.deepEqual(Object.keys(pkg.dependencies).filter((d) => !section.includes(`| \`${d}\``)), []);
  });
});
