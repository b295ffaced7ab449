import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { shippedTemplates } from '../../bin/templates/template-catalog';
import { readManifest } from '../../sandbox/run/shared/pack';
import { launchChromium, newEditorContext, VIEWPORT } from '../../scripts/editor/browser';
import { installNodeRedTemplates } from '../../scripts/editor/install-templates';
import { openNodeRed, showFlow, waitForDialogBuilt, type EditorWindow } from '../../scripts/editor/node-red-page';
import { startEditors, type Editors } from '../../scripts/editor/start-editors';
import { pictureFile, takeNodeRedPictures } from '../../scripts/editor/take-pictures';
import { InputError } from '../../nodes/core/errors';
import { urlSettingOf } from '../../nodes/core/http/web-url';
import { messageSettingsFromForm } from '../../nodes/core/messages/settings';
import { triggerPublicUrl } from '../../nodes/core/pipeline/trigger-public-url';
import { segmentConfigFromSettings } from '../../nodes/core/segment/operator-settings';
import { backfillRequestOf } from '../../temporal/backfill-control';
import { tempDir } from '../support/temp-store';
import { URL_VALUES } from '../support/url-values';
import { keepScreenshot } from './support/artefacts';
import { pngSize } from './support/png-size';

const MODULE = readManifest().name;
const EXAMPLES = shippedTemplates().filter((t) => t.engine === 'node-red').map((t) => t.name);

interface NodeState {
  id: string;
  type: string;
  z?: string;
  label: string;
  valid: boolean;
  invalid: string[];
}
interface PackTypes {
  nodes: string[];
  configs: string[];
}

/** What the editor holds for every pack node and config node now: validity as the editor computes it. */
function packNodeStates(page: Page): Promise<NodeState[]> {
  return page.evaluate((module) => {
    const RED = (globalThis as unknown as EditorWindow).RED;
    const out: NodeState[] = [];
    const visit = (n: any) => {
      if (RED.nodes.registry.getNodeSetForType(n.type)?.module !== module) return;
      RED.editor.validateNode(n);
      const label = RED.utils.getNodeLabel(n, n.type);
      out.push({ id: n.id, type: n.type, z: n.z, label, valid: n.valid !== false, invalid: Array.from(n.validationErrors ?? []) });
    };
    RED.nodes.eachNode(visit);
    RED.nodes.eachConfig(visit);
    return out;
  }, MODULE);
}

const describeInvalid = (states: NodeState[]) => states.filter((s) => !s.valid).map((s) => `${s.type} "${s.label}" (${s.invalid.join(', ') || 'no property named'})`);

/**
 * The pack's Node-RED editor experience, checked in the real Node-RED 5 editor in Chromium: the examples imported
 * through the editor, every node's dialog opened and closed, a Deploy, the config dialogs' titles, the layout and
 * the palette search. Screenshots go to build/test-artefacts/editor/.
 */
/**
 * How long a dialog's tray may take to slide shut: under a second alone, but seen past 5 s on the two shared
 * cores while the unit lane runs beside the editor (a full `npm test`). Still seconds, so a tray that never closes
 * fails its test quickly.
 */
const TRAY_CLOSES_MS = 15_000;
/** How late the server's answer with a node's credentials comes (the editor builds a dialog only after it). */
const CREDENTIALS_LATE_MS = 400;

describe('Node-RED 5 editor in Chromium: the pack as an operator meets it', { timeout: 300_000 }, () => {
  const work = tempDir('tcrm-editor-node-red-');
  let editors: Editors | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let types: PackTypes;
  /** The tabs Import → Examples opened, by example. */
  let exampleTabs: Record<string, string> = {};
  /** The tab holding one fresh node of every pack type. */
  let defaultsTab = '';

  before(async () => {
    editors = await startEditors(work.path, { n8n: false, nodeRed: true });
    browser = await launchChromium();
    page = await (await newEditorContext(browser)).newPage();
    // A node's stored credentials come a moment late, as from a busy or distant server: the dialogs' checks must
    // wait for the editor to finish building a dialog, as an operator does, rather than race it.
    await page.route('**/credentials/**', async (route) => {
      await new Promise((r) => setTimeout(r, CREDENTIALS_LATE_MS));
      await route.continue();
    });
    await openNodeRed(page, editors.nodeRed!.baseUrl);
    types = await page.evaluate((module) => {
      const RED = (globalThis as unknown as EditorWindow).RED;
      const mine = (RED.nodes.registry.getNodeTypes() as string[]).filter((t) => RED.nodes.registry.getNodeSetForType(t)?.module === module);
      return { nodes: mine.filter((t) => RED.nodes.getType(t).category !== 'config'), configs: mine.filter((t) => RED.nodes.getType(t).category === 'config') };
    }, MODULE);
  }, { timeout: 150_000 });

  after(async () => {
    await browser?.close();
    await editors?.stop();
    work.remove();
  });

  it('loads every node type the package registers', { timeout: 5_000 }, () => {
    assert.equal(types.nodes.length + types.configs.length, Object.keys(readManifest()['node-red']?.nodes ?? {}).length, JSON.stringify(types));
  });

  it("reads the dialogs' amount bound from the module's resources/ as served: a High-Value Payment past 2^53 − 1 minor units is marked, 500 is not", { timeout: 5_000 }, async () => {
    const marked = await page.evaluate(() => {
      const w = globalThis as unknown as EditorWindow & { terminalCrmCore?: unknown };
      const validate = w.RED.nodes.getType('terminal-segment').defaults.highValuePayment.validate as (this: object, v: unknown) => boolean;
      const node = { mode: 'payment', currency: 'USD' };
      return { loaded: typeof w.terminalCrmCore, big: validate.call(node, '90071992547409.92'), most: validate.call(node, '90071992547409.91'), small: validate.call(node, '500') };
    });
    assert.deepEqual(marked, { loaded: 'object', big: false, most: true, small: true });
  });

  it("reads a loyalty program's currencies, ids and tier spends as the run does from the served resource: UYI marked, USD not; VIP marked, vip-club not; 10.001 and 10.004 USD one tier", { timeout: 5_000 }, async () => {
    const marked = await page.evaluate(() => {
      const w = globalThis as unknown as EditorWindow;
      const defaults = w.RED.nodes.getType('terminal-loyalty-enroll').defaults;
      const currency = defaults.currency.validate as (this: object, v: unknown) => boolean;
      const tiers = defaults.tiers.validate as (this: object, v: unknown) => boolean;
      const programId = defaults.programId.validate as (this: object, v: unknown) => boolean;
      const node = { define: 'fields', currency: 'USD' };
      const two = (a: string, b: string) => [{ name: 'Silver', minSpend: a, multiplier: 1 }, { name: 'Gold', minSpend: b, multiplier: 2 }];
      return {
        usd: currency.call(node, 'USD'),
        uyi: currency.call(node, 'UYI'),
        uyiAsJson: currency.call({ ...node, define: 'json' }, 'UYI'),
        vipClub: programId.call(node, 'vip-club'),
        upperCase: programId.call(node, 'VIP'),
        empty: programId.call(node, ''),
        sameCents: tiers.call(node, two('10.001', '10.004')),
        twoCents: tiers.call(node, two('10.004', '10.006')),
      };
    });
    assert.deepEqual(marked, { usd: true, uyi: false, uyiAsJson: true, vipClub: true, upperCase: false, empty: true, sameCents: false, twoCents: true });
  });

  /**
   * The checks the dialogs lean on the browser for — the URL parser under webUrlFault, Intl's locale tags and time
   * zones, Date under backfillWindowOf — give Chromium's answers in an operator's editor and Node's when the node
   * runs. Each value is put to the served dialog's own validator in Chromium and to the reader the run uses in Node,
   * and the two must agree on every one: a browser whose URL parser or time-zone data differed would mark a setting
   * the run takes, or pass one it refuses.
   */
  it("agrees with the run on what the browser decides: URLs by Chromium's URL parser, locales and every time zone this Node knows by Chromium's Intl, dates by its Date", { timeout: 30_000 }, async () => {
    const urls = [...URL_VALUES, '', 'https://bücher.example', 'https://xn--bcher-kva.example', 'https://例え.テスト/x', 'https://EXAMPLE.com:0443', 'https://%65xample.com',
      'https://a..b', 'https://[::ffff:1.2.3.4]:8443', 'http://1.2.3', 'http://0x7f.1', 'https://ex\u00ADample.com', 'https://exa mple.com', 'https://exa\u200Bmple.com', 'https://a_b.example',
      'https://xn--.example', 'https://-x.example', 'https://x.example:65535', 'https://x.example:65536', 'https://x.example/%zz', 'https://x.example/a?b=%zz'];
    const zones = [...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC', 'Europe/Kiev', 'Europe/Kyiv', 'America/Ciudad_Juarez', 'Pacific/Kanton', 'Asia/Calcutta', 'US/Pacific', 'EST5EDT',
      'Etc/GMT-14', 'Etc/GMT+12', 'europe/paris', 'Mars/Olympus', 'GMT+5', '+05:30', 'Europe/Paris '];
    const locales = ['en-US', 'de-DE', 'zh-Hant-TW', 'de-CH-u-nu-latn', 'sr-Latn-RS', 'es-419', 'en-GB-oxendict', 'x-private', 'i-klingon', 'art-lojban', 'en-u-ca-islamic-umalqura',
      'de_DE', 'en-', 'e', '123', 'en-US-x', 'a-b-c-d-e-f-gg-hhhhhhhhh', 'zh-min-nan', 'sgn-BE-FR', 'en-a-bbb-a-ccc'];
    const dates = ['2026-01-01', '2026-01-01T12:00:00Z', '2026-01-01T13:00:00+02:00', '+010000-01-01T00:00:00Z', '2026-13-01', '2026-02-30', '2026-1-1', '1/2/2026', '2026', '20260101',
      'March 5, 2026', '5 March 2026 10:00 GMT+0100', 'Thu, 05 Mar 2026 10:00:00 GMT', '2026-03-05 10:00', '2026-03-05T10:00', 'last tuesday', '0'];

    const inBrowser = await page.evaluate(({ urls, zones, locales, dates }) => {
      const RED = (globalThis as unknown as EditorWindow).RED;
      const check = (type: string, field: string, node: object, v: unknown) => (RED.nodes.getType(type).defaults[field].validate as (this: object, v: unknown) => unknown).call(node, v) === true;
      const quiet = { kind: 'thank-you', quietStart: '21:00', quietEnd: '08:00' };
      return {
        publicUrl: urls.map((v) => check('terminal-trigger', 'publicUrl', {}, v)),
        hubspotBaseUrl: urls.map((v) => check('crm-account', 'baseUrl', { crm: 'hubspot' }, v)),
        salesforceLoginUrl: urls.map((v) => check('crm-account', 'loginUrl', { crm: 'salesforce' }, v)),
        dynamicsOrgUrl: urls.map((v) => check('crm-account', 'orgUrl', { crm: 'dynamics' }, v)),
        messageZone: zones.map((v) => check('terminal-message', 'timeZone', quiet, v)),
        segmentZone: zones.map((v) => check('terminal-segment', 'timeZone', {}, v)),
        locale: locales.map((v) => check('terminal-message', 'locale', { kind: 'thank-you' }, v)),
        since: dates.map((v) => check('terminal-backfill', 'since', {}, v)),
      };
    }, { urls, zones, locales, dates });

    const runs = (read: () => unknown) => {
      try {
        read();
        return true;
      } catch (e) {
        assert.ok(e instanceof InputError, `the run refuses with an InputError naming the field, not ${String(e)}`);
        return false;
      }
    };
    const example = 'https://example.com';
    const atRun = {
      publicUrl: urls.map((v) => runs(() => triggerPublicUrl('Public URL', v))),
      hubspotBaseUrl: urls.map((v) => runs(() => urlSettingOf('Base URL', v, { kind: 'base', example }))),
      salesforceLoginUrl: urls.map((v) => runs(() => urlSettingOf('Login URL', v, { kind: 'base', httpsOnly: true, example }))),
      // The organisation URL has no default: empty is refused too.
      dynamicsOrgUrl: urls.map((v) => runs(() => {
        if (urlSettingOf('Organization URL', v, { kind: 'origin', httpsOnly: true, example }) === undefined) throw new InputError('Organization URL', 'is empty', example);
      })),
      messageZone: zones.map((v) => runs(() => messageSettingsFromForm({ kind: 'thank-you', quietStart: '21:00', quietEnd: '08:00', timeZone: v }))),
      segmentZone: zones.map((v) => runs(() => segmentConfigFromSettings({ timeZone: v }))),
      // The dialog marks a tag that is not well formed; whether this runtime has data for a well-formed one
      // (art-lojban is jbo, which Node has none for) only the run can say, so a tag the run takes is one the dialog
      // passes, and the two are compared on form: Intl's reading of it in each engine.
      locale: locales.map((v) => runs(() => {
        try {
          Intl.getCanonicalLocales(v);
        } catch {
          throw new InputError('Locale', 'is not well formed', 'en-US');
        }
      })),
      since: dates.map((v) => runs(() => backfillRequestOf({ source: 'stripe', since: v }))),
    };
    const inputs: Record<keyof typeof atRun, readonly string[]> = {
      publicUrl: urls, hubspotBaseUrl: urls, salesforceLoginUrl: urls, dynamicsOrgUrl: urls, messageZone: zones, segmentZone: zones, locale: locales, since: dates,
    };
    for (const key of Object.keys(atRun) as (keyof typeof atRun)[]) {
      const differ = inputs[key].flatMap((v, i) => (inBrowser[key][i] === atRun[key][i] ? [] : [`${JSON.stringify(v)}: Chromium ${inBrowser[key][i] ? 'passes' : 'marks'} it`]));
      assert.deepEqual(differ, [], `${key}: the dialog in Chromium and the run in Node ${process.version} disagree`);
      // Both answers occur, so the comparison can tell a validator that passes or marks everything.
      assert.ok(atRun[key].includes(true) && atRun[key].includes(false), `${key}: the values include some the run takes and some it refuses`);
    }
    const takenByRun = locales.filter((v) => runs(() => messageSettingsFromForm({ kind: 'thank-you', locale: v })));
    assert.deepEqual(takenByRun.filter((v) => !inBrowser.locale[locales.indexOf(v)]), [], 'every locale the run takes passes in Chromium');
    assert.ok(takenByRun.length >= 5 && takenByRun.length < atRun.locale.filter(Boolean).length, `the run takes ${takenByRun.join(', ')}: some well-formed tags it has no data for`);
    assert.ok(zones.length > 400, `${zones.length} time zones compared`);
  });

  it('imports every example through the editor (Import → Examples), each on its tab, no pack node invalid as imported', { timeout: 30_000 }, async () => {
    const tabs = await page.evaluate(
      async ({ module, names }) => {
        const w = globalThis as unknown as EditorWindow;
        const added: Record<string, string> = {};
        for (const name of names) {
          // What the Import → Examples dialog loads and hands to the view.
          const flow = await (await w.fetch(`library/examples/flows/${module}/${name}`)).json();
          const before = new Set<string>(w.RED.nodes.getWorkspaceOrder());
          w.RED.view.importNodes(flow, { generateIds: true, addFlow: false, notify: false });
          added[name] = (w.RED.nodes.getWorkspaceOrder() as string[]).find((id) => !before.has(id)) ?? '';
        }
        return added;
      },
      { module: MODULE, names: EXAMPLES },
    );
    for (const name of EXAMPLES) assert.ok(tabs[name], `example ${name} did not open a tab`);
    exampleTabs = tabs;
    const invalid = describeInvalid(await packNodeStates(page));
    if (invalid.length) await keepScreenshot(page, 'node-red-invalid-as-imported');
    assert.deepEqual(invalid, [], 'pack nodes shown with a red triangle right after Import → Examples');
  });

  it('a node of every pack type added with its defaults (and new accounts with theirs) is valid', { timeout: 20_000 }, async () => {
    const states = await page.evaluate(
      ({ module, nodeTypes }) => {
        const RED = (globalThis as unknown as EditorWindow).RED;
        // One tab of fresh nodes, each with fresh accounts for its account fields; imported on a tab that is not
        // shown, as Import does with a flow of its own, so the view keeps the positions given.
        const items: Array<Record<string, unknown>> = [{ id: 'defaults-tab', type: 'tab', label: 'defaults' }];
        nodeTypes.forEach((type: string, i: number) => {
          const node: Record<string, unknown> = { id: `n${i}`, type, z: 'defaults-tab', x: 200 + 260 * (i % 4), y: 80 + 60 * Math.floor(i / 4), wires: [] };
          for (const [prop, d] of Object.entries(RED.nodes.getType(type).defaults ?? {}) as Array<[string, { type?: string }]>) {
            if (!d.type || RED.nodes.getType(d.type)?.category !== 'config') continue;
            items.push({ id: `c${i}-${prop}`, type: d.type });
            node[prop] = `c${i}-${prop}`;
          }
          items.push(node);
        });
        const before = new Set<string>(RED.nodes.getWorkspaceOrder());
        // The quick-add path: defaults applied to whatever the import does not set.
        RED.view.importNodes(items, { generateIds: true, applyNodeDefaults: true, notify: false });
        const z = (RED.nodes.getWorkspaceOrder() as string[]).find((id) => !before.has(id));
        const invalidOf = (n: { valid?: boolean; validationErrors?: string[] } | undefined) => {
          if (!n) return ['not added'];
          RED.editor.validateNode(n);
          return n.valid === false ? Array.from(n.validationErrors?.length ? n.validationErrors : ['?']) : [];
        };
        return nodeTypes.map((type: string) => {
          const made = RED.nodes.filterNodes({ z, type })[0];
          const accountProps = Object.entries(RED.nodes.getType(type).defaults ?? {}).filter(([, d]) => (d as { type?: string }).type && RED.nodes.getType((d as { type: string }).type)?.category === 'config');
          const accounts = made ? accountProps.map(([prop]) => RED.nodes.node(made[prop])).filter((a) => a && RED.nodes.registry.getNodeSetForType(a.type)?.module === module) : [];
          return { z, type, invalid: invalidOf(made), accounts: accounts.map((a: { type: string; valid?: boolean }) => ({ type: a.type, invalid: invalidOf(a) })) };
        });
      },
      { module: MODULE, nodeTypes: types.nodes },
    );
    const problems = states.flatMap((s) => [
      ...(s.invalid.length ? [`${s.type}: ${s.invalid.join(', ')}`] : []),
      ...s.accounts.filter((a) => a.invalid.length).map((a) => `${a.type} (account of ${s.type}): ${a.invalid.join(', ')}`),
    ]);
    defaultsTab = states[0]?.z ?? '';
    if (problems.length) await keepScreenshot(page, 'node-red-invalid-with-defaults');
    assert.equal(states.length, types.nodes.length);
    assert.deepEqual(problems, [], 'invalid with nothing but its defaults');
  });

  it("opens and closes the edit dialog (Done) of a node of every pack type with its defaults, which leaves it valid", { timeout: 90_000 }, async () => {
    const nodes = (await packNodeStates(page)).filter((n) => n.z === defaultsTab && types.nodes.includes(n.type));
    assert.equal(nodes.length, types.nodes.length, 'one fresh node per pack type');
    const broken: string[] = [];
    for (const n of nodes) {
      await showFlowIfNeeded(page, n.z!);
      await page.evaluate((id) => {
        const RED = (globalThis as unknown as EditorWindow).RED;
        RED.editor.edit(RED.nodes.node(id));
      }, n.id);
      await waitForDialogBuilt(page).catch(failWith(`${n.type}'s dialog was not built`));
      await page.locator('#node-dialog-ok').click({ timeout: 5_000 });
      await page.locator('.red-ui-tray').first().waitFor({ state: 'detached', timeout: TRAY_CLOSES_MS }).catch(failWith(`${n.type}'s dialog stayed open after Done`));
      const after = (await packNodeStates(page)).find((s) => s.id === n.id);
      if (!after?.valid) broken.push(`${n.type} "${n.label}": ${after?.invalid.join(', ')}`);
    }
    if (broken.length) await keepScreenshot(page, 'node-red-invalid-after-dialog');
    assert.deepEqual(broken, []);
  });

  it("Send to Terminal's open dialog marks the Amount for the Processor picked in it, before Done: 12.50 MGA taken for Square, marked for Stripe (whole ariary), taken again for Adyen", { timeout: 30_000 }, async () => {
    const fresh = (await packNodeStates(page)).find((n) => n.z === defaultsTab && n.type === 'terminal-send-to-terminal');
    assert.ok(fresh, 'the defaults tab holds a Send to Terminal node');
    await showFlowIfNeeded(page, fresh.z!);
    await page.evaluate((id) => {
      const RED = (globalThis as unknown as EditorWindow).RED;
      RED.editor.edit(RED.nodes.node(id));
    }, fresh.id);
    await waitForDialogBuilt(page);
    const amount = page.locator('#node-input-amount');
    const marked = async () => (await amount.getAttribute('class'))?.split(/\s+/).includes('input-error') ?? false;
    await page.selectOption('#node-input-processor', 'square');
    await page.fill('#node-input-currency', 'MGA');
    await amount.fill('12.50');
    const seen: Record<string, boolean> = { square: await marked() };
    for (const processor of ['stripe', 'adyen']) {
      // Picking is all the operator does: Node-RED re-validates the dialog on the select's change.
      await page.selectOption('#node-input-processor', processor);
      seen[processor] = await marked();
    }
    await page.locator('#node-dialog-cancel').click({ timeout: 5_000 });
    await page.locator('.red-ui-tray').first().waitFor({ state: 'detached', timeout: TRAY_CLOSES_MS });
    assert.deepEqual(seen, { square: false, stripe: true, adyen: false });
    const after = (await packNodeStates(page)).find((s) => s.id === fresh.id);
    assert.equal(after?.valid, true, 'Cancel leaves the node as it was, valid with its defaults');
  });

  it('deploys with no "not properly configured" warning, and then no pack node or account is invalid', { timeout: 20_000 }, async () => {
    await page.click('#red-ui-header-button-deploy', { timeout: 5_000 });
    const warning = page.locator('#red-ui-deploy-dialog-confirm-deploy-deploy');
    const done = page.locator('.red-ui-notification', { hasText: /deployed/i });
    await Promise.race([warning.waitFor({ state: 'visible', timeout: 10_000 }), done.first().waitFor({ state: 'visible', timeout: 10_000 })]);
    if (await warning.isVisible()) {
      const text = await page.locator('.red-ui-notification').last().innerText();
      await keepScreenshot(page, 'node-red-deploy-warning');
      // Cancel, as an operator would: the modal would otherwise block every later check.
      await page.locator('.red-ui-notification button', { hasText: 'Cancel' }).last().click({ timeout: 5_000 });
      assert.fail(`Deploy asked to confirm: ${text}`);
    }
    await page.waitForFunction(() => !(globalThis as unknown as EditorWindow).RED.nodes.dirty(), null, { timeout: 10_000 });
    assert.deepEqual(describeInvalid(await packNodeStates(page)), []);
    await keepScreenshot(page, 'node-red-deployed');
  });

  it("titles every account's dialog with a readable name, never the type or a message key", { timeout: 90_000 }, async (test) => {
    const titles: Record<string, string> = {};
    const reopened: string[] = [];
    for (const type of types.configs) {
      await page.evaluate((t) => (globalThis as unknown as EditorWindow).RED.editor.editConfig('', t, '_ADD_'), type);
      await waitForDialogBuilt(page).catch(failWith(`${type}'s dialog was not built`));
      titles[type] = (await page.locator('.red-ui-tray-titlebar').last().innerText()).trim();
      if (type === types.configs[0]) await keepScreenshot(page, 'node-red-config-dialog');
      await page.click('#node-config-dialog-cancel', { timeout: 5_000 });
      const stuck = await trayStillOpen(page);
      if (stuck !== undefined) {
        // Once in CI (two loaded cores) Node-RED left an account's tray up after its Cancel; 300 dialogs here, with
        // load beside them, never did, and no pack code runs on Cancel. What the page showed is kept and the editor
        // opened afresh, so the accounts after it are still read; twice in one run is no chance, and fails.
        reopened.push(`${type} (${stuck})`);
        await keepScreenshot(page, `node-red-tray-left-open-${type}`);
        await openNodeRed(page, editors!.nodeRed!.baseUrl);
      }
    }
    if (reopened.length > 0) test.diagnostic(`the editor was opened afresh after a tray stayed up past Cancel: ${reopened.join('; ')}`);
    assert.ok(reopened.length <= 1, `trays stayed up after Cancel: ${reopened.join('; ')}`);
    const unreadable = Object.entries(titles).filter(([type, title]) => {
      const name = /^(?:Add new|Edit) (.+?)(?: config)? node$/.exec(title)?.[1] ?? title;
      return name.includes(type) || /^[\w.-]+$/.test(name) || !/[A-Z]/.test(name[0] ?? '');
    });
    assert.deepEqual(unreadable, [], JSON.stringify(titles));
  });

  it('lays out every example with no two nodes or comments overlapping on the canvas', { timeout: 30_000 }, async () => {
    const clashes: string[] = [];
    let examples = 0;
    for (const tab of Object.values(exampleTabs)) {
      await showFlow(page, tab);
      const boxes = await page.evaluate((z) => {
        const RED = (globalThis as unknown as EditorWindow).RED;
        const out: Array<{ label: string; l: number; r: number; t: number; b: number }> = [];
        RED.nodes.eachNode((n: { z: string; x: number; y: number; w: number; h: number; type: string }) => {
          if (n.z !== z) return;
          // x and y are the centre; w and h are what the view drew for this label, icon and ports.
          out.push({ label: `${n.type} "${RED.utils.getNodeLabel(n, n.type)}"`, l: n.x - n.w / 2, r: n.x + n.w / 2, t: n.y - n.h / 2, b: n.y + n.h / 2 });
        });
        return out;
      }, tab);
      if (boxes.some((b) => Number.isNaN(b.l + b.r + b.t + b.b))) assert.fail(`a node on tab ${tab} has no drawn size: ${JSON.stringify(boxes)}`);
      if (boxes.length >= 5) examples++;
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!;
          const b = boxes[j]!;
          if (a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b) clashes.push(`${a.label} and ${b.label}`);
        }
      }
    }
    assert.ok(examples >= EXAMPLES.length, `${examples} example tabs measured`);
    assert.deepEqual(clashes, []);
  });

  it('palette search "terminal" lists every pack node', { timeout: 15_000 }, async () => {
    const search = page.locator('#red-ui-palette-search input');
    await search.fill('terminal', { timeout: 5_000 });
    await page.waitForTimeout(500);
    const shown = await page.evaluate(() => {
      const doc = (globalThis as unknown as EditorWindow).document;
      return Array.from(doc.querySelectorAll('#red-ui-palette-container .red-ui-palette-node') as ArrayLike<{ getAttribute(a: string): string; offsetParent: unknown }>)
        .filter((el) => el.offsetParent !== null)
        .map((el) => el.getAttribute('data-palette-type'));
    });
    await keepScreenshot(page, 'node-red-palette-terminal');
    assert.deepEqual(types.nodes.filter((t) => !shown.includes(t)), [], `shown: ${shown.join(', ')}`);
  });

  it('`npm run editor:pictures` code: one 1400×800 picture per example, installed as `terminal-crm templates install` does', { timeout: 60_000 }, async () => {
    const dir = tempDir('tcrm-editor-pictures-');
    try {
      const installed = await installNodeRedTemplates(editors!.nodeRed!.baseUrl);
      assert.deepEqual(installed.map((t) => t.name), EXAMPLES);
      const files = await takeNodeRedPictures(browser!, editors!.nodeRed!.baseUrl, installed, dir.path);
      assert.deepEqual(files, EXAMPLES.map((name) => pictureFile('node-red', name, dir.path)));
      for (const f of files) assert.deepEqual(pngSize(f), { ...VIEWPORT }, f);
    } finally {
      dir.remove();
    }
  });
});

/** Undefined once every tray has gone after a Cancel; else what the editor's tray stack shows, to say so. */
async function trayStillOpen(page: Page): Promise<string | undefined> {
  const gone = await page.locator('.red-ui-tray').first().waitFor({ state: 'detached', timeout: TRAY_CLOSES_MS }).then(() => true, () => false);
  if (gone) return undefined;
  return page.evaluate(() => {
    const doc = (globalThis as unknown as EditorWindow).document;
    const trays = Array.from(doc.querySelectorAll('.red-ui-tray') as ArrayLike<{ style: { right: string }; querySelector(s: string): { textContent: string } | null }>);
    const shade = doc.querySelector('#red-ui-editor-shade') as { style: { display: string } } | null;
    const described = trays.map((tray) => `"${tray.querySelector('.red-ui-tray-titlebar')?.textContent ?? '?'}" at right ${tray.style.right}`);
    return `${trays.length} tray(s): ${described.join(', ')}; Cancel ${doc.querySelector('#node-config-dialog-cancel') ? 'still there' : 'gone'}; shade ${shade?.style.display || 'shown'}`;
  });
}

/** A rejection handler that says which dialog a timeout was about, keeping the timeout's own message. */
function failWith(what: string): (e: unknown) => never {
  return (e) => {
    throw new Error(`${what}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  };
}

async function showFlowIfNeeded(page: Page, tab: string): Promise<void> {
  const active = await page.evaluate(() => (globalThis as unknown as EditorWindow).RED.workspaces.active() as string);
  if (active !== tab) await showFlow(page, tab);
}
