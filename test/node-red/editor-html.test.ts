import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Script } from 'node:vm';

const REPO = resolve(__dirname, '../../..');
const nodes = (JSON.parse(readFileSync(resolve(REPO, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes;

/** The editor half of each node: a syntax error here only shows up as a node missing from the palette. */
describe('Node-RED editor definitions', () => {
  for (const [type, file] of Object.entries(nodes)) {
    const source = file.replace(/^dist\//, '').replace(/\.js$/, '.html');
    const html = readFileSync(resolve(REPO, source), 'utf8');

    it(`${type}: registers its type from valid JavaScript, with a form and no help inline`, () => {
      const scripts = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
      assert.equal(scripts.length, 1);
      assert.doesNotThrow(() => new Script(scripts[0]!, { filename: `${type}.html` }));
      assert.match(scripts[0]!, new RegExp(`RED\\.nodes\\.registerType\\('${type}'`));
      assert.match(html, new RegExp(`data-template-name="${type}"`));
      // Node-RED serves help from the node file before locales/: help left here would shadow the catalog's.
      assert.doesNotMatch(html, /data-help-name/);
    });

    it(`${type}: its help is in locales/en-US beside the node file`, () => {
      const help = resolve(REPO, source, '..', 'locales', 'en-US', basename(source));
      assert.ok(existsSync(help), `${help} missing`);
      assert.match(readFileSync(help, 'utf8'), new RegExp(`^<script type="text/html" data-help-name="${type}">\\s*<p>[\\s\\S]*</script>\\s*$`));
    });
  }
});
