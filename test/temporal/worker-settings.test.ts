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
});
