import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import { circles, importsOf, REPO, sourceFiles, SPECIFIER } from '../support/import-graph';

// The project rule: folders do not import each other in circles.
const CORE = join(REPO, 'nodes', 'core');

interface Edge {
  from: string;
  to: string;
  /** "segment/batch.ts -> store/sql-database" */
  via: string;
}

/** The top folder of nodes/core a path is in; files directly in nodes/core (errors.ts) are one folder, "(core)". */
function folderOf(pathInCore: string): string {
  const parts = pathInCore.split(sep);
  return parts.length > 1 ? parts[0]! : '(core)';
}

function crossFolderEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(CORE)) {
    const from = relative(CORE, file);
    for (const target of importsOf(file)) {
      const to = relative(CORE, target);
      if (to.startsWith('..') || to === '') continue;
      // A folder named alone is its index.ts: it belongs to that folder, not to "(core)".
      const toFolder = existsSync(target) && statSync(target).isDirectory() ? to.split(sep)[0]! : folderOf(to);
      if (toFolder !== folderOf(from)) edges.push({ from: folderOf(from), to: toFolder, via: `${from.split(sep).join('/')} -> ${to.split(sep).join('/')}` });
    }
  }
  return edges;
}

describe('folders of nodes/core', () => {
  it('are read from the sources, imports between folders included', () => {
    const edges = crossFolderEdges();
    assert.ok(edges.length > 50, `only ${edges.length} imports between folders found under ${CORE}: is the path right?`);
    assert.ok(edges.some((e) => e.via.startsWith('crm/local-sql-crm.ts -> store/')), 'a plain import between folders is seen');
  });

  it('count every spelling of an import', () => {
    const text = [
      "import { a } from '../a/a';",
      "import type { B } from '../b/b';",
      "export { c } from '../c/c';",
      "export * from '../d';",
      "import '../e/e';",
      "const f = require('../f/f');",
      "type G = import('../g/g').G;",
      "const h = await import(\"../h/h\");",
      "const url = 'https://example.com/from';",
    ].join('\n');
    assert.deepEqual([...text.matchAll(SPECIFIER)].map((m) => m[2]), ['../a/a', '../b/b', '../c/c', '../d', '../e/e', '../f/f', '../g/g', '../h/h']);
  });

  it('do not import each other in a circle, directly or through other folders', () => {
    const edges = crossFolderEdges();
    const report = circles(edges).map((folders) => {
      const inside = new Set(folders);
      const lines = edges
        .filter((e) => inside.has(e.from) && inside.has(e.to))
        .map((e) => `    ${e.from} > ${e.to}: ${e.via}`);
      return `  folders ${folders.join(', ')} import each other in a circle; each import between them:\n${[...new Set(lines)].sort().join('\n')}`;
    });
    assert.equal(
      report.length,
      0,
      `Folders of nodes/core must form layers (a folder imports only folders below it). Move the file to the folder it belongs in, or split it:\n${report.join('\n')}`,
    );
  });
});
