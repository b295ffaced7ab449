import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { chargeObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { seedCustomers, strangers } from '../../core/match/match-fixtures';
import { startCaptureServer } from '../../support/capture-server';
import { tempDir, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../../support/temp-store';
import { testCredential } from './harness/credential-test';
import { nodeOutputs } from './harness/execution-data';
import { waitForExecutions } from './harness/executions';
import { startPaymentWorkflow } from './harness/payment-workflow-instance';
import { publishTemplate } from './harness/segment-loyalty-templates';
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

  describe('templates/n8n/high-value-alert.json and loyalty-welcome.json, published in the same n8n', () => {
    let endpoint: Awaited<ReturnType<typeof startCaptureServer>>;
    const published: Record<'alert' | 'welcome', { workflowId: string; webhookUrl: string }> = { alert: { workflowId: '', webhookUrl: '' }, welcome: { workflowId: '', webhookUrl: '' } };
    before(async () => {
      endpoint = await startCaptureServer();
      const settings = { storeUrl, signingSecret: TEST_WEBHOOK_SECRET, tokenKeys: TEST_TOKEN_KEYS };
      published.alert = await publishTemplate(rest, n8n!.baseUrl, settings, 'high-value-alert.json', `${endpoint.url}/alert`);
      published.welcome = await publishTemplate(rest, n8n!.baseUrl, settings, 'loyalty-welcome.json', `${endpoint.url}/welcome`);
    });
    after(async () => {
      await endpoint?.close();
    });
    const deliverTo = async (url: string, event: object) => {
      const { body, headers } = signedDelivery(event, TEST_WEBHOOK_SECRET);
      const res = await fetch(url, { method: 'POST', headers, body });
      await res.body?.cancel();
      return res.status;
    };

    it('a payment above the high-value threshold sends one alert with the customer and the reason; a small one sends none', async () => {
      const big = stripeEvent('charge.succeeded', chargeObject({ amount: 60_000, email: 'whale@example.com', name: 'Ada Whale' }));
      const small = stripeEvent('charge.succeeded', chargeObject({ amount: 1_500, email: 'minnow@shop.example.org' }));
      assert.equal(await deliverTo(published.alert.webhookUrl, big), 200);
      assert.equal(await deliverTo(published.alert.webhookUrl, small), 200);
      const runs = await waitForExecutions(rest, published.alert.workflowId, 2);
      assert.ok(runs.every((r) => r.status === 'success'), `${JSON.stringify(runs)}${logHint()}`);

      const alerts = endpoint.to('/alert');
      assert.equal(alerts.length, 1, JSON.stringify(endpoint.requests));
      const [bigTx] = await transactionsOf(big.id);
      const body = alerts[0]!.body as Record<string, string>;
      assert.equal(alerts[0]!.method, 'POST');
      assert.deepEqual([body.customerId, body.email, body.eventId, body.segment], [bigTx!.customer_id, 'whale@example.com', `stripe:${big.id}`, 'New']);
      assert.match(body.text!, /^High-value customer Ada Whale just paid 600\.00 USD \(high value: payment of 60000 USD minor units ≥ 50000\)$/);
      const field = await store.get<{ value: string }>("SELECT value FROM customer_fields WHERE customer_id = ? AND name = 'terminal_crm_high_value'", [bigTx!.customer_id]);
      assert.equal(field?.value, 'true');
    });

    it('a new customer gets exactly one welcome message, although Stripe delivers the payment twice', async () => {
      const event = stripeEvent('charge.succeeded', chargeObject({ amount: 2_500, email: 'new.member@example.net' }));
      assert.equal(await deliverTo(published.welcome.webhookUrl, event), 200);
      assert.equal(await deliverTo(published.welcome.webhookUrl, event), 200);
      const runs = await waitForExecutions(rest, published.welcome.workflowId, 1);
      assert.ok(runs.every((r) => r.status === 'success'), `${JSON.stringify(runs)}${logHint()}`);

      const welcomes = endpoint.to('/welcome');
      assert.equal(welcomes.length, 1, JSON.stringify(endpoint.requests));
      const body = welcomes[0]!.body as Record<string, string>;
      assert.deepEqual([body.to, body.event], ['new.member@example.net', 'enrolled']);
      assert.equal(body.text, 'Welcome to our loyalty program! You have 25 points.');
      const [tx] = await transactionsOf(event.id);
      const member = await store.get<{ points_balance: number; enrolled_at: string | null }>(
        "SELECT points_balance, enrolled_at FROM loyalty_members WHERE program_id = 'default' AND customer_id = ?", [tx!.customer_id],
      );
      assert.ok(member?.enrolled_at);
      assert.equal(member!.points_balance, 25, 'the payment earned its points once');

      const upgrade = stripeEvent('charge.succeeded', chargeObject({ amount: 60_000, email: 'new.member@example.net' }));
      assert.equal(await deliverTo(published.welcome.webhookUrl, upgrade), 200);
      const after = await waitForExecutions(rest, published.welcome.workflowId, 2);
      assert.equal(after.length, 2, 'the replayed delivery started no execution of its own');
      assert.ok(after.every((r) => r.status === 'success'), logHint());
      const messages = endpoint.to('/welcome');
      assert.equal(messages.length, 2);
      const congrats = messages[1]!.body as Record<string, string>;
      assert.deepEqual([congrats.event, congrats.tier, congrats.text], ['tier-changed', 'Silver', 'Congratulations! You are now a Silver member.']);
    });
  });
});
