import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crmLine, crmWorkerEnv, sandboxCrmFromEnv } from '../../../../sandbox/run/crm/sandbox-crm';

describe('TERMINAL_CRM_CRM in the sandbox', () => {
  it('defaults to the local store, and the worker is told so with no CRM to sync', () => {
    for (const value of [undefined, '', '  ', 'Local']) {
      const crm = sandboxCrmFromEnv(value === undefined ? {} : { TERMINAL_CRM_CRM: value });
      assert.deepEqual(crm, { name: 'local' });
      assert.deepEqual(crmWorkerEnv(crm), { TERMINAL_CRM_CRM: 'local', TERMINAL_CRM_SYNC_CRMS: '' });
    }
  });

  it('refuses a CRM the pack does not know, naming the variable and the choices', () => {
    assert.throws(
      () => sandboxCrmFromEnv({ TERMINAL_CRM_CRM: 'sugarcrm' }),
      /^InputError: TERMINAL_CRM_CRM: "sugarcrm" is not a CRM the pack knows\. Fix: choose one of: local, hubspot, salesforce, dynamics, pipedrive, zoho$/,
    );
  });

  it('stops at a missing variable of the chosen CRM, by its name', () => {
    assert.throws(() => sandboxCrmFromEnv({ TERMINAL_CRM_CRM: 'hubspot' }), /^InputError: HUBSPOT_ACCESS_TOKEN: is not set/);
    assert.throws(() => sandboxCrmFromEnv({ TERMINAL_CRM_CRM: 'dynamics', DYNAMICS_URL: 'https://org.crm.dynamics.com' }), /^InputError: DYNAMICS_TENANT_ID: is not set/);
    assert.throws(
      () => sandboxCrmFromEnv({ TERMINAL_CRM_CRM: 'hubspot', HUBSPOT_CLIENT_ID: 'id', HUBSPOT_CLIENT_SECRET: 'secret' }),
      /^InputError: HUBSPOT_REFRESH_TOKEN: is missing/,
    );
    // Pipedrive and Zoho check their settings by name; the sandbox says which variable that is.
    assert.throws(() => sandboxCrmFromEnv({ TERMINAL_CRM_CRM: 'zoho', ZOHO_CLIENT_ID: 'id' }), /^InputError: ZOHO_CLIENT_SECRET: is not set\. Fix: copy the client secret of that app$/);
    assert.throws(() => sandboxCrmFromEnv({ TERMINAL_CRM_CRM: 'pipedrive', PIPEDRIVE_API_TOKEN: 't' }), /^InputError: PIPEDRIVE_CUSTOMER_ID_FIELD: is not set\. Fix: /);
  });

  it('turns the variables into the account the engines get, and tells the worker which CRM to write to and sync', () => {
    const env = { TERMINAL_CRM_CRM: 'HubSpot', HUBSPOT_ACCESS_TOKEN: 'pat-na1-abc', HUBSPOT_BASE_URL: 'http://127.0.0.1:9999', UNRELATED: 'x' };
    const crm = sandboxCrmFromEnv(env);
    assert.ok(crm.name === 'hubspot');
    assert.deepEqual(crm.record, { accessToken: 'pat-na1-abc', baseUrl: 'http://127.0.0.1:9999' });
    assert.deepEqual(crm.variables, { accessToken: 'HUBSPOT_ACCESS_TOKEN', baseUrl: 'HUBSPOT_BASE_URL' });
    assert.deepEqual(crmWorkerEnv(crm), {
      HUBSPOT_ACCESS_TOKEN: 'pat-na1-abc',
      HUBSPOT_BASE_URL: 'http://127.0.0.1:9999',
      TERMINAL_CRM_CRM: 'hubspot',
      TERMINAL_CRM_SYNC_CRMS: 'hubspot',
    });
    assert.match(crmLine(crm), /^hubspot at http:\/\/127\.0\.0\.1:9999 .*credentials from HUBSPOT_ACCESS_TOKEN\)/);
    assert.doesNotMatch(crmLine(crm), /pat-na1/);
  });

  it("maps Dynamics' DYNAMICS_URL to the account's Environment URL", () => {
    const crm = sandboxCrmFromEnv({
      TERMINAL_CRM_CRM: 'dynamics', DYNAMICS_URL: 'https://org.crm.dynamics.com', DYNAMICS_TENANT_ID: 't', DYNAMICS_CLIENT_ID: 'c', DYNAMICS_CLIENT_SECRET: 's',
    });
    assert.ok(crm.name === 'dynamics');
    assert.deepEqual(crm.record, { orgUrl: 'https://org.crm.dynamics.com', tenantId: 't', clientId: 'c', clientSecret: 's' });
  });
});
