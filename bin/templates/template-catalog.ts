import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type TemplateEngine = 'n8n' | 'node-red';

/** A template as the package ships it: an n8n workflow (templates/n8n) or a Node-RED example flow (examples/). */
export interface ShippedTemplate {
  engine: TemplateEngine;
  /** The file's name without .json: what `terminal-crm templates install NAME` takes. */
  name: string;
  /** The workflow's name, or the Node-RED tab's label. */
  title: string;
  file: string;
  content: unknown;
}

/** The package's own folder, found from here whether this runs from dist/ (installed) or build/ (tests). */
export function packageRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return dir;
    if (dirname(dir) === dir) throw new Error(`the package's templates folder was not found above ${from}`);
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file} is not a readable JSON template: ${(e as Error).message}`);
  }
}

function titleOf(engine: TemplateEngine, content: unknown, name: string): string {
  if (engine === 'n8n') {
    const n = (content as { name?: unknown }).name;
    return typeof n === 'string' && n ? n : name;
  }
  const tab = Array.isArray(content) ? content.find((n: { type?: unknown }) => n && n.type === 'tab') : undefined;
  return typeof tab?.label === 'string' && tab.label ? tab.label : name;
}

/** Every template the package ships, n8n's first, each folder in name order. */
export function shippedTemplates(root = packageRoot()): ShippedTemplate[] {
  const out: ShippedTemplate[] = [];
  for (const [engine, folder] of [['n8n', join(root, 'templates', 'n8n')], ['node-red', join(root, 'examples')]] as const) {
    if (!existsSync(folder)) continue;
    for (const f of readdirSync(folder).filter((x) => x.endsWith('.json')).sort()) {
      const file = join(folder, f);
      const content = readJson(file);
      const name = f.slice(0, -'.json'.length);
      out.push({ engine, name, title: titleOf(engine, content, name), file, content });
    }
  }
  return out;
}
