import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';

const REPO = resolve(__dirname, '../../..');
const nodes = (JSON.parse(readFileSync(resolve(REPO, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes;
const htmlOf = (file: string) => readFileSync(resolve(REPO, file.replace(/^dist\//, '').replace(/\.js$/, '.html')), 'utf8');

// An editableList row holds a 34 px input with its padding and border: about 46 px.
const ROW_PX = 46;

describe('Node-RED editor readability', () => {
  const config = Object.entries(nodes).filter(([, file]) => /category:\s*'config'/.test(htmlOf(file)));

  it('finds the config nodes', () => assert.ok(config.length >= 10, `${config.length} config nodes`));

  for (const [type, file] of config) {
    it(`${type}: its dialog is titled with a readable name, not the type`, () => {
      // Node-RED titles a config dialog "Edit <paletteLabel> node", or the raw type without one; the label is the
      // node set's catalog entry (locales/en-US/<set>.json), which the html's paletteLabel function returns.
      assert.match(htmlOf(file), new RegExp(`paletteLabel: function \\(\\) \\{ return this\\._\\('${type}\\.paletteLabel'\\); \\}`));
      const catalog = resolve(REPO, file.replace(/^dist\//, '').replace(/[^/]+\.js$/, `locales/en-US/${type}.json`));
      const label = (JSON.parse(readFileSync(catalog, 'utf8')) as Record<string, { paletteLabel?: string }>)[type]?.paletteLabel;
      assert.ok(label, 'no paletteLabel');
      assert.notEqual(label, type);
      assert.doesNotMatch(label, /-/);
      assert.match(label, /^[A-Z]/);
      assert.match(label, / (account|store)$/);
    });
  }

  it('terminal-loyalty-enroll: the tiers list shows at least three rows', () => {
    const html = htmlOf(nodes['terminal-loyalty-enroll']!);
    const minHeight = Number(/#node-input-tier-list'\)\.css\('min-height', '(\d+)px'\)/.exec(html)?.[1]);
    assert.ok(minHeight >= 3 * ROW_PX, `min-height ${minHeight}px shows fewer than three rows`);
  });
});
