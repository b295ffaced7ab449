import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { ensureEngine } from '../../../sandbox/install';
import { deployFlows, editorHtml, nodeSetsOf } from '../../../sandbox/run/node-red/admin-api';
import { writeNodeRedSettings } from '../../../sandbox/run/node-red/settings';
import { startNodeRed, type RunningNodeRed } from '../../../sandbox/run/node-red/start-node-red';
import { freePort } from '../../../sandbox/run/shared/free-port';
import { installPack, packRepo, readManifest } from '../../../sandbox/run/shared/pack';
import { tempDir } from '../../support/temp-store';
import { NodeRedComms } from './harness/comms';

const REPO = resolve(__dirname, '../../../..');
/** Debian's Chromium, which playwright-core drives (it downloads no browser of its own). */
const CHROMIUM = process.env.TERMINAL_CRM_CHROMIUM ?? '/usr/bin/chromium';
const catalogOf = (set: string) => JSON.parse(readFileSync(join(REPO, 'nodes', 'node-red', 'locales', 'en-US', `${set}.json`), 'utf8')) as Record<string, Record<string, unknown>>;

/**
 * The pack's labels and help as a real Node-RED 5 serves them to its editor, installed from the package tarball:
 * the catalog of a node set at its namespace (<module>/<set>), the help from locales/ next to the node definitions,
 * and a status text the runtime looks up through RED._.
 */
describe('Node-RED 5 e2e: labels and help come from the pack\'s locales/', { timeout: 240_000 }, () => {
  const work = tempDir('tcrm-node-red-locales-');
  const moduleName = readManifest().name;
  let nodeRed: RunningNodeRed | undefined;
  let comms: NodeRedComms | undefined;

  before(async () => {
    const engine = await ensureEngine('node-red');
    const packed = await packRepo(engine.node, work.path);
    const userDir = join(work.path, 'user');
    await installPack(engine.node, packed, userDir);
    const port = await freePort();
    writeNodeRedSettings(userDir, { port, credentialSecret: 'terminal-crm-e2e' });
    nodeRed = await startNodeRed({ node: engine.node, redJs: engine.binPath, userDir, port, timeoutMs: 60_000 });
    comms = await NodeRedComms.connect(nodeRed.baseUrl);
  });

  after(async () => {
    comms?.close();
    await nodeRed?.stop();
    work.remove();
  });

  it('loads every node set of the pack without an error', async () => {
    const sets = await nodeSetsOf(nodeRed!.baseUrl, moduleName);
    assert.ok(sets.length >= 20, `${sets.length} sets`);
    assert.deepEqual(sets.filter((s) => s.err).map((s) => `${s.id}: ${s.err}`), []);
  });

  it('GET /locales/<module>/<set>?lng=en-US answers the set\'s catalog (labels, options, placeholders, status texts)', async () => {
    for (const set of ['terminal-message', 'terminal-trigger', 'stripe-terminal-account']) {
      const res = await fetch(`${nodeRed!.baseUrl}/locales/${moduleName}/${set}?lng=en-US`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), catalogOf(set), set);
    }
    const message = catalogOf('terminal-message')['terminal-message']!;
    assert.equal(message.paletteLabel, 'terminal message');
    assert.equal((message.label as Record<string, string>).shopName, 'Shop name');
  });

  it('GET /nodes/messages (what the editor loads before the palette) holds the pack\'s catalogs under their namespaces', async () => {
    const res = await fetch(`${nodeRed!.baseUrl}/nodes/messages?lng=en-US`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
    const all = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(all[`${moduleName}/terminal-send-message`], catalogOf('terminal-send-message'));
  });

  it('GET /nodes as text/html gives the forms with data-i18n keys and the help from locales/, in en-US and as the fallback', async () => {
    const html = await editorHtml(nodeRed!.baseUrl);
    const help = readFileSync(join(REPO, 'nodes', 'node-red', 'locales', 'en-US', 'terminal-message.html'), 'utf8').trim();
    assert.ok(html.includes(help), 'the help of terminal message, as in locales/en-US/terminal-message.html');
    assert.match(html, /<script type="text\/html" data-template-name="terminal-message">[\s\S]*?data-i18n="terminal-message\.label\.shopName"/);
    assert.match(html, /paletteLabel: function \(\) \{ return this\._\('terminal-message\.paletteLabel'\); \}/);
    assert.equal(html.match(/data-help-name="terminal-message"/g)?.length, 1, 'one help, none inline');
    // An editor in French finds no fr catalog and gets the English help, as Node-RED falls back to its default.
    const fr = await fetch(`${nodeRed!.baseUrl}/nodes`, { headers: { accept: 'text/html', 'accept-language': 'fr-FR' }, signal: AbortSignal.timeout(10_000) });
    assert.ok((await fr.text()).includes(help));
  });

  it('the editor in Chromium shows the catalog\'s words: palette label, form labels, options, placeholders and help', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'], timeout: 30_000 });
    try {
      const page = await browser.newPage({ locale: 'en-US' });
      page.setDefaultTimeout(15_000);
      await page.goto(nodeRed!.baseUrl, { waitUntil: 'domcontentloaded', timeout: 30_000 });
      type Editor = { RED: any; document: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
      await page.waitForFunction(() => !!(globalThis as unknown as Editor).document.querySelector('#red-ui-palette-container .red-ui-palette-node'), null, { timeout: 30_000 });
      // The palette wraps a long label over lines: compare the words.
      const palette = await page.locator('.red-ui-palette-node[data-palette-type="terminal-message"] .red-ui-palette-label').innerText();
      assert.equal(palette.replace(/\s+/g, ' ').trim(), 'terminal message');
      // A fresh terminal message node, its dialog opened as a double click opens it.
      await page.evaluate(() => {
        const RED = (globalThis as unknown as Editor).RED;
        RED.view.importNodes([{ id: 'i18n-msg', type: 'terminal-message', x: 300, y: 300, z: RED.workspaces.active(), wires: [[]] }], { generateIds: false, addFlow: false, notify: false });
        RED.editor.edit(RED.nodes.node('i18n-msg'));
      });
      const form = page.locator('#dialog-form');
      await form.locator('label[for="node-input-shopName"]').waitFor({ state: 'visible' });
      const shown = await page.evaluate(() => {
        const d = (globalThis as unknown as Editor).document;
        const text = (sel: string) => d.querySelector(sel)?.textContent?.trim();
        return {
          shopName: text('#dialog-form label[for="node-input-shopName"]'),
          quietStart: text('#dialog-form label[for="node-input-quietStart"]'),
          mode: text('#dialog-form #node-input-mode option[value="flush"]'),
          placeholder: d.querySelector('#dialog-form #node-input-shopName')?.getAttribute('placeholder'),
        };
      });
      const c = catalogOf('terminal-message')['terminal-message'] as Record<string, Record<string, unknown>>;
      assert.deepEqual(shown, {
        shopName: c.label!.shopName,
        quietStart: c.label!.quietStart,
        mode: (c.option!.mode as Record<string, string>).flush,
        placeholder: c.placeholder!.shopName,
      });
      assert.equal(shown.shopName, 'Shop name');
      // The help sidebar shows the help from locales/en-US/terminal-message.html.
      await page.evaluate(() => (globalThis as unknown as Editor).RED.sidebar.help.show('terminal-message'));
      await page.locator('.red-ui-help').getByText('once per payment, with amounts as their currency writes them', { exact: false }).first().waitFor({ state: 'visible' });
    } finally {
      await browser.close();
    }
  });

  it('the runtime shows a status text from the catalog (RED._ in the node set\'s namespace)', async () => {
    const trigger = { id: 'locales-trigger', type: 'terminal-trigger', z: 'locales-tab', source: 'stripe', path: '/locales/stripe', name: '', x: 200, y: 100, wires: [[]] };
    await deployFlows(nodeRed!.baseUrl, [{ id: 'locales-tab', type: 'tab', label: 'locales' }, trigger]);
    // The first status, set as the route is added (without an account picked, an error follows it).
    const status = await comms!.waitFor('the trigger\'s status', () => comms!.events.find((e) => e.topic === `status/${trigger.id}`)?.data.text as string | undefined, 15_000);
    const waiting = (catalogOf('terminal-trigger')['terminal-trigger']!.status as Record<string, string>).waiting!;
    assert.equal(status, waiting.replace('__path__', '/locales/stripe'));
    assert.equal(status, 'waiting on POST /locales/stripe');
  });
});
