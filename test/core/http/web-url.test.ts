import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crmAdapterFromRecord } from '../../../nodes/core/crm/saas/crm-from-credentials';
import { dynamicsSettingsFromEnv } from '../../../nodes/core/crm/saas/dynamics-settings';
import { hubspotSettingsFromEnv } from '../../../nodes/core/crm/saas/hubspot-env';
import { pipedriveSettingsFromEnv } from '../../../nodes/core/crm/saas/pipedrive-settings';
import { salesforceSettingsFromEnv } from '../../../nodes/core/crm/saas/salesforce-settings';
import { zohoSettingsFromEnv } from '../../../nodes/core/crm/saas/zoho-settings';
import { InputError } from '../../../nodes/core/errors';
import { webUrlFault, webUrlOf, type WebUrlKind } from '../../../nodes/core/http/web-url';
import { createSource } from '../../../nodes/core/sources/registry';
import { parseSourceCredentials, sourceCredentialsFromEnv } from '../../../nodes/core/sources/source-credentials';
import { parsePushSettings, pushSettingsFromEnv } from '../../../nodes/core/terminal-push/push-settings';
import { publicBaseUrlFromEnv } from '../../../temporal/public-base-url';
import { URL_VALUES } from '../../support/url-values';

const BASE_URL_VALUES = URL_VALUES;

/** The rule's verdict: the value trimmed, as every face hands it over; empty is unset, each reader's own default. */
const verdict = (v: string, kind: WebUrlKind, httpsOnly: boolean) => {
  const t = v.trim();
  const fault = webUrlFault(t, kind, httpsOnly);
  return fault === undefined ? { ok: true as const, value: webUrlOf(t, kind) } : { ok: false as const };
};

/** What a reader did with one value: the URL it kept, or the InputError's field and message. */
function read(f: () => unknown): { ok: true; value: unknown } | { ok: false; field: string; message: string } {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    assert.ok(e instanceof InputError, `an InputError, not ${String(e)}`);
    return { ok: false, field: e.field, message: e.message };
  }
}

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----';
const PIPEDRIVE_KEY = 'a'.repeat(40);

interface UrlSetting {
  /** The setting as the operator sees it in this face. */
  name: string;
  kind: WebUrlKind;
  httpsOnly: boolean;
  /** The field (or variable) an InputError names. */
  field: RegExp;
  read: (v: string) => unknown;
}

const source = (name: string, field: string, kind: WebUrlKind, base: Record<string, string>): UrlSetting => ({
  name: `${name} credential ${field}`,
  kind,
  httpsOnly: false,
  field: new RegExp(`^${field}$`),
  read: (v) => (parseSourceCredentials(createSource(name), { ...base, [field]: v }) as Record<string, unknown>)[field],
});
const sourceEnv = (name: string, field: string, variable: string, kind: WebUrlKind, env: Record<string, string>): UrlSetting => ({
  name: variable,
  kind,
  httpsOnly: false,
  field: new RegExp(`^${field}$`),
  read: (v) => {
    const s = createSource(name);
    return (parseSourceCredentials(s, sourceCredentialsFromEnv(s, { ...env, [variable]: v })) as Record<string, unknown>)[field];
  },
});
const push = (vendor: 'stripe' | 'square' | 'adyen', base: Record<string, string>, variable: string): UrlSetting[] => [
  { name: `${vendor} push baseUrl`, kind: 'base', httpsOnly: false, field: /^baseUrl$/, read: (v) => parsePushSettings(vendor, { ...base, baseUrl: v }).baseUrl },
  {
    name: variable, kind: 'base', httpsOnly: false, field: new RegExp(`^${variable}$`),
    read: (v) => pushSettingsFromEnv(vendor, { ...Object.fromEntries(Object.entries(base).map(([k]) => [k === 'secretKey' ? 'STRIPE_SECRET_KEY' : k === 'apiKey' ? 'ADYEN_API_KEY' : 'SQUARE_ACCESS_TOKEN', base[k]!])), [variable]: v }).baseUrl,
  },
];
const crm = (name: string, field: string, kind: WebUrlKind, httpsOnly: boolean, record: Record<string, unknown>, kept: (a: Record<string, unknown>) => unknown): UrlSetting => ({
  name: `${name} account ${field}`,
  kind,
  httpsOnly,
  field: new RegExp(`^${field}$`),
  read: (v) => kept(crmAdapterFromRecord(name, { ...record, [field]: v }) as unknown as Record<string, unknown>),
});
/** The adapter keeps its settings; what this test reads of it is only whether it was made. */
const made = () => true;

const SETTINGS: UrlSetting[] = [
  source('square', 'baseUrl', 'base', { signatureKey: 'k' }),
  source('square', 'notificationUrl', 'full', { signatureKey: 'k' }),
  source('clover', 'baseUrl', 'base', { apiToken: 't' }),
  source('sumup', 'baseUrl', 'base', { accessToken: 't' }),
  source('zettle', 'purchaseBaseUrl', 'base', {}),
  sourceEnv('square', 'baseUrl', 'SQUARE_BASE_URL', 'base', { SQUARE_WEBHOOK_SIGNATURE_KEY: 'k' }),
  sourceEnv('square', 'notificationUrl', 'SQUARE_WEBHOOK_URL', 'full', { SQUARE_WEBHOOK_SIGNATURE_KEY: 'k' }),
  sourceEnv('clover', 'baseUrl', 'CLOVER_BASE_URL', 'base', { CLOVER_API_TOKEN: 't' }),
  sourceEnv('sumup', 'baseUrl', 'SUMUP_BASE_URL', 'base', { SUMUP_ACCESS_TOKEN: 't' }),
  sourceEnv('zettle', 'purchaseBaseUrl', 'ZETTLE_PURCHASE_BASE_URL', 'base', {}),
  ...push('stripe', { secretKey: 'sk_test_1' }, 'STRIPE_API_URL'),
  ...push('square', { accessToken: 't' }, 'SQUARE_BASE_URL'),
  ...push('adyen', { apiKey: 'k' }, 'ADYEN_TERMINAL_API_URL'),
  crm('hubspot', 'baseUrl', 'base', false, { accessToken: 'pat-1' }, made),
  crm('hubspot', 'tokenUrl', 'full', false, { clientId: 'c', clientSecret: 's', refreshToken: 'r' }, made),
  crm('salesforce', 'loginUrl', 'base', true, { authFlow: 'jwt_bearer', clientId: 'c', username: 'u@example.com', privateKey: PEM }, made),
  crm('salesforce', 'baseUrl', 'base', true, { authFlow: 'jwt_bearer', clientId: 'c', username: 'u@example.com', privateKey: PEM }, made),
  crm('dynamics', 'orgUrl', 'origin', true, { tenantId: 't', clientId: 'c', clientSecret: 's' }, made),
  crm('dynamics', 'authorityUrl', 'origin', true, { orgUrl: 'https://contoso.crm.dynamics.com', tenantId: 't', clientId: 'c', clientSecret: 's' }, made),
  crm('pipedrive', 'baseUrl', 'base', false, { apiToken: 't', customerIdField: PIPEDRIVE_KEY, paymentKeyField: PIPEDRIVE_KEY }, made),
  crm('zoho', 'baseUrl', 'base', false, { clientId: 'c', clientSecret: 's', refreshToken: 'r' }, made),
  crm('zoho', 'accountsUrl', 'base', false, { clientId: 'c', clientSecret: 's', refreshToken: 'r' }, made),
  { name: 'HUBSPOT_BASE_URL', kind: 'base', httpsOnly: false, field: /^HUBSPOT_BASE_URL$/, read: (v) => hubspotSettingsFromEnv({ HUBSPOT_ACCESS_TOKEN: 'pat-1', HUBSPOT_BASE_URL: v }).baseUrl },
  {
    name: 'HUBSPOT_TOKEN_URL', kind: 'full', httpsOnly: false, field: /^HUBSPOT_TOKEN_URL$/,
    read: (v) => (hubspotSettingsFromEnv({ HUBSPOT_CLIENT_ID: 'c', HUBSPOT_CLIENT_SECRET: 's', HUBSPOT_REFRESH_TOKEN: 'r', HUBSPOT_TOKEN_URL: v }).auth as { tokenUrl?: string }).tokenUrl,
  },
  {
    name: 'SALESFORCE_LOGIN_URL', kind: 'base', httpsOnly: true, field: /^SALESFORCE_LOGIN_URL$/,
    read: (v) => salesforceSettingsFromEnv({ SALESFORCE_CLIENT_ID: 'c', SALESFORCE_USERNAME: 'u@example.com', SALESFORCE_PRIVATE_KEY: PEM, SALESFORCE_LOGIN_URL: v }).loginUrl,
  },
  {
    name: 'DYNAMICS_URL', kind: 'origin', httpsOnly: true, field: /^DYNAMICS_URL$/,
    read: (v) => dynamicsSettingsFromEnv({ DYNAMICS_URL: v, DYNAMICS_TENANT_ID: 't', DYNAMICS_CLIENT_ID: 'c', DYNAMICS_CLIENT_SECRET: 's' }).url,
  },
  {
    name: 'PIPEDRIVE_BASE_URL', kind: 'base', httpsOnly: false, field: /^PIPEDRIVE_BASE_URL$/,
    read: (v) => pipedriveSettingsFromEnv({ PIPEDRIVE_API_TOKEN: 't', PIPEDRIVE_CUSTOMER_ID_FIELD: PIPEDRIVE_KEY, PIPEDRIVE_PAYMENT_KEY_FIELD: PIPEDRIVE_KEY, PIPEDRIVE_BASE_URL: v }).baseUrl,
  },
  {
    name: 'ZOHO_BASE_URL', kind: 'base', httpsOnly: false, field: /^ZOHO_BASE_URL$/,
    read: (v) => zohoSettingsFromEnv({ ZOHO_CLIENT_ID: 'c', ZOHO_CLIENT_SECRET: 's', ZOHO_REFRESH_TOKEN: 'r', ZOHO_BASE_URL: v }).apiBaseUrl,
  },
  { name: 'TERMINAL_CRM_PUBLIC_URL', kind: 'base', httpsOnly: false, field: /^TERMINAL_CRM_PUBLIC_URL$/, read: (v) => publicBaseUrlFromEnv({ TERMINAL_CRM_PUBLIC_URL: v }) },
];

describe('URL settings: one rule (http/web-url.ts webUrlFault)', () => {
  it('takes http(s)://host with a path for a base, refuses no scheme, another scheme, a space, a query, a fragment, no host, a bad port', () => {
    const base = (v: string) => webUrlFault(v, 'base', false) === undefined;
    for (const v of ['https://api.hubapi.com', 'HTTPS://API.HUBAPI.COM', 'http://127.0.0.1:8080', 'http://[::1]:8080', 'https://proxy.example.com/square/', 'https://user:pw@proxy.example.com']) assert.equal(base(v), true, v);
    for (const v of ['api.hubapi.com', 'api.hubapi.com:443', 'localhost:8080', '//api.hubapi.com', 'https:api.hubapi.com', 'ftp://api.hubapi.com', 'mailto:ops@example.com', 'javascript:alert(1)',
      'https://', 'http://:8080', 'https://user@', 'https://api hubapi.com', 'https://api.hubapi.com/v3 x', 'https://api.hubapi.com?', 'https://api.hubapi.com/?portal=1',
      'https://api.hubapi.com#top', 'https://api.hubapi.com:99999', 'https://api.hubapi.com:port', 'https://[::1']) {
      assert.equal(base(v), false, v);
    }
    assert.equal(webUrlFault('https://pay.example.com/webhook?shop=1', 'full', false), undefined, 'a full URL keeps its query');
    assert.match(webUrlFault('https://pay.example.com/webhook#x', 'full', false)!, /fragment/);
    assert.match(webUrlFault('https://contoso.crm.dynamics.com/main.aspx', 'origin', true)!, /path/);
    assert.equal(webUrlFault('https://contoso.crm.dynamics.com/', 'origin', true), undefined);
    assert.match(webUrlFault('http://contoso.crm.dynamics.com', 'origin', true)!, /not https:\/\//);
    assert.match(webUrlFault('api.hubapi.com', 'base', false)!, /no scheme/);
    assert.match(webUrlFault('localhost:8080', 'base', false)!, /no scheme/);
    assert.match(webUrlFault('ftp://api.hubapi.com', 'base', false)!, /starts with ftp:/);
    assert.equal(webUrlOf('https://api.hubapi.com//', 'base'), 'https://api.hubapi.com');
    assert.equal(webUrlOf('https://pay.example.com/hook/', 'full'), 'https://pay.example.com/hook/', 'Square signs it as it is');
  });

  for (const setting of SETTINGS) {
    it(`${setting.name} is read by it: refused when it finds a fault, naming the setting and the fix; else kept, trimmed (a base without trailing slashes)`, () => {
      for (const v of BASE_URL_VALUES) {
        const want = verdict(v, setting.kind, setting.httpsOnly);
        const got = read(() => setting.read(v));
        assert.equal(got.ok, want.ok, `${setting.name} ${JSON.stringify(v)}: ${got.ok ? 'taken' : `refused (${(got as { message: string }).message})`}`);
        if (got.ok && want.ok && got.value !== true) assert.equal(got.value, want.value, `${setting.name} ${JSON.stringify(v)}`);
        if (!got.ok) {
          assert.match(got.field, setting.field, `${setting.name} ${JSON.stringify(v)}: ${got.message}`);
          assert.match(got.message, /Fix: \S/, got.message);
          assert.match(got.message, /https:\/\//, `${got.message} says how to write it`);
        }
      }
    });
  }
});
