import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CredentialTestContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { SendToTerminal } from '../../nodes/n8n/SendToTerminal/SendToTerminal.node';
import { additionalData } from './support/additional-data';

/** As n8n's CredentialsTester finds it: the test Send to Terminal names for the Adyen Terminal Cloud credential. */
function adyenCloudTest(data: ICredentialDataDecryptedObject) {
  const node = new SendToTerminal();
  const ref = node.description.credentials?.find((c) => c.name === 'terminalAdyenCloudApi');
  const fn = (node.methods.credentialTest as Record<string, typeof node.methods.credentialTest.terminalAdyenCloudTest | undefined>)[ref?.testedBy as string];
  assert.equal(typeof fn, 'function', 'Send to Terminal provides the test it names');
  return fn!.call(new CredentialTestContext(additionalData({})), { id: '1', name: 'Adyen', type: 'terminalAdyenCloudApi', data });
}

describe('n8n: the Adyen Terminal Cloud API credential test', () => {
  it('passes a complete credential and says the first sale proves the key, instead of a red error', async () => {
    const r = await adyenCloudTest({ apiKey: 'AQE_test_key', baseUrl: 'https://terminal-api-test.adyen.com', saleId: 'n8n-front-desk' });
    assert.equal(r.status, 'OK');
    assert.match(r.message, /first sale sent to a reader proves it/);
  });

  it('names the empty or malformed field', async () => {
    assert.match((await adyenCloudTest({ apiKey: '', saleId: 'x' })).message, /^API Key is empty/);
    assert.match((await adyenCloudTest({ apiKey: 'k', saleId: '' })).message, /^Sale ID is empty/);
    const bad = await adyenCloudTest({ apiKey: 'k', saleId: 'x', baseUrl: 'terminal api' });
    assert.equal(bad.status, 'Error');
    assert.match(bad.message, /"terminal api" is not a usable URL: it has no scheme/);
    // What the sale's run refuses, the test refuses: a query the paths would follow, another scheme.
    for (const baseUrl of ['https://terminal-api-test.adyen.com?x=1', 'ftp://terminal-api-test.adyen.com']) {
      assert.equal((await adyenCloudTest({ apiKey: 'k', saleId: 'x', baseUrl })).status, 'Error', baseUrl);
    }
  });
});
