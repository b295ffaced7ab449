import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NodeRedApi } from '../../nodes/node-red/shared/red-api';
import { tempStore } from '../support/temp-store';
import { FORMS, runCase, type SettingCase } from './support/setting-cases';
import adyenAccount from '../../nodes/node-red/adyen-account';
import adyenCloudAccount from '../../nodes/node-red/adyen-cloud-account';
import adyenTerminalAccount from '../../nodes/node-red/adyen-terminal-account';
import cloverAccount from '../../nodes/node-red/clover-account';
import crmAccount from '../../nodes/node-red/crm-account';
import signedWebhookAccount from '../../nodes/node-red/signed-webhook-account';
import squareAccount from '../../nodes/node-red/square-account';
import stripeTerminalAccount from '../../nodes/node-red/stripe-terminal-account';
import sumupAccount from '../../nodes/node-red/sumup-account';
import terminalBackfill from '../../nodes/node-red/terminal-backfill';
import terminalCrmStore from '../../nodes/node-red/terminal-crm-store';
import terminalCrmSync from '../../nodes/node-red/terminal-crm-sync';
import terminalCrmUpsert from '../../nodes/node-red/terminal-crm-upsert';
import terminalLoyaltyEnroll from '../../nodes/node-red/terminal-loyalty-enroll';
import terminalMatchCustomer from '../../nodes/node-red/terminal-match-customer';
import terminalMessage from '../../nodes/node-red/terminal-message';
import terminalPoll from '../../nodes/node-red/terminal-poll';
import terminalRedrive from '../../nodes/node-red/terminal-redrive';
import terminalResolveReview from '../../nodes/node-red/terminal-resolve-review';
import terminalSegment from '../../nodes/node-red/terminal-segment';
import terminalSendMessage from '../../nodes/node-red/terminal-send-message';
import terminalSendToTerminal from '../../nodes/node-red/terminal-send-to-terminal';
import terminalTemporalServer from '../../nodes/node-red/terminal-temporal-server';
import terminalToTemporal from '../../nodes/node-red/terminal-to-temporal';
import terminalTokenize from '../../nodes/node-red/terminal-tokenize';
import terminalTrigger from '../../nodes/node-red/terminal-trigger';
import zettleAccount from '../../nodes/node-red/zettle-account';

const REGISTER = [
  adyenAccount, adyenCloudAccount, adyenTerminalAccount, cloverAccount, crmAccount, signedWebhookAccount, squareAccount, stripeTerminalAccount,
  sumupAccount, terminalBackfill, terminalCrmStore, terminalCrmSync, terminalCrmUpsert, terminalLoyaltyEnroll, terminalMatchCustomer, terminalMessage,
  terminalPoll, terminalRedrive, terminalResolveReview, terminalSegment, terminalSendMessage, terminalSendToTerminal, terminalTemporalServer,
  terminalToTemporal, terminalTokenize, terminalTrigger, zettleAccount,
];
const registerAll = (RED: NodeRedApi) => REGISTER.forEach((r) => r(RED));

const HUBSPOT = { crm: 'hubspot' };
const THRESHOLD = { enrollWhen: 'threshold', enrollLifetimeSpend: 100 };
const ALERT = { kind: 'failed-payments', to: 'owner@example.com' };
const SALESFORCE = { with: { crm: 'salesforce', authFlow: 'client_credentials', baseUrl: 'https://acme.my.salesforce.com' }, creds: { clientId: 'sf-id', clientSecret: 'sf-secret' } };
const DYNAMICS = { with: { crm: 'dynamics', orgUrl: 'https://contoso.crm.dynamics.com', tenantId: 'tenant' }, creds: { clientId: 'dy-id', clientSecret: 'dy-secret' } };
const ZOHO = { with: { crm: 'zoho' }, creds: { clientId: 'zo-id', clientSecret: 'zo-secret', refreshToken: 'zo-refresh' } };

/**
 * For every setting of every pack node a value a flow imported from a file or edited by hand may hold: wrong type,
 * negative, text for a number, malformed JSON, a value none of a select's options has, empty where one is needed.
 */
const CASES: SettingCase[] = [
  { node: 'terminal-crm-store', setting: 'storeUrl', value: 'mysql://db/crm' },
  { node: 'terminal-crm-store', setting: 'storeUrl', value: 42 },
  { node: 'terminal-crm-store', setting: 'defaultRegion', value: 'Atlantis' },
  { node: 'terminal-crm-store', setting: 'tokenKeys', value: 'not-a-key' },
  { node: 'stripe-terminal-account', setting: 'webhookSecrets', value: '' },
  { node: 'square-account', setting: 'notificationUrl', value: 'hooks.example.com/square' },
  { node: 'square-account', setting: 'baseUrl', value: 'connect.squareup.com' },
  { node: 'square-account', setting: 'signatureKey', value: '' },
  { node: 'adyen-account', setting: 'hmacKey', value: '' },
  { node: 'adyen-terminal-account', setting: 'keyVersion', value: 'one' },
  { node: 'adyen-terminal-account', setting: 'keyVersion', value: '0x10' },
  { node: 'adyen-terminal-account', setting: 'live', value: 'ture' },
  { node: 'adyen-terminal-account', setting: 'passphrase', value: '' },
  { node: 'zettle-account', setting: 'apiKey', value: '', via: 'terminal-poll' },
  { node: 'clover-account', setting: 'merchantId', value: '', via: 'terminal-poll' },
  { node: 'clover-account', setting: 'currency', value: 'dollars' },
  { node: 'clover-account', setting: 'baseUrl', value: 'api.clover.com' },
  { node: 'sumup-account', setting: 'baseUrl', value: 'api.sumup.com' },
  { node: 'signed-webhook-account', setting: 'config', value: '{"signature": ' },
  { node: 'signed-webhook-account', setting: 'config', value: '{"signature": 5}' },
  { node: 'signed-webhook-account', setting: 'secret', value: '' },
  { node: 'terminal-trigger', setting: 'source', value: 'paypal' },
  { node: 'terminal-trigger', setting: 'path', value: '/hooks/:id' },
  { node: 'terminal-trigger', setting: 'publicUrl', value: 'shop.example/hooks' },
  { node: 'terminal-trigger', setting: 'account', value: '' },
  { node: 'terminal-trigger', setting: 'squareAccount', value: '', with: { source: 'square' } },
  { node: 'terminal-trigger', setting: 'store', value: 'no-such-node' },
  { node: 'terminal-tokenize', setting: 'store', value: '' },
  { node: 'terminal-match-customer', setting: 'store', value: '' },
  { node: 'terminal-match-customer', setting: 'linkThreshold', value: 'high' },
  { node: 'terminal-match-customer', setting: 'linkThreshold', value: 1.5 },
  { node: 'terminal-match-customer', setting: 'reviewThreshold', value: -1 },
  { node: 'terminal-match-customer', setting: 'reviewThreshold', value: 0.95 },
  { node: 'terminal-match-customer', setting: 'autoMerge', value: 'yes' },
  { node: 'terminal-match-customer', setting: 'fieldByField', value: 'no' },
  { node: 'terminal-crm-upsert', setting: 'store', value: '' },
  { node: 'terminal-crm-upsert', setting: 'crm', value: 'sugarcrm' },
  { node: 'terminal-crm-upsert', setting: 'account', value: '', with: HUBSPOT },
  { node: 'terminal-crm-upsert', setting: 'waitSeconds', value: 'ten', with: HUBSPOT },
  { node: 'terminal-crm-upsert', setting: 'waitSeconds', value: -5, with: HUBSPOT },
  { node: 'terminal-segment', setting: 'store', value: '' },
  { node: 'terminal-segment', setting: 'mode', value: 'weekly' },
  { node: 'terminal-segment', setting: 'crm', value: 'sugarcrm' },
  { node: 'terminal-segment', setting: 'crmAccount', value: '', with: HUBSPOT },
  { node: 'terminal-segment', setting: 'waitForCrm', value: 'soon', with: HUBSPOT },
  { node: 'terminal-segment', setting: 'currency', value: 'dollars', with: { highValuePayment: 100 } },
  { node: 'terminal-segment', setting: 'highValuePayment', value: 'lots' },
  { node: 'terminal-segment', setting: 'highValueTopPercent', value: 150 },
  { node: 'terminal-segment', setting: 'timeZone', value: 'Mars/Olympus' },
  { node: 'terminal-segment', setting: 'segmentRules', value: '{"rules": [' },
  { node: 'terminal-segment', setting: 'segmentRules', value: '{"rules": 5}' },
  { node: 'terminal-segment', setting: 'crmFields', value: '{"segment": ' },
  { node: 'terminal-segment', setting: 'crmFields', value: '{"segment": 5}' },
  { node: 'terminal-segment', setting: 'advanced', value: '{"anomaly": ' },
  { node: 'terminal-segment', setting: 'advanced', value: '{"anomaly": "often"}' },
  { node: 'terminal-loyalty-enroll', setting: 'store', value: '' },
  { node: 'terminal-loyalty-enroll', setting: 'mode', value: 'weekly' },
  { node: 'terminal-loyalty-enroll', setting: 'crm', value: 'sugarcrm' },
  { node: 'terminal-loyalty-enroll', setting: 'crmAccount', value: '', with: HUBSPOT },
  { node: 'terminal-loyalty-enroll', setting: 'waitForCrm', value: -1, with: HUBSPOT },
  { node: 'terminal-loyalty-enroll', setting: 'define', value: 'yaml' },
  { node: 'terminal-loyalty-enroll', setting: 'programId', value: 'VIP Club!' },
  { node: 'terminal-loyalty-enroll', setting: 'currency', value: 'dollars' },
  { node: 'terminal-loyalty-enroll', setting: 'enrollWhen', value: 'sometimes' },
  { node: 'terminal-loyalty-enroll', setting: 'enrollLifetimeSpend', value: -5, with: { enrollWhen: 'threshold' } },
  { node: 'terminal-loyalty-enroll', setting: 'enrollVisits', value: 'many', with: { enrollWhen: 'threshold' } },
  { node: 'terminal-loyalty-enroll', setting: 'enrollPeriodSpend', value: 'lots', with: { enrollWhen: 'threshold' } },
  { node: 'terminal-loyalty-enroll', setting: 'enrollPeriodDays', value: -1, with: { enrollWhen: 'threshold', enrollPeriodSpend: 50 } },
  { node: 'terminal-loyalty-enroll', setting: 'enrollRule', value: 'some', with: THRESHOLD },
  { node: 'terminal-loyalty-enroll', setting: 'pointsPerUnit', value: 'x' },
  { node: 'terminal-loyalty-enroll', setting: 'pointsExpiryDays', value: -3 },
  { node: 'terminal-loyalty-enroll', setting: 'tiers', value: 'gold' },
  { node: 'terminal-loyalty-enroll', setting: 'tiers', value: [{ name: 'Gold', minSpend: 'lots', multiplier: 1 }] },
  { node: 'terminal-loyalty-enroll', setting: 'tierWindowDays', value: 'year' },
  // A number is the field's name as text (n8n's expressions give one as readily); a list or an object is no name.
  { node: 'terminal-loyalty-enroll', setting: 'tierField', value: ['loyalty_tier'] },
  { node: 'terminal-loyalty-enroll', setting: 'pointsField', value: {} },
  { node: 'terminal-loyalty-enroll', setting: 'memberSinceField', value: { name: 'since' } },
  { node: 'terminal-loyalty-enroll', setting: 'programJson', value: '{"id": ', with: { define: 'json' } },
  { node: 'terminal-loyalty-enroll', setting: 'programJson', value: '{"id": 5}', with: { define: 'json' } },
  { node: 'adyen-cloud-account', setting: 'baseUrl', value: 'terminal-api.adyen.com' },
  { node: 'adyen-cloud-account', setting: 'apiKey', value: '' },
  { node: 'terminal-send-to-terminal', setting: 'processor', value: 'paypal' },
  { node: 'terminal-send-to-terminal', setting: 'stripeAccount', value: '' },
  { node: 'terminal-send-to-terminal', setting: 'readerId', value: '' },
  { node: 'terminal-send-to-terminal', setting: 'amount', value: 'ten' },
  { node: 'terminal-send-to-terminal', setting: 'amount', value: -5 },
  { node: 'terminal-send-to-terminal', setting: 'amountUnit', value: 'cents' },
  { node: 'terminal-send-to-terminal', setting: 'currency', value: 'dollars' },
  { node: 'terminal-poll', setting: 'source', value: 'paypal' },
  { node: 'terminal-poll', setting: 'squareAccount', value: '' },
  { node: 'terminal-poll', setting: 'store', value: '' },
  { node: 'terminal-poll', setting: 'interval', value: 'often' },
  { node: 'terminal-poll', setting: 'lookBackHours', value: -1 },
  { node: 'terminal-poll', setting: 'pageSize', value: 0 },
  { node: 'terminal-poll', setting: 'maxPages', value: 'x' },
  { node: 'crm-account', setting: 'crm', value: 'sugarcrm' },
  { node: 'crm-account', setting: 'baseUrl', value: 'api.hubapi.com' },
  { node: 'crm-account', setting: 'accessToken', value: '' },
  { node: 'crm-account', setting: 'authFlow', value: 'magic', ...SALESFORCE },
  { node: 'crm-account', setting: 'loginUrl', value: 'login.salesforce.com', ...SALESFORCE },
  { node: 'crm-account', setting: 'apiVersion', value: 'latest', ...SALESFORCE },
  { node: 'crm-account', setting: 'orgUrl', value: 'contoso', ...DYNAMICS },
  { node: 'crm-account', setting: 'tenantId', value: '', ...DYNAMICS },
  { node: 'crm-account', setting: 'authorityUrl', value: 'login.microsoftonline.com', ...DYNAMICS },
  { node: 'crm-account', setting: 'customerIdField', value: 'not a key!', with: { crm: 'pipedrive' }, creds: { apiToken: 'pd-token' } },
  { node: 'crm-account', setting: 'dataCenter', value: 'mars', ...ZOHO },
  { node: 'crm-account', setting: 'accountsUrl', value: 'accounts.zoho.com', ...ZOHO },
  { node: 'crm-account', setting: 'timeZone', value: 'Mars/Olympus', ...ZOHO },
  { node: 'crm-account', setting: 'settings', value: '{"retry": ' },
  { node: 'terminal-crm-sync', setting: 'account', value: '' },
  { node: 'terminal-crm-sync', setting: 'store', value: '' },
  { node: 'terminal-crm-sync', setting: 'maxBatches', value: -1 },
  { node: 'terminal-crm-sync', setting: 'deadline', value: 'soon' },
  { node: 'terminal-message', setting: 'store', value: '' },
  { node: 'terminal-message', setting: 'mode', value: 'weekly' },
  { node: 'terminal-message', setting: 'kind', value: 'postcard' },
  { node: 'terminal-message', setting: 'shopName', value: {} },
  { node: 'terminal-message', setting: 'to', value: 'not-an-address', with: ALERT },
  { node: 'terminal-message', setting: 'locale', value: 'xx_!!' },
  { node: 'terminal-message', setting: 'locationNames', value: '{"till": ' },
  { node: 'terminal-message', setting: 'quietStart', value: '25:00' },
  { node: 'terminal-message', setting: 'quietEnd', value: '7pm', with: { quietStart: '22:00' } },
  { node: 'terminal-message', setting: 'timeZone', value: 'Mars/Olympus', with: { quietStart: '22:00', quietEnd: '07:00' } },
  { node: 'terminal-message', setting: 'recentPayments', value: -1 },
  { node: 'terminal-message', setting: 'declinesPer', value: 'planet', with: ALERT },
  { node: 'terminal-message', setting: 'windowMinutes', value: 0, with: ALERT },
  { node: 'terminal-message', setting: 'minDeclines', value: 'x', with: ALERT },
  { node: 'terminal-message', setting: 'minRate', value: 2, with: ALERT },
  { node: 'terminal-send-message', setting: 'host', value: '' },
  { node: 'terminal-send-message', setting: 'port', value: 'smtp' },
  { node: 'terminal-send-message', setting: 'secure', value: 'yes' },
  { node: 'terminal-send-message', setting: 'from', value: '' },
  { node: 'terminal-send-message', setting: 'from', value: 'not an address' },
  { node: 'terminal-send-message', setting: 'to', value: 'not an address' },
  { node: 'terminal-redrive', setting: 'store', value: '' },
  { node: 'terminal-redrive', setting: 'interval', value: 'often' },
  { node: 'terminal-redrive', setting: 'olderThan', value: 'soon' },
  { node: 'terminal-redrive', setting: 'limit', value: -5 },
  { node: 'terminal-redrive', setting: 'crm', value: 'hubspt' },
  { node: 'terminal-resolve-review', setting: 'store', value: '' },
  { node: 'terminal-resolve-review', setting: 'decision', value: 'maybe' },
  { node: 'terminal-resolve-review', setting: 'reason', value: 42 },
  { node: 'terminal-temporal-server', setting: 'address', value: 'temporal:port' },
  { node: 'terminal-temporal-server', setting: 'tls', value: 'yes' },
  { node: 'terminal-temporal-server', setting: 'clientCertificate', value: 'not a pem' },
  { node: 'terminal-to-temporal', setting: 'server', value: '' },
  { node: 'terminal-backfill', setting: 'server', value: '' },
  { node: 'terminal-backfill', setting: 'operation', value: 'stop' },
  { node: 'terminal-backfill', setting: 'source', value: 'paypal' },
  { node: 'terminal-backfill', setting: 'since', value: 'soon' },
  { node: 'terminal-backfill', setting: 'until', value: 'later' },
  { node: 'terminal-backfill', setting: 'crm', value: 'hubspt' },
  { node: 'terminal-backfill', setting: 'limit', value: -1 },
  { node: 'terminal-backfill', setting: 'restart', value: 'yes' },
];

/** Texts no operator should be shown: a crash, a zod dump, a stack, a raw JSON parser message. */
const NOT_FOR_OPERATORS = /Cannot read propert|is not a function|is not iterable|undefined is not|\n\s+at |"code":|"path":|\[object Object\]/;

/** The setting's own name where it would stand as a field: camelCase anywhere, a plain word as "word:", 'word' or def.word. */
function internalName(setting: string): RegExp {
  return /[A-Z]/.test(setting) ? new RegExp(`\\b${setting}\\b`) : new RegExp(`(^|[\\s"'\`(.])${setting}(:|"|'|\`)|\\bdef\\.${setting}\\b`);
}

describe('Node-RED: every setting an operator gets wrong is refused by its dialog label, with the fix', { timeout: 60_000 }, () => {
  let store: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    store = await tempStore();
  });
  after(async () => store.remove());

  it('covers every pack node type that has a setting of its own', () => {
    const withSettings = Object.values(FORMS).filter((f) => [...Object.keys(f.defaults), ...f.credentials].some((k) => k !== 'name' && k !== 'outputs'));
    assert.deepEqual(withSettings.map((f) => f.type).filter((t) => !CASES.some((c) => c.node === t)), []);
  });

  for (const c of CASES) {
    const label = FORMS[c.node]!.labels[c.setting];
    it(`${c.node} ${label ?? c.setting} = ${JSON.stringify(c.value)}`, async () => {
      assert.ok(label, `${c.node}.${c.setting} has a label in its dialog`);
      const said = await runCase(c, store.url, registerAll);
      const all = [...said.errors, ...said.outcomes, ...said.statuses];
      // A label is named whole or without the unit in brackets the form adds ("Deadline (s)" is Deadline).
      const short = label.replace(/(\s*\([^)]*\))+\s*$/, '');
      const named = said.errors.find((e) => e.includes(short));
      // A sale refused before it is sent leaves as msg.push, its message saying the fix in its own words.
      const outcome = said.outcomes.find((e) => e.includes(short));
      assert.ok(named ?? outcome, `says "${label}": ${JSON.stringify(said)}`);
      if (named) assert.match(named, /Fix: /, 'says the fix');
      // The label itself may hold the name as a word ("CRM account" holds account, "Alert to" to).
      const withoutLabel = [...all, ...said.outcomes].map((t) => t.split(label).join('').split(short).join(''));
      assert.deepEqual(withoutLabel.filter((t) => internalName(c.setting).test(t)), [], 'no internal name');
      assert.deepEqual(all.filter((t) => NOT_FOR_OPERATORS.test(t)), [], 'no crash, dump or stack');
    });
  }
});
