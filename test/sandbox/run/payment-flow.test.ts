import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowNode } from '../../../sandbox/run/node-red/admin-api';
import { configurePaymentFlow, readPaymentToCrmExample, withPaymentFlow } from '../../../sandbox/run/node-red/payment-flow';

const setup = { webhookSecret: 'whsec_1', storeUrl: 'sqlite:/s/store.db', tokenKeys: 'k1:aa', defaultRegion: 'GB' };

describe('Node-RED payment flow, as the sandbox deploys it', () => {
  const example = readPaymentToCrmExample();
  const ofType = (flow: FlowNode[], type: string) => flow.find((n) => n.type === type)!;

  it('fills in the secret, the store and its key, and keeps the example’s path unless told otherwise', () => {
    const flow = configurePaymentFlow(example, setup);
    assert.deepEqual(ofType(flow, 'stripe-terminal-account').credentials, { webhookSecrets: 'whsec_1' });
    const store = ofType(flow, 'terminal-crm-store');
    assert.deepEqual([store.storeUrl, store.defaultRegion, store.credentials], ['sqlite:/s/store.db', 'GB', { tokenKeys: 'k1:aa' }]);
    assert.equal(ofType(flow, 'terminal-trigger').path, ofType(example, 'terminal-trigger').path);
    assert.equal(ofType(configurePaymentFlow(example, { ...setup, path: '/x' }), 'terminal-trigger').path, '/x');
    assert.equal(example.some((n) => 'credentials' in n), false, 'the example itself is not changed');
  });

  it('adds the example beside the operator’s flows the first time', () => {
    const mine: FlowNode[] = [{ id: 'tab1', type: 'tab', label: 'Mine' }];
    const flows = withPaymentFlow(mine, example, setup);
    assert.equal(flows.length, example.length + 1);
    assert.deepEqual(flows[0], mine[0]);
  });

  it('on a restart keeps the deployed copy with the operator’s edits, only re-applying the settings', () => {
    const deployed = configurePaymentFlow(example, setup).map((n) => {
      const { credentials: _, ...rest } = n; // Node-RED never hands credentials back
      return n.type === 'terminal-trigger' ? { ...rest, path: '/moved-by-operator', name: 'till 1' } : rest;
    });
    const flows = withPaymentFlow([...deployed, { id: 'tab1', type: 'tab' }], example, { ...setup, webhookSecret: 'whsec_2' });
    assert.equal(flows.length, deployed.length + 1);
    const trigger = ofType(flows, 'terminal-trigger');
    assert.deepEqual([trigger.path, trigger.name], ['/moved-by-operator', 'till 1']);
    assert.deepEqual(ofType(flows, 'stripe-terminal-account').credentials, { webhookSecrets: 'whsec_2' });
    assert.deepEqual(ofType(flows, 'terminal-crm-store').credentials, { tokenKeys: 'k1:aa' });
  });
});
