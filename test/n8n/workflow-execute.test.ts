import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { INodeExecutionData } from 'n8n-workflow';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, paymentIntentObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { tempStore } from '../support/temp-store';
import { outputOf, runWorkflow, storeCredentials } from './support/run-workflow';
import { assignCredentials } from './support/assign-credentials';
import { paymentToCrmTemplate } from './support/template';

/** The shipped template, run by n8n-core's WorkflowExecute from Tokenize on, with items as the trigger emits them. */
describe('n8n: Tokenize → Match Customer → CRM Upsert under WorkflowExecute', () => {
  let store: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    store = await tempStore();
  });
  after(async () => {
    await store.remove();
  });

  const credentials = () => storeCredentials(store.url);
  const asItem = (processorEvent: object): INodeExecutionData => ({ json: JSON.parse(JSON.stringify(normalizeStripeEvent(processorEvent))) });
  const counts = async () => ({
    customers: (await store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM customers'))!.n,
    transactions: (await store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM transactions'))!.n,
  });
  const template = assignCredentials(paymentToCrmTemplate(), {
    terminalCrmStore: { id: '1', name: 'Terminal CRM Store' },
    stripeTerminalApi: { id: '2', name: 'Stripe Terminal' },
  });

  it('runs a batch of three items through the chain: tokens, one customer and one transaction each', async () => {
    const fingerprint = 'fp_batch_card';
    const items = [
      asItem(stripeEvent('charge.succeeded', chargeObject({ amount: 1250, email: 'ada@example.com', card: { fingerprint } }))),
      asItem(stripeEvent('charge.succeeded', chargeObject({ amount: 990, email: 'grace@example.com' }))),
      asItem(stripeEvent('payment_intent.succeeded', paymentIntentObject({ amount: 400, email: 'bob@example.com' }))),
    ];
    const before = await counts();
    const run = await runWorkflow(template, 'Tokenize', items, credentials());
    assert.equal(run.data.resultData.error, undefined, run.data.resultData.error?.message);
    assert.equal(run.status, 'success');

    const tokenized = outputOf(run, 'Tokenize');
    assert.equal(tokenized.length, 3);
    // The PaymentIntent event carries no card (its charge is not expanded); the two charges do.
    for (const item of tokenized.slice(0, 2)) {
      const identity = (item.json.card as { identity?: { kind: string; value: string } } | undefined)?.identity;
      assert.equal(identity?.kind, 'token');
      assert.match(identity!.value, /^ctok_k1_/);
    }
    assert.ok(!JSON.stringify(tokenized).includes(fingerprint), 'no processor fingerprint after Tokenize');

    const upserted = outputOf(run, 'CRM Upsert');
    assert.deepEqual(upserted.map((i) => (i.json.crm as { outcome: string }).outcome), ['recorded', 'recorded', 'recorded']);
    assert.deepEqual(upserted.map((i) => i.pairedItem), [{ item: 0 }, { item: 1 }, { item: 2 }]);
    assert.deepEqual(await counts(), { customers: before.customers + 3, transactions: before.transactions + 3 });
    const amounts = await store.db.all<{ amount_minor: number }>('SELECT amount_minor FROM transactions WHERE event_id IN (?, ?, ?) ORDER BY amount_minor', items.map((i) => i.json.id as string));
    assert.deepEqual(amounts.map((t) => t.amount_minor), [400, 990, 1250]);
  });

  it('matches a later payment with the same card to the existing customer', async () => {
    const card = { fingerprint: 'fp_returning_card' };
    const first = await runWorkflow(template, 'Tokenize', [asItem(stripeEvent('charge.succeeded', chargeObject({ amount: 500, email: 'lin@example.com', card })))], credentials());
    const customerId = (outputOf(first, 'CRM Upsert')[0]!.json.crm as { customerId: string }).customerId;
    const before = await counts();
    const run = await runWorkflow(template, 'Tokenize', [asItem(stripeEvent('charge.succeeded', chargeObject({ amount: 700, card })))], credentials());
    const [out] = outputOf(run, 'CRM Upsert');
    assert.equal((out!.json.match as { customerId: string }).customerId, customerId);
    assert.equal((out!.json.crm as { customerId: string }).customerId, customerId);
    assert.deepEqual(await counts(), { customers: before.customers, transactions: before.transactions + 1 });
  });

  it('records a payment delivered twice only once', async () => {
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 777, email: 'twice@example.com' }));
    await runWorkflow(template, 'Tokenize', [asItem(event)], credentials());
    const run = await runWorkflow(template, 'Tokenize', [asItem(event)], credentials());
    assert.equal((outputOf(run, 'CRM Upsert')[0]!.json.crm as { outcome: string }).outcome, 'duplicate');
    const rows = await store.db.all('SELECT event_id FROM transactions WHERE event_id = ?', [`stripe:${event.id}`]);
    assert.equal(rows.length, 1);
  });
});
