import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Script } from 'node:vm';
import type { NodeRedApi } from '../../../nodes/node-red/shared/red-api';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { TEST_TOKEN_KEYS } from '../../support/temp-store';
import { fakeRed, type FakeNode } from './fake-red';

const REPO = resolve(__dirname, '../../../..');
const NODES = (JSON.parse(readFileSync(resolve(REPO, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes;

interface Default {
  value?: unknown;
  /** The config node type a setting points at. */
  type?: string;
}

/** One pack node type as its dialog defines it: the saved defaults, the credentials, and each setting's label. */
export interface NodeForm {
  type: string;
  defaults: Record<string, Default>;
  credentials: string[];
  category: string;
  /** Setting → the label the dialog shows it under: its own, or that of the form row its input sits in. */
  labels: Record<string, string>;
}

function formOf(type: string, file: string): NodeForm {
  const source = resolve(REPO, file.replace(/^dist\//, '').replace(/\.js$/, ''));
  const html = readFileSync(`${source}.html`, 'utf8');
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1]!;
  let def: { defaults?: Record<string, Default>; credentials?: Record<string, unknown>; category?: string } | undefined;
  const validators = { number: () => () => true, regex: () => () => true };
  new Script(script).runInNewContext({ RED: { nodes: { registerType: (t: string, d: typeof def) => t === type && (def = d) }, validators }, $: () => ({}), window: {} });
  const catalog = (JSON.parse(readFileSync(resolve(dirname(source), 'locales', 'en-US', `${basename(source)}.json`), 'utf8')) as Record<string, { label: Record<string, string> }>)[type]!;
  const template = new RegExp(`<script type="text/html" data-template-name="${type}">([\\s\\S]*?)</script>`).exec(html)![1]!;
  const labels: Record<string, string> = {};
  for (const row of template.split(/<div class="form-row\b/).slice(1)) {
    const key = /<label\b[^>]*>[\s\S]*?data-i18n="[^".]+\.label\.([^"]+)"/.exec(row)?.[1];
    for (const m of row.matchAll(/\bid="node-(?:config-)?input-([^"]+)"/g)) {
      const own = catalog.label[m[1]!];
      // A row's input that is not the setting itself (an editableList) edits the setting of its own label.
      const rowLabel = key ? catalog.label[key] : undefined;
      if (own ?? rowLabel) labels[m[1]!] = (own ?? rowLabel)!;
    }
  }
  for (const k of Object.keys(def!.defaults ?? {})) if (!labels[k] && catalog.label[k]) labels[k] = catalog.label[k];
  return { type, defaults: def!.defaults ?? {}, credentials: Object.keys(def!.credentials ?? {}), category: def!.category ?? '', labels };
}

export const FORMS: Record<string, NodeForm> = Object.fromEntries(Object.entries(NODES).map(([type, file]) => [type, formOf(type, file)]));

/** A setting given a value the node cannot use; `with`: other settings that put the node where it reads it. */
export interface SettingCase {
  node: string;
  setting: string;
  value: unknown;
  with?: Record<string, unknown>;
  /** Secrets a config node needs besides CONFIG_SETUP's for the choice `with` makes (another CRM's sign-in). */
  creds?: Record<string, string>;
  /** The flow node a config node's setting is judged by, where it is not CONSUMER's (a secret only polling reads). */
  via?: string;
}

/**
 * What the nodes said: errors (done(err), node.error, node.warn), the refusals a node sends on as an outcome
 * (msg.push.message of a sale not sent), and the status texts, in order.
 */
export interface Said {
  errors: string[];
  outcomes: string[];
  statuses: string[];
}

/** Plain settings and secrets that make each config node usable, where its dialog's defaults alone do not. */
const CONFIG_SETUP: Record<string, { def?: Record<string, unknown>; creds?: Record<string, string> }> = {
  'terminal-crm-store': { creds: { tokenKeys: TEST_TOKEN_KEYS } },
  'stripe-terminal-account': { creds: { webhookSecrets: 'whsec_test', secretKey: 'sk_test_rederrs' } },
  'square-account': { def: { baseUrl: 'https://connect.squareupsandbox.com' }, creds: { signatureKey: 'sig', accessToken: 'EAAA-test-token' } },
  'adyen-account': { creds: { hmacKey: '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056' } },
  'adyen-terminal-account': { def: { keyIdentifier: 'kid', keyVersion: '1' }, creds: { passphrase: 'pass' } },
  'zettle-account': { creds: { signingKey: 'zettle-key' } },
  'clover-account': { def: { merchantId: 'MERCHANT1' }, creds: { authCode: 'auth-code', apiToken: 'clover-token' } },
  'sumup-account': { creds: { signingSecret: 'sumup-secret', accessToken: 'sumup-token' } },
  'signed-webhook-account': { def: { config: readFileSync(resolve(REPO, 'test/core/sources/fixtures/generic/dodo-config.json'), 'utf8') }, creds: { secret: 'generic-secret' } },
  'adyen-cloud-account': { def: { baseUrl: '', saleId: '' }, creds: { apiKey: 'AQE-test-key' } },
  'crm-account': { def: { crm: 'hubspot' }, creds: { accessToken: 'pat-na1-11111111-2222-3333-4444-555555555555' } },
  // Port 1: nothing answers there, so a value the node takes fails at once instead of waiting on a server.
  'terminal-temporal-server': { def: { address: '127.0.0.1:1' } },
};

/** The flow node that uses each config node, so a config node's setting is judged by what its user reports. */
const CONSUMER: Record<string, { node: string; with?: Record<string, unknown> }> = {
  'terminal-crm-store': { node: 'terminal-redrive' },
  'stripe-terminal-account': { node: 'terminal-trigger', with: { source: 'stripe' } },
  'square-account': { node: 'terminal-trigger', with: { source: 'square' } },
  'adyen-account': { node: 'terminal-trigger', with: { source: 'adyen' } },
  'adyen-terminal-account': { node: 'terminal-trigger', with: { source: 'adyen-terminal' } },
  'zettle-account': { node: 'terminal-trigger', with: { source: 'zettle' } },
  'clover-account': { node: 'terminal-trigger', with: { source: 'clover' } },
  'sumup-account': { node: 'terminal-trigger', with: { source: 'sumup' } },
  'signed-webhook-account': { node: 'terminal-trigger', with: { source: 'generic' } },
  'adyen-cloud-account': { node: 'terminal-send-to-terminal', with: { processor: 'adyen' } },
  'crm-account': { node: 'terminal-crm-sync' },
  'terminal-temporal-server': { node: 'terminal-to-temporal' },
};

/** Flow nodes' settings beyond their defaults that a run needs (a reader and amount to push, a mail server). */
const FLOW_SETUP: Record<string, Record<string, unknown>> = {
  'terminal-send-to-terminal': { readerId: 'tmr_rederrs', amount: '12.50' },
  'terminal-poll': { interval: 0 },
  'terminal-redrive': { interval: 0 },
  'terminal-send-message': { host: '127.0.0.1', port: 1, from: 'shop@example.com', to: 'ana@example.com' },
  'terminal-backfill': { since: '2026-01-01' },
};

const sale = () => normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 900, email: 'rederrs@example.com' })));

/** The message each flow node is sent: one it takes, so whatever it refuses is its settings. */
function payloadFor(type: string): unknown {
  if (type === 'terminal-to-temporal') return sale();
  // Its fields override the node's: a payment's amount object would stand for the Amount under test.
  if (type === 'terminal-send-to-terminal') return {};
  if (type === 'terminal-send-message') return { message: { to: 'ana@example.com', subject: 'Thanks', text: 'See you soon.' } };
  if (type === 'terminal-backfill' || type === 'terminal-poll' || type === 'terminal-redrive' || type === 'terminal-crm-sync') return Date.now();
  return sale();
}

const defaultsOf = (form: NodeForm, configIds: Record<string, string>) =>
  Object.fromEntries(Object.entries(form.defaults).map(([k, d]) => [k, d.type ? configIds[d.type] ?? '' : structuredClone(d.value)]));

let paths = 0;

/**
 * Deploys a flow with the case's node given the bad value, every config node set up as its dialog's defaults and
 * CONFIG_SETUP make it usable, and the node (or the config node's user) sent one message; returns what was said.
 * `register` registers every pack node type with the stand-in RED.
 */
export async function runCase(c: SettingCase, storeUrl: string, register: (RED: NodeRedApi) => void, waitMs = 5000): Promise<Said> {
  const red = fakeRed();
  register(red.RED);
  const configIds: Record<string, string> = {};
  const created: FakeNode[] = [];
  const isConfig = FORMS[c.node]!.category === 'config';
  for (const form of Object.values(FORMS).filter((f) => f.category === 'config')) {
    const id = `cfg-${form.type}`;
    configIds[form.type] = id;
    const setup = CONFIG_SETUP[form.type] ?? {};
    const def: Record<string, unknown> = { ...defaultsOf(form, {}), ...setup.def, ...(form.type === 'terminal-crm-store' ? { storeUrl } : {}) };
    const creds: Record<string, string> = { ...setup.creds, ...(form.type === c.node ? c.creds : {}) };
    if (form.type === c.node) {
      const target = form.credentials.includes(c.setting) ? creds : def;
      Object.assign(def, c.with);
      target[c.setting] = c.value as string;
    }
    created.push(red.create(form.type, { ...def, id }, creds));
  }
  const flowType = isConfig ? (c.via ?? CONSUMER[c.node]!.node) : c.node;
  const form = FORMS[flowType]!;
  const def: Record<string, unknown> = { ...defaultsOf(form, configIds), ...FLOW_SETUP[flowType], ...(isConfig ? CONSUMER[c.node]!.with : c.with) };
  if (flowType === 'terminal-trigger') def.path = `/rederrs/${++paths}`;
  if (!isConfig) def[c.setting] = c.value;
  const node = red.create(flowType, { ...def, id: 'flow-node' });
  created.push(node);
  const errors: string[] = [];
  const outcomes: string[] = [];
  if (flowType !== 'terminal-trigger') {
    const sent = (m: unknown) => {
      const push = (m as { push?: { outcome?: string; message?: string } } | null)?.push;
      if (push?.outcome === 'rejected' && push.message) outcomes.push(push.message);
    };
    const answer = await Promise.race([
      new Promise<Error | undefined>((done) => node.input!({ payload: payloadFor(flowType) }, sent, done)),
      new Promise<Error>((done) => setTimeout(() => done(new Error(`(no answer within ${waitMs} ms)`)), waitMs).unref()),
    ]);
    if (answer) errors.push(answer.message);
  }
  await new Promise((r) => setImmediate(r));
  for (const n of created) {
    for (const e of [...n.errors, ...n.warnings]) errors.push(String(e));
    // As Node-RED closes a node on redeploy: each close listener with a done callback, for those that take one.
    for (const close of n.closers) (close as (done: () => void) => void)(() => undefined);
  }
  return { errors, outcomes, statuses: created.flatMap((n) => n.statuses.map((s) => s.text ?? '')).filter(Boolean) };
}
