import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';

// The project rule: folders do not import each other in circles. This reads the sources (not the compiled
// output), so it runs from build/test/core and looks three folders up for the repository.
const CORE = join(__dirname, '..', '..', '..', 'nodes', 'core');

/** Every relative module a file names: import, import type, export … from, a bare import, import() and require(). */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]*|\.{1,2})\1/gm;

interface Edge {
  from: string;
  to: string;
  /** "segment/batch.ts -> store/sql-database" */
  via: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
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
    for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const target = resolve(dirname(file), m[2]!.replace(/\.(js|ts)$/, ''));
      const to = relative(CORE, target);
      if (to.startsWith('..') || to === '') continue;
      // A folder named alone is its index.ts: it belongs to that folder, not to "(core)".
      const toFolder = existsSync(target) && statSync(target).isDirectory() ? to.split(sep)[0]! : folderOf(to);
      if (toFolder !== folderOf(from)) edges.push({ from: folderOf(from), to: toFolder, via: `${from.split(sep).join('/')} -> ${to.split(sep).join('/')}` });
    }
  }
  return edges;
}

/** Strongly connected components of more than one folder (Tarjan): each is a set of folders importing each other in a circle. */
function circles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    if (!next.has(e.to)) next.set(e.to, new Set());
    next.get(e.from)!.add(e.to);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
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
