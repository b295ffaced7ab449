import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCrmName } from '../../../nodes/core/crm/crm-names';

describe('CRM choice', () => {
  it('treats a blank choice as the local store', () => {
    assert.equal(parseCrmName(undefined), 'local');
    assert.equal(parseCrmName('  '), 'local');
    assert.equal(parseCrmName('local'), 'local');
  });

  it('refuses a CRM this version cannot write to, naming the field and the choices', () => {
    assert.throws(() => parseCrmName('hubspot', 'CRM'), /^InputError: CRM: "hubspot" is not a CRM this version can write to\. Fix: choose one of: local$/);
  });
});
