import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IDataObject, INodeProperties, INodeType, IRun } from 'n8n-workflow';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { fixturePath } from '../core/sources/generic-support';
import { useNock } from '../core/terminal-push/nock-harness';
import { PACKAGE } from './support/package-node-types';
import { pollHarness } from './support/poll-contexts';
import { runPackNode, registeredNodeTypes } from './support/run-pack-node';
import { triggerHarness } from './support/trigger-contexts';

interface Case {
  /** The node type's name in the package ("terminalRedrive"). */
  node: string;
  /** Parameters that make the node reach the one under test. */
  base?: IDataObject;
  /** The parameter under test, dotted inside a collection ("options.linkThreshold"). */
  param: string;
  value: unknown;
  /** How the editor shows the parameter; the message must name it so. */
  label: string;
}

function withParam(base: IDataObject, path: string, value: unknown): IDataObject {
  const out = structuredClone(base);
  const keys = path.split('.');
  let at: IDataObject = out;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as IDataObject;
  at[keys.at(-1)!] = value as IDataObject[string];
  return out;
}

const CASES: Case[] = [];
const add = (node: string, param: string, label: string, values: unknown[], base: IDataObject = {}) => {
  for (const value of values) CASES.push({ node, base, param, value, label });
};

// Terminal Redrive
add('terminalRedrive', 'olderThan', 'Older Than', ['soon', '={{ {} }}', '={{ -5 }}', '-5m']);
add('terminalRedrive', 'limit', 'Limit', ['abc', '={{ -1 }}', '={{ "x" }}']);
add('terminalRedrive', 'crm', 'Also Queue for CRM', ['bogus', '={{ 3 }}']);
// Match Customer
add('matchCustomer', 'options.linkThreshold', 'Link Threshold', ['abc', 2, -1, '={{ {} }}']);
add('matchCustomer', 'options.reviewThreshold', 'Review Threshold', ['abc', 1.5]);
add('matchCustomer', 'options.autoMerge', 'Auto-Merge', ['maybe']);
add('matchCustomer', 'options.fieldByField', 'Use Field-by-Field Matching', ['maybe']);
// Segment Customer
const seg = { operation: 'onPayment', currency: 'USD' };
add('segment', 'operation', 'Operation', ['bogus'], seg);
add('segment', 'crm', 'CRM', ['bogus'], seg);
add('segment', 'authentication', 'Authentication', ['bogus'], { ...seg, crm: 'hubspot' });
add('segment', 'waitForCrmSeconds', 'Wait for CRM (Seconds)', ['abc', -1, 1000], { ...seg, crm: 'hubspot' });
add('segment', 'currency', 'Currency', ['dollars', '', '={{ 5 }}'], { ...seg, highValuePayment: 500 });
add('segment', 'highValuePayment', 'High-Value Payment', ['abc', -5, '={{ {} }}'], seg);
add('segment', 'highValueTopPercent', 'High-Value Top Percent', ['abc', 0, 200], seg);
add('segment', 'crmFields.fields', 'CRM Fields', [[{ value: 'bogus', crmField: 'x' }], [{ value: '={{ 5 }}', crmField: 'x' }], [{ value: 'segment', crmField: '={{ {} }}' }]], seg);
add('segment', 'segmentRules', 'Segment Rules', ['{not json', '[{"nme": "x"}]', '{"rules": [{"name": 5}]}', '"text"'], seg);
add('segment', 'options.advanced', 'Advanced Settings', ['{not json', '[1]', '{"flags": {"anomaly": {"threshold": "x"}}}', '{"bogus": 1}'], seg);
add('segment', 'options.timeZone', 'Time Zone', ['Mars/Base', '={{ 5 }}'], seg);
// Loyalty Enroll
const loy = { operation: 'onPayment', define: 'fields' };
const thr = { ...loy, enrollWhen: 'threshold', enrollVisits: 3 };
add('loyaltyEnroll', 'operation', 'Operation', ['bogus'], loy);
add('loyaltyEnroll', 'define', 'Define Program', ['bogus'], loy);
add('loyaltyEnroll', 'crm', 'CRM', ['bogus'], loy);
add('loyaltyEnroll', 'authentication', 'Authentication', ['bogus'], { ...loy, crm: 'hubspot' });
add('loyaltyEnroll', 'waitForCrmSeconds', 'Wait for CRM (Seconds)', ['abc', -1], { ...loy, crm: 'hubspot' });
add('loyaltyEnroll', 'programId', 'Program ID', ['Has Spaces', '={{ {} }}'], loy);
add('loyaltyEnroll', 'currency', 'Currency', ['dollars', ''], loy);
add('loyaltyEnroll', 'enrollWhen', 'Enroll Customers', ['bogus'], loy);
add('loyaltyEnroll', 'enrollLifetimeSpend', 'Enroll After Lifetime Spend', ['abc', -1], thr);
add('loyaltyEnroll', 'enrollVisits', 'Enroll After Visits', ['abc', -1, 2.5], thr);
add('loyaltyEnroll', 'enrollPeriodSpend', 'Enroll After Spend Within Period', ['abc', -1], thr);
add('loyaltyEnroll', 'enrollPeriodDays', 'Period (Days)', ['abc', 0, -3], { ...thr, enrollPeriodSpend: 100 });
add('loyaltyEnroll', 'enrollRule', 'Thresholds Needed', ['bogus'], thr);
add('loyaltyEnroll', 'pointsPerUnit', 'Points per Currency Unit', ['abc', -1], loy);
add('loyaltyEnroll', 'pointsExpiryDays', 'Points Expire After (Days)', ['abc', -1, 1.5], loy);
add('loyaltyEnroll', 'tiers.tier', 'Tiers', [[{ name: '', minSpend: 1, multiplier: 1 }], [{ name: '={{ {} }}', minSpend: 1, multiplier: 1 }], [{ name: 'Gold', minSpend: 'abc', multiplier: 1 }], [{ name: 'Gold', minSpend: 1, multiplier: -1 }], [{ name: 'Gold', minSpend: 1, multiplier: 'x' }]], loy);
add('loyaltyEnroll', 'tierWindowDays', 'Tier Window (Days)', ['abc', -1], loy);
add('loyaltyEnroll', 'tierField', 'Tier Field in CRM', ['={{ {} }}', '={{ ["a"] }}'], loy);
add('loyaltyEnroll', 'pointsField', 'Points Field in CRM', ['={{ {} }}'], loy);
add('loyaltyEnroll', 'memberSinceField', 'Member Since Field in CRM', ['={{ {} }}'], loy);
add('loyaltyEnroll', 'programJson', 'Program (JSON)', ['{not json', '{"tiers": [{"name": 5}]}', '{"bogus": 1}', '[1]'], { ...loy, define: 'json' });
// CRM Upsert
add('crmUpsert', 'crm', 'CRM', ['bogus', '={{ 4 }}']);
add('crmUpsert', 'authentication', 'Authentication', ['bogus'], { crm: 'hubspot' });
add('crmUpsert', 'waitSeconds', 'Wait for CRM (Seconds)', ['abc', -1, 1000], { crm: 'hubspot' });
// CRM Sync
add('crmSync', 'crm', 'CRM', ['bogus', 'local']);
add('crmSync', 'authentication', 'Authentication', ['bogus'], { crm: 'hubspot' });
add('crmSync', 'maxBatches', 'Max Batches', ['abc', -1, 1.5], { crm: 'hubspot' });
add('crmSync', 'deadlineSeconds', 'Deadline (Seconds)', ['abc', -1, 100000], { crm: 'hubspot' });
// Resolve Review
const rr = { decision: 'link', candidateId: 'cus_a', recordedId: 'cus_b' };
add('resolveReview', 'decision', 'Decision', ['bogus', '={{ 1 }}'], rr);
add('resolveReview', 'candidateId', 'Candidate Customer ID', ['', '={{ {} }}', 'cus_nobody'], rr);
add('resolveReview', 'recordedId', 'Recorded Customer ID', ['', '={{ 5 }}'], rr);
add('resolveReview', 'reason', 'Reason', ['={{ {} }}'], rr);
add('matchCustomer', 'options.reviewThreshold', 'Review Threshold', [0.95], { options: { linkThreshold: 0.9 } });
// Terminal Message
const msg = { operation: 'compose', kind: 'thank-you' };
add('terminalMessage', 'operation', 'Operation', ['bogus'], msg);
add('terminalMessage', 'kind', 'Message', ['bogus'], msg);
add('terminalMessage', 'kind', 'Message', ['bogus'], { ...msg, operation: 'flush' });
add('terminalMessage', 'shopName', 'Shop Name', ['={{ {} }}'], msg);
add('terminalMessage', 'to', 'Alert Recipient', ['not-an-email', '={{ {} }}'], { ...msg, kind: 'high-value-alert' });
add('terminalMessage', 'locale', 'Locale', ['xx_bogus!!', '={{ 5 }}'], msg);
add('terminalMessage', 'locationNames', 'Location Names', ['no equals sign', '{not json', '={{ [1] }}'], msg);
add('terminalMessage', 'quietStart', 'Quiet Hours From', ['25:00', 'soon'], { ...msg, quietEnd: '08:00' });
add('terminalMessage', 'quietEnd', 'Quiet Hours Until', ['8am'], { ...msg, quietStart: '21:00' });
add('terminalMessage', 'timeZone', 'Time Zone', ['Mars/Base', '={{ {} }}'], { ...msg, quietStart: '21:00', quietEnd: '08:00' });
add('terminalMessage', 'recentPayments', 'Recent Payments Listed', ['abc', -1, 1000], { ...msg, kind: 'high-value-alert' });
const dec = { ...msg, kind: 'failed-payments' };
add('terminalMessage', 'declinesPer', 'Count Declines Per', ['bogus'], dec);
add('terminalMessage', 'windowMinutes', 'Window (Minutes)', ['abc', 0, 100000], dec);
add('terminalMessage', 'minDeclines', 'Minimum Declines', ['abc', 0, 1.5], dec);
add('terminalMessage', 'minRate', 'Minimum Decline Rate', ['abc', 2, -1], dec);
// Send to Terminal
const push = { processor: 'stripe', readerId: 'tmr_1', amount: '12.50', amountUnit: 'major', currency: 'USD', customerId: 'cus_1', reference: 'deal-1', options: { failOnProblem: true } };
add('sendToTerminal', 'processor', 'Processor', ['bogus'], push);
add('sendToTerminal', 'readerId', 'Reader ID', ['', '={{ {} }}', '={{ "" }}'], push);
add('sendToTerminal', 'readerId', 'Device ID', ['={{ {} }}'], { ...push, processor: 'square' });
add('sendToTerminal', 'readerId', 'Terminal ID (POIID)', ['={{ [] }}'], { ...push, processor: 'adyen' });
add('sendToTerminal', 'amount', 'Amount', ['', '12,50', '={{ -3 }}', '={{ {} }}', '12.505'], push);
add('sendToTerminal', 'amountUnit', 'Amount Is In', ['bogus'], push);
add('sendToTerminal', 'amount', 'Amount', ['12.50'], { ...push, amountUnit: 'minor' });
add('sendToTerminal', 'currency', 'Currency', ['dollars', ''], push);
add('sendToTerminal', 'customerId', 'Customer ID', ['', '={{ {} }}', '={{ " " }}'], push);
add('sendToTerminal', 'crmRecordId', 'CRM Record ID', ['={{ {} }}', 'x'.repeat(600)], push);
add('sendToTerminal', 'reference', 'Reference', ['', 'x'.repeat(600)], push);
add('sendToTerminal', 'description', 'Description', ['={{ {} }}', 'x'.repeat(2000)], push);
add('sendToTerminal', 'options.processorCustomerId', 'Processor Customer ID', ['={{ {} }}'], push);
// Terminal Backfill
const bf = { operation: 'start', source: 'stripe', since: '2026-01-01' };
add('terminalBackfill', 'operation', 'Operation', ['bogus'], bf);
add('terminalBackfill', 'source', 'Source', ['bogus', ''], bf);
add('terminalBackfill', 'since', 'Since', ['', 'yesterday', '={{ {} }}'], bf);
add('terminalBackfill', 'until', 'Until', ['soon', '2025-01-01'], bf);
add('terminalBackfill', 'crm', 'CRM', ['bogus', '={{ 5 }}'], bf);
add('terminalBackfill', 'pageSize', 'Page Size', ['abc', -1, 2.5], bf);
add('terminalBackfill', 'offlineGraceHours', 'Offline Grace (Hours)', ['abc', -1, 2.5, 1000], bf);

// The triggers, through n8n-core's WebhookContext (a delivery) and PollContext (a poll).
add('terminalTrigger', 'source', 'Source', ['bogus']);
const generic = { source: 'generic' };
// A JSON string or null is no configuration, not a file on the n8n server or its TERMINAL_CRM_GENERIC_CONFIG.
add('terminalTrigger', 'genericConfig', 'Gateway Configuration (JSON)', ['{not json', '', '[1]', JSON.stringify(fixturePath('dodo-config.json')), 'null', '{"name": "Bad Name", "scheme": "standard-webhooks", "mapping": {}}', '{"name": "gw", "scheme": "rot13", "mapping": {}}'], generic);
add('terminalTrigger', 'options.publicUrl', 'Public URL', ['not a url', '={{ {} }}'], { source: 'stripe' });
add('terminalPollTrigger', 'source', 'Source', ['bogus', 'adyen']);
add('terminalPollTrigger', 'options.cursorName', 'Cursor Name', ['={{ {} }}'], { source: 'stripe' });
add('terminalPollTrigger', 'options.lookBackHours', 'First Poll Looks Back (Hours)', ['abc', -1, 100000], { source: 'stripe' });
add('terminalPollTrigger', 'options.maxPages', 'Max Pages per Poll', ['abc', 0, 1.5], { source: 'stripe' });
add('terminalPollTrigger', 'options.pageSize', 'Page Size', ['abc', 0, 2.5], { source: 'stripe' });

/**
 * Parameters no bad value is fed to, and why. Every other parameter of every node must have a case above: a new
 * parameter fails the coverage test until it has one.
 */
const NOT_FED: Readonly<Record<string, string>> = {
  'sendToTerminal options.failOnProblem': 'a switch: only true fails the item, anything else leaves the outcome on the output',
  'terminalBackfill restart': 'a switch: only true restarts, anything else joins the running backfill',
  'terminalTrigger events': "n8n offers only Stripe's event types (no expressions); an event type not selected is acknowledged and dropped",
};

const STORE = (storeUrl: string) => ({ storeUrl, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' });
const CREDENTIALS = (storeUrl: string) => ({
  terminalCrmStore: STORE(storeUrl),
  stripeTerminalApi: { secretKey: 'sk_test_parameters', signingSecret: 'whsec_parameters' },
  terminalSquareApi: { accessToken: 'EAAA-test', baseUrl: 'https://connect.squareupsandbox.com' },
  terminalAdyenCloudApi: { apiKey: 'AQE-test', baseUrl: 'https://terminal-api-test.adyen.com', saleId: 'pos' },
  terminalTemporalApi: { address: '127.0.0.1:1', namespace: 'default', taskQueue: 'terminal-crm' },
  terminalHubSpotApi: { accessToken: 'pat-test' },
});

/** What the operator reads: the execution's error, else the first item's error or Send to Terminal's push message. */
function messageOf(run: IRun, name: string): string {
  const error = run.data.resultData.error;
  if (error) return error.message;
  const first = run.data.resultData.runData[name]?.at(-1)?.data?.main?.[0]?.[0]?.json;
  if (typeof first?.error === 'string') return first.error;
  return `(no error) ${JSON.stringify(first ?? null).slice(0, 300)}`;
}

/** Each parameter an operator sets, by path ("options.linkThreshold", "tiers.tier"), with how the editor labels it. */
function parametersOf(props: readonly INodeProperties[], prefix = ''): string[] {
  return props.flatMap((p): string[] => {
    if (p.type === 'notice' || p.type === 'hidden') return [];
    if (p.type === 'collection') return parametersOf(p.options as INodeProperties[], `${prefix}${p.name}.`);
    if (p.type === 'fixedCollection') return (p.options as Array<{ name: string }>).map((o) => `${prefix}${p.name}.${o.name}`);
    return [`${prefix}${p.name}`];
  });
}

/** The type of the parameter at `path`, through collections. */
function typeOf(props: readonly INodeProperties[], path: string): string | undefined {
  const [head, ...rest] = path.split('.');
  const p = props.find((x) => x.name === head);
  return p?.type === 'collection' && rest.length ? typeOf(p.options as INodeProperties[], rest.join('.')) : p?.type;
}

/** The schema's own words, which say nothing to an operator outside a JSON box (where they describe the JSON). */
const SCHEMA_WORDS = /Invalid input|Invalid option|Too (small|big)|expected \w+ to be|received NaN/;
/** Crashes and the core's own names for settings, which an n8n operator never sees. */
const NEVER = /Cannot read properties|is not a function|ZodError|\[object Object\]|segmentConfig|loyaltyProgram|TERMINAL_CRM_|declines\.|quietHours\.|\n\s+at /;

describe('n8n: every parameter an operator gets wrong is refused by the name the editor shows', { timeout: 60_000 }, () => {
  let store: Awaited<ReturnType<typeof tempStore>>;
  let types: Record<string, INodeType>;
  const nock = useNock();
  before(async () => {
    store = await tempStore();
    types = registeredNodeTypes();
  });
  after(async () => {
    await store.remove();
  });

  async function outcome(c: Case): Promise<string> {
    const parameters = withParam(c.base ?? {}, c.param, c.value);
    try {
      if (c.node === 'terminalTrigger') {
        const delivery = await triggerHarness(parameters, CREDENTIALS(store.url).stripeTerminalApi, STORE('sqlite::memory:')).deliver('{}', {});
        return `(no error) ${JSON.stringify(delivery.response.body)}`;
      }
      if (c.node === 'terminalPollTrigger') {
        await pollHarness(parameters, CREDENTIALS(store.url)).poll('manual');
        return '(no error)';
      }
      const name = types[`${PACKAGE}.${c.node}`]!.description.displayName;
      return messageOf(await runPackNode(types, c.node, parameters as never, [{ json: {} }], CREDENTIALS(store.url)), name);
    } catch (e) {
      // The triggers' errors reach n8n as thrown; n8n's own check of a required parameter is thrown before a run.
      return (e as Error).message;
    }
  }

  it('names the parameter as the editor shows it, with the fix, never its internal name, the schema\'s words or a crash', async () => {
    nock().disableNetConnect();
    const wrong: string[] = [];
    for (const c of CASES) {
      const message = await outcome(c);
      const internal = c.param.split('.').filter((k) => /[A-Z]/.test(k) || k !== k.toLowerCase());
      const json = typeOf(types[`${PACKAGE}.${c.node}`]!.description.properties, c.param) === 'json';
      const problems = [
        !message.includes(c.label) && `does not name "${c.label}"`,
        !/\. Fix: |^The sale was not sent: |node has issues:[\s\S]*Parameter "[^"]+" is required/.test(message) && 'says no fix',
        new RegExp(`^(The sale was not sent: )?(${c.param.split('.').at(-1)})\\b`).test(message) && c.param.split('.').at(-1) !== c.label && 'starts with the internal name',
        // A path into the item ("map it to match.candidateId") is what the operator maps, not the parameter's name.
        internal.some((k) => new RegExp(`(?<![.\\w])${k}\\b`).test(message)) && 'names it by its internal name',
        NEVER.test(message) && 'is a crash or names a core setting',
        !json && SCHEMA_WORDS.test(message) && "is in the schema's words",
      ].filter(Boolean);
      if (problems.length) wrong.push(`${c.node} ${c.param} = ${JSON.stringify(c.value)}: ${problems.join(', ')}\n    ${message}`);
    }
    assert.deepEqual(wrong, [], `${wrong.length} of ${CASES.length} cases:\n${wrong.join('\n')}`);
  });

  it('has a case for every parameter of every registered node, or says why not', () => {
    const covered = new Set([...CASES.map((c) => `${c.node} ${c.param}`), ...Object.keys(NOT_FED)]);
    const missing = Object.values(types).flatMap((t) => parametersOf(t.description.properties).map((p) => `${t.description.name} ${p}`)).filter((p) => !covered.has(p));
    assert.deepEqual([...new Set(missing)], []);
  });
});
