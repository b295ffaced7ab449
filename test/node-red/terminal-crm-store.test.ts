import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import registerStore from '../../nodes/node-red/terminal-crm-store';
import registerResolve from '../../nodes/node-red/terminal-resolve-review';
import registerUpsert from '../../nodes/node-red/terminal-crm-upsert';
import type { NodeMessage } from '../../nodes/node-red/shared/red-api';
import { TEST_TOKEN_KEYS } from '../support/temp-store';
import { fakeRed, type FakeNode } from './support/fake-red';

describe('Node-RED: terminal CRM store (in a stand-in for Node-RED)', () => {
  const send = (node: FakeNode, msg: NodeMessage) =>
    new Promise<Error | undefined>((resolve) => {
      node.input!(msg, () => undefined, (error) => resolve(error));
    });

  it('names its Store field, as the editor shows it, in the error of each node that uses a location it cannot open', async () => {
    const red = fakeRed();
    for (const register of [registerStore, registerResolve, registerUpsert]) register(red.RED);
    red.create('terminal-crm-store', { id: 'store', storeUrl: 'mysql://shop/crm', defaultRegion: 'us' }, { tokenKeys: TEST_TOKEN_KEYS });
    const review = red.create('terminal-resolve-review', { id: 'resolve', store: 'store', decision: 'link' });
    const reviewError = await send(review, { payload: { match: { candidateId: 'cus_a' }, crm: { customerId: 'cus_b' } } });
    assert.match(String(reviewError?.message), /^Store \(in the Terminal CRM store node\): "mysql:\/\/shop\/crm" is not a store location this pack understands\. Fix: use postgres:\/\//);
    const upsert = red.create('terminal-crm-upsert', { id: 'upsert', store: 'store' });
    const upsertError = await send(upsert, { payload: { id: 'stripe:evt_1' } });
    // CRM Upsert opens the store through the CRM (openCrm), not the database alone.
    assert.equal(upsertError?.message, reviewError?.message);
    review.close();
    upsert.close();
  });
});
