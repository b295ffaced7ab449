import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { readManifest } from '../../sandbox/run/shared/pack';
import { launchChromium, newEditorContext, VIEWPORT } from '../../scripts/editor/browser';
import { installN8nTemplates, type InstalledTemplate } from '../../scripts/editor/install-templates';
import { goTo, openWorkflow, signIn } from '../../scripts/editor/n8n-page';
import { pictureFile, takeN8nPictures } from '../../scripts/editor/take-pictures';
import { startEditors, type Editors, type N8nEditor } from '../../scripts/editor/start-editors';
import { tempDir } from '../support/temp-store';
import { keepScreenshot } from './support/artefacts';
import { pngSize } from './support/png-size';

const PREFIX = `${readManifest().name}.`;
type Doc = { document: any };

interface PackNodeType {
  name: string;
  displayName: string;
  version: number | number[];
  codex?: { alias?: string[] };
  properties: Array<{ name: string; type: string; displayName: string; displayOptions?: { show?: Record<string, unknown[]> } }>;
}

/** The notice's text cut where its markup (or a newline) breaks the line, each piece without tags: what should start a line. */
function expectedLines(notice: string): string[] {
  return notice
    .split(/<br\s*\/?>|<\/?(?:li|ul|ol|p)\b[^>]*>|\n/i)
    .map((part) => part.replace(/<[^>]+>/g, '').replace(/&(lt|gt|quot|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', amp: '&' })[e]!).replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

/**
 * The pack's n8n editor experience, checked in the real n8n 2.39 editor in Chromium: the node creator, a node's
 * notice, the Stripe credential's test and every template as an operator opens it after choosing the credentials
 * (as the e2e tests choose them). Screenshots go to build/test-artefacts/editor/.
 */
describe('n8n 2.39 editor in Chromium: the pack as an operator meets it', { timeout: 420_000 }, () => {
  const work = tempDir('tcrm-editor-n8n-');
  let editors: Editors | undefined;
  let n8n: N8nEditor;
  let browser: Browser | undefined;
  let page: Page;
  let templates: InstalledTemplate[];
  let packTypes: PackNodeType[];

  before(async () => {
    editors = await startEditors(work.path, { n8n: true, nodeRed: false });
    n8n = editors.n8n!;
    templates = await installN8nTemplates(n8n, `sqlite:${join(work.path, 'store.db')}`);
    const all = (await n8n.rest.editorFile<PackNodeType[]>('/types/nodes.json')).filter((t) => t.name.startsWith(PREFIX));
    // n8n adds an "… Tool" copy of every node usable by AI agents; the node creator lists those under AI.
    packTypes = all.filter((t) => !(t.name.endsWith('Tool') && all.some((b) => b.name === t.name.slice(0, -'Tool'.length))));
    browser = await launchChromium();
    page = await (await newEditorContext(browser)).newPage();
    await signIn(page, n8n.baseUrl, n8n.owner);
  }, { timeout: 240_000 });

  after(async () => {
    await browser?.close();
    await editors?.stop();
    work.remove();
  });

  const template = (name: string) => templates.find((t) => t.name === name)!;
  const displayNames = () => [...new Set(packTypes.map((t) => t.displayName))];

  /** The node creator opened from the canvas's + button, searched for `query`; the names it lists. */
  async function creatorSearch(query: string): Promise<string[]> {
    const bar = page.locator('[data-test-id="node-creator-search-bar"]');
    if (!(await bar.isVisible())) await page.click('[data-test-id="node-creator-plus-button"]', { timeout: 5_000 });
    await bar.fill(query, { timeout: 5_000 });
    // The list is filtered as one types; it has settled when two reads agree.
    let last = '';
    for (let i = 0; i < 20; i++) {
      await page.waitForTimeout(200);
      const now = (await page.locator('[data-test-id="node-creator-item-name"]').allInnerTexts()).join('\n');
      if (now === last && now) return now.split('\n').map((s) => s.trim());
      last = now;
    }
    return last ? last.split('\n').map((s) => s.trim()) : [];
  }

  it('installs every template with the code behind `terminal-crm templates install`, and loads every node the package registers', { timeout: 5_000 }, () => {
    assert.equal(templates.length, 7);
    assert.equal(packTypes.map((t) => t.name).filter((n, i, a) => a.indexOf(n) === i).length, readManifest().n8n?.nodes?.length);
  });

  it('node creator: searching "terminal" lists every pack node', { timeout: 30_000 }, async () => {
    await openWorkflow(page, n8n.baseUrl, template('payment-to-crm'));
    const listed = await creatorSearch('terminal');
    await keepScreenshot(page, 'n8n-node-creator-terminal');
    assert.deepEqual(displayNames().filter((n) => !listed.includes(n)), [], `listed: ${listed.join(', ')}`);
  });

  it('node creator: every pack node is found by what it does (an alias of its own that does not say "terminal")', { timeout: 60_000 }, async () => {
    const missed: string[] = [];
    let searched = 0;
    for (const t of packTypes.filter((x, i, a) => a.findIndex((y) => y.name === x.name) === i)) {
      const alias = t.codex?.alias?.find((a) => !a.toLowerCase().includes('terminal'));
      if (!alias) {
        missed.push(`${t.displayName}: no alias saying what it does`);
        continue;
      }
      searched++;
      if (!(await creatorSearch(alias)).includes(t.displayName)) missed.push(`${t.displayName} not found by "${alias}"`);
    }
    await page.keyboard.press('Escape');
    assert.equal(searched + missed.length, readManifest().n8n?.nodes?.length);
    assert.deepEqual(missed, []);
  });

  it("a pack node's notice keeps its line breaks and shows no markup (Match Customer's, in the NDV)", { timeout: 30_000 }, async () => {
    const match = packTypes.find((t) => t.name === `${PREFIX}matchCustomer` && JSON.stringify(t.version).includes('2'))!;
    const notice = match.properties.find((p) => p.type === 'notice' && JSON.stringify(p.displayOptions?.show?.['@version'] ?? [2]).includes('2'))!;
    const lines = expectedLines(notice.displayName);
    assert.ok(lines.length >= 3, `the notice is written as ${lines.length} line(s): ${notice.displayName.slice(0, 120)}`);
    await openWorkflow(page, n8n.baseUrl, template('payment-to-crm'));
    await page.dblclick('[data-test-id="canvas-node"][data-node-name="Match Customer"]', { timeout: 5_000 });
    const shown = page.locator('[data-test-id="ndv"] .notice').first();
    await shown.waitFor({ state: 'visible', timeout: 10_000 });
    const text = await shown.innerText();
    await keepScreenshot(page, 'n8n-match-customer-notice');
    await page.click('[data-test-id="ndv-close-button"]', { timeout: 5_000 });
    const rendered = text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean);
    assert.doesNotMatch(text, /<\/?[a-z]+[^>]*>|&[a-z]+;/i, 'markup shown as text');
    const runTogether = lines.filter((line) => !rendered.some((r) => r.startsWith(line.slice(0, 40))));
    assert.deepEqual(runTogether, [], `lines that do not start a line of their own in the editor:\n${text}`);
  });

  it("the trigger's test panel says how to send a test event, each step on its own line, no markup shown", { timeout: 30_000 }, async () => {
    const trigger = packTypes.find((t) => t.name === `${PREFIX}terminalTrigger`) as PackNodeType & { triggerPanel?: { executionsHelp?: { inactive?: string } } };
    const help = trigger.triggerPanel?.executionsHelp?.inactive ?? '';
    const lines = expectedLines(help);
    assert.ok(lines.length >= 3 && lines.some((l) => l.includes('stripe listen')), `the trigger's help for an unpublished workflow: ${help.slice(0, 160)}`);
    await openWorkflow(page, n8n.baseUrl, template('payment-to-crm'));
    await page.dblclick('[data-test-id="canvas-node"][data-node-name="Terminal Payment Trigger"]', { timeout: 5_000 });
    // n8n folds the help under its own question; an operator opens it to read how to test.
    await page.getByText('When will this node trigger my flow?').first().click({ timeout: 10_000 });
    const shown = page.locator('[data-test-id="ndv"]').getByText(/stripe listen/).first();
    await shown.waitFor({ state: 'visible', timeout: 10_000 });
    const text = await shown.locator('xpath=ancestor-or-self::*[contains(., "Production URL")][1]').innerText();
    await keepScreenshot(page, 'n8n-trigger-test-panel');
    await page.click('[data-test-id="ndv-close-button"]', { timeout: 5_000 });
    const rendered = text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean);
    assert.doesNotMatch(text, /<\/?(?:b|br|code)>|&[a-z]+;/i, 'markup shown as text');
    assert.match(text, /stripe listen --forward-to <Test URL>/);
    const runTogether = lines.filter((line) => !rendered.some((r) => r.startsWith(line.slice(0, 40))));
    assert.deepEqual(runTogether, [], `lines that do not start a line of their own in the editor:\n${text}`);
  });

  it('the Stripe credential with only a signing secret does not show a red "Couldn\'t connect" when opened', { timeout: 40_000 }, async () => {
    const creds = await n8n.rest.request<Array<{ id: string; type: string }>>('GET', '/credentials');
    const stripe = creds.find((c) => c.type === 'stripeTerminalApi')!;
    const tested = page.waitForResponse((r) => r.url().includes('/rest/credentials/test'), { timeout: 15_000 }).catch(() => undefined);
    await goTo(page, n8n.baseUrl, `/home/credentials/${stripe.id}`);
    await page.locator('[data-test-id="editCredential-modal"]').waitFor({ state: 'visible', timeout: 15_000 });
    await tested;
    await page.waitForTimeout(1_000);
    const modal = page.locator('[data-test-id="editCredential-modal"]');
    const red = await modal.getByText(/Couldn.t connect/).count();
    const banner = red ? await modal.getByText(/Couldn.t connect/).first().innerText() : '';
    await keepScreenshot(page, 'n8n-stripe-credential');
    await page.keyboard.press('Escape');
    assert.equal(red, 0, `the credential dialog says: ${banner}`);
  });

  /** What each template's sticky notes hide, measured when the template is opened below. */
  const cutOff = new Map<string, string[]>();

  for (const name of ['payment-to-crm', 'thank-you', 'high-value-alert', 'loyalty-welcome', 'failed-payment-alert', 'refund-sync', 'payment-to-saas-crm']) {
    it(`${name}: opens with no issues badge on any pack node and no two nodes overlapping`, { timeout: 30_000 }, async () => {
      await openWorkflow(page, n8n.baseUrl, template(name));
      const seen = await page.evaluate((prefix) => {
        const doc = (globalThis as unknown as Doc).document;
        const box = (e: { getBoundingClientRect(): { left: number; right: number; top: number; bottom: number } }) => {
          const r = e.getBoundingClientRect();
          return { l: r.left, r: r.right, t: r.top, b: r.bottom };
        };
        const nodes = Array.from(doc.querySelectorAll('[data-test-id="canvas-node"]') as ArrayLike<any>).map((e) => ({
          name: e.getAttribute('data-node-name') as string,
          pack: String(e.getAttribute('data-node-type') ?? '').startsWith(prefix),
          issues: !!e.querySelector('[data-test-id="node-issues"]'),
          ...box(e),
        }));
        // A sticky's text box scrolls when the note is too small for what it says: the operator sees it cut off.
        const stickies = Array.from(doc.querySelectorAll('[data-test-id="sticky"]') as ArrayLike<any>).map((e) => {
          const clipped = Array.from(e.querySelectorAll('*') as ArrayLike<any>).reduce((most: number, x: any) => (x.clientHeight > 0 ? Math.max(most, x.scrollHeight - x.clientHeight) : most), 0);
          return { title: String(e.innerText).split('\n')[0], clipped };
        });
        return { nodes: nodes.filter((n) => n.name), stickies };
      }, PREFIX);
      await keepScreenshot(page, `n8n-template-${name}`);
      // Under half a 14 px line is the note's bottom padding; from there on a line of text is cut.
      cutOff.set(name, seen.stickies.filter((s) => s.clipped >= 7).map((s) => `${name}: "${s.title}" hides ${s.clipped} px of text`));
      assert.ok(seen.nodes.filter((n) => n.pack).length >= 2, JSON.stringify(seen.nodes));
      const clashes: string[] = [];
      for (let i = 0; i < seen.nodes.length; i++) {
        for (let j = i + 1; j < seen.nodes.length; j++) {
          const a = seen.nodes[i]!;
          const b = seen.nodes[j]!;
          if (a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b) clashes.push(`${a.name} / ${b.name}`);
        }
      }
      assert.deepEqual({ issues: seen.nodes.filter((n) => n.pack && n.issues).map((n) => n.name), overlapping: clashes }, { issues: [], overlapping: [] });
    });
  }

  it("every template's sticky notes are tall enough to show all their text", { timeout: 5_000 }, () => {
    assert.equal(cutOff.size, 7, 'every template was opened above');
    assert.deepEqual([...cutOff.values()].flat(), []);
  });

  it('`npm run editor:pictures` code: one 1400×800 picture per template, taken from this editor', { timeout: 60_000 }, async () => {
    const dir = tempDir('tcrm-editor-pictures-');
    try {
      const files = await takeN8nPictures(page, n8n.baseUrl, templates, dir.path);
      assert.deepEqual(files, templates.map((t) => pictureFile('n8n', t.name, dir.path)));
      for (const f of files) assert.deepEqual(pngSize(f), { ...VIEWPORT }, f);
    } finally {
      dir.remove();
    }
  });
});
