import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowNode } from '../../../sandbox/run/node-red/admin-api';
import { configurePaymentFlow, nodeOfType, readPaymentToCrmExample, withPaymentFlow } from '../../../sandbox/run/node-red/payment-flow';
import { sourceNodeIds, withSourceTriggers } from '../../../sandbox/run/node-red/source-triggers';

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

describe('Node-RED: a trigger per source beside the example, as the sandbox deploys them', () => {
  const example = readPaymentToCrmExample();
  const square = { source: 'square', label: 'Square', credential: { signatureKey: 'sq-key' } };
  const generic = { source: 'generic', label: 'Generic', credential: { secret: 'whsec_x' }, genericConfig: { name: 'generic', scheme: 'standard-webhooks', mapping: {} } };
  const clover = { source: 'clover', label: 'Clover', credential: { authCode: 'code', apiToken: 'tok', baseUrl: 'http://127.0.0.1:9/sandbox/clover' } };

  it('wires each source’s trigger, on its own path and config node, to the example’s tokenize step and store', () => {
    const flows = withSourceTriggers(configurePaymentFlow(example, setup), example, [square, generic, clover]);
    const tokenize = nodeOfType(example, 'terminal-tokenize').id;
    const store = nodeOfType(example, 'terminal-crm-store').id;
    const triggers = flows.filter((n) => n.type === 'terminal-trigger' && n.source !== 'stripe');
    assert.deepEqual(triggers.map((t) => [t.source, t.path, t.wires, t.store, t.z]), [
      ['square', '/terminal-crm/square', [[tokenize]], store, nodeOfType(example, 'terminal-trigger').z],
      ['generic', '/terminal-crm/generic', [[tokenize]], store, nodeOfType(example, 'terminal-trigger').z],
      ['clover', '/terminal-crm/clover', [[tokenize]], store, nodeOfType(example, 'terminal-trigger').z],
    ]);
    const account = (t: FlowNode, property: string) => flows.find((n) => n.id === t[property])!;
    assert.deepEqual(account(triggers[0]!, 'squareAccount'), { id: sourceNodeIds(example, 'square').account, type: 'square-account', name: 'Square', credentials: { signatureKey: 'sq-key' } });
    const signed = account(triggers[1]!, 'signedWebhookAccount');
    assert.deepEqual([signed.type, JSON.parse(String(signed.config)), signed.credentials], ['signed-webhook-account', generic.genericConfig, { secret: 'whsec_x' }]);
    const cloverAccount = account(triggers[2]!, 'cloverAccount');
    assert.deepEqual([cloverAccount.baseUrl, cloverAccount.credentials], ['http://127.0.0.1:9/sandbox/clover', { authCode: 'code', apiToken: 'tok' }]);
  });

  it('on a restart keeps the deployed triggers with the operator’s edits and applies the settings again', () => {
    const deployed = withSourceTriggers(configurePaymentFlow(example, setup), example, [square]).map((n) => {
      const { credentials: _, ...rest } = n;
      return n.source === 'square' ? { ...rest, path: '/moved' } : rest;
    });
    const again = withSourceTriggers(deployed, example, [{ ...square, credential: { signatureKey: 'sq-key-2' } }]);
    assert.equal(again.length, deployed.length);
    assert.equal(again.find((n) => n.source === 'square')!.path, '/moved');
    assert.deepEqual(again.find((n) => n.type === 'square-account')!.credentials, { signatureKey: 'sq-key-2' });
  });

  it('adds nothing when no other source is asked for (the e2e suites and the benchmark deploy the example alone)', () => {
    const flows = configurePaymentFlow(example, setup);
    assert.deepEqual(withSourceTriggers(flows, example, []), flows);
  });
});

describe('Node-RED: a source’s config node on a restart after a setting was unset', () => {
  it('clears the property instead of keeping the old value (SQUARE_WEBHOOK_URL set once, then not)', () => {
    const example = readPaymentToCrmExample();
    const withUrl = { source: 'square', label: 'Square', credential: { signatureKey: 'k', notificationUrl: 'https://hooks.example.com/square' } };
    const first = withSourceTriggers(configurePaymentFlow(example, setup), example, [withUrl]);
    assert.equal(first.find((n) => n.type === 'square-account')!.notificationUrl, 'https://hooks.example.com/square');
    const again = withSourceTriggers(first, example, [{ ...withUrl, credential: { signatureKey: 'k' } }]);
    assert.equal(again.find((n) => n.type === 'square-account')!.notificationUrl, '');
  });
});
