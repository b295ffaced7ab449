import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { createContext, Script } from 'node:vm';
import { crmSyncLimits } from '../../nodes/core/outbox/sync-run';
import { DECLINE_RULE_LIMITS } from '../../nodes/core/messages/decline-rate';
import { MAX_RECENT_PAYMENTS, messageSettingsFromForm } from '../../nodes/core/messages/settings';
import { smtpPort } from '../../nodes/core/messages/send-mail';
import { MESSAGE_KINDS } from '../../nodes/core/messages/outgoing-message';
import { MAX_FLUSH_SECONDS } from '../../nodes/core/outbox/field-updates';
import { HIGH_VALUE_TOP_PERCENT } from '../../nodes/core/segment/config';
import { MAX_MINOR_UNITS } from '../../nodes/core/config/amounts';
import { currencyExponent, EXPONENT_OVERRIDES } from '../../nodes/core/contracts/money';
import { optionalSaasCrmName } from '../../nodes/core/crm/crm-names';
import { MIN_REDRIVE_LIMIT } from '../../nodes/core/inbox/redrive';
import { redriveLimit } from '../../nodes/core/inbox/redrive-settings';
import { formNumber } from '../../nodes/core/config/form-number';
import { crmWaitMs, MAX_CRM_WAIT_MS } from '../../nodes/core/steps/upsert-to-crm';
import { MAX_REPEAT_SECONDS, REPEAT_SECONDS } from '../../nodes/node-red/shared/repeating-run';
import type { NodeDef } from '../../nodes/node-red/shared/red-api';
import { crmWaitOfNode, loyaltyProgramOfNode, segmentConfigOfNode } from '../../nodes/node-red/shared/step-settings';
import { MATCH_DEFAULTS, matchConfigFromSettings } from '../../nodes/core/match/operator-settings';
import { backfillRequestOf } from '../../temporal/backfill-control';
import { temporalTargetOf } from '../../temporal/temporal-target';
import { DEFAULT_REGION } from '../../nodes/core/config/settings';
import registerStore from '../../nodes/node-red/terminal-crm-store';
import type { StoreNode } from '../../nodes/node-red/shared/config-types';
import { fakeRed } from './support/fake-red';
import registerStripeAccount from '../../nodes/node-red/stripe-terminal-account';
import registerTrigger from '../../nodes/node-red/terminal-trigger';
import { countRoutes } from '../../nodes/node-red/shared/http-route';
import { pushSaleFromFields, saleFromFields } from '../../nodes/core/terminal-push/sale-fields';
import { createTerminalPush } from '../../nodes/core/terminal-push/create-terminal-push';
import { PROCESSOR_AMOUNT_RULES } from '../../nodes/core/terminal-push/vendor-amounts';
import { FIRST_POLL_LOOKBACK, POLL_MAX_PAGES, POLL_PAGE_SIZE } from '../../nodes/core/pipeline/poll-source';
import { InputError } from '../../nodes/core/errors';
import { parseSourceCredentials } from '../../nodes/core/sources/source-credentials';
import { parsePushSettings } from '../../nodes/core/terminal-push/push-settings';
import { crmAdapterFromRecord } from '../../nodes/core/crm/saas/crm-from-credentials';
import type { SourceAccountNode } from '../../nodes/node-red/shared/config-types';
import type { PushAccountNode } from '../../nodes/node-red/shared/push-accounts';
import type { CrmAccountNode } from '../../nodes/node-red/shared/crm-account-node';
import registerSquareAccount from '../../nodes/node-red/square-account';
import registerCloverAccount from '../../nodes/node-red/clover-account';
import registerSumUpAccount from '../../nodes/node-red/sumup-account';
import registerAdyenCloudAccount from '../../nodes/node-red/adyen-cloud-account';
import registerAdyenTerminalAccount from '../../nodes/node-red/adyen-terminal-account';
import registerCrmAccount from '../../nodes/node-red/crm-account';
import { URL_VALUES } from '../support/url-values';

const REPO = resolve(__dirname, '../../..');
const nodes = (JSON.parse(readFileSync(resolve(REPO, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes;

interface PropertyDef {
  value: unknown;
  required?: boolean;
  type?: string;
  validate?: (this: Record<string, unknown>, v: unknown, opt?: object) => unknown;
}
interface NodeTypeDef {
  category?: string;
  defaults: Record<string, PropertyDef>;
  oneditprepare?: (this: Record<string, unknown>) => void;
}

/** RED.validators as Node-RED 5's editor defines them (editor-client red.js, RED.validators). */
const validators = {
  number: (blankAllowed?: boolean) => (v: unknown) => (blankAllowed && (v === '' || v === undefined)) || (v !== '' && !isNaN(Number(v))),
  regex: (re: RegExp) => (v: unknown) => re.test(String(v)),
};

/**
 * A jQuery stand-in that accepts any chain (`$('#x').on(…).trigger(…)`, `.editableList(…)`) and records which
 * inputs become typedInputs of which types: what the editor validates those fields with when no validator is set.
 */
function fakeJquery(typedInputs: Map<string, string[]>) {
  const chain = (selector: unknown): unknown => {
    const proxy: unknown = new Proxy(function () {}, {
      get(_t, key) {
        if (key === Symbol.toPrimitive) return () => '';
        if (key === 'length') return 1;
        if (key === 'then') return undefined;
        return (...args: unknown[]) => {
          if (key === 'typedInput' && typeof selector === 'string' && args[0] && typeof args[0] === 'object') {
            const types = (args[0] as { types?: unknown[] }).types ?? [];
            // Array.from: an array of this realm (the script's own arrays have the vm context's prototype).
            typedInputs.set(selector.replace(/^#node-(config-)?input-/, ''), Array.from(types, (t) => (typeof t === 'string' ? t : String((t as { value?: unknown }).value))));
          }
          return key === 'val' ? '' : proxy;
        };
      },
      apply: () => proxy,
    });
    return proxy;
  };
  return new Proxy(chain, { get: (_t, key) => (key === 'then' ? undefined : () => chain(undefined)) });
}

function editorDefinition(type: string, file: string): { def: NodeTypeDef; typedInputs: Map<string, string[]> } {
  const html = readFileSync(resolve(REPO, file.replace(/^dist\//, '').replace(/\.js$/, '.html')), 'utf8');
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1]!;
  let def: NodeTypeDef | undefined;
  const typedInputs = new Map<string, string[]>();
  const RED = { nodes: { registerType: (t: string, d: NodeTypeDef) => t === type && (def = d) }, validators, settings: { httpNodeRoot: '/' }, _: (k: string) => k };
  const location = { origin: 'http://127.0.0.1:1880', protocol: 'http:', host: '127.0.0.1:1880', hostname: '127.0.0.1', port: '1880', pathname: '/' };
  // URL as every browser has it (editor-core.js reads URL settings with it).
  const context = createContext({ RED, $: fakeJquery(typedInputs), console, location, window: { location }, URL });
  // What the dialog loads first from the module's resources/ (written by the build from the core), as the editor does.
  for (const [, resource] of html.matchAll(/<script src="resources\/@terminal-crm\/n8n-nodes-terminal-crm\/([\w.-]+)"><\/script>/g)) {
    new Script(readFileSync(resolve(REPO, 'resources', resource!), 'utf8'), { filename: resource }).runInContext(context);
  }
  new Script(script, { filename: `${type}.html` }).runInContext(context);
  assert.ok(def, `${type} registers itself`);
  // The dialog opened once, as an operator opens it: its typedInputs are what the editor validates through.
  def.oneditprepare?.call(Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])));
  return { def, typedInputs };
}

/** The most an amount setting can be in a currency, as typed (MAX_MINOR_UNITS at its exponent), or a minor unit more. */
function most(currency: string, extra = 0): string {
  const digits = (BigInt(MAX_MINOR_UNITS) + BigInt(extra)).toString();
  const e = currencyExponent(currency.trim());
  return e === 0 ? digits : `${digits.slice(0, -e)}.${digits.slice(-e)}`;
}
/** Every currency whose exponent is not 2, some whose is, as typed in a dialog. */
const AMOUNT_CURRENCIES = [...Object.keys(EXPONENT_OVERRIDES), 'USD', 'EUR', 'GBP', 'MGA', 'jpy', ' kwd '];
/** Amounts about the most an amount setting can be in `currency`, either side of it. */
const bigAmounts = (currency: string): unknown[] => [
  most(currency), most(currency, 1), '9007199254740991', '9007199254740992', '90071992547409.91', '90071992547409.92', '900719925474.0991', '1e16', '1e300', 1e300, '500',
];

/** The node's label in the flow, its i18n key and arguments as the editor would translate them. */
function labelOf(def: NodeTypeDef, node: Record<string, unknown>): string {
  const label = (def as NodeTypeDef & { label: (this: Record<string, unknown>) => string }).label;
  return label.call({ ...node, _: (key: string, args?: object) => `${key} ${JSON.stringify(args)}` });
}

/**
 * Node-RED's validateNodeProperty (editor-client red.js) for one property: `required`, then the property's own
 * validator (skipped for an empty optional one), else the typedInput's type check (a JSON typedInput runs
 * JSON.parse), and a config node must be picked unless optional. Answers true or the editor's reason.
 */
function validateProperty(node: Record<string, unknown>, name: string, p: PropertyDef, typedInputs: Map<string, string[]>): true | string {
  const value = node[name];
  if (p.required && value === '') return 'missing required property';
  if (p.validate) {
    if (p.required === false && value === '') return true;
    const r = p.validate.call(node, value, { label: name });
    if (p.validate.length === 2 && typeof r === 'string') return r;
    return r ? true : 'invalid';
  }
  if (p.required === false && value === '') return true;
  const types = typedInputs.get(name);
  if (types?.length === 1 && types[0] === 'json') {
    try {
      JSON.parse(String(value));
    } catch (e) {
      return `invalid JSON: ${(e as Error).message}`;
    }
  }
  if (p.type && (value === '' || value === undefined)) return p.required === false ? true : 'missing config node';
  return true;
}

/**
 * What an operator sees after dropping a node and opening and closing its dialog without changing anything but the
 * configuration nodes it needs (a store, an account): no property of the pack's nodes may be invalid. Node-RED
 * validates through the open dialog's typedInputs too, so their types are taken from the node's own oneditprepare.
 */
describe('Node-RED editor: every node is valid with its defaults once its config nodes are picked', () => {
  for (const [type, file] of Object.entries(nodes)) {
    it(type, () => {
      const { def, typedInputs } = editorDefinition(type, file);
      const node: Record<string, unknown> = Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value]));
      // The operator fills in what the form asks for: each config node the node requires, and each required field
      // left empty (a mail server's host): marked until filled, as Node-RED means. Everything else must pass as it is.
      const toFill = new Set<string>();
      for (const [k, p] of Object.entries(def.defaults)) {
        if (p.type && p.required) node[k] = `${p.type}-picked`;
        else if (p.required && (p.value === '' || p.value === undefined)) toFill.add(k);
      }
      const invalid = Object.entries(def.defaults)
        .filter(([k]) => !toFill.has(k))
        .map(([k, p]) => [k, validateProperty(node, k, p, typedInputs)] as const)
        .filter(([, r]) => r !== true);
      assert.deepEqual(invalid, [], `${type}: invalid with its defaults`);
    });
  }

  it('terminal segment: an empty Advanced field is valid (the defaults), broken JSON says why', () => {
    const { def, typedInputs } = editorDefinition('terminal-segment', nodes['terminal-segment']!);
    assert.deepEqual(typedInputs.get('advanced'), ['json'], 'Advanced is a JSON typedInput, which Node-RED would JSON.parse');
    const node = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), store: 'store-picked' };
    for (const field of ['advanced', 'segmentRules', 'crmFields']) {
      assert.equal(validateProperty({ ...node, [field]: '' }, field, def.defaults[field]!, typedInputs), true, `${field} empty`);
      assert.match(String(validateProperty({ ...node, [field]: '{"flags": ' }, field, def.defaults[field]!, typedInputs)), /not valid JSON/, `${field} broken`);
    }
  });

  it('terminal segment and loyalty enroll: a SaaS CRM needs a CRM account, the local store none', () => {
    for (const type of ['terminal-segment', 'terminal-loyalty-enroll']) {
      const { def, typedInputs } = editorDefinition(type, nodes[type]!);
      const node = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), store: 'store-picked' };
      assert.equal(validateProperty({ ...node, crm: 'local' }, 'crmAccount', def.defaults.crmAccount!, typedInputs), true, type);
      assert.equal(validateProperty({ ...node, crm: 'hubspot' }, 'crmAccount', def.defaults.crmAccount!, typedInputs), 'invalid', type);
      assert.equal(validateProperty({ ...node, crm: 'hubspot', crmAccount: 'acc1' }, 'crmAccount', def.defaults.crmAccount!, typedInputs), true, type);
    }
  });

  it('the shipped examples: every terminal segment and loyalty node is valid as imported', () => {
    const examples = ['high-value-alert.json', 'loyalty-welcome.json'].map((f) => resolve(REPO, 'examples', f));
    let checked = 0;
    for (const path of examples) {
      const flow = JSON.parse(readFileSync(path, 'utf8')) as Array<Record<string, unknown>>;
      for (const n of flow.filter((x) => x.type === 'terminal-segment' || x.type === 'terminal-loyalty-enroll')) {
        const { def, typedInputs } = editorDefinition(n.type as string, nodes[n.type as string]!);
        // Node-RED fills in a default the flow JSON leaves out.
        const node: Record<string, unknown> = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), ...n };
        const invalid = Object.entries(def.defaults).map(([k, p]) => [k, validateProperty(node, k, p, typedInputs)] as const).filter(([, r]) => r !== true);
        assert.deepEqual(invalid, [], `${path}: ${String(n.id)}`);
        checked++;
      }
    }
    assert.ok(checked > 0, 'the examples hold segment / loyalty nodes');
  });

  it('terminal redrive: Older than takes a duration or 0, not "off" (the node refuses it: a run that redrives nothing)', () => {
    const { def, typedInputs } = editorDefinition('terminal-redrive', nodes['terminal-redrive']!);
    const node = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), store: 'store-picked' };
    for (const ok of ['5m', '0', '1h30m', '']) assert.equal(validateProperty({ ...node, olderThan: ok }, 'olderThan', def.defaults.olderThan!, typedInputs), true, ok);
    for (const bad of ['off', 'soon']) assert.equal(validateProperty({ ...node, olderThan: bad }, 'olderThan', def.defaults.olderThan!, typedInputs), 'invalid', bad);
  });

  it('terminal redrive: At most takes a whole number of payments from MIN_REDRIVE_LIMIT, as every run does (0, -5, 2.5 marked)', () => {
    const { def, typedInputs } = editorDefinition('terminal-redrive', nodes['terminal-redrive']!);
    const node = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), store: 'store-picked' };
    const check = (v: unknown) => validateProperty({ ...node, limit: v }, 'limit', def.defaults.limit!, typedInputs);
    for (const v of ['', String(MIN_REDRIVE_LIMIT), '100', 100, ' 7 ']) assert.equal(check(v), true, `limit ${v}`);
    for (const v of [String(MIN_REDRIVE_LIMIT - 1), '-5', '2.5', 'x', 'Infinity', '1e16']) assert.notEqual(check(v), true, `limit ${v}`);
    // What the editor passes, the node takes (terminal-redrive.ts reads it with redriveLimit), and what it marks, it refuses.
    const takes = (v: unknown) => {
      try {
        redriveLimit('At most', v);
        return true;
      } catch {
        return false;
      }
    };
    for (const v of ['', ' ', 0, '0', '1', 1, '-1', -5, '2.5', 2.5, 'x', ' 7 ', '1e3', '0x10', '1e16', '9007199254740991', 'Infinity', null, undefined, true]) {
      assert.equal(check(v) === true, takes(v), `limit ${JSON.stringify(v)}: the editor ${check(v) === true ? 'passes' : 'marks'} it`);
    }
  });

  it('terminal redrive: Also queue for is marked exactly where optionalSaasCrmName, as the node reads it, refuses it', () => {
    const { def, typedInputs } = editorDefinition('terminal-redrive', nodes['terminal-redrive']!);
    const node = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), store: 'store-picked' };
    const takes = (v: unknown) => {
      try {
        optionalSaasCrmName(v, 'Also queue for');
        return true;
      } catch {
        return false;
      }
    };
    for (const v of ['', ' ', 'hubspot', ' HubSpot ', 'zoho', 'salesforce', 'hubspt', 'local', 'zoho crm', 'HUB SPOT', null, undefined]) {
      const passes = validateProperty({ ...node, crm: v }, 'crm', def.defaults.crm!, typedInputs) === true;
      assert.equal(passes, takes(v), `crm ${JSON.stringify(v)}: the editor ${passes ? 'passes' : 'marks'} it`);
    }
    assert.equal(takes('hubspt'), false);
  });

  it('terminal poll: the editor marks the numbers the node refuses (a page of 0, a negative interval)', () => {
    const { def, typedInputs } = editorDefinition('terminal-poll', nodes['terminal-poll']!);
    const node = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), store: 'store-picked', squareAccount: 'sq' };
    const check = (field: string, v: unknown) => validateProperty({ ...node, [field]: v }, field, def.defaults[field]!, typedInputs);
    for (const [field, ok, bad] of [['interval', ['0', '30', ''], ['-1', 'x']], ['lookBackHours', ['', '0', '1.5'], ['-2']], ['pageSize', ['', '1', '100'], ['0', '2.5', '-1']], ['maxPages', ['', '3'], ['0', '1.5']]] as const) {
      for (const v of ok) assert.equal(check(field, v), true, `${field} ${v}`);
      for (const v of bad) assert.notEqual(check(field, v), true, `${field} ${v}`);
    }
  });

  it('terminal poll and redrive: the editor marks exactly the numbers each run refuses (formNumber as the nodes call it), an interval past MAX_REPEAT_SECONDS too', () => {
    // terminal-poll.ts and terminal-redrive.ts: the options each field is read with.
    const read = {
      interval: REPEAT_SECONDS,
      lookBackHours: { field: 'First poll (h back)', ...FIRST_POLL_LOOKBACK },
      pageSize: { field: 'Page size', ...POLL_PAGE_SIZE },
      maxPages: { field: 'Pages per poll', ...POLL_MAX_PAGES },
    } as const;
    const takes = (field: keyof typeof read, v: unknown) => {
      try {
        formNumber(v, read[field]);
        return true;
      } catch {
        return false;
      }
    };
    const values = ['', ' ', 0, '0', '1', 1, '-1', '2.5', 'x', ' 7 ', '1e3', '0x10', 'Infinity', '1e16', null, true, '9007199254740991', String(MAX_REPEAT_SECONDS), String(MAX_REPEAT_SECONDS + 1), '2592000', MAX_REPEAT_SECONDS + 0.5, String(FIRST_POLL_LOOKBACK.max), FIRST_POLL_LOOKBACK.max + 0.5];
    for (const [type, fields, on] of [
      ['terminal-poll', ['interval', 'lookBackHours', 'pageSize', 'maxPages'], { squareAccount: 'sq' }],
      ['terminal-redrive', ['interval'], {}],
    ] as const) {
      const { def, typedInputs } = editorDefinition(type, nodes[type]!);
      const node = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), store: 'store-picked', ...on };
      for (const field of fields) {
        for (const v of values) {
          const passes = validateProperty({ ...node, [field]: v }, field, def.defaults[field]!, typedInputs) === true;
          assert.equal(passes, takes(field, v), `${type} ${field} ${JSON.stringify(v)}: the editor ${passes ? 'passes' : 'marks'} it`);
        }
      }
      // An empty Every (s) is the run's default (REPEAT_SECONDS.fallback), and the node's label says so.
      for (const v of ['', ' ']) {
        assert.equal(validateProperty({ ...node, interval: v }, 'interval', def.defaults.interval!, typedInputs), true, `${type} interval ${JSON.stringify(v)}`);
        assert.equal(formNumber(v, REPEAT_SECONDS), REPEAT_SECONDS.fallback);
        assert.equal(labelOf(def, { ...node, interval: v }), `${type}.node.every ${JSON.stringify({ ...(type === 'terminal-poll' ? { source: 'square' } : {}), interval: REPEAT_SECONDS.fallback })}`);
      }
      assert.equal(labelOf(def, { ...node, interval: '0' }), `${type}.node.label ${JSON.stringify({ ...(type === 'terminal-poll' ? { source: 'square' } : {}), interval: 0 })}`);
    }
  });

  it('terminal CRM upsert: Wait for CRM is marked where crmWaitMs refuses it (below 0, over MAX_CRM_WAIT_MS), and only for a SaaS CRM, which alone reads it', () => {
    const { def, typedInputs } = editorDefinition('terminal-crm-upsert', nodes['terminal-crm-upsert']!);
    const base = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), store: 'store-picked', account: 'account-picked' };
    const check = (v: unknown, crm: string) => validateProperty({ ...base, crm, waitSeconds: v }, 'waitSeconds', def.defaults.waitSeconds!, typedInputs) === true;
    const takes = (v: unknown) => {
      try {
        crmWaitMs(v, 'Wait for CRM');
        return true;
      } catch {
        return false;
      }
    };
    const max = MAX_CRM_WAIT_MS / 1000;
    for (const v of ['', ' ', 0, '0', '10', '0.5', String(max), max, String(max + 1), '120.5', '-1', -1, 'x', 'Infinity', null, undefined, ' 7 ']) {
      assert.equal(check(v, 'hubspot'), takes(v), `hubspot ${JSON.stringify(v)}: the editor ${check(v, 'hubspot') ? 'passes' : 'marks'} it`);
      assert.equal(check(v, 'local'), true, `local ${JSON.stringify(v)}: never read`);
    }
    assert.equal(check(String(max + 1), 'hubspot'), false);
  });

  it('terminal CRM sync: the editor marks a Max batches or Deadline the node refuses (-1, 2.5 batches; a negative deadline or one over an hour)', () => {
    const { def, typedInputs } = editorDefinition('terminal-crm-sync', nodes['terminal-crm-sync']!);
    const node = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), store: 'store-picked', account: 'account-picked' };
    const check = (field: string, v: unknown) => validateProperty({ ...node, [field]: v }, field, def.defaults[field]!, typedInputs);
    for (const [field, ok, bad] of [['maxBatches', ['', 0, '0', '10'], ['-1', '2.5', 'x']], ['deadline', ['', 0, '50', '3600', '0.5'], ['-5', '3601', 'x']]] as const) {
      for (const v of ok) assert.equal(check(field, v), true, `${field} ${v}`);
      for (const v of bad) assert.notEqual(check(field, v), true, `${field} ${v}`);
    }
    // What the editor passes, the node takes: the one rule is crmSyncLimits.
    for (const [maxBatches, deadlineSeconds] of [['', ''], ['10', '3600'], [0, '0.5']] as const) assert.doesNotThrow(() => crmSyncLimits({ maxBatches, deadlineSeconds }));
    for (const [maxBatches, deadlineSeconds] of [['-1', ''], ['2.5', ''], ['', '-5'], ['', '3601']] as const) assert.throws(() => crmSyncLimits({ maxBatches, deadlineSeconds }));
    // Value by value, each field against crmSyncLimits as the node calls it: spaces are blank there, so here too.
    const takes = (field: 'maxBatches' | 'deadline', v: unknown) => {
      try {
        crmSyncLimits(field === 'maxBatches' ? { maxBatches: v } : { deadlineSeconds: v });
        return true;
      } catch {
        return false;
      }
    };
    for (const field of ['maxBatches', 'deadline'] as const) {
      for (const v of ['', ' ', '  7 ', 0, '0', '-0', '1e3', '0x10', '2.5', 'Infinity', 'x', '3600', '3600.5', ' 3601 ', 1e300]) {
        assert.equal(check(field, v) === true, takes(field, v), `${field} ${JSON.stringify(v)}`);
      }
    }
  });

  it('terminal message: the editor marks a window, minimum declines, rate or recent payments the node refuses (0 or a week and a minute, 2.5 declines, a rate over 1, 51 payments)', () => {
    const { def, typedInputs } = editorDefinition('terminal-message', nodes['terminal-message']!);
    const node: Record<string, unknown> = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), store: 'store-picked' };
    const check = (field: string, v: unknown, on = node) => validateProperty({ ...on, [field]: v }, field, def.defaults[field]!, typedInputs);
    const { windowMinutes: W, minDeclines: D, minRate: R } = DECLINE_RULE_LIMITS;
    const cases = [
      ['windowMinutes', ['', W.min, '15', String(W.max)], [String(W.min - 1), String(W.max + 1), '2.5', '-1', 'x']],
      ['minDeclines', ['', String(D.min), '3', '1000'], [String(D.min - 1), '2.5', '-1', 'x']],
      ['minRate', ['', String(R.min), '0.3', String(R.max)], ['-0.1', '1.01', 'x']],
      ['recentPayments', ['', 0, '5', String(MAX_RECENT_PAYMENTS)], ['-1', String(MAX_RECENT_PAYMENTS + 1), '2.5', 'x']],
    ] as const;
    for (const [field, ok, bad] of cases) {
      for (const v of ok) assert.equal(check(field, v), true, `${field} ${v}`);
      for (const v of bad) assert.notEqual(check(field, v), true, `${field} ${v}`);
    }
    // What the editor passes, the node takes, and what it marks, the node refuses: the one rule is the core's form
    // reader (parseMessageSettings, parseDeclineRule), whatever the message.
    const runs = (form: Record<string, unknown>) => {
      try {
        messageSettingsFromForm(form);
        return true;
      } catch {
        return false;
      }
    };
    const values = ['', 0, '0', '1', 1, '0.3', '0.5', '1.01', '2.5', '-1', '3', '15', '50', '51', '10080', '10081', 10081, 'x', ' 7 ', '1e3', '1e16', 'Infinity', null, ...cases.flatMap(([, ok, bad]) => [...ok, ...bad])];
    for (const kind of ['thank-you', 'failed-payments', 'high-value-alert']) {
      for (const [field] of cases) {
        for (const v of values) {
          const form = { ...node, kind, [field]: v };
          assert.equal(check(field, v, form) === true, runs(form), `${kind} ${field} ${JSON.stringify(v)}: the editor ${check(field, v, form) === true ? 'passes' : 'marks'} it`);
        }
      }
    }
    // Sending held messages reads none of them: nothing to mark there.
    for (const [field, , bad] of cases) for (const v of bad) assert.equal(check(field, v, { ...node, mode: 'flush' }), true, `flush ${field} ${v}`);
  });

  it('terminal message: Quiet hours and Time zone are marked where parseQuietHours refuses them (one time without the other, 9:30, an unknown zone), read only while a time is set and never when sending held messages', () => {
    const { def, typedInputs, node, editorPasses, runs } = messageDialog();
    const times: unknown[] = ['', ' ', '21:30', '08:00', '00:00', '23:59', '24:00', '9:30', '09:60', ' 21:30', '21:30 ', '2130', '21.30', 'x', 0, 2130, null, undefined, {}];
    const zones: unknown[] = ['', 'UTC', 'Europe/Paris', 'america/new_york', 'Mars/Olympus', ' UTC', 'CEST?', 'Etc/GMT+5', 5, null, {}];
    let compared = 0;
    let marked = 0;
    for (const on of [node, { ...node, kind: 'failed-payments' }, { ...node, mode: 'flush' }] as Record<string, unknown>[]) {
      for (const quietStart of times) {
        for (const quietEnd of ['', '08:00', '8:00']) {
          for (const timeZone of zones) {
            const n: Record<string, unknown> = { ...on, quietStart, quietEnd, timeZone };
            const passes = editorPasses(n);
            assert.equal(passes, runs(n), `${JSON.stringify({ mode: n.mode, kind: n.kind, quietStart, quietEnd, timeZone })}: the editor ${passes ? 'passes' : 'marks'} it`);
            compared++;
            if (!passes) marked++;
          }
        }
      }
    }
    const check = (field: string, v: unknown, on: Record<string, unknown>) => validateProperty({ ...on, [field]: v }, field, def.defaults[field]!, typedInputs);
    assert.notEqual(check('quietEnd', '', { ...node, quietStart: '21:00' }), true, 'a start without an end');
    assert.notEqual(check('timeZone', 'Mars/Olympus', { ...node, quietStart: '21:00', quietEnd: '08:00' }), true, 'an unknown zone with quiet hours');
    assert.equal(check('timeZone', 'Mars/Olympus', node), true, 'no quiet hours: the zone is not read');
    assert.equal(check('quietStart', '9:30', { ...node, mode: 'flush' }), true, 'sending held messages reads no quiet hours');
    assert.ok(marked > 100 && marked < compared, `${marked} of ${compared} marked`);
  });

  /** The Message dialog's defaults with a store picked; whether the dialog passes a node; whether the node runs it. */
  function messageDialog() {
    const { def, typedInputs } = editorDefinition('terminal-message', nodes['terminal-message']!);
    const node: Record<string, unknown> = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), store: 'store-picked' };
    const editorPasses = (n: Record<string, unknown>) => Object.entries(def.defaults).every(([k, p]) => validateProperty(n, k, p, typedInputs) === true);
    const runs = (n: Record<string, unknown>) => {
      try {
        messageSettingsFromForm(n.mode === 'flush' ? { kind: n.kind } : n);
        return true;
      } catch {
        return false;
      }
    };
    /** Every value of `field` in every kind and in flush mode, dialog against run; how many compared and marked. */
    const compare = (field: string, values: unknown[]) => {
      let compared = 0;
      let marked = 0;
      for (const on of [...MESSAGE_KINDS.map((kind) => ({ ...node, kind })), { ...node, kind: 'failed-payments', mode: 'flush' }]) {
        for (const v of values) {
          const n: Record<string, unknown> = { ...on, [field]: v };
          const passes = editorPasses(n);
          assert.equal(passes, runs(n), `${JSON.stringify({ mode: n.mode, kind: n.kind, [field]: v })}: the editor ${passes ? 'passes' : 'marks'} it`);
          compared++;
          if (!passes) marked++;
        }
      }
      return { compared, marked };
    };
    return { def, typedInputs, node, editorPasses, runs, compare };
  }

  it('terminal message: Alert to is marked where the run refuses an address of an alert (no @, two @, a blank between commas), never for a customer message or when sending held messages', () => {
    const { node, editorPasses, compare } = messageDialog();
    const good = ['', ' ', 'sales@shop.com', ' sales@shop.com ', 'sales@shop.com, ops@shop.com', 'sales@shop.com;ops@shop.com', 'a@b', ['sales@shop.com', 'ops@shop.com'], null, undefined];
    const bad = ['sales', 'sales@', '@shop.com', 'sales@@shop.com', 'a@b@c', 'sales @shop.com', 'sales@shop.com,', 'sales@shop.com,,ops@shop.com', 'sales@shop.com ops@shop.com', 'sales@shop.com; x', 5, true, {}, ['sales'], [1]];
    const { compared, marked } = compare('to', [...good, ...bad]);
    for (const kind of ['high-value-alert', 'failed-payments']) {
      for (const to of good) assert.equal(editorPasses({ ...node, kind, to }), true, `${kind} ${JSON.stringify(to)} passes`);
      for (const to of bad) assert.equal(editorPasses({ ...node, kind, to }), false, `${kind} ${JSON.stringify(to)} is marked`);
    }
    assert.equal(editorPasses({ ...node, kind: 'thank-you', to: 'sales' }), true, 'a customer message does not read Alert to');
    assert.equal(editorPasses({ ...node, kind: 'failed-payments', mode: 'flush', to: 'sales' }), true, 'sending held messages reads no Alert to');
    assert.ok(marked > 20 && marked < compared, `${marked} of ${compared} marked`);
  });

  it('terminal message: Locale is marked where the run refuses a tag that is not well formed (de_DE, en-, a number), never when sending held messages', () => {
    const { node, editorPasses, compare } = messageDialog();
    const good = ['', ' ', 'en-US', ' de-DE ', 'en-GB', 'ja-JP', 'fr', 'EN-us', 'zh-Hant-TW', 'de-CH-u-nu-latn', null, undefined];
    const bad = ['de_DE', 'en-', '-en', 'en--US', 'e', 'en US', 'en-US-x', '123', 'a-b-c-d-e-f-gg-hhhhhhhhh', 5, true, {}];
    const { compared, marked } = compare('locale', [...good, ...bad]);
    for (const locale of good) assert.equal(editorPasses({ ...node, locale }), true, `${JSON.stringify(locale)} passes`);
    for (const locale of bad) assert.equal(editorPasses({ ...node, locale }), false, `${JSON.stringify(locale)} is marked`);
    assert.equal(editorPasses({ ...node, mode: 'flush', locale: 'de_DE' }), true, 'sending held messages reads no Locale');
    // Locale data is the runtime's: a well-formed tag it has none for is refused when the node runs, not in the browser.
    assert.equal(editorPasses({ ...node, locale: 'xx-XX' }), true);
    assert.throws(() => messageSettingsFromForm({ ...node, locale: 'xx-XX' }), /not a locale this runtime knows/);
    assert.ok(marked > 20 && marked < compared, `${marked} of ${compared} marked`);
  });

  it('terminal message: Locations are marked where the run refuses them (a line without "=" or with nothing before it, JSON that is no object), never when sending held messages', () => {
    const { node, editorPasses, compare } = messageDialog();
    const good = ['', ' ', 'tml_123=Main Street', ' tml_123 = Main Street \n\n tml_456=Station\n', 'tml_1=', 'a=b=c', '{"tml_123": "Main Street"}', ' {} ', '["a=b"]', { tml_123: 'Main Street' }, {}, null, undefined];
    const bad = ['Main Street', 'tml_123=Main Street\nStation', '=Main Street', ' =x', '{"tml_123": "Main Street"', '{tml_123: "x"}', '{ } x', '[1]', '[]', 'null', 0, false, 5, true, [], ['tml_1=x'], [{ a: 'b' }]];
    const { compared, marked } = compare('locationNames', [...good, ...bad]);
    for (const locationNames of good) assert.equal(editorPasses({ ...node, locationNames }), true, `${JSON.stringify(locationNames)} passes`);
    for (const locationNames of bad) assert.equal(editorPasses({ ...node, locationNames }), false, `${JSON.stringify(locationNames)} is marked`);
    assert.equal(editorPasses({ ...node, mode: 'flush', locationNames: 'Main Street' }), true, 'sending held messages reads no Locations');
    assert.ok(marked > 20 && marked < compared, `${marked} of ${compared} marked`);
  });

  it('terminal match customer: Link and Review thresholds are marked where matchConfigFromSettings refuses them, only spaces being the default (" " and 0.5 pass, 0.3 and " " do not)', () => {
    const { def, typedInputs } = editorDefinition('terminal-match-customer', nodes['terminal-match-customer']!);
    const node: Record<string, unknown> = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), store: 'store-picked' };
    const editorPasses = (n: Record<string, unknown>) => Object.entries(def.defaults).every(([k, p]) => validateProperty(n, k, p, typedInputs) === true);
    const runs = (n: Record<string, unknown>) => {
      try {
        matchConfigFromSettings({ linkThreshold: n.linkThreshold as string, reviewThreshold: n.reviewThreshold as string, autoMerge: n.autoMerge as boolean, fieldByField: n.fieldByField as boolean });
        return true;
      } catch {
        return false;
      }
    };
    const values: unknown[] = ['', ' ', '0', 0, '0.3', '0,5', ' 0.5 ', 0.5, '0.9', '0,95', '1', 1, '1.01', '-0.1', 'x', '0,9,1', '1e-1', 'Infinity', null, undefined, true, NaN];
    let marked = 0;
    for (const linkThreshold of values) {
      for (const reviewThreshold of values) {
        const n = { ...node, linkThreshold, reviewThreshold };
        const passes = editorPasses(n);
        assert.equal(passes, runs(n), `link ${JSON.stringify(linkThreshold)}, review ${JSON.stringify(reviewThreshold)}: the editor ${passes ? 'passes' : 'marks'} it`);
        if (!passes) marked++;
      }
    }
    assert.deepEqual([node.linkThreshold, node.reviewThreshold], [MATCH_DEFAULTS.linkThreshold, MATCH_DEFAULTS.reviewThreshold], 'the dialog starts at the run\'s defaults');
    assert.ok(marked > values.length && marked < values.length ** 2, `${marked} marked`);
  });

  it('terminal backfill: Since, Until, Page size, CRM and Offline grace are marked where backfillRequestOf refuses them (not a date, Until not after Since, 2.5 or 0 as typed, a CRM with no adapter, a grace out of range or for a source that takes none), an empty Since not, as msg.payload.since may give it', () => {
    const { def, typedInputs } = editorDefinition('terminal-backfill', nodes['terminal-backfill']!);
    const node: Record<string, unknown> = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), server: 'server-picked' };
    const editorPasses = (n: Record<string, unknown>) => Object.entries(def.defaults).every(([k, p]) => validateProperty(n, k, p, typedInputs) === true);
    const marks = (n: Record<string, unknown>) => Object.entries(def.defaults).filter(([k, p]) => validateProperty(n, k, p, typedInputs) !== true).map(([k]) => k);
    /** The node's run (terminal-backfill.ts): its fields, a message's since standing in for an empty Since. */
    const runs = (n: Record<string, unknown>, msgSince?: string) => {
      const given = typeof n.since === 'string' && n.since.trim() ? {} : { since: msgSince };
      try {
        backfillRequestOf({ operation: n.operation, source: n.source, since: n.since, until: n.until, crm: n.crm, limit: n.limit, offlineGrace: n.offlineGrace, restart: n.restart, ...given });
        return true;
      } catch {
        return false;
      }
    };
    const times: unknown[] = ['', ' ', '2026-01-01', ' 2026-01-01 ', '2026-02-01', '2026-01-01T12:00:00Z', '2026-01-01T13:00:00+02:00', '2025-12-31T23:59:59.999Z', '+010000-01-01T00:00:00Z',
      '2026-13-01', '2026-1-1', '1/2/2026', '2026', '20260101', 'last tuesday', 'x', '0', null, 5];
    const limits: unknown[] = ['', ' ', '0', 0, '1', 1, '100', ' 7 ', '1e3', '0x10', '1e16', '2.5', '-1', 'x', 'Infinity', null, true];
    const crms: unknown[] = ['', ' ', 'hubspot', ' HubSpot ', 'zoho', 'salesforce', 'hubspt', 'local', 'zoho crm', 'HUB SPOT', null];
    const graces: unknown[] = ['', ' ', '0', 0, '1', 1, ' 48 ', '720', '721', '2.5', '-1', '1e2', '0x10', 'x', null, true];
    let compared = 0;
    let marked = 0;
    const compare = (n: Record<string, unknown>, msgSince?: string) => {
      const passes = editorPasses(n);
      assert.equal(passes, runs(n, msgSince), `${JSON.stringify({ since: n.since, until: n.until, limit: n.limit, crm: n.crm })}: the editor ${passes ? 'passes' : 'marks'} it`);
      compared++;
      if (!passes) marked++;
    };
    for (const operation of ['start', 'progress']) {
      for (const since of times) {
        for (const until of times) {
          // An empty Since comes from the message: one before every Until of the table, so only Until's own form is read.
          compare({ ...node, operation, since, until }, '1000-01-01');
        }
      }
      for (const since of ['2026-01-01', '']) {
        for (const limit of limits) compare({ ...node, operation, since, limit }, '2026-01-01');
        for (const crm of crms) compare({ ...node, operation, since, crm }, '2026-01-01');
        for (const source of ['stripe', 'square', 'zettle', 'clover', 'sumup']) for (const offlineGrace of graces) compare({ ...node, operation, since, source, offlineGrace }, '2026-01-01');
      }
    }
    // The field marked is the one the run names.
    const on = { ...node, since: '2026-02-01' };
    assert.deepEqual(marks({ ...on, since: 'last tuesday' }), ['since']);
    assert.deepEqual(marks({ ...on, until: '2026-01-01' }), ['until']);
    assert.deepEqual(marks({ ...on, until: '2026-02-01' }), ['until']);
    assert.deepEqual(marks({ ...on, until: '2026-02-01T00:00:01Z' }), []);
    assert.deepEqual(marks({ ...on, limit: '2.5' }), ['limit']);
    assert.deepEqual(marks({ ...on, limit: '0' }), ['limit'], '"0" as typed is refused; only the number 0 (n8n) is the default');
    assert.deepEqual(marks({ ...on, crm: 'hubspt' }), ['crm']);
    assert.deepEqual(marks({ ...on, offlineGrace: '721' }), ['offlineGrace']);
    assert.deepEqual(marks({ ...on, source: 'zettle', offlineGrace: '24' }), ['offlineGrace'], 'Zettle\'s listing takes no grace');
    assert.deepEqual(marks({ ...on, source: 'square', offlineGrace: ' 36 ' }), []);
    assert.deepEqual(marks({ ...node, since: '' }), [], 'msg.payload.since may give it');
    assert.throws(() => backfillRequestOf({ source: 'stripe', since: '' }), /Since: is missing/);
    // A year past 9999 is after 2026 (the run compared the ISO texts, where "+010000" sorts first).
    assert.equal(backfillRequestOf({ source: 'stripe', since: '2026-01-01', until: '+010000-01-01T00:00:00Z' }).input.until, '+010000-01-01T00:00:00.000Z');
    assert.ok(marked > 100 && marked < compared, `${marked} of ${compared} marked`);
  });

  it('terminal CRM store: Default region is marked where the store node\'s parseRegion refuses it (UK, XX, spaces), empty and " gb " not', () => {
    const { def, typedInputs } = editorDefinition('terminal-crm-store', nodes['terminal-crm-store']!);
    const node: Record<string, unknown> = Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value]));
    const editorPasses = (n: Record<string, unknown>) => Object.entries(def.defaults).every(([k, p]) => validateProperty(n, k, p, typedInputs) === true);
    // The store node itself (terminal-crm-store.ts), asked for its region as a payment asks it.
    const red = fakeRed();
    registerStore(red.RED);
    let id = 0;
    const runs = (defaultRegion: unknown) => {
      const store = red.create('terminal-crm-store', { id: `store-${id++}`, storeUrl: '', defaultRegion }) as unknown as StoreNode;
      try {
        store.defaultRegion();
        return true;
      } catch {
        return false;
      }
    };
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const values: unknown[] = [];
    for (const a of letters) for (const b of letters) values.push(a + b);
    values.push('', ' ', 'us', ' gb ', 'Gb', '\tDE\n', 'USA', 'U', 'U S', 'uk', '001', 'ßp', null, undefined, 44, true);
    let marked = 0;
    for (const defaultRegion of values) {
      const passes = editorPasses({ ...node, defaultRegion });
      assert.equal(passes, runs(defaultRegion), `${JSON.stringify(defaultRegion)}: the editor ${passes ? 'passes' : 'marks'} it`);
      if (!passes) marked++;
    }
    for (const v of ['', 'US', ' gb ', 'de', DEFAULT_REGION]) assert.equal(editorPasses({ ...node, defaultRegion: v }), true, `${JSON.stringify(v)} passes`);
    for (const v of ['UK', 'XX', 'ZZ', ' ', 'USA']) assert.equal(editorPasses({ ...node, defaultRegion: v }), false, `${JSON.stringify(v)} is marked`);
    assert.ok(marked > 300 && marked < values.length, `${marked} of ${values.length} marked`);
  });

  it('terminal send to terminal: Amount and Currency are marked where the run refuses them before any reader (saleFromFields, checkSale, then the chosen processor\'s adapter): no price, more decimals than the currency has, past 2^53 minor units, 0, a currency that is no code, an amount the processor cannot charge exactly (MGA 12.50 or KWD 12.345 for Stripe, IDR 10.50 for Adyen); empty not, as a message gives them', async () => {
    const { def, typedInputs } = editorDefinition('terminal-send-to-terminal', nodes['terminal-send-to-terminal']!);
    const node: Record<string, unknown> = {
      ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])),
      stripeAccount: 'account-picked', squareAccount: 'account-picked', adyenAccount: 'account-picked',
    };
    const editorPasses = (n: Record<string, unknown>) => Object.entries(def.defaults).every(([k, p]) => validateProperty(n, k, p, typedInputs) === true);
    const marks = (n: Record<string, unknown>) => Object.entries(def.defaults).filter(([k, p]) => validateProperty(n, k, p, typedInputs) !== true).map(([k]) => k);
    /**
     * The node's run (terminal-send-to-terminal.ts: pushSaleFromFields on the processor's adapter) up to the
     * processor: its fields, a message giving the rest. Taken when the adapter goes on to call the processor.
     */
    const settings: Record<string, Record<string, string>> = { stripe: { secretKey: 'sk_test_abc' }, square: { accessToken: 'EAAA-x' }, adyen: { apiKey: 'AQE-key' } };
    const takes = async (n: Record<string, unknown>, message: Record<string, unknown>) => {
      let called = false;
      const http = { request: async (): Promise<never> => { called = true; throw new Error('the processor was called'); } };
      const push = createTerminalPush(String(n.processor), { http, settings: settings[String(n.processor)] });
      const outcome = await pushSaleFromFields(push, { amount: n.amount, amountUnit: n.amountUnit, currency: n.currency, ...message }).catch(() => undefined);
      assert.ok(called || outcome?.outcome === 'rejected', 'refused without calling the processor, or called it');
      return called;
    };
    // An empty Currency is a message's: the node is good when some currency makes it good — every currency the ISO
    // table or a processor's lists, and some neither lists.
    const someCurrencies = [...new Set(['USD', 'EUR', 'HUF', 'TWD', ...Object.keys(EXPONENT_OVERRIDES), ...Object.values(PROCESSOR_AMOUNT_RULES).flatMap((r) => Object.keys(r.exponents))])];
    const runs = async (n: Record<string, unknown>) => {
      // A message's amount every processor takes in every currency, as written and in minor units (100 fils end in 0).
      const message = { readerId: 'tmr_1', customerId: 'cus_A', reference: 'deal-1', ...(String(n.amount).trim() ? {} : { amount: '100' }) };
      if (String(n.currency).trim()) return takes(n, message);
      for (const currency of someCurrencies) if (await takes(n, { ...message, currency })) return true;
      return false;
    };
    const amounts: unknown[] = ['', ' ', '12.50', ' 12.50 ', '12.5', '12', '0.50', '12.505', '12.5050', '12.5000', '12.345', '12.340', '12.34', '0', '0.00', '0.001', '0.005', '0.0001', '1', '1500', '12345',
      '12,50', '$12.50', '-5', '1e3', '.5', '5.', 'x',
      '9007199254740991', '9007199254740992', '90071992547409', '90071992547410', '90071992547409.91', '90071992547409.92', '9007199254740.991', '9007199254740.99', '900719925474.0991', '900719925474.0992', '99999999999999.9'];
    const currencies: unknown[] = ['', ' ', 'USD', ' usd ', 'JPY', 'KWD', ' bhd ', 'JOD', 'OMR', 'TND', 'IQD', 'CLF', 'MGA', 'ISK', 'HUF', 'TWD', 'UGX', 'IDR', 'CVE', 'CLP', 'US', 'USDX', 'ßp', '12$', 'U S'];
    const compared = { stripe: 0, square: 0, adyen: 0 };
    const marked = { stripe: 0, square: 0, adyen: 0 };
    for (const processor of ['stripe', 'square', 'adyen'] as const) {
      for (const amountUnit of ['major', 'minor']) {
        for (const amount of amounts) {
          for (const currency of currencies) {
            const n = { ...node, processor, amountUnit, amount, currency };
            const passes = editorPasses(n);
            assert.equal(passes, await runs(n), `${JSON.stringify({ processor, amountUnit, amount, currency })}: the editor ${passes ? 'passes' : 'marks'} it`);
            compared[processor]++;
            if (!passes) marked[processor]++;
          }
        }
      }
    }
    assert.deepEqual(marks({ ...node, amount: '12.505' }), ['amount'], 'three decimals in USD');
    assert.deepEqual(marks({ ...node, amount: '12.5', currency: 'JPY' }), ['amount'], 'JPY has no decimals');
    assert.deepEqual(marks({ ...node, amount: '0' }), ['amount'], 'a sale of nothing');
    assert.deepEqual(marks({ ...node, amount: '12.50', amountUnit: 'minor' }), ['amount'], 'minor units are whole');
    assert.deepEqual(marks({ ...node, amount: '90071992547409.92' }), ['amount'], 'a cent past 2^53 − 1');
    assert.deepEqual(marks({ ...node, currency: 'US' }), ['currency']);
    assert.deepEqual(marks({ ...node, amount: '12.5', currency: '' }), [], 'a message may give USD');
    // What only a processor refuses, named in the dialog's message: Stripe's own decimals and its three-decimal rule,
    // Adyen's table and its JSON number; Square takes ISO 4217 as it is.
    const amountSays = (n: Record<string, unknown>) => validateProperty({ ...node, ...n }, 'amount', def.defaults.amount!, typedInputs);
    assert.equal(amountSays({ processor: 'stripe', amount: '12.50', currency: 'MGA' }), 'amount: Stripe charges MGA in steps of 1 MGA (100 in minor units)');
    assert.equal(amountSays({ processor: 'stripe', amount: '12.50', currency: 'mga', amountUnit: 'major' }), 'amount: Stripe charges MGA in steps of 1 MGA (100 in minor units)');
    assert.equal(amountSays({ processor: '', amount: '12.50', currency: 'MGA' }), 'amount: Stripe charges MGA in steps of 1 MGA (100 in minor units)', 'an empty Processor is Stripe');
    assert.equal(amountSays({ processor: 'stripe', amount: '12', currency: 'MGA' }), true);
    assert.equal(amountSays({ processor: 'adyen', amount: '12.50', currency: 'MGA' }), true, 'MGA is not in Adyen\'s table: ISO 4217');
    assert.equal(amountSays({ processor: 'square', amount: '12.50', currency: 'MGA' }), true);
    for (const currency of ['KWD', 'BHD', 'JOD', 'OMR', 'TND']) {
      assert.equal(amountSays({ processor: 'stripe', amount: '12.345', currency }), `amount: Stripe charges ${currency} in steps of 0.01 ${currency} (10 in minor units)`);
      assert.equal(amountSays({ processor: 'stripe', amount: '12345', amountUnit: 'minor', currency }), `amount: Stripe charges ${currency} in steps of 0.01 ${currency} (10 in minor units)`);
      assert.equal(amountSays({ processor: 'stripe', amount: '12.340', currency }), true);
      assert.equal(amountSays({ processor: 'adyen', amount: '12.345', currency }), true);
      assert.equal(amountSays({ processor: 'square', amount: '12.345', currency }), true);
    }
    assert.equal(amountSays({ processor: 'adyen', amount: '10.50', currency: 'IDR' }), 'amount: Adyen charges IDR in steps of 1 IDR (100 in minor units)');
    assert.equal(amountSays({ processor: 'stripe', amount: '10.50', currency: 'IDR' }), true);
    assert.equal(amountSays({ processor: 'stripe', amount: '12.34', currency: 'HUF' }), true, 'HUF: two decimals at Stripe, as STRIPE_EXPONENTS has it');
    assert.equal(amountSays({ processor: 'stripe', amount: '12.34', currency: 'TWD' }), true, 'TWD: two decimals at Stripe, as STRIPE_EXPONENTS has it');
    assert.equal(amountSays({ processor: 'stripe', amount: '12.5', currency: 'UGX' }), 'invalid', 'UGX has no decimals anywhere: saleFromFields refuses it, no processor named');
    assert.equal(amountSays({ processor: 'stripe', amount: '90071992547410', currency: 'ISK' }), 'amount: more than Stripe can charge in ISK');
    assert.equal(amountSays({ processor: 'square', amount: '90071992547410', currency: 'ISK' }), true);
    assert.equal(amountSays({ processor: 'adyen', amount: '90071992547409.91', currency: 'USD' }), 'amount: more digits than the JSON number Adyen reads keeps exactly; at most 15');
    assert.equal(amountSays({ processor: 'stripe', amount: '12.50', currency: '' }), true, 'a message may give a currency Stripe takes 12.50 in');
    const refused = saleFromFields('stripe', { readerId: 'tmr_1', customerId: 'cus_A', reference: 'deal-1', amount: '0', currency: 'USD' });
    assert.ok('rejected' in refused && refused.rejected.outcome === 'rejected' && refused.rejected.field === 'amount' && /0 is not more than 0 USD/.test(refused.rejected.message), 'a sale of 0 is refused naming amount');
    for (const processor of ['stripe', 'square', 'adyen'] as const) assert.ok(marked[processor] > 100 && marked[processor] < compared[processor], `${processor}: ${marked[processor]} of ${compared[processor]} marked`);
    assert.ok(marked.stripe > marked.square && marked.adyen > marked.square, `Stripe and Adyen refuse more than Square: ${JSON.stringify(marked)}`);
  });

  it('terminal send to terminal: while its dialog is open, the Amount is validated with the Processor, unit and Currency picked there, not the saved ones', () => {
    const html = readFileSync(resolve(REPO, 'nodes/node-red/terminal-send-to-terminal.html'), 'utf8');
    const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1]!;
    let def: NodeTypeDef | undefined;
    const dialog: Record<string, string> = { processor: 'stripe', amountUnit: 'major', currency: 'MGA' };
    const $ = (selector: unknown) => {
      const field = typeof selector === 'string' ? selector.replace(/^#node-input-/, '') : '';
      const el = { val: () => dialog[field] ?? '', on: () => el, each: () => el, toggle: () => el, attr: () => '' };
      return el;
    };
    const context = createContext({ RED: { nodes: { registerType: (_t: string, d: NodeTypeDef) => (def = d) } }, $, window: {} });
    new Script(readFileSync(resolve(REPO, 'resources', 'editor-core.js'), 'utf8')).runInContext(context);
    new Script(script).runInContext(context);
    const saved: Record<string, unknown> = { processor: 'square', amountUnit: 'major', currency: 'MGA', amount: '12.50' };
    const amountValid = (n: Record<string, unknown>) => def!.defaults.amount!.validate!.call(n, n.amount, { label: 'Amount' });
    assert.equal(amountValid(saved), true, 'closed: the saved Square takes MGA 12.50');
    def!.oneditprepare!.call(saved);
    assert.equal(amountValid(saved), 'Amount: Stripe charges MGA in steps of 1 MGA (100 in minor units)', 'open, Stripe picked: marked');
    const other = { ...saved };
    assert.equal(amountValid(other), true, 'another node reads its own saved properties');
    dialog.processor = 'adyen';
    assert.equal(amountValid(saved), true, 'Adyen picked: MGA is not in its table');
    dialog.processor = 'stripe';
    (def as NodeTypeDef & { oneditcancel: () => void }).oneditcancel.call(saved);
    assert.equal(amountValid(saved), true, 'closed again: the saved Square');
  });

  /** The trigger's dialog (its defaults, a Stripe account picked) and, to compare with, the node itself on a Stripe account. */
  function triggerDialogAndNode() {
    const { def, typedInputs } = editorDefinition('terminal-trigger', nodes['terminal-trigger']!);
    const node: Record<string, unknown> = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), account: 'account-picked' };
    const editorPasses = (n: Record<string, unknown>) => Object.entries(def.defaults).every(([k, p]) => validateProperty(n, k, p, typedInputs) === true);
    const red = fakeRed();
    registerStripeAccount(red.RED);
    registerTrigger(red.RED);
    red.create('stripe-terminal-account', { id: 'acct' }, { webhookSecrets: 'whsec_test' });
    return { def, node, editorPasses, red };
  }

  it('terminal trigger: Path is marked where the node refuses it (a ":", "*", "(", "?", a space or "%" within), an empty one not (/terminal-crm/<source>), spaces around not', () => {
    // The trigger node itself (terminal-trigger.ts): a path it refuses is its error, and it listens nowhere.
    const { def, node, editorPasses, red } = triggerDialogAndNode();
    let id = 0;
    const runs = (path: unknown) => {
      const trigger = red.create('terminal-trigger', { id: `trigger-${id++}`, account: 'acct', path });
      const refused = trigger.errors.some((e) => /^Path: /.test(String(e)));
      trigger.close();
      return !refused;
    };
    const paths: unknown[] = ['', ' ', '/terminal-crm/stripe', 'terminal-crm/stripe', ' /hooks/stripe ', '/hooks/stripe/', '/', '/a.b_c~d-e/f', '/hooks/:id', '/hooks/*', '/hooks/(a)', '/hooks?', '/hooks+',
      '/hooks stripe', '/hooks/%20', '/hooks/ä', '/hooks#x', 'https://shop.example/hooks', null, undefined];
    for (const path of paths) {
      const passes = editorPasses({ ...node, path });
      assert.equal(passes, runs(path), `${JSON.stringify(path)}: the editor ${passes ? 'passes' : 'marks'} it`);
    }
    for (const path of ['', ' ', ' /hooks/stripe ']) assert.equal(editorPasses({ ...node, path }), true, `${JSON.stringify(path)} passes`);
    for (const path of ['/hooks/:id', '/hooks stripe', '/hooks/*']) assert.equal(editorPasses({ ...node, path }), false, `${JSON.stringify(path)} is marked`);
    const blank = red.create('terminal-trigger', { id: 'blank', source: 'stripe', account: 'acct', path: '' });
    assert.equal(countRoutes(red.RED.httpNode, '/terminal-crm/stripe'), 1, 'an empty Path listens on /terminal-crm/<source>');
    blank.close();
    const pattern = red.create('terminal-trigger', { id: 'pattern', account: 'acct', path: '/hooks/:id' });
    assert.equal(countRoutes(red.RED.httpNode, '/hooks/:id'), 0, 'a pattern is not listened on');
    assert.match(String(pattern.errors[0]), /^Path: "\/hooks\/:id" has characters a webhook path here cannot have/);
    assert.equal(labelOf(def, { ...node, path: '', source: 'square' }), `terminal-trigger.node.label ${JSON.stringify({ path: '/terminal-crm/square' })}`);
  });

  it('terminal trigger: Public URL is marked where the node refuses it (no scheme, another scheme, a space, a fragment), an empty one not (the URL it was called on), a query not (Square signs it)', () => {
    const { node, editorPasses, red } = triggerDialogAndNode();
    let id = 0;
    const runs = (publicUrl: unknown) => {
      const trigger = red.create('terminal-trigger', { id: `public-${id++}`, account: 'acct', path: `/public/${id}`, publicUrl });
      const refused = trigger.errors.some((e) => /^Public URL: /.test(String(e)));
      const listens = countRoutes(red.RED.httpNode, `/public/${id}`) === 1;
      trigger.close();
      assert.equal(listens, !refused, `${JSON.stringify(publicUrl)}: a refused Public URL listens nowhere, a taken one listens`);
      return !refused;
    };
    const urls: unknown[] = [...URL_VALUES, '', ' ', 'https://hooks.example.com/terminal-crm/square', ' https://hooks.example.com/x?shop=1 ', 'hooks.example.com/terminal-crm/square',
      'ftp://hooks.example.com/x', 'https://hooks.example.com/a b', 'https://hooks.example.com/x#frag', 'https://', 'http://127.0.0.1:1880/terminal-crm/square', null];
    for (const publicUrl of urls) {
      const passes = editorPasses({ ...node, publicUrl });
      assert.equal(passes, runs(publicUrl), `${JSON.stringify(publicUrl)}: the editor ${passes ? 'passes' : 'marks'} it`);
    }
    for (const publicUrl of ['hooks.example.com/terminal-crm/square', 'https://hooks.example.com/x#frag']) assert.equal(editorPasses({ ...node, publicUrl }), false, `${publicUrl} is marked`);
    for (const publicUrl of ['', 'https://hooks.example.com/x?shop=1']) assert.equal(editorPasses({ ...node, publicUrl }), true, `${JSON.stringify(publicUrl)} passes`);
  });

  it('terminal send message: Port is marked where smtpPort refuses it (config/port.ts through editor-core.js)', () => {
    const { def, typedInputs } = editorDefinition('terminal-send-message', nodes['terminal-send-message']!);
    const runs = (v: unknown) => {
      try {
        smtpPort(v, 'Port');
        return true;
      } catch {
        return false;
      }
    };
    const ports: unknown[] = ['587', ' 465 ', '25', '1', '65535', '0', '65536', '0587', '0x24b', '4.65e2', '+587', '587.0', '-25', '465s', '5 87', 587, 465, 2.5, 0, -1, 70000, true];
    for (const port of ports) {
      const passes = validateProperty({ port }, 'port', def.defaults.port!, typedInputs) === true;
      assert.equal(passes, runs(port), `Port ${JSON.stringify(port)}: the editor ${passes ? 'passes' : 'marks'} it`);
    }
  });

  it('terminal temporal server: Address is marked where temporalTargetOf refuses it (a scheme, a path, a space, two colons), empty Address, Namespace and Task queue not (the defaults)', () => {
    const { def, typedInputs } = editorDefinition('terminal-temporal-server', nodes['terminal-temporal-server']!);
    const node: Record<string, unknown> = Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value]));
    const editorPasses = (n: Record<string, unknown>) => Object.entries(def.defaults).every(([k, p]) => validateProperty(n, k, p, typedInputs) === true);
    const runs = (n: Record<string, unknown>) => {
      try {
        temporalTargetOf(n);
        return true;
      } catch {
        return false;
      }
    };
    const addresses: unknown[] = ['', ' ', '127.0.0.1:7233', ' 127.0.0.1:7233 ', 'localhost', 'temporal:7233', 'your-ns.a1b2c.tmprl.cloud:7233', '[::1]:7233', '[::1]', '[fe80::1]:7233',
      'http://127.0.0.1:7233', '127.0.0.1:7233/x', 'temporal :7233', '::1', '127.0.0.1:', '127.0.0.1:port', '127.0.0.1:123456', 'a:1:2',
      '127.0.0.1:99999', '127.0.0.1:0', 'temporal:65535', 'temporal:65536', 'temporal:07233', 'a?b:7233', null];
    for (const field of ['address', 'namespace', 'taskQueue']) {
      for (const v of [...addresses, 'default', 'terminal-crm']) {
        const n = { ...node, [field]: v };
        const passes = editorPasses(n);
        assert.equal(passes, runs(n), `${field} ${JSON.stringify(v)}: the editor ${passes ? 'passes' : 'marks'} it`);
      }
    }
    for (const address of ['', 'http://127.0.0.1:7233', 'temporal :7233', '127.0.0.1:99999']) assert.equal(editorPasses({ ...node, address }), address === '', JSON.stringify(address));
    for (const field of ['namespace', 'taskQueue']) assert.equal(editorPasses({ ...node, [field]: '' }), true, `${field} empty is its default`);
  });

  describe('source accounts: each dialog marks a field with a strict rule exactly where the source refuses it (the rule through editor-core.js)', () => {
    const red = fakeRed();
    registerAdyenTerminalAccount(red.RED);
    registerCloverAccount(red.RED);
    let id = 0;
    // [type, field, what else the account needs so that only the field can be refused, its name in the run's error, values]
    const fields: [string, string, { node: Record<string, unknown>; credentials: Record<string, string> }, RegExp, unknown[]][] = [
      // sources/adyen-terminal.ts adyenKeyVersionOf. The Basic auth pair checks messages: the version alone is no key.
      ['adyen-terminal-account', 'keyVersion', { node: { basicUsername: 'u' }, credentials: { basicPassword: 'b' } }, /keyVersion|Key version/i,
        ['1', ' 12 ', '2147483647', '2147483648', '0', '01', '0x10', '1e1', '1.0', '+1', '-1', '1 0', 'v1', '', ' ', 3, true, false, null, undefined]],
      // config/flag.ts flagValueOf by ADYEN_LIVE_WORDS: the checkbox, or text an imported flow holds.
      ['adyen-terminal-account', 'live', { node: { basicUsername: 'u' }, credentials: { basicPassword: 'b' } }, /live|Live account/i,
        [true, false, 'true', ' Live ', 'yes', 'on', '1', 'false', 'TEST', 'no', 'off', '0', '', ' ', 'ture', 'flase', 'prod', '2', 1, 0, null, undefined]],
      // contracts/money.ts CURRENCY_PATTERN.
      ['clover-account', 'currency', { node: {}, credentials: { apiToken: 't' } }, /currency|Currency/,
        ['USD', 'eur', ' gbp ', '', ' ', 'US', 'USDX', 'U S', 'US1', '€', 'ÜSD', 840, true, false, null, undefined]],
    ];
    for (const [type, field, others, named, values] of fields) {
      it(`${type} ${field}`, () => {
        const { def, typedInputs } = editorDefinition(type, nodes[type]!);
        const node: Record<string, unknown> = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), ...others.node };
        for (const v of values) {
          const account = red.create(type, { id: `${type}-${id++}`, ...node, [field]: v }, others.credentials) as unknown as SourceAccountNode;
          let runs = true;
          try {
            parseSourceCredentials(account.source(), account.sourceCredentials(), account.credentialPlace());
          } catch (e) {
            assert.ok(e instanceof InputError && named.test(e.field), `refused for ${String(e)}, not the ${field}`);
            runs = false;
          }
          const passes = validateProperty({ ...node, [field]: v }, field, def.defaults[field]!, typedInputs) === true;
          assert.equal(passes, runs, `${type} ${field} ${JSON.stringify(v)}: the editor ${passes ? 'passes' : 'marks'} it`);
        }
      });
    }
  });

  describe('account URLs: each dialog marks a URL field exactly where the run refuses it (http/web-url.ts webUrlFault through editor-core.js)', () => {
    /** Whether the run refuses `field` (an InputError naming it), running `read`; any other refusal fails the test. */
    const refuses = (field: RegExp, read: () => unknown) => {
      try {
        read();
        return false;
      } catch (e) {
        assert.ok(e instanceof InputError && field.test(e.field), `refused for ${String(e)}, not the URL`);
        return true;
      }
    };
    const values: unknown[] = [...URL_VALUES, '', ' ', null];
    const red = fakeRed();
    for (const register of [registerSquareAccount, registerCloverAccount, registerSumUpAccount, registerAdyenCloudAccount, registerCrmAccount]) register(red.RED);
    let id = 0;
    const sourceAccounts: [string, string, Record<string, string>, string][] = [
      ['square-account', 'baseUrl', { signatureKey: 'k' }, 'Base URL'],
      ['square-account', 'notificationUrl', { signatureKey: 'k' }, 'Notification URL'],
      ['clover-account', 'baseUrl', { apiToken: 't' }, 'baseUrl|Base URL'],
      ['sumup-account', 'baseUrl', { accessToken: 't' }, 'baseUrl|Base URL'],
    ];
    for (const [type, field, credentials, label] of sourceAccounts) {
      it(`${type} ${field}`, () => {
        const { def, typedInputs } = editorDefinition(type, nodes[type]!);
        const node: Record<string, unknown> = Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value]));
        for (const v of values) {
          const account = red.create(type, { id: `${type}-${id++}`, ...node, [field]: v }, credentials) as unknown as SourceAccountNode;
          const runs = !refuses(new RegExp(`(${label})$`), () => parseSourceCredentials(account.source(), account.sourceCredentials(), account.credentialPlace()));
          const passes = validateProperty({ ...node, [field]: v }, field, def.defaults[field]!, typedInputs) === true;
          assert.equal(passes, runs, `${type} ${field} ${JSON.stringify(v)}: the editor ${passes ? 'passes' : 'marks'} it`);
        }
      });
    }
    it('adyen-cloud-account baseUrl (a flow imported with another value than the list\'s)', () => {
      const { def, typedInputs } = editorDefinition('adyen-cloud-account', nodes['adyen-cloud-account']!);
      const node: Record<string, unknown> = Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value]));
      for (const v of values) {
        const account = red.create('adyen-cloud-account', { id: `adyen-${id++}`, ...node, baseUrl: v }, { apiKey: 'k' }) as unknown as PushAccountNode;
        const runs = !refuses(/^baseUrl$/, () => parsePushSettings('adyen', account.pushSettings()));
        const passes = validateProperty({ ...node, baseUrl: v }, 'baseUrl', def.defaults.baseUrl!, typedInputs) === true;
        assert.equal(passes, runs, `baseUrl ${JSON.stringify(v)}: the editor ${passes ? 'passes' : 'marks'} it`);
      }
    });
    const PEM = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----';
    const KEY = 'a'.repeat(40);
    const crms: [string, Record<string, string>, Record<string, string>][] = [
      ['hubspot', {}, { accessToken: 'pat-1' }],
      ['salesforce', { authFlow: 'jwt_bearer', username: 'u@example.com' }, { clientId: 'c', privateKey: PEM }],
      ['dynamics', { orgUrl: 'https://contoso.crm.dynamics.com', tenantId: 't' }, { clientId: 'c', clientSecret: 's' }],
      ['pipedrive', { customerIdField: KEY, paymentKeyField: KEY }, { apiToken: 't' }],
      ['zoho', { dataCenter: 'eu' }, { clientId: 'c', clientSecret: 's', refreshToken: 'r' }],
    ];
    for (const [crm, plain, credentials] of crms) {
      it(`crm-account for ${crm}: Base URL, Login URL, Environment URL, Authority URL and Accounts URL, each only where ${crm} reads it`, () => {
        const { def, typedInputs } = editorDefinition('crm-account', nodes['crm-account']!);
        const node: Record<string, unknown> = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), crm, ...plain };
        for (const field of ['baseUrl', 'loginUrl', 'orgUrl', 'authorityUrl', 'accountsUrl']) {
          for (const v of values) {
            const account = red.create('crm-account', { id: `crm-${id++}`, ...node, [field]: v }, credentials) as unknown as CrmAccountNode;
            const runs = !refuses(new RegExp(`^${field}$`), () => crmAdapterFromRecord(account.crmName(), account.crmRecord()));
            const passes = validateProperty({ ...node, [field]: v }, field, def.defaults[field]!, typedInputs) === true;
            assert.equal(passes, runs, `${crm} ${field} ${JSON.stringify(v)}: the editor ${passes ? 'passes' : 'marks'} it`);
          }
          // An environment variable, which Node-RED fills in at deploy: only the run sees the URL it holds.
          assert.equal(validateProperty({ ...node, [field]: '${CRM_URL}' }, field, def.defaults[field]!, typedInputs), true, `${crm} ${field} \${CRM_URL}`);
        }
      });

      it(`crm-account for ${crm}: Time zone is marked where the run refuses it (Zoho's abbreviations, unknown zones), only where ${crm} reads it`, () => {
        const { def, typedInputs } = editorDefinition('crm-account', nodes['crm-account']!);
        const node: Record<string, unknown> = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), crm, ...plain };
        for (const v of ['', '  ', ' America/Los_Angeles ', 'UTC', 'Etc/GMT+5', 'Asia/Calcutta', 'PST', 'IST', 'EST5EDT', 'Mars/Olympus', 'utc']) {
          const account = red.create('crm-account', { id: `crm-${id++}`, ...node, timeZone: v }, credentials) as unknown as CrmAccountNode;
          const runs = !refuses(/^timeZone$/, () => crmAdapterFromRecord(account.crmName(), account.crmRecord()));
          const passes = validateProperty({ ...node, timeZone: v }, 'timeZone', def.defaults.timeZone!, typedInputs) === true;
          assert.equal(passes, runs, `${crm} timeZone ${JSON.stringify(v)}: the editor ${passes ? 'passes' : 'marks'} it`);
        }
      });
    }
  });

  describe('terminal loyalty enroll: the editor marks the numbers the node refuses', () => {
    const { def, typedInputs } = editorDefinition('terminal-loyalty-enroll', nodes['terminal-loyalty-enroll']!);
    const base: Record<string, unknown> = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), store: 'store-picked', crmAccount: 'account-picked' };
    const check = (field: string, v: unknown, on: Record<string, unknown> = base) => validateProperty({ ...on, [field]: v }, field, def.defaults[field]!, typedInputs);
    /** Every property valid, as Node-RED marks a node. */
    const editorPasses = (n: Record<string, unknown>) => Object.entries(def.defaults).every(([k, p]) => validateProperty(n, k, p, typedInputs) === true);
    /** What the node does with it: the readings terminal-loyalty-enroll.ts makes (Review program waits for no CRM). */
    const nodeTakes = (n: Record<string, unknown>) => {
      try {
        loyaltyProgramOfNode(n as NodeDef);
        crmWaitOfNode(n as NodeDef, n.mode !== 'review');
        return true;
      } catch {
        return false;
      }
    };
    const threshold = { ...base, enrollWhen: 'threshold', enrollVisits: '5' };
    const saas = { ...base, crm: 'hubspot' };

    it('Wait for CRM: 0 to the most a step waits (MAX_FLUSH_SECONDS), when a SaaS CRM is picked', () => {
      for (const v of ['', 0, '0', '10', '0.5', String(MAX_FLUSH_SECONDS)]) assert.equal(check('waitForCrm', v, saas), true, `waitForCrm ${v}`);
      for (const v of ['-1', String(MAX_FLUSH_SECONDS + 1), 'x']) assert.notEqual(check('waitForCrm', v, saas), true, `waitForCrm ${v}`);
      assert.equal(check('waitForCrm', String(MAX_FLUSH_SECONDS + 1)), true, 'the local store waits for no CRM');
      assert.equal(check('waitForCrm', String(MAX_FLUSH_SECONDS + 1), { ...saas, mode: 'review' }), true, 'Review program waits for no CRM (and hides the field)');
    });

    it('thresholds, points, expiry and tier window: amounts of 0 or more, whole numbers of visits and days', () => {
      for (const [field, ok, bad] of [
        ['enrollLifetimeSpend', ['', 0, '0', '500', '19.99'], ['-1', 'x']],
        ['enrollVisits', ['', '0', '5'], ['2.5', '-1', 'x']],
        ['enrollPeriodSpend', ['', '0', '100'], ['-1', 'x']],
        ['enrollPeriodDays', ['30', '1'], ['', '0', '2.5', '-1', 'x']],
        ['pointsPerUnit', ['', '0', '1', '0.5'], ['-1', 'x']],
        ['pointsExpiryDays', ['', '0', '365'], ['2.5', '-1', 'x']],
        ['tierWindowDays', ['', '0', '365'], ['2.5', '-1', 'x', '1e16']],
      ] as const) {
        // The days of a spend within a period are read once that spend is set (and needed then).
        const on = field === 'enrollPeriodDays' ? { ...threshold, enrollPeriodSpend: '100' } : threshold;
        for (const v of ok) assert.equal(check(field, v, on), true, `${field} ${v}`);
        for (const v of bad) assert.notEqual(check(field, v, on), true, `${field} ${v}`);
        // Read only where they count: a program given as JSON reads no field, enrolling at the first payment no threshold.
        for (const v of bad) assert.equal(check(field, v, { ...on, define: 'json' }), true, `json ${field} ${v}`);
        if (field.startsWith('enroll')) for (const v of bad) assert.equal(check(field, v, { ...on, enrollWhen: 'firstPayment' }), true, `first payment ${field} ${v}`);
      }
      for (const v of ['', '0', '2.5']) assert.equal(check('enrollPeriodDays', v, threshold), true, `no spend within a period, its days unread (${v})`);
      assert.notEqual(check('enrollWhen', 'threshold', { ...threshold, enrollVisits: 0 }), true, 'a threshold to enroll at, but none set');
    });

    it('tiers: a name, a minimum spend of 0 or more, each different, and a multiplier above 0', () => {
      const tier = (name: string, minSpend: unknown, multiplier: unknown = 1) => ({ name, minSpend, multiplier });
      for (const ok of [[], [tier('Gold', 2000, 1.5), tier('Silver', 500)], [tier('Silver', 0, '')], [tier('Silver', '500', '2')]]) assert.equal(check('tiers', ok), true, JSON.stringify(ok));
      for (const bad of [[tier('Gold', -5)], [tier('Gold', 500, 0)], [tier('Gold', Number.NaN)], [tier('Gold', 500, Number.NaN)], [tier('Silver', 500), tier('Gold', 500)], [tier('', 500)]]) {
        assert.notEqual(check('tiers', bad), true, JSON.stringify(bad));
        assert.equal(check('tiers', bad, { ...base, define: 'json' }), true, `json ${JSON.stringify(bad)}`);
      }
    });

    it('spends past MAX_MINOR_UNITS minor units at the currency\'s exponent are marked where the run refuses them by name (Lifetime Spend, Spend within a period, a tier\'s Minimum Spend)', () => {
      // The currencies the program refuses whatever the amount (the fund codes UYI, CLF and UYW: no payment is in
      // them) are compared too: the dialog marks their Currency, whatever the amount.
      const refused = AMOUNT_CURRENCIES.filter((currency) => !nodeTakes({ ...threshold, currency, enrollLifetimeSpend: '500' }));
      assert.deepEqual(refused, ['UYI', 'CLF', 'UYW']);
      let marked = 0;
      for (const currency of AMOUNT_CURRENCIES) {
        for (const v of bigAmounts(currency)) {
          for (const n of [
            { ...threshold, currency, enrollLifetimeSpend: v },
            { ...threshold, currency, enrollPeriodSpend: v },
            { ...base, currency, tiers: [{ name: 'Gold', minSpend: v, multiplier: 2 }] },
          ]) {
            const passes = editorPasses(n);
            assert.equal(passes, nodeTakes(n), `${currency} ${JSON.stringify(v)} on ${JSON.stringify({ ...n, programJson: undefined })}: the editor ${passes ? 'passes' : 'marks'} it`);
            if (!passes) marked++;
          }
        }
        if (refused.includes(currency)) {
          assert.notEqual(check('currency', currency, threshold), true, `${currency}: marked as the program refuses it`);
          continue;
        }
        assert.equal(check('enrollLifetimeSpend', most(currency), { ...threshold, currency }), true, `${currency}: the most a spend can be`);
        assert.notEqual(check('enrollLifetimeSpend', most(currency, 1), { ...threshold, currency }), true, `${currency}: a minor unit more`);
        assert.equal(check('enrollLifetimeSpend', most(currency, 1), { ...threshold, currency, define: 'json' }), true, `${currency}: a program as JSON reads no field`);
      }
      assert.ok(marked > AMOUNT_CURRENCIES.length);
      assert.throws(() => loyaltyProgramOfNode({ ...threshold, currency: 'JPY', enrollLifetimeSpend: '1e16' } as unknown as NodeDef), /lifetime spend.*: "1e16" is more than the 9007199254740991 JPY an amount can be\. Fix: /);
    });

    it('Currency: marked where the program refuses it, every three-letter code and what is none (fund codes UYI, CLF, UYW; XXX; "US"; empty)', () => {
      const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
      const codes: unknown[] = [];
      for (const a of letters) for (const b of letters) for (const c of letters) codes.push(a + b + c);
      const others = ['usd', ' jpy ', 'Eur', ' uyi ', 'clf', '', ' ', null, undefined, 840, 'US', 'USDX', 'U$D', 'US D', '\tGBP\n', 'ßp', 'ßd', 'Ⅻ'];
      let marked = 0;
      for (const v of [...codes, ...others]) {
        const passes = check('currency', v) === true;
        assert.equal(passes, nodeTakes({ ...base, currency: v }), `currency ${JSON.stringify(v)}: the editor ${passes ? 'passes' : 'marks'} it`);
        assert.equal(editorPasses({ ...threshold, currency: v }), nodeTakes({ ...threshold, currency: v }), `at a threshold, currency ${JSON.stringify(v)}`);
        if (!passes) marked++;
        // A program given as JSON reads no Currency field.
        assert.equal(check('currency', v, { ...base, define: 'json' }), true, `json currency ${JSON.stringify(v)}`);
      }
      for (const v of ['UYI', 'CLF', 'UYW', 'XXX', 'XTS', 'UDS', 'US', '']) assert.notEqual(check('currency', v), true, `${v} marked`);
      for (const v of ['USD', ' jpy ', 'KWD', 'MGA', 'ßp']) assert.equal(check('currency', v), true, `${v} passes`);
      assert.ok(marked > codes.length / 2, `${marked} marked`);
      assert.throws(() => loyaltyProgramOfNode({ ...base, currency: 'UYI' } as unknown as NodeDef), /currency/i);
    });

    it('Program ID: marked where the run refuses it (empty is the default; upper case, spaces within, 65 characters, a leading "-" or "_" are not ids)', () => {
      const longest = 'a'.repeat(64);
      const values: unknown[] = ['', ' ', 'default', ' default ', '\tvip\n', 'vip-club', 'vip_club', '0', '9lives', 'a', longest, `${longest}a`, ` ${longest} `, `a${'-'.repeat(63)}`,
        'Default', 'VIP', 'vip club', 'vip.club', 'vip/club', '-vip', '_vip', '-', 'café', 'vıp', 'ǆ', 'vip\n-club', null, undefined, 5, 0, true, {}];
      let marked = 0;
      for (const v of values) {
        const passes = check('programId', v) === true;
        assert.equal(passes, nodeTakes({ ...base, programId: v }), `programId ${JSON.stringify(v)}: the editor ${passes ? 'passes' : 'marks'} it`);
        assert.equal(editorPasses({ ...threshold, programId: v }), nodeTakes({ ...threshold, programId: v }), `at a threshold, programId ${JSON.stringify(v)}`);
        if (!passes) marked++;
        // A program given as JSON reads no Program ID field (its "id" is the JSON's own).
        assert.equal(check('programId', v, { ...base, define: 'json' }), true, `json programId ${JSON.stringify(v)}`);
      }
      for (const v of ['', 'default', def.defaults.programId!.value, 'vip-club', ' vip ', longest]) assert.equal(check('programId', v), true, `${JSON.stringify(v)} passes`);
      for (const v of ['VIP', 'vip club', `${longest}a`, '-vip', '_vip']) assert.notEqual(check('programId', v), true, `${JSON.stringify(v)} marked`);
      assert.ok(marked >= 10, `${marked} marked`);
      assert.throws(() => loyaltyProgramOfNode({ ...base, programId: 'VIP' } as unknown as NodeDef), /Program ID: "VIP" has characters a program ID cannot have/);
    });

    it('tiers: Minimum Spends that are one amount in minor units at the currency\'s exponent are marked as one tier, as the run compares them (10.001 and 10.004 USD, 1.2 and 1.4 JPY)', () => {
      const amounts: unknown[] = ['', 0, '0', '0.001', '0.004', '0.005', '0.01', '1', '1.2', '1.4', '1.5', '1.0001', '1.0004', '1.0005', '10', '10.00', '10.001', '10.004', '10.005', '10.006', '10.01', 10.001, '500', ' 500 '];
      let marked = 0;
      let compared = 0;
      for (const currency of ['USD', 'JPY', 'KWD', 'MGA', ' jpy ']) {
        for (const a of amounts) {
          for (const b of amounts) {
            const n = { ...base, currency, tiers: [{ name: 'Silver', minSpend: a, multiplier: 1 }, { name: 'Gold', minSpend: b, multiplier: 2 }] };
            const passes = editorPasses(n);
            assert.equal(passes, nodeTakes(n), `${currency} tiers at ${JSON.stringify(a)} and ${JSON.stringify(b)}: the editor ${passes ? 'passes' : 'marks'} them`);
            if (!passes) marked++;
            compared++;
          }
        }
      }
      const tiers = (a: unknown, b: unknown) => [{ name: 'Silver', minSpend: a, multiplier: 1 }, { name: 'Gold', minSpend: b, multiplier: 2 }];
      assert.notEqual(check('tiers', tiers('10.001', '10.004')), true, '10.001 and 10.004 USD: both 1000 cents');
      assert.equal(check('tiers', tiers('10.004', '10.006')), true, '10.004 and 10.006 USD: 1000 and 1001 cents');
      assert.notEqual(check('tiers', tiers('1.2', '1.4'), { ...base, currency: 'JPY' }), true, '1.2 and 1.4 JPY: both 1 yen');
      assert.equal(check('tiers', tiers('1.2', '1.4')), true, '1.2 and 1.4 USD: 120 and 140 cents');
      assert.notEqual(check('tiers', tiers('', '0.004')), true, 'empty and 0.004 USD: both 0');
      assert.ok(marked > amounts.length * 5 && marked < compared, `${marked} of ${compared} marked`);
    });

    it('what the editor passes, the node takes, and what it marks, the node refuses (loyaltyProgramFromSettings, flushDeadlineMs)', () => {
      const values = ['', 0, '0', '1', 1, '2.5', '-1', 'x', ' 7 ', '30', '60', '61', '0.5', 'Infinity', null, 100, String(MAX_FLUSH_SECONDS + 1), '1e16', '90071992547409.92'];
      const counts = ['1e16', '9007199254740991'];
      const currencies = ['USD', 'usd', ' jpy ', 'KWD', 'UYI', 'CLF', 'UYW', 'XXX', 'US', 'USDX'];
      const fields = ['waitForCrm', 'currency', 'enrollLifetimeSpend', 'enrollVisits', 'enrollPeriodSpend', 'enrollPeriodDays', 'pointsPerUnit', 'pointsExpiryDays', 'tierWindowDays'];
      const nodes = [base, saas, threshold, { ...threshold, crm: 'hubspot' }, { ...threshold, enrollVisits: 0, enrollPeriodSpend: '100' }, { ...threshold, enrollVisits: '', enrollLifetimeSpend: '' }, { ...saas, define: 'json' }, { ...saas, mode: 'review' }];
      let compared = 0;
      for (const on of nodes) {
        for (const field of fields) {
          for (const v of [...values, ...(/Days|Visits/.test(field) ? counts : []), ...(field === 'currency' ? currencies : [])]) {
            const n = { ...on, [field]: v };
            assert.equal(editorPasses(n), nodeTakes(n), `${field} ${JSON.stringify(v)} on ${JSON.stringify({ ...n, programJson: undefined, tiers: undefined })}`);
            compared++;
          }
        }
      }
      for (const tiers of [[{ name: 'Gold', minSpend: -5, multiplier: 1 }], [{ name: 'Gold', minSpend: 5, multiplier: 0 }], [{ name: 'A', minSpend: 5, multiplier: 1 }, { name: 'B', minSpend: 5, multiplier: 2 }], [{ name: 'A', minSpend: '', multiplier: '' }], [{ name: 'A', minSpend: 10.001, multiplier: 1 }, { name: 'B', minSpend: '10.004', multiplier: 2 }]]) {
        assert.equal(editorPasses({ ...base, tiers }), nodeTakes({ ...base, tiers }), JSON.stringify(tiers));
      }
      assert.ok(compared > 500);
    });
  });

  describe('terminal segment: the editor marks the numbers the node refuses', () => {
    const { def, typedInputs } = editorDefinition('terminal-segment', nodes['terminal-segment']!);
    const base: Record<string, unknown> = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, p]) => [k, p.value])), store: 'store-picked', crmAccount: 'account-picked' };
    const check = (field: string, v: unknown, on: Record<string, unknown> = base) => validateProperty({ ...on, [field]: v }, field, def.defaults[field]!, typedInputs);
    const editorPasses = (n: Record<string, unknown>) => Object.entries(def.defaults).every(([k, p]) => validateProperty(n, k, p, typedInputs) === true);
    /** What the node does with it: the readings terminal-segment.ts makes (Recompute all waits for no CRM). */
    const nodeTakes = (n: Record<string, unknown>) => {
      try {
        segmentConfigOfNode(n as NodeDef);
        crmWaitOfNode(n as NodeDef, n.mode !== 'recompute');
        return true;
      } catch {
        return false;
      }
    };
    const saas = { ...base, crm: 'hubspot' };
    const recompute = { ...saas, mode: 'recompute' };

    it('Wait for CRM: 0 to MAX_FLUSH_SECONDS, with a SaaS CRM and on payment only', () => {
      for (const v of ['', 0, '0', '10', '0.5', String(MAX_FLUSH_SECONDS)]) assert.equal(check('waitForCrm', v, saas), true, `waitForCrm ${v}`);
      for (const v of ['-1', String(MAX_FLUSH_SECONDS + 1), 'x']) {
        assert.notEqual(check('waitForCrm', v, saas), true, `waitForCrm ${v}`);
        assert.equal(check('waitForCrm', v), true, `the local store waits for no CRM (${v})`);
        assert.equal(check('waitForCrm', v, recompute), true, `Recompute all waits for no CRM (${v})`);
      }
    });

    it('High-Value Payment an amount of 0 or more in a currency code; High-Value Top Percent above 0 and up to 100; a known time zone', () => {
      const { above, max } = HIGH_VALUE_TOP_PERCENT;
      for (const [field, ok, bad, on] of [
        ['highValuePayment', ['', 0, '0', '500', '19.99', ' 7 '], ['-1', '-0.01', 'x', 'Infinity'], base],
        ['currency', ['USD', 'eur', ' JPY '], ['', 'US', 'dollars', 'US1'], { ...base, highValuePayment: '500' }],
        ['highValueTopPercent', ['', '5', '0.01', String(max), 100], [String(above), '-5', '100.01', 'x', 'Infinity'], base],
        ['timeZone', ['', 'UTC', 'Europe/Berlin', ' America/New_York '], ['Mars/Olympus', 'CEST?'], base],
      ] as const) {
        for (const v of ok) assert.equal(check(field, v, on), true, `${field} ${v}`);
        for (const v of bad) assert.notEqual(check(field, v, on), true, `${field} ${v}`);
      }
      // Recompute all reads no payment and no currency; without a High-Value Payment no currency is read either.
      for (const v of ['-1', 'x']) assert.equal(check('highValuePayment', v, recompute), true, `recompute highValuePayment ${v}`);
      for (const v of ['', 'dollars']) {
        assert.equal(check('currency', v, { ...recompute, highValuePayment: '500' }), true, `recompute currency ${v}`);
        assert.equal(check('currency', v, { ...base, highValuePayment: '' }), true, `no payment set, currency ${v}`);
      }
      // The percentage is read in both modes, and marked in both.
      assert.notEqual(check('highValueTopPercent', '0', recompute), true);
    });

    it('High-Value Payment: marked past MAX_MINOR_UNITS minor units at its currency\'s exponent, where the run refuses it by name', () => {
      let marked = 0;
      for (const currency of AMOUNT_CURRENCIES) {
        const on = { ...base, currency };
        for (const v of bigAmounts(currency)) {
          const n = { ...on, highValuePayment: v };
          const passes = check('highValuePayment', v, on) === true;
          assert.equal(passes, nodeTakes(n), `${currency} ${JSON.stringify(v)}: the editor ${passes ? 'passes' : 'marks'} it`);
          if (!passes) marked++;
        }
        assert.equal(check('highValuePayment', most(currency), on), true, `${currency}: the most it can be`);
        assert.notEqual(check('highValuePayment', most(currency, 1), on), true, `${currency}: a minor unit more`);
        assert.equal(check('highValuePayment', most(currency, 1), { ...on, mode: 'recompute' }), true, `${currency}: Recompute all reads no payment`);
      }
      assert.ok(marked > AMOUNT_CURRENCIES.length);
      assert.throws(() => segmentConfigOfNode({ ...base, currency: 'USD', highValuePayment: '1e16' } as unknown as NodeDef), /High-value payment: "1e16" is more than the 90071992547409\.91 USD .*Fix: type an amount in USD up to/);
    });

    it('what the editor passes, the node takes, and what it marks, the node refuses (segmentConfigFromSettings, flushDeadlineMs)', () => {
      const values = ['', ' ', 0, '0', '1', 1, '2.5', '-1', '-0.01', 'x', ' 7 ', '5', '60', '61', '0.5', '0.01', '100', '100.01', 'Infinity', '1e3', null, 100, 'USD', 'usd', 'UTC', 'Europe/Berlin', 'Mars/Olympus',
        '1e16', '90071992547409.92', '9007199254740991', '9007199254740992'];
      const fields = ['waitForCrm', 'currency', 'highValuePayment', 'highValueTopPercent', 'timeZone'];
      const variants = [base, saas, recompute, { ...base, mode: 'recompute' }, { ...saas, highValuePayment: '' }, { ...saas, currency: '' }, { ...saas, highValuePayment: '500', currency: 'jpy' }, { ...recompute, currency: 'x' }];
      let compared = 0;
      for (const on of variants) {
        for (const field of fields) {
          for (const v of values) {
            const n = { ...on, [field]: v };
            assert.equal(editorPasses(n), nodeTakes(n), `${field} ${JSON.stringify(v)} on ${JSON.stringify({ ...n, segmentRules: undefined, crmFields: undefined })}`);
            compared++;
          }
        }
      }
      assert.ok(compared > 500);
    });
  });
});
