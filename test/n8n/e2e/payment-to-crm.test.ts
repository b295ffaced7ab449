import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { chargeObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { seedCustomers, strangers } from '../../core/match/match-fixtures';
import { tempDir, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../../support/temp-store';
import { testCredential } from './harness/credential-test';
import { nodeOutputs } from './harness/execution-data';
import { waitForExecutions } from './harness/executions';
import { startPaymentWorkflow } from './harness/payment-workflow-instance';
import type { RestSession } from '../../../sandbox/run/n8n/rest-session';
import type { RunningN8n } from '../../../sandbox/run/n8n/start-n8n';

/**
 * The pack on a real n8n 2.39: installed from its npm tarball as a community package, the shipped template
 * imported and published, signed Stripe deliveries POSTed to the production webhook URL.
 */
describe('n8n e2e: Stripe webhook → Terminal Payment Trigger → Tokenize → Match Customer → CRM Upsert', () => {
  const tmp = tempDir('tcrm-n8n-e2e-');
  const storeUrl = `sqlite:${join(tmp.path, 'store.db')}`;
  let n8n: RunningN8n | undefined;
  let rest: RestSession;
  let store: SqlDatabase;
  let workflowId = '';
  let storeCredentialId = '';
  let webhookUrl = '';
  let executions = 0;

  before(async () => {
    const instance = await startPaymentWorkflow({ workDir: tmp.path, storeUrl, signingSecret: TEST_WEBHOOK_SECRET, tokenKeys: TEST_TOKEN_KEYS });
    ({ n8n, rest, workflowId, webhookUrl } = instance);
    storeCredentialId = instance.credentials.terminalCrmStore!.id;
    store = await openDatabase(storeUrl);
    console.log(`n8n e2e timings (ms): ${JSON.stringify(instance.timings)}`);
  });

  after(async () => {
    await n8n?.stop();
    await store?.close();
    tmp.remove();
  });

  const post = async (body: string, headers: Record<string, string>) => {
    const res = await fetch(webhookUrl, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const deliver = (event: object) => {
    const { body, headers } = signedDelivery(event, TEST_WEBHOOK_SECRET);
    return post(body, headers);
  };
  // Stored under the namespaced id, "stripe:evt_…".
  const transactionsOf = (eventId: string) => store.all<{ customer_id: string; amount_minor: number }>('SELECT customer_id, amount_minor FROM transactions WHERE event_id = ?', [`stripe:${eventId}`]);
  const logHint = () => `\n--- n8n log ---\n${n8n?.logTail()}`;

  it('a signed charge creates the customer and records the transaction', async () => {
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 4200, email: 'e2e@example.com', card: { fingerprint: 'fp_e2e' } }));
    const reply = await deliver(event);
    assert.deepEqual(reply, { status: 200, body: { received: true, accepted: [`stripe:${event.id}`] } });
    const [run] = await waitForExecutions(rest, workflowId, ++executions);
    assert.equal(run!.status, 'success', logHint());
    const [transaction] = await transactionsOf(event.id);
    assert.equal(transaction?.amount_minor, 4200);
    const customer = await store.get<{ email: string }>('SELECT email FROM customers WHERE id = ?', [transaction!.customer_id]);
    assert.equal(customer?.email, 'e2e@example.com');
  });

  it('a tampered delivery gets a 400 with the reason, starts no execution and writes nothing', async () => {
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 100, email: 'tampered@example.com' }));
    const { body, headers } = signedDelivery(event, TEST_WEBHOOK_SECRET);
    const reply = await post(body.replace('"amount": 100', '"amount": 1'), headers);
    assert.equal(reply.status, 400);
    assert.match(String(reply.body.rejected), /signature/i);
    // A valid delivery after it: once that one has run, the tampered one would have run too.
    const next = stripeEvent('charge.succeeded', chargeObject({ amount: 101 }));
    assert.equal((await deliver(next)).status, 200);
    const all = await waitForExecutions(rest, workflowId, ++executions);
    assert.equal(all.length, executions, 'only the valid delivery started an execution');
    assert.equal((await transactionsOf(next.id)).length, 1);
    assert.deepEqual(await transactionsOf(event.id), []);
  });

  it('the same event delivered twice is recorded once: the replay is answered 200 from the inbox and starts nothing', async () => {
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 999, email: 'twice@example.com' }));
    assert.equal((await deliver(event)).status, 200);
    assert.deepEqual(await deliver(event), { status: 200, body: { received: true, duplicates: [`stripe:${event.id}`] } });
    // A valid delivery after it: once that one has run, a second execution of the replay would have run too.
    const next = stripeEvent('charge.succeeded', chargeObject({ amount: 998 }));
    assert.equal((await deliver(next)).status, 200);
    executions += 2;
    const runs = await waitForExecutions(rest, workflowId, executions);
    assert.equal(runs.length, executions, 'the replay started no execution');
    assert.ok(runs.slice(0, 2).every((r) => r.status === 'success'), logHint());
    assert.equal((await transactionsOf(event.id)).length, 1);
    const kept = await store.all<{ event_id: string }>('SELECT event_id FROM inbox_events WHERE event_id = ?', [`stripe:${event.id}`]);
    assert.equal(kept.length, 1);
  });

  it('a payment Match Customer is unsure about leaves on "Needs Review", which the template also wires to CRM Upsert', async () => {
    await seedCustomers(new LocalSqlCrm(store), [...strangers(), { id: 'cus_e2e_jon', givenName: 'Jonathan', familyName: 'Smith', email: 'jonathan.smith@example.com', postalCode: '94110' }]);
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 1800, name: 'John Smith', postalCode: '94110', card: { last4: '6161', fingerprint: 'fp_e2e_review' } }));
    assert.equal((await deliver(event)).status, 200);
    const [run] = await waitForExecutions(rest, workflowId, ++executions);
    assert.equal(run!.status, 'success', logHint());
    const [matched, review] = await nodeOutputs(rest, run!.id, 'Match Customer');
    assert.deepEqual(matched, []);
    const match = review![0]!.match as { decision: string; candidateId: string; customerId: string | null; explanation: string };
    assert.deepEqual([review!.length, match.decision, match.candidateId, match.customerId], [1, 'review', 'cus_e2e_jon', null]);
    assert.match(match.explanation, /needs a person to confirm/);
    const [tx] = await transactionsOf(event.id);
    assert.ok(tx && tx.customer_id !== 'cus_e2e_jon', 'recorded under a new customer, not the candidate');
  });

  it("the Terminal CRM Store credential's Test button checks keys, region and store", async () => {
    const data = { storeUrl, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' };
    const ok = await testCredential(rest, { id: storeCredentialId, name: 'Terminal CRM Store (e2e)', type: 'terminalCrmStore', data });
    assert.deepEqual(ok, { status: 'OK', message: `Store ready at ${join(tmp.path, 'store.db')}; 1 token key(s), current "k1"; region US` });
    const bad = await testCredential(rest, { id: storeCredentialId, name: 'x', type: 'terminalCrmStore', data: { ...data, defaultRegion: 'Narnia' } });
    assert.equal(bad.status, 'Error');
    assert.match(bad.message, /^Default Region: "Narnia" is not an ISO 3166 country code\. Fix: /);
  });
});
