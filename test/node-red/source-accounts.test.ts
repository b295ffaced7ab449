import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import registerAdyenTerminal from '../../nodes/node-red/adyen-terminal-account';
import registerSumUp from '../../nodes/node-red/sumup-account';
import type { SourceAccountNode } from '../../nodes/node-red/shared/config-types';
import { parseSourceCredentials } from '../../nodes/core/sources/source-credentials';
import { fakeRed } from './support/fake-red';

/** What an operator types into a processor's config node must be what that source reads. */
describe('processor config nodes hand their source the fields it reads', () => {
  it('Adyen Terminal API: basic authentication for cloud notifications', () => {
    const red = fakeRed();
    registerAdyenTerminal(red.RED);
    const node = red.create('adyen-terminal-account', { id: 'a', basicUsername: 'ws_123@Company.Shop' }, { basicPassword: 's3cret' }) as unknown as SourceAccountNode;
    const credentials = parseSourceCredentials(node.source(), node.sourceCredentials()) as { basicUsername?: string; basicPassword?: string };
    assert.deepEqual([credentials.basicUsername, credentials.basicPassword], ['ws_123@Company.Shop', 's3cret']);
  });

  it('SumUp: the webhook secret and the merchant code', () => {
    const red = fakeRed();
    registerSumUp(red.RED);
    const node = red.create('sumup-account', { id: 's', merchantCode: 'MC0X8Y2Z' }, { accessToken: 'sup_sk_1', signingSecret: 'whsec_sumup' }) as unknown as SourceAccountNode;
    const credentials = parseSourceCredentials(node.source(), node.sourceCredentials()) as Record<string, unknown>;
    assert.equal(credentials.merchantCode, 'MC0X8Y2Z');
    assert.ok(JSON.stringify(credentials.signingSecret).includes('whsec_sumup'));
  });
});
