import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkWorkerSettingsFromEnv } from '../../temporal/worker-settings';

const KEYS = { TERMINAL_CRM_TOKEN_KEYS: `k1:${'5a'.repeat(32)}` };

describe('the worker checks every setting before it connects', { timeout: 10_000 }, () => {
  it('accepts the defaults and a complete SaaS CRM account', () => {
    checkWorkerSettingsFromEnv({ ...KEYS });
    checkWorkerSettingsFromEnv({ ...KEYS, TERMINAL_CRM_CRM: 'HubSpot', HUBSPOT_ACCESS_TOKEN: 'pat-na1-abc', TERMINAL_CRM_POLL_SOURCES: 'stripe', STRIPE_SECRET_KEY: 'sk_test_1' });
  });

  it('stops on the CRM payments are queued for when its account is incomplete, naming the variable', () => {
    assert.throws(() => checkWorkerSettingsFromEnv({ ...KEYS, TERMINAL_CRM_CRM: 'hubspot' }), /^InputError: HUBSPOT_ACCESS_TOKEN: is not set/);
    assert.throws(() => checkWorkerSettingsFromEnv({ ...KEYS, TERMINAL_CRM_CRM: 'sugarcrm' }), /^InputError: TERMINAL_CRM_CRM: "sugarcrm" is not a CRM/);
  });

  it('stops on a schedule, a source or an address that would only fail after the worker changed something', () => {
    assert.throws(() => checkWorkerSettingsFromEnv({ ...KEYS, TERMINAL_CRM_POLL_SOURCES: 'stripe,nosuch' }), /^InputError: TERMINAL_CRM_POLL_SOURCES: "nosuch" cannot be polled/);
    assert.throws(() => checkWorkerSettingsFromEnv({ ...KEYS, TERMINAL_CRM_REDRIVE_AFTER: 'soon' }), /^InputError: TERMINAL_CRM_REDRIVE_AFTER: /);
    assert.throws(() => checkWorkerSettingsFromEnv({ ...KEYS, TERMINAL_CRM_PUBLIC_URL: 'pay.example.com' }), /^InputError: TERMINAL_CRM_PUBLIC_URL: "pay\.example\.com" is not a base URL/);
    assert.throws(() => checkWorkerSettingsFromEnv({ ...KEYS, TEMPORAL_ADDRESS: 'http://127.0.0.1:7233' }), /^InputError: TEMPORAL_ADDRESS: "http:\/\/127\.0\.0\.1:7233" is not host:port\. Fix: write host:port/);
  });

  it("starts with a source's webhook secret unset, which its deliveries are answered 500 for, and without a key a source it does not poll would poll with", () => {
    for (const env of [
      { SQUARE_ACCESS_TOKEN: 'EAAAl-token', SQUARE_LOCATION_ID: 'L1' },
      { STRIPE_SECRET_KEY: 'sk_test_1' },
      { ADYEN_WEBHOOK_USERNAME: 'adyen' },
      { ADYEN_TERMINAL_KEY_VERSION: '1', ADYEN_TERMINAL_LIVE: 'true' },
      { SUMUP_WEBHOOK_SECRET: 'secret', SUMUP_BASE_URL: 'https://api.sumup.com' },
      { CLOVER_MERCHANT_ID: 'M1' },
      { TERMINAL_CRM_POLL_SOURCES: 'stripe', TERMINAL_CRM_POLL_SCHEDULE: 'off' },
      // Zettle and Clover not polled need no key or merchant; polled, an access token or mId:token pairs do.
      { ZETTLE_SIGNING_KEY: 'zettle-key' },
      { CLOVER_AUTH_CODE: 'auth', CLOVER_API_TOKEN: 'token' },
      { TERMINAL_CRM_POLL_SOURCES: 'zettle', ZETTLE_ACCESS_TOKEN: 'token' },
      { TERMINAL_CRM_POLL_SOURCES: 'zettle', ZETTLE_API_KEY: 'key', ZETTLE_CLIENT_ID: 'client' },
      { TERMINAL_CRM_POLL_SOURCES: 'clover', CLOVER_API_TOKEN: 'M1:token,M2:token2' },
      { TERMINAL_CRM_POLL_SOURCES: 'clover', CLOVER_API_TOKEN: 'token', CLOVER_MERCHANT_ID: 'M1' },
      { TERMINAL_CRM_POLL_SOURCES: 'zettle,clover', TERMINAL_CRM_POLL_SCHEDULE: 'off' },
      // Each spelling of on and off the README gives for a live account and a test one.
      ...['true', 'live', '1', 'yes', 'on', 'false', 'test', '0', 'no', 'off', ' Live '].map((live) => ({ ADYEN_TERMINAL_USERNAME: 'adyen', ADYEN_TERMINAL_PASSWORD: 'secret', ADYEN_TERMINAL_LIVE: live })),
    ]) {
      assert.doesNotThrow(() => checkWorkerSettingsFromEnv({ ...KEYS, ...env }), JSON.stringify(env));
    }
  });

  it("names a source's variable set wrong by its variable, with the source's own words and the fix", () => {
    assert.throws(
      () => checkWorkerSettingsFromEnv({ ...KEYS, SQUARE_BASE_URL: 'connect.squareup.com' }),
      /^InputError: SQUARE_BASE_URL: "connect\.squareup\.com" is not a usable URL: it has no scheme; .*use https:\/\/connect\.squareup\.com, or .*\. Fix: correct SQUARE_BASE_URL, which the Square source reads$/,
    );
    assert.throws(
      () => checkWorkerSettingsFromEnv({ ...KEYS, ADYEN_HMAC_KEY: 'AB12', ADYEN_WEBHOOK_USERNAME: 'adyen' }),
      /^InputError: ADYEN_WEBHOOK_PASSWORD: a Basic auth username is set for the Adyen webhook but no password\. Fix: set ADYEN_WEBHOOK_PASSWORD as well/,
    );
    assert.throws(
      () => checkWorkerSettingsFromEnv({ ...KEYS, TERMINAL_CRM_POLL_SOURCES: 'square' }),
      /^InputError: SQUARE_ACCESS_TOKEN: polling Square needs an access token with PAYMENTS_READ\. Fix: set SQUARE_ACCESS_TOKEN, or take square out of TERMINAL_CRM_POLL_SOURCES/,
    );
  });

  it('stops when a polled Zettle has no key or a polled Clover no merchant, in the words of the poll that would fail, before its first poll', () => {
    assert.throws(
      () => checkWorkerSettingsFromEnv({ ...KEYS, TERMINAL_CRM_POLL_SOURCES: 'zettle', ZETTLE_SIGNING_KEY: 'zettle-key' }),
      /^InputError: ZETTLE_API_KEY and ZETTLE_CLIENT_ID: polling Zettle needs an API key \(or an access token\)\. Fix: have the merchant create an API key with READ:PURCHASE at my\.zettle\.com for your self-hosted app, and paste it with the app's client ID; set ZETTLE_API_KEY and ZETTLE_CLIENT_ID, or take zettle out of TERMINAL_CRM_POLL_SOURCES/,
    );
    assert.throws(
      () => checkWorkerSettingsFromEnv({ ...KEYS, TERMINAL_CRM_POLL_SOURCES: 'stripe,clover', STRIPE_SECRET_KEY: 'sk_test_1', CLOVER_API_TOKEN: 'token' }),
      /^InputError: CLOVER_MERCHANT_ID: polling Clover needs to know whose payments to read\. Fix: name the merchant, or give the API tokens as mId:token; set CLOVER_MERCHANT_ID, or take clover out of TERMINAL_CRM_POLL_SOURCES/,
    );
  });

  it('stops on an ADYEN_TERMINAL_LIVE that is neither on nor off, naming every spelling of both, and on a key version not in digits', () => {
    for (const typo of ['ture', 'flase', 'prod']) {
      assert.throws(
        () => checkWorkerSettingsFromEnv({ ...KEYS, ADYEN_TERMINAL_USERNAME: 'adyen', ADYEN_TERMINAL_PASSWORD: 'secret', ADYEN_TERMINAL_LIVE: typo }),
        new RegExp(`^InputError: ADYEN_TERMINAL_LIVE: "${typo}" is neither on nor off: write true, live, 1, yes or on for a live account, or false, test, 0, no or off for a test account\\. Fix: correct ADYEN_TERMINAL_LIVE`),
      );
    }
    for (const version of ['0x10', '1e1', '0']) {
      assert.throws(
        () => checkWorkerSettingsFromEnv({ ...KEYS, ADYEN_TERMINAL_KEY_ID: 'ShopKey', ADYEN_TERMINAL_PASSPHRASE: 'secret', ADYEN_TERMINAL_KEY_VERSION: version }),
        new RegExp(`^InputError: ADYEN_TERMINAL_KEY_VERSION: "${version}" is not a key version: write the whole number from 1 .*in digits alone`),
      );
    }
  });
});
