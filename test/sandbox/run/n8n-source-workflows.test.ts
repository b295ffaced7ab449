import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPaymentTemplate } from '../../../sandbox/run/n8n/payment-workflow';
import { sourceWebhookId, templateForSource } from '../../../sandbox/run/n8n/source-workflows';

describe('n8n: the payment template copied for another source', () => {
  const template = readPaymentTemplate();
  const trigger = (wf: typeof template) => wf.nodes.find((n) => n.type.endsWith('.terminalTrigger'))!;

  it('switches the trigger’s Source, drops Stripe’s event list and setup note, and keeps every step after it', () => {
    const copy = templateForSource(template, { source: 'square', label: 'Square' });
    assert.equal(copy.name, 'Terminal payments to CRM (Square)');
    assert.deepEqual(trigger(copy).parameters, { source: 'square' });
    assert.equal(trigger(copy).webhookId, sourceWebhookId(trigger(template).webhookId!, 'square'));
    assert.deepEqual(copy.connections, template.connections);
    const steps = (wf: typeof template) => wf.nodes.filter((n) => !n.type.endsWith('.terminalTrigger') && n.name !== 'Setup');
    assert.deepEqual(steps(copy), steps(template));
    assert.equal(copy.nodes.some((n) => n.name === 'Setup'), false);
    assert.equal(trigger(template).parameters && (trigger(template).parameters as { source: string }).source, 'stripe', 'the template itself is not changed');
  });

  it('fills in a generic gateway’s configuration as the node’s JSON parameter', () => {
    const config = { name: 'generic', scheme: 'standard-webhooks', mapping: { paymentId: '$.data.payment_id' } };
    const copy = templateForSource(template, { source: 'generic', label: 'Generic', genericConfig: config });
    assert.deepEqual(JSON.parse(String((trigger(copy).parameters as { genericConfig: string }).genericConfig)), config);
  });

  it('gives each source its own fixed webhook id (a UUID), so a restart finds the copy it made', () => {
    const ids = ['square', 'adyen', 'clover'].map((s) => sourceWebhookId(trigger(template).webhookId!, s));
    assert.equal(new Set(ids).size, 3);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(sourceWebhookId(trigger(template).webhookId!, 'square'), ids[0]);
  });
});
