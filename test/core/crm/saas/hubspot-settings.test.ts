import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../../nodes/core/errors';
import { hubspotSettingsFromEnv, parseHubSpotSettings } from '../../../../nodes/core/crm/saas/hubspot';
import { msUntilNextMidnight } from '../../../../nodes/core/crm/saas/hubspot-errors';

const token = { auth: { type: 'privateApp', accessToken: 'pat-na1-x' } };
const fieldOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof InputError, String(e));
    return { field: e.field, message: e.message };
  }
  assert.fail('expected an InputError');
};

describe('HubSpot settings', () => {
  it('fills in HubSpot’s defaults: base URL, customer-id property, deals in the default pipeline', () => {
    const s = parseHubSpotSettings(token);
    assert.equal(s.baseUrl, 'https://api.hubapi.com');
    assert.equal(s.contactIdProperty, 'terminal_crm_id');
    assert.equal(s.payments.object, 'deals');
    assert.equal(s.payments.idProperty, 'terminal_crm_payment_key');
    assert.equal(s.payments.pipeline, 'default');
    assert.equal(s.payments.stages.refunded, 'closedlost');
    assert.equal(s.contactFields.postalCode, 'zip');
    assert.equal(s.requestsPerTenSeconds, 190);
    // No time zone: the adapter reads the account's from HubSpot (hubspot-account-zone.ts); one set is kept as given.
    assert.equal(s.accountTimeZone, undefined);
    assert.equal(hubspotSettingsFromEnv({ HUBSPOT_ACCESS_TOKEN: 't' }).accountTimeZone, undefined);
    assert.equal(hubspotSettingsFromEnv({ HUBSPOT_ACCESS_TOKEN: 't', HUBSPOT_ACCOUNT_TIME_ZONE: 'America/Los_Angeles' }).accountTimeZone, 'America/Los_Angeles');
  });

  it('names the wrong field and the fix', () => {
    assert.match(fieldOf(() => parseHubSpotSettings({ ...token, contactIdProperty: 'Terminal CRM id' })).field, /^hubspot\.contactIdProperty$/);
    assert.match(fieldOf(() => parseHubSpotSettings({ ...token, contactIdProperty: 'Terminal CRM id' })).message, /internal property name.*Fix: create a contact property with "unique values"/);
    assert.equal(fieldOf(() => parseHubSpotSettings({ ...token, payments: { object: 'payments' } })).field, 'hubspot.payments.object');
    assert.equal(fieldOf(() => parseHubSpotSettings({ ...token, contactFields: { givenName: 'First Name' } })).field, 'hubspot.contactFields.givenName');
    assert.equal(fieldOf(() => parseHubSpotSettings({ ...token, accountTimeZone: 'Mars/Olympus' })).field, 'hubspot.accountTimeZone');
    assert.equal(fieldOf(() => parseHubSpotSettings({ ...token, baseUrl: 'api.hubapi.com' })).field, 'hubspot.baseUrl');
    assert.equal(fieldOf(() => parseHubSpotSettings({ auth: { type: 'privateApp', accessToken: ' ' } })).field, 'hubspot.auth.accessToken');
    assert.equal(fieldOf(() => parseHubSpotSettings({ ...token, payments: { fields: { name: null } } })).field, 'hubspot.payments.fields.name');
  });

  it('reads the environment: a private app token, or the three OAuth variables', () => {
    const s = hubspotSettingsFromEnv({ HUBSPOT_ACCESS_TOKEN: 'pat-na1-x', HUBSPOT_BASE_URL: 'https://api-eu1.hubapi.com', HUBSPOT_CONTACT_FIELDS: '{"dateOfBirth": null}', HUBSPOT_REQUESTS_PER_10S: '100' });
    assert.deepEqual(s.auth, { type: 'privateApp', accessToken: 'pat-na1-x' });
    assert.equal(s.baseUrl, 'https://api-eu1.hubapi.com');
    assert.equal(s.contactFields.dateOfBirth, null);
    assert.equal(s.requestsPerTenSeconds, 100);
    const o = hubspotSettingsFromEnv({ HUBSPOT_CLIENT_ID: 'id', HUBSPOT_CLIENT_SECRET: 'secret', HUBSPOT_REFRESH_TOKEN: 'refresh' });
    assert.deepEqual(o.auth, { type: 'oauth2', clientId: 'id', clientSecret: 'secret', refreshToken: 'refresh' });
    // A public OAuth app gets 110 requests per 10 s per installed account, not a private app's 190.
    assert.equal(o.requestsPerTenSeconds, 110);
  });

  it('environment errors name the variable to set', () => {
    assert.equal(fieldOf(() => hubspotSettingsFromEnv({})).field, 'HUBSPOT_ACCESS_TOKEN');
    const partial = fieldOf(() => hubspotSettingsFromEnv({ HUBSPOT_CLIENT_ID: 'id' }));
    assert.equal(partial.field, 'HUBSPOT_CLIENT_SECRET');
    assert.match(partial.message, /HUBSPOT_REFRESH_TOKEN/);
    assert.equal(fieldOf(() => hubspotSettingsFromEnv({ HUBSPOT_ACCESS_TOKEN: 't', HUBSPOT_REFRESH_TOKEN: 'r' })).field, 'HUBSPOT_ACCESS_TOKEN');
    assert.equal(fieldOf(() => hubspotSettingsFromEnv({ HUBSPOT_ACCESS_TOKEN: 't', HUBSPOT_PAYMENT_FIELDS: '{"status": "Payment Status"}' })).field, 'HUBSPOT_PAYMENT_FIELDS (status)');
    assert.equal(fieldOf(() => hubspotSettingsFromEnv({ HUBSPOT_ACCESS_TOKEN: 't', HUBSPOT_DEAL_STAGES: '{oops' })).field, 'HUBSPOT_DEAL_STAGES');
    assert.equal(fieldOf(() => hubspotSettingsFromEnv({ HUBSPOT_ACCESS_TOKEN: 't', HUBSPOT_ACCOUNT_TIME_ZONE: 'Nowhere' })).field, 'HUBSPOT_ACCOUNT_TIME_ZONE');
    assert.equal(fieldOf(() => hubspotSettingsFromEnv({ HUBSPOT_ACCESS_TOKEN: 't', HUBSPOT_REQUESTS_PER_10S: 'fast' })).field, 'HUBSPOT_REQUESTS_PER_10S');
    // A base URL of another scheme fails here, not as a connection error on the first sync.
    for (const bad of ['api.hubapi.com', 'ftp://api.hubapi.com']) {
      const e = fieldOf(() => hubspotSettingsFromEnv({ HUBSPOT_ACCESS_TOKEN: 't', HUBSPOT_BASE_URL: bad }));
      assert.equal(e.field, 'HUBSPOT_BASE_URL');
      assert.match(e.message, /is not a usable URL: it (has no scheme|starts with ftp:)[;,] .*https:\/\/ or http:\/\//);
    }
    assert.equal(hubspotSettingsFromEnv({ HUBSPOT_ACCESS_TOKEN: 't', HUBSPOT_BASE_URL: 'http://127.0.0.1:9099' }).baseUrl, 'http://127.0.0.1:9099');
  });

  it('finds the next local midnight across a daylight-saving change', () => {
    // 8 March 2025 20:00 in New York (EST); the clocks go forward at 02:00 on 9 March, not at midnight.
    const at = Date.parse('2025-03-09T01:00:00Z');
    assert.equal(at + msUntilNextMidnight(at, 'America/New_York'), Date.parse('2025-03-09T05:00:00Z'));
    // 1 November 2025 in New York is EDT; midnight of 2 November is still EDT (the change is at 02:00).
    const nov = Date.parse('2025-11-01T12:00:00Z');
    assert.equal(nov + msUntilNextMidnight(nov, 'America/New_York'), Date.parse('2025-11-02T04:00:00Z'));
    assert.equal(msUntilNextMidnight(Date.parse('2025-03-01T23:59:59Z'), 'UTC'), 1_000);
  });
});
