import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/**
 * Workflow code is replayed inside Temporal's sandbox and must be deterministic: it may use
 * @temporalio/workflow and nothing that does I/O, reads the clock or draws random numbers on its own. The
 * rules below are what the pack can check mechanically.
 */

/** Value imports in a workflow source file that are neither @temporalio/workflow nor another workflow file. */
export function forbiddenSourceImports(source: string): string[] {
  const found: string[] = [];
  const importRe = /^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(importRe)) {
    const [, , typeOnly, clause, spec] = m as unknown as [string, string, string | undefined, string | undefined, string];
    if (typeOnly) continue;
    // `import { type A, type B } from` is erased as well.
    if (clause && /^\s*\{[^}]*\}\s+from\s+$/.test(clause) && clause.replace(/[{}\s]|from/g, '').split(',').filter(Boolean).every((n) => n.startsWith('type'))) continue;
    if (spec === '@temporalio/workflow' || /^\.\/[^/]+$/.test(spec)) continue;
    found.push(spec);
  }
  for (const m of source.matchAll(/\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1] ?? m[2]!);
  return found;
}

/** Module ids webpack put into a Temporal workflow bundle ("./node_modules/…", "./build/workflows/…"). */
export function bundledModules(bundleCode: string): string[] {
  return [...new Set([...bundleCode.matchAll(/^\/\*\*\*\/ "(\.\/[^"]+)"/gm)].map((m) => m[1]!))];
}

/** Node's lookup of `name` from `from`, done by hand: some packages do not export their package.json. */
function packageJsonPath(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`cannot find package ${name} from ${from}`);
  }
}

/** @temporalio/workflow and its dependencies, transitively: everything a workflow bundle may hold. */
export function workflowRuntimePackages(): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string, from: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const pkgJson = packageJsonPath(name, from);
    const deps = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
    for (const dep of Object.keys(deps)) visit(dep, dirname(pkgJson));
  };
  visit('@temporalio/workflow', __dirname);
  return seen;
}

/**
 * Bundled modules that are neither the workflows folder's own files nor part of @temporalio/workflow's runtime.
 * `projectRoot` is webpack's context (ids are relative to it), `workflowsDir` the compiled workflows folder.
 */
export function forbiddenBundledModules(modules: readonly string[], projectRoot: string, workflowsDir: string, allowedPackages: Set<string>): string[] {
  const workflowsPrefix = `./${relative(projectRoot, workflowsDir).split(sep).join('/')}/`;
  return modules.filter((id) => {
    const inPackage = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(id);
    if (inPackage) return !allowedPackages.has(inPackage[1]!);
    return !id.startsWith(workflowsPrefix);
  });
}

