import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sandboxCrmFromEnv } from '../../../../sandbox/run/crm/sandbox-crm';
import { crmCredentialType, crmUpsertParameters, hasCrm, withCrm } from '../../../../sandbox/run/n8n/crm-credential';
import { readThankYouTemplate } from '../../../../sandbox/run/n8n/template-workflows';

describe('the sandbox CRM in n8n workflows', () => {
  const hubspot = sandboxCrmFromEnv({ TERMINAL_CRM_CRM: 'hubspot', HUBSPOT_ACCESS_TOKEN: 'pat-1' });
  const hubspotOAuth = sandboxCrmFromEnv({ TERMINAL_CRM_CRM: 'hubspot', HUBSPOT_CLIENT_ID: 'a', HUBSPOT_CLIENT_SECRET: 'b', HUBSPOT_REFRESH_TOKEN: 'c' });

  it("picks CRM Upsert's CRM, HubSpot's authentication and the credential type the node shows for them", () => {
    assert.deepEqual(crmUpsertParameters({ name: 'local' }), { crm: 'local' });
    assert.equal(crmCredentialType({ name: 'local' }), undefined);
    assert.deepEqual(crmUpsertParameters(hubspot), { crm: 'hubspot', authentication: 'accessToken' });
    assert.equal(crmCredentialType(hubspot), 'terminalHubSpotApi');
    assert.deepEqual(crmUpsertParameters(hubspotOAuth), { crm: 'hubspot', authentication: 'oAuth2' });
    assert.equal(crmCredentialType(hubspotOAuth), 'terminalHubSpotOAuth2Api');
  });

  it("sets the thank-you template's CRM Upsert to the CRM, and tells a saved workflow that still writes elsewhere", () => {
    const template = readThankYouTemplate();
    assert.equal(hasCrm(template.nodes, { name: 'local' }, {}), true);
    assert.equal(hasCrm(template.nodes, hubspot, {}), false);
    const set = withCrm(template, hubspot);
    const upsert = set.nodes.filter((n) => n.type.endsWith('.crmUpsert'));
    assert.equal(upsert.length, 1);
    assert.deepEqual(upsert[0]!.parameters, { crm: 'hubspot', authentication: 'accessToken' });
    const refs = { terminalHubSpotApi: { id: '7', name: 'HubSpot' } };
    assert.equal(hasCrm(set.nodes, hubspot, refs), false, 'no credential assigned yet');
    const assigned = set.nodes.map((n) => (n.type.endsWith('.crmUpsert') ? { ...n, credentials: { terminalHubSpotApi: refs.terminalHubSpotApi } } : n));
    assert.equal(hasCrm(assigned, hubspot, refs), true);
    assert.equal(hasCrm(assigned, { name: 'local' }, {}), false);
    // Only CRM Upsert changes.
    assert.deepEqual(set.nodes.filter((n) => !n.type.endsWith('.crmUpsert')), template.nodes.filter((n) => !n.type.endsWith('.crmUpsert')));
  });
});
