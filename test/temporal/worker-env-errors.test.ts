import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configuredSourcesFromEnv } from '../../nodes/core/sources/sources-from-env';
import { checkWorkerSettingsFromEnv } from '../../temporal/worker-settings';
import { fixturePath } from '../core/sources/generic-support';
import { variablesThePackReads } from '../support/env-inventory';
import { assertNamesVariable } from '../support/env-refusal';
import { NO_SANDBOX_CASE, SANDBOX_CASES, SANDBOX_SOURCE_CASES } from '../sandbox/run/sandbox-env-cases';

/**
 * Every variable the worker reads at start, given a wrong value, stops it before it connects: the error names that
 * variable and says what to write. What `terminal-crm worker` checks first is checkWorkerSettingsFromEnv, then (with
 * --webhook-port) the webhook entry's sources, both before Temporal is dialled.
 */
const KEYS = { TERMINAL_CRM_TOKEN_KEYS: `k1:${'5a'.repeat(32)}` };
const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const FIELD_KEY = 'f'.repeat(40);

/** The least each CRM starts with (its account), so one wrong variable is the only thing wrong. */
const ACCOUNTS: Record<string, NodeJS.ProcessEnv> = {
  hubspot: { HUBSPOT_ACCESS_TOKEN: 'pat-na1-abc' },
  salesforce: { SALESFORCE_CLIENT_ID: 'client', SALESFORCE_USERNAME: 'ops@example.com', SALESFORCE_PRIVATE_KEY: PEM },
  dynamics: { DYNAMICS_URL: 'https://org.crm.dynamics.com', DYNAMICS_TENANT_ID: '00000000-0000-0000-0000-000000000000', DYNAMICS_CLIENT_ID: 'client', DYNAMICS_CLIENT_SECRET: 'secret' },
  pipedrive: { PIPEDRIVE_API_TOKEN: 'token', PIPEDRIVE_CUSTOMER_ID_FIELD: FIELD_KEY, PIPEDRIVE_PAYMENT_KEY_FIELD: FIELD_KEY },
  zoho: { ZOHO_CLIENT_ID: 'client', ZOHO_CLIENT_SECRET: 'secret', ZOHO_REFRESH_TOKEN: 'refresh' },
};
const HUBSPOT_OAUTH = { HUBSPOT_CLIENT_ID: 'client', HUBSPOT_CLIENT_SECRET: 'secret', HUBSPOT_REFRESH_TOKEN: 'refresh' };
const PIPEDRIVE_OAUTH = { PIPEDRIVE_CUSTOMER_ID_FIELD: FIELD_KEY, PIPEDRIVE_PAYMENT_KEY_FIELD: FIELD_KEY, PIPEDRIVE_CLIENT_ID: 'client', PIPEDRIVE_CLIENT_SECRET: 'secret', PIPEDRIVE_REFRESH_TOKEN: 'refresh' };

interface Case {
  bad: readonly string[];
  /** What else must be set for the variable to be read at all (its CRM chosen, a source to poll). */
  with?: NodeJS.ProcessEnv;
}

/** A CRM's variable, read when payments are queued for that CRM (TERMINAL_CRM_CRM), with `account` as the rest of its account. */
function crm(name: string, bad: readonly string[], account: NodeJS.ProcessEnv = ACCOUNTS[name]!): Case {
  return { bad, with: { TERMINAL_CRM_CRM: name, ...account } };
}

const WORKER_CASES: Record<string, Case> = {
  TERMINAL_CRM_STORE_URL: { bad: ['mysql://db/crm', 'postgres://'] },
  TERMINAL_CRM_TOKEN_KEYS: { bad: ['abc', 'k1:abcd', ' '] },
  TERMINAL_CRM_DEFAULT_REGION: { bad: ['XX', 'usa'] },
  TERMINAL_CRM_SEGMENT_CONFIG: { bad: ['{bad', '{"nosuch":1}', '/nonexistent/segment.json'] },
  TERMINAL_CRM_LOYALTY_PROGRAM: { bad: ['{bad', '{"nosuch":1}', '/nonexistent/loyalty.json'] },
  TERMINAL_CRM_MATCH_LINK_THRESHOLD: { bad: ['abc', '-5', '2'] },
  TERMINAL_CRM_MATCH_REVIEW_THRESHOLD: { bad: ['abc', '-5', '2'] },
  TERMINAL_CRM_REVIEW_WAIT: { bad: ['soon', '-5', '90'] },
  TEMPORAL_ADDRESS: { bad: ['http://127.0.0.1:7233', 'localhost:99999', 'a b'] },
  TEMPORAL_TLS: { bad: ['maybe', '2'] },
  TEMPORAL_TLS_CERT: { bad: ['/nonexistent/client.pem'] },
  TEMPORAL_TLS_KEY: { bad: ['/nonexistent/client.key'] },
  TEMPORAL_TLS_CA: { bad: ['/nonexistent/ca.pem'] },
  TERMINAL_CRM_REDRIVE_AFTER: { bad: ['soon', '-5', '90'] },
  // A gateway named "stripe" would be served at /webhooks/stripe in Stripe's place.
  TERMINAL_CRM_GENERIC_CONFIG: { bad: ['{bad', '{"nosuch":1}', '/nonexistent/gateway.json', JSON.stringify({ ...JSON.parse(readFileSync(fixturePath('dodo-config.json'), 'utf8')), name: 'stripe' })] },
  TERMINAL_CRM_STEP_RESULTS_KEEP: { bad: ['soon', '-5', '90'] },
  TERMINAL_CRM_CRM: { bad: ['sugarcrm', 'hubspot,zoho'] },
  TERMINAL_CRM_SYNC_CRMS: { bad: ['nosuch', 'hubspot;zoho'] },
  TERMINAL_CRM_SYNC_SCHEDULE: { bad: ['hourly', '99 * * * *'], with: { TERMINAL_CRM_SYNC_CRMS: 'hubspot', ...ACCOUNTS.hubspot } },
  TERMINAL_CRM_POLL_SOURCES: { bad: ['nosuch'] },
  TERMINAL_CRM_POLL_SCHEDULE: { bad: ['hourly', '99 * * * *'], with: { TERMINAL_CRM_POLL_SOURCES: 'stripe', STRIPE_SECRET_KEY: 'sk_test_1' } },
  TERMINAL_CRM_PUBLIC_URL: { bad: ['pay.example.com', 'ftp://pay.example.com'] },
  TERMINAL_CRM_SEGMENT_SCHEDULE: { bad: ['nightly', '99 * * * *'] },
  // A misspelt choice must not quietly run the default workflow.
  TERMINAL_CRM_PAYMENT_WORKFLOW: { bad: ['sagaa', 'classic-v2', 'paymentSagas'] },

  // A source's variables, set, are checked by its own schema at start (every source is served, and may be
  // backfilled or reconciled through the worker), not at its first delivery; a secret left unset is not (the
  // source answers 500 naming it). A value one set needs beside it (a password, a client ID) and a key a polled
  // source polls with are asked for.
  SQUARE_BASE_URL: { bad: ['connect.squareup.com', 'ftp://connect.squareup.com'] },
  SQUARE_API_VERSION: { bad: ['latest', '2026-9-16'] },
  SQUARE_WEBHOOK_URL: { bad: ['example.com/webhooks/square', 'ftp://example.com'] },
  SQUARE_ACCESS_TOKEN: { bad: [' '], with: { TERMINAL_CRM_POLL_SOURCES: 'square', SQUARE_ACCESS_TOKEN: 'EAAAl-token' } },
  STRIPE_SECRET_KEY: { bad: [' '], with: { TERMINAL_CRM_POLL_SOURCES: 'stripe', STRIPE_SECRET_KEY: 'sk_test_1' } },
  ADYEN_HMAC_KEY: { bad: ['not-hex', 'ABC'] },
  ADYEN_WEBHOOK_USERNAME: { bad: [' '], with: { ADYEN_HMAC_KEY: 'AB12', ADYEN_WEBHOOK_USERNAME: 'adyen', ADYEN_WEBHOOK_PASSWORD: 'secret' } },
  ADYEN_WEBHOOK_PASSWORD: { bad: [' '], with: { ADYEN_HMAC_KEY: 'AB12', ADYEN_WEBHOOK_USERNAME: 'adyen', ADYEN_WEBHOOK_PASSWORD: 'secret' } },
  ADYEN_TERMINAL_KEY_ID: { bad: [' '], with: { ADYEN_TERMINAL_KEY_ID: 'ShopKey', ADYEN_TERMINAL_PASSPHRASE: 'secret', ADYEN_TERMINAL_KEY_VERSION: '1' } },
  ADYEN_TERMINAL_PASSPHRASE: { bad: [' '], with: { ADYEN_TERMINAL_KEY_ID: 'ShopKey', ADYEN_TERMINAL_PASSPHRASE: 'secret', ADYEN_TERMINAL_KEY_VERSION: '1' } },
  // Digits alone, from 1: Number() read 0x10 as 16 and 1e1 as 10, a version the terminal's messages never carry.
  ADYEN_TERMINAL_KEY_VERSION: { bad: ['one', '-1', '0x10', '1e1', '0', '1.0', '+1', '01'] },
  // A typo must not quietly mark a live account's payments test-mode.
  ADYEN_TERMINAL_LIVE: { bad: ['ture', 'flase', 'prod', 'y'] },
  ADYEN_TERMINAL_USERNAME: { bad: [' '], with: { ADYEN_TERMINAL_USERNAME: 'adyen', ADYEN_TERMINAL_PASSWORD: 'secret' } },
  ADYEN_TERMINAL_PASSWORD: { bad: [' '], with: { ADYEN_TERMINAL_USERNAME: 'adyen', ADYEN_TERMINAL_PASSWORD: 'secret' } },
  ZETTLE_CLIENT_ID: { bad: [' '], with: { ZETTLE_API_KEY: 'key', ZETTLE_CLIENT_ID: 'client' } },
  // Zettle polled needs what reads purchases (an API key with its client ID, or an access token), asked for at start.
  ZETTLE_API_KEY: { bad: [' '], with: { TERMINAL_CRM_POLL_SOURCES: 'zettle', ZETTLE_API_KEY: 'key', ZETTLE_CLIENT_ID: 'client' } },
  ZETTLE_PURCHASE_BASE_URL: { bad: ['purchase.izettle.com', 'ftp://purchase.izettle.com'] },
  ZETTLE_OAUTH_BASE_URL: { bad: ['oauth.zettle.com', 'ftp://oauth.zettle.com'] },
  CLOVER_API_TOKEN: { bad: ['mId:', ' '], with: { TERMINAL_CRM_POLL_SOURCES: 'clover', CLOVER_API_TOKEN: 'token', CLOVER_MERCHANT_ID: 'MID1' } },
  // Clover polled with a single token must know whose payments to read, asked for at start.
  CLOVER_MERCHANT_ID: { bad: [' '], with: { TERMINAL_CRM_POLL_SOURCES: 'clover', CLOVER_API_TOKEN: 'token', CLOVER_MERCHANT_ID: 'MID1' } },
  CLOVER_BASE_URL: { bad: ['api.clover.com', 'ftp://api.clover.com'] },
  CLOVER_CURRENCY: { bad: ['dollars', 'US'] },
  SUMUP_ACCESS_TOKEN: { bad: [' '], with: { TERMINAL_CRM_POLL_SOURCES: 'sumup', SUMUP_ACCESS_TOKEN: 'sup_sk_1' } },
  SUMUP_BASE_URL: { bad: ['api.sumup.com', 'ftp://api.sumup.com'] },
  TERMINAL_CRM_WEBHOOK_SECRET: { bad: ['whsec_!!!', 'plain text', 'whsec_c2V'], with: { TERMINAL_CRM_GENERIC_CONFIG: fixturePath('dodo-config.json') } },

  HUBSPOT_ACCESS_TOKEN: crm('hubspot', [' ']),
  HUBSPOT_CLIENT_ID: crm('hubspot', [' '], HUBSPOT_OAUTH),
  HUBSPOT_CLIENT_SECRET: crm('hubspot', [' '], HUBSPOT_OAUTH),
  HUBSPOT_REFRESH_TOKEN: crm('hubspot', [' '], HUBSPOT_OAUTH),
  HUBSPOT_TOKEN_URL: crm('hubspot', ['token.example.com', 'ftp://x'], HUBSPOT_OAUTH),
  HUBSPOT_BASE_URL: crm('hubspot', ['api.hubapi.com', 'ftp://x']),
  HUBSPOT_TIMEOUT_MS: crm('hubspot', ['abc', '-5', '1.5', '0x50', '1e3']),
  HUBSPOT_CONTACT_ID_PROPERTY: crm('hubspot', ['-5', 'has space']),
  HUBSPOT_CONTACT_FIELDS: crm('hubspot', ['{bad', '[1]']),
  HUBSPOT_PAYMENT_OBJECT: crm('hubspot', ['nosuch', '{bad']),
  HUBSPOT_PAYMENT_ID_PROPERTY: crm('hubspot', ['-5', 'has space']),
  HUBSPOT_PAYMENT_FIELDS: crm('hubspot', ['{bad', '[1]']),
  HUBSPOT_DEAL_STAGES: crm('hubspot', ['{bad', '[1]']),
  HUBSPOT_FIELD_MAP: crm('hubspot', ['{bad', '[1]']),
  HUBSPOT_REQUESTS_PER_10S: crm('hubspot', ['abc', '-5', '1.5', '0x50', '1e3']),
  HUBSPOT_ACCOUNT_TIME_ZONE: crm('hubspot', ['Mars/Base', 'abc']),
  SALESFORCE_LOGIN_URL: crm('salesforce', ['login.salesforce.com', 'ftp://x']),
  SALESFORCE_CLIENT_ID: crm('salesforce', [' ']),
  SALESFORCE_USERNAME: crm('salesforce', [' ']),
  SALESFORCE_PRIVATE_KEY: crm('salesforce', ['not a key', '/nonexistent/server.key']),
  SALESFORCE_BASE_URL: crm('salesforce', ['example.my.salesforce.com', 'ftp://x']),
  SALESFORCE_API_VERSION: crm('salesforce', ['sixty', '60']),
  DYNAMICS_URL: crm('dynamics', ['org.crm.dynamics.com', ' ']),
  DYNAMICS_TENANT_ID: crm('dynamics', [' ']),
  DYNAMICS_CLIENT_ID: crm('dynamics', [' ']),
  DYNAMICS_CLIENT_SECRET: crm('dynamics', [' ']),
  DYNAMICS_AUTHORITY_URL: crm('dynamics', ['login.microsoftonline.com', 'ftp://x']),
  PIPEDRIVE_API_TOKEN: crm('pipedrive', [' ']),
  PIPEDRIVE_BASE_URL: crm('pipedrive', ['api.pipedrive.com', 'ftp://x']),
  PIPEDRIVE_CUSTOMER_ID_FIELD: crm('pipedrive', ['abc', ' ']),
  PIPEDRIVE_PAYMENT_KEY_FIELD: crm('pipedrive', ['abc', ' ']),
  PIPEDRIVE_CLIENT_SECRET: crm('pipedrive', [' '], PIPEDRIVE_OAUTH),
  PIPEDRIVE_REFRESH_TOKEN: crm('pipedrive', [' '], PIPEDRIVE_OAUTH),
  PIPEDRIVE_FIELD_MAP: crm('pipedrive', ['{bad', '{"loyalty_tier":"abc"}']),
  PIPEDRIVE_REQUESTS_PER_2S: crm('pipedrive', ['abc', '-5', '1.5', 'ten']),
  ZOHO_CLIENT_ID: crm('zoho', [' ']),
  ZOHO_CLIENT_SECRET: crm('zoho', [' ']),
  ZOHO_REFRESH_TOKEN: crm('zoho', [' ']),
  ZOHO_DATA_CENTER: crm('zoho', ['mars', 'e u']),
  ZOHO_BASE_URL: crm('zoho', ['www.zohoapis.eu', 'ftp://x']),
  ZOHO_ACCOUNTS_URL: crm('zoho', ['accounts.zoho.eu', 'ftp://x']),
  ZOHO_CUSTOMER_ID_FIELD: crm('zoho', ['-5', 'has space']),
  ZOHO_PAYMENT_KEY_FIELD: crm('zoho', ['-5', 'has space']),
  ZOHO_PAYMENTS_MODULE: crm('zoho', ['-5', 'has space']),
  ZOHO_FIELD_MAP: crm('zoho', ['{bad', '[1]']),
  ZOHO_DAILY_CREDITS: crm('zoho', ['abc', '-5', '1.5', 'lots']),
  ZOHO_TIME_ZONE: crm('zoho', ['Mars/Base', 'abc']),
};

/** Read by the worker, or by the pack elsewhere, but not checkable by a wrong value at start, and why. */
const NO_WORKER_CASE: Record<string, string> = {
  TEMPORAL_NAMESPACE: 'any text names a namespace; a wrong one is refused by Temporal on connect, naming it',
  TEMPORAL_TASK_QUEUE: 'any text names a task queue',
  TEMPORAL_TLS_SERVER_NAME: 'any host name; it only overrides what TLS checks',
  TEMPORAL_API_KEY: 'a secret of any form; Temporal Cloud judges it on connect',
  HUBSPOT_DEAL_PIPELINE: "any text: HubSpot's pipeline ids are its own",
  SALESFORCE_CLIENT_SECRET: 'a secret of any form, and optional (the JWT flow needs none)',
  PIPEDRIVE_CLIENT_ID: 'an id of any form; unset, the OAuth variables are not read and PIPEDRIVE_API_TOKEN is asked for',
  TERMINAL_CRM_DEBUG: 'a debugging switch of bin/cli.ts: 1 adds stack traces, anything else leaves messages as they are',
  TERMINAL_CRM_VERBOSE: "a switch of `setup` and `sandbox`: 1 streams the installers' output, anything else keeps it quiet",
  N8N_API_KEY: "`templates` hands it to n8n, which judges it",
  NODE_RED_TOKEN: '`templates` hands it to Node-RED, which judges it',
  TERMINAL_CRM_CACHE: 'a folder path `setup` and `sandbox` create',
  XDG_CACHE_HOME: 'a folder path, the desktop convention',
  TERMINAL_CRM_PYTHON: '`setup` runs it, and names it when it cannot',
  STRIPE_API_URL: 'terminal push settings: read per push request (the vendor is the request\'s), refused then by name (test/core/terminal-push)',
  ADYEN_API_KEY: 'terminal push settings, read per push request',
  ADYEN_TERMINAL_API_URL: 'terminal push settings, read per push request',
  ADYEN_SALE_ID: 'terminal push settings, read per push request',
};

function refusal(env: NodeJS.ProcessEnv): unknown {
  try {
    checkWorkerSettingsFromEnv(env);
    configuredSourcesFromEnv(env);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('a wrong value of any variable the worker reads stops it before it connects, naming the variable', { timeout: 15_000 }, () => {
  it('accepts each case as it is without the wrong value, so that value is what it refuses', () => {
    for (const [variable, c] of Object.entries(WORKER_CASES)) {
      const e = refusal({ ...KEYS, ...c.with });
      assert.equal(e, undefined, `${variable}'s case without it: ${String(e)}`);
    }
  });

  for (const [variable, c] of Object.entries(WORKER_CASES)) {
    it(variable, () => {
      for (const bad of c.bad) assertNamesVariable(refusal({ ...KEYS, ...c.with, [variable]: bad }), variable, `${variable}=${JSON.stringify(bad)}`);
    });
  }

  it('has a case, or a reason, for every variable the pack reads', () => {
    const covered = new Set([...Object.keys(WORKER_CASES), ...Object.keys(NO_WORKER_CASE), ...Object.keys(SANDBOX_CASES), ...Object.keys(SANDBOX_SOURCE_CASES), ...Object.keys(NO_SANDBOX_CASE)]);
    const read = variablesThePackReads();
    const missing = [...read].filter(([v]) => !covered.has(v)).map(([v, where]) => `${v} (${where})`);
    assert.deepEqual(missing, [], 'give each a case above (a wrong value it must refuse), or a reason it has none');
    const stale = [...covered].filter((v) => !read.has(v));
    assert.deepEqual(stale, [], 'cases for variables the pack no longer reads');
  });
});
