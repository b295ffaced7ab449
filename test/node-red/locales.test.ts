import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Script } from 'node:vm';

const REPO = resolve(__dirname, '../../..');
const nodes = (JSON.parse(readFileSync(resolve(REPO, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes;

type Catalog = { [key: string]: string | Catalog };

/** Every key of a message catalog, dotted as i18next reads them, with its text. */
function leaves(catalog: Catalog, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(catalog)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else for (const [kk, vv] of leaves(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}

/** The node set's files as Node-RED finds them: the .html beside the .js, its catalog and help in locales/en-US. */
function nodeSet(file: string) {
  const source = resolve(REPO, file.replace(/^dist\//, '').replace(/\.js$/, ''));
  const name = basename(source);
  const locales = resolve(dirname(source), 'locales', 'en-US');
  return {
    html: readFileSync(`${source}.html`, 'utf8'),
    runtime: readFileSync(`${source}.ts`, 'utf8'),
    catalogPath: resolve(locales, `${name}.json`),
    helpPath: resolve(locales, `${name}.html`),
  };
}

/**
 * The keys a node's editor asks for: data-i18n attributes (several split by ";", each maybe "[attr]"-prefixed) and
 * string literals of the node's own namespace in its script (this._, node._ and ternaries choosing a key). A literal
 * followed by `+` is a key's beginning, completed at run time.
 */
function keysUsed(html: string, type: string): { keys: string[]; prefixes: string[] } {
  const keys: string[] = [];
  const prefixes: string[] = [];
  for (const m of html.matchAll(/data-i18n="([^"]*)"/g)) for (const k of m[1]!.split(';')) keys.push(k.replace(/^\[[a-z]+\]/, ''));
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1]!;
  const escaped = type.replace(/[-]/g, '\\-');
  for (const m of script.matchAll(new RegExp(`'(${escaped}\\.[^']*)'(\\s*\\+)?`, 'g'))) (m[2] ? prefixes : keys).push(m[1]!);
  return { keys, prefixes };
}

/** The registered definition, run as the editor runs it, with `_` resolving through the catalog as the editor's does. */
function definition(html: string, type: string, catalog: Map<string, string>) {
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1]!;
  let def: Record<string, unknown> | undefined;
  const validators = { number: () => () => true, regex: () => () => true };
  new Script(script).runInNewContext({ RED: { nodes: { registerType: (t: string, d: Record<string, unknown>) => t === type && (def = d) }, validators }, $: () => ({}) });
  assert.ok(def, `${type} registers itself`);
  // i18next with Node-RED's settings: __name__ interpolation; a missing key answers the key.
  const _ = (key: string, vars: Record<string, string> = {}) => (catalog.get(key) ?? key).replace(/__(\w+)__/g, (_m, v: string) => vars[v] ?? '');
  return Object.assign(def, { _ });
}

describe('Node-RED locales: each node set has a catalog and help in locales/en-US', () => {
  for (const [type, file] of Object.entries(nodes)) {
    const set = nodeSet(file);

    it(`${type}: help in locales/en-US/<set>.html, for this type only`, () => {
      const help = readFileSync(set.helpPath, 'utf8');
      const names = [...help.matchAll(/data-help-name="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(names, [type]);
      assert.ok(help.replace(/<[^>]+>/g, '').trim().length > 100, 'help with some words in it');
    });

    it(`${type}: every key the editor asks for is in the catalog, and every catalog entry is asked for`, () => {
      assert.ok(existsSync(set.catalogPath), `${set.catalogPath} missing`);
      const json = JSON.parse(readFileSync(set.catalogPath, 'utf8')) as Catalog;
      // Node-RED registers the catalog under the set's namespace; keys inside begin with the type, as core nodes do.
      assert.deepEqual(Object.keys(json), [type]);
      const catalog = leaves(json);
      const { keys, prefixes } = keysUsed(set.html, type);
      assert.ok(keys.length > 0);
      assert.deepEqual(keys.filter((k) => !catalog.has(k)), [], 'keys missing from the catalog');
      // The runtime's RED._ keys (status texts, warnings): literals of the node's namespace in its .ts.
      const runtimeKeys = [...set.runtime.matchAll(new RegExp(`'(${type.replace(/-/g, '\\-')}\\.[^']*)'`, 'g'))].map((m) => m[1]!);
      assert.deepEqual(runtimeKeys.filter((k) => !catalog.has(k)), [], 'runtime keys missing from the catalog');
      for (const p of prefixes) assert.ok([...catalog.keys()].some((k) => k.startsWith(p)), `nothing in the catalog begins with ${p}`);
      const unused = [...catalog.keys()].filter((k) => !keys.includes(k) && !prefixes.some((p) => k.startsWith(p)) && !set.runtime.includes(`'${k}'`));
      assert.deepEqual(unused, [], 'catalog entries nothing asks for');
      assert.deepEqual([...catalog].filter(([, v]) => !v.trim()), [], 'empty texts');
    });

    it(`${type}: the form shows no words of its own (all come from the catalog)`, () => {
      const template = new RegExp(`<script type="text/html" data-template-name="${type}">([\\s\\S]*?)</script>`).exec(set.html)![1]!;
      const words = template
        .replace(/<!--[\s\S]*?-->/g, '')
        .split(/<(?:[^>"']|"[^"]*"|'[^']*')*>/)
        .map((t) => t.trim())
        .filter(Boolean);
      assert.deepEqual(words, []);
      assert.doesNotMatch(template, /\s(placeholder|title)=("[^"]|'[^'])/, 'placeholders and titles come from the catalog');
    });

    it(`${type}: palette label, port labels and node label come from the catalog`, () => {
      const catalog = leaves(JSON.parse(readFileSync(set.catalogPath, 'utf8')) as Catalog);
      const def = definition(set.html, type, catalog) as Record<string, unknown> & { _: (k: string) => string };
      const call = (f: unknown, thisArg: object, ...args: unknown[]) => (f as (...a: unknown[]) => string).apply(thisArg, args);
      assert.equal(call(def.paletteLabel, def), catalog.get(`${type}.paletteLabel`));
      for (let i = 0; i < Number(def.outputs ?? 0); i++) assert.equal(call(def.outputLabels, def, i), catalog.get(`${type}.outputLabels.${i}`), `output ${i}`);
      if (Number(def.inputs ?? 0) > 0 && def.inputLabels) assert.equal(call(def.inputLabels, def), catalog.get(`${type}.inputLabels`));
      // An unnamed node, with its defaults, as dropped from the palette: a label with no key or placeholder in it.
      const node = { ...Object.fromEntries(Object.entries(def.defaults as Record<string, { value: unknown }>).map(([k, p]) => [k, p.value])), _: def._ };
      const label = call(def.label, node);
      assert.ok(label && !label.includes(`${type}.`) && !label.includes('__'), `label "${label}"`);
    });
  }

  it('config nodes: the dialog title ("Edit <palette label> node") is a readable name, not the type', () => {
    let config = 0;
    for (const [type, file] of Object.entries(nodes)) {
      const set = nodeSet(file);
      if (!/category:\s*'config'/.test(set.html)) continue;
      config++;
      const label = leaves(JSON.parse(readFileSync(set.catalogPath, 'utf8')) as Catalog).get(`${type}.paletteLabel`)!;
      assert.match(label, /^[A-Z][^-]* (account|store)$/, type);
    }
    assert.ok(config >= 10, `${config} config nodes`);
  });

  it('terminal match customer: its outputs say which is the review one', () => {
    const set = nodeSet(nodes['terminal-match-customer']!);
    const catalog = leaves(JSON.parse(readFileSync(set.catalogPath, 'utf8')) as Catalog);
    assert.deepEqual([0, 1].map((i) => catalog.get(`terminal-match-customer.outputLabels.${i}`)), ['matched or new (link, create)', 'needs review']);
  });
});
