import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Script } from 'node:vm';

const REPO = resolve(__dirname, '../../..');
const nodes = (JSON.parse(readFileSync(resolve(REPO, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes;

/**
 * Saved settings with no input of their own name in the form: the element that edits them, or null when the editor
 * sets them itself. A new one must be added here on purpose, so a setting cannot slip out of the form (and so out
 * of this check) unnoticed.
 */
const EDITED_ELSEWHERE: Record<string, Record<string, string | null>> = {
  // The port count, which the editor sets from Auto-merge and Field by field.
  'terminal-match-customer': { outputs: null },
  // The rows of an editableList, which oneditsave reads into tiers.
  'terminal-loyalty-enroll': { tiers: 'tier-list' },
};

type Row = { label: string; fields: string[] };

const textOf = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
/** A label as help names it: without the unit in brackets the form adds ("Every (s)" is the Every setting). */
const termOf = (label: string) => label.replace(/(\s*\([^)]*\))+\s*$/, '').trim().toLowerCase();

/** Every key the node saves: its `defaults` and `credentials`, as its registerType gives them to the editor. */
function savedKeys(html: string, type: string): string[] {
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1]!;
  let def: { defaults?: object; credentials?: object } | undefined;
  const validators = { number: () => () => true, regex: () => () => true };
  new Script(script).runInNewContext({ RED: { nodes: { registerType: (t: string, d: typeof def) => t === type && (def = d) }, validators }, $: () => ({}), window: {} });
  assert.ok(def, `${type} registers itself`);
  return [...Object.keys(def.defaults ?? {}), ...Object.keys(def.credentials ?? {})];
}

/** The form's rows: each row's label (its catalog text) and the inputs in it (node-input-… or node-config-input-…). */
function rowsOf(html: string, type: string, catalog: Record<string, unknown>): Row[] {
  const template = new RegExp(`<script type="text/html" data-template-name="${type}">([\\s\\S]*?)</script>`).exec(html)![1]!;
  const labels = catalog.label as Record<string, string>;
  return template.split(/<div class="form-row\b/).slice(1).map((row) => {
    const key = /<label\b[^>]*>[\s\S]*?data-i18n="[^".]+\.label\.([^"]+)"/.exec(row)?.[1];
    const fields = [...row.matchAll(/\bid="node-(?:config-)?input-([^"]+)"/g)].map((m) => m[1]!);
    return { label: key ? (labels[key] ?? key) : '', fields };
  });
}

/**
 * The settings the help names, this pack's two ways: a <dt> of a list (several in one, comma-separated: "Page size,
 * Pages per poll") or a <b> in the prose. The Inputs and Outputs sections are left out: their terms are message
 * properties (msg.to is not the To setting).
 */
function helpTerms(help: string): Set<string> {
  const settings = help.replace(/<h3>(Inputs|Outputs)<\/h3>[\s\S]*?(?=<h3>|<\/script>)/g, '');
  const terms = new Set<string>();
  for (const m of settings.matchAll(/<dt\b[^>]*>([\s\S]*?)<\/dt>/g)) {
    const dt = textOf(m[1]!.replace(/<span class="property-type">[\s\S]*?<\/span>/g, ''));
    for (const t of dt.split(/,\s*|\s+and\s+/)) terms.add(termOf(t));
  }
  for (const m of settings.matchAll(/<b>([\s\S]*?)<\/b>/g)) terms.add(termOf(textOf(m[1]!)));
  return terms;
}

describe('Node-RED help: every setting of an edit dialog is named in the node\'s help', () => {
  for (const [type, file] of Object.entries(nodes)) {
    const source = resolve(REPO, file.replace(/^dist\//, '').replace(/\.js$/, ''));
    const html = readFileSync(`${source}.html`, 'utf8');
    const locales = resolve(dirname(source), 'locales', 'en-US', basename(source));
    const catalog = (JSON.parse(readFileSync(`${locales}.json`, 'utf8')) as Record<string, Record<string, unknown>>)[type]!;
    const rows = rowsOf(html, type, catalog);
    const saved = savedKeys(html, type);
    const editors = Object.values(EDITED_ELSEWHERE[type] ?? {}).filter((id): id is string => id !== null);

    it(`${type}: every saved setting has an input in the form, and every input row a label`, () => {
      const inForm = new Set(rows.flatMap((r) => r.fields));
      const exempt = EDITED_ELSEWHERE[type] ?? {};
      assert.deepEqual(saved.filter((k) => !inForm.has(k) && !(k in exempt)), [], 'saved settings with no input in the form: add one, or list the setting in EDITED_ELSEWHERE with what edits it');
      assert.deepEqual(Object.keys(exempt).filter((k) => !saved.includes(k)), [], 'exemptions for settings the node no longer has');
      assert.deepEqual(editors.filter((id) => !inForm.has(id)), [], 'editing elements missing from the form');
      assert.deepEqual(rows.filter((r) => r.fields.length > 0 && !r.label).map((r) => r.fields.join(', ')), [], 'input rows with no label');
    });

    it(`${type}: the help names each labelled setting (a <dt> or a <b>)`, () => {
      const terms = helpTerms(readFileSync(`${locales}.html`, 'utf8'));
      // A row counts when it holds a saved setting or what edits one (the Tiers row's list). Name is every node's
      // own label, and Node-RED's nodes leave it out of their help too.
      const settings = rows.filter((r) => r.fields.some((f) => saved.includes(f) || editors.includes(f)) && !r.fields.includes('name'));
      assert.ok(settings.length > 0 || saved.every((k) => k === 'name'), 'finds the form rows');
      const missing = settings.filter((r) => !terms.has(termOf(r.label))).map((r) => `${r.label} (${r.fields.join(', ')})`);
      const fix = 'name each by its label in a <dt> of the Properties list or a <b> in Details, saying what it does, its default and what empty means';
      assert.deepEqual(missing, [], `${type}: settings its help (locales/en-US/${basename(source)}.html) does not name; ${fix}`);
    });
  }
});
