import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import { circles, importsOf, REPO, sourceFiles } from './support/import-graph';

/** Where the pack's code lives (tests and benches lean on it, never the other way round). */
const ROOTS = ['nodes', 'credentials', 'temporal', 'workflows', 'bin', 'sandbox'];

const asFile = (target: string): string | undefined =>
  [`${target}.ts`, join(target, 'index.ts')].find((p) => existsSync(p) && statSync(p).isFile());
const named = (path: string) => relative(REPO, path).split(sep).join('/');

function fileEdges(): { from: string; to: string }[] {
  const edges: { from: string; to: string }[] = [];
  for (const root of ROOTS) {
    for (const file of sourceFiles(join(REPO, root))) {
      for (const target of importsOf(file)) {
        const to = asFile(target);
        if (to) edges.push({ from: named(file), to: named(to) });
      }
    }
  }
  return edges;
}

describe('source files of the pack', () => {
  it('are read with their imports, across the folders', () => {
    const edges = fileEdges();
    assert.ok(edges.length > 1000, `only ${edges.length} imports found under ${REPO}: is the path right?`);
    assert.ok(edges.some((e) => e.from === 'temporal/worker.ts' && e.to.startsWith('temporal/activities/')), 'an import into a subfolder is seen');
    assert.ok(edges.some((e) => e.from.startsWith('temporal/activities/') && e.to.startsWith('workflows/activity-contracts/')), 'a type import is seen');
  });

  it('do not import themselves through other files', () => {
    const report = circles(fileEdges()).map((files) => `  ${files.join(' → … → ')}`);
    assert.equal(report.length, 0, `These files import each other in a circle; move what both need into a file of its own:\n${report.join('\n')}`);
  });
});

/** Imports between two folders, every folder its own (a subfolder is not part of its parent), with the file import behind each. */
function folderEdges(): { from: string; to: string; via: string }[] {
  const folder = (file: string) => file.slice(0, file.lastIndexOf('/'));
  return fileEdges()
    .filter((e) => folder(e.from) !== folder(e.to))
    .map((e) => ({ from: folder(e.from), to: folder(e.to), via: `${e.from} -> ${e.to}` }));
}

describe('folders of the pack', () => {
  it('are told apart at every depth', () => {
    const edges = folderEdges();
    assert.ok(edges.some((e) => e.from === 'temporal' && e.to === 'temporal/activities'), 'a folder importing its subfolder is seen');
    assert.ok(edges.some((e) => e.from === 'nodes/core/crm/saas' && e.to === 'nodes/core/crm'), 'a subfolder importing its folder is seen');
  });

  it('do not import each other in a circle, a folder and its subfolders included', () => {
    const edges = folderEdges();
    const report = circles(edges).map((folders) => {
      const inside = new Set(folders);
      const lines = [...new Set(edges.filter((e) => inside.has(e.from) && inside.has(e.to)).map((e) => `    ${e.via}`))].sort();
      return `  folders ${folders.join(', ')} import each other in a circle, through:\n${lines.join('\n')}`;
    });
    assert.equal(
      report.length,
      0,
      `Each folder may import only folders that do not import it back. Move the file to the folder it belongs in, or split it:\n${report.join('\n')}`,
    );
  });
});
