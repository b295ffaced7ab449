import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { optionalSaasCrmName, parseCrmName } from '../../../nodes/core/crm/crm-names';

describe('CRM choice', () => {
  it('treats a blank choice as the local store', () => {
    assert.equal(parseCrmName(undefined), 'local');
    assert.equal(parseCrmName('  '), 'local');
    assert.equal(parseCrmName('local'), 'local');
  });

  it('refuses a CRM this version cannot write to, naming the field and the choices', () => {
    assert.throws(() => parseCrmName('hubspot', 'CRM'), /^InputError: CRM: "hubspot" is not a CRM this version can write to\. Fix: choose one of: local$/);
  });

  it('reads an optional SaaS CRM as none when blank, trimmed and lower-cased otherwise, and refuses the rest by name', () => {
    for (const blank of [undefined, null, '', '  ']) assert.equal(optionalSaasCrmName(blank, 'CRM'), undefined);
    assert.equal(optionalSaasCrmName(' HubSpot ', 'CRM'), 'hubspot');
    // "local" is no SaaS CRM: the store gets every redriven payment anyway, so naming it is a mistake, not a choice.
    for (const wrong of ['hubspt', 'local']) {
      assert.throws(() => optionalSaasCrmName(wrong, 'CRM'), new RegExp(`^InputError: CRM: "${wrong}" is not a CRM the pack has an adapter for\\. Fix: choose one of: hubspot, salesforce, dynamics, pipedrive, zoho$`));
    }
  });
});
