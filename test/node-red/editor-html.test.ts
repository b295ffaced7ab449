import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Script } from 'node:vm';

const REPO = resolve(__dirname, '../../..');
const nodes = (JSON.parse(readFileSync(resolve(REPO, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes;

/** The editor half of each node: a syntax error here only shows up as a node missing from the palette. */
describe('Node-RED editor definitions', () => {
  for (const [type, file] of Object.entries(nodes)) {
    const html = readFileSync(resolve(REPO, file.replace(/^dist\//, '').replace(/\.js$/, '.html')), 'utf8');

    it(`${type}: registers its type from valid JavaScript, with a form and help`, () => {
      const scripts = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
      assert.equal(scripts.length, 1);
      assert.doesNotThrow(() => new Script(scripts[0]!, { filename: `${type}.html` }));
      assert.match(scripts[0]!, new RegExp(`RED\\.nodes\\.registerType\\('${type}'`));
      assert.match(html, new RegExp(`data-template-name="${type}"`));
      assert.match(html, new RegExp(`<script type="text/html" data-help-name="${type}">\\s*<p>`));
    });
  }
});
