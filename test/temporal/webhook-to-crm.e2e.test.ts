import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { chargeObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { createActivities } from '../../temporal/activities/worker-activities';
import { createPaymentWorker } from '../../temporal/payment-worker';
import { startFromWebhook } from '../../temporal/start-from-webhook';
import { paymentWorkflowId, startPaymentWorkflow } from '../../temporal/start-payment/start-payment-workflow';
import type { paymentToCrm } from '../../workflows/payment-to-crm';
import { SqlInbox } from '../../nodes/core/inbox/inbox';
import { keyProviderFromSpec } from '../../nodes/core/tokenize/key-provider';
import { stripeRequest, verifiedStripeEvent } from '../support/stripe-delivery';
import { tempStore, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../support/temp-store';
import { eventText, eventTypeName } from './support/history-text';
import { startDevServer, type DevServer } from './support/dev-server';
import { resultWithin } from './support/result-within';

const SECRETS = [TEST_WEBHOOK_SECRET];

describe('payment → CRM through paymentToCrm (classic) on a real Temporal dev server', () => {
  let server: DevServer;
  let s: Awaited<ReturnType<typeof tempStore>>;
  let worker: Worker;
  let running: Promise<void>;
  let client: Client;
  const taskQueue = `e2e-${randomUUID()}`;

  before(async () => {
    [server, s] = await Promise.all([startDevServer(), tempStore()]);
    console.log(`# temporal dev server started in ${server.startMs} ms at ${server.env.address}`);
    client = server.env.client;
    const activities = createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' });
    const t = Date.now();
    worker = await createPaymentWorker({ connection: server.env.nativeConnection, taskQueue, activities });
    console.log(`# worker (with workflow bundling) created in ${Date.now() - t} ms`);
    running = worker.run();
  });

  after(async () => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    await server?.stop();
    await s?.remove();
  });

  const delivery = (charge: Parameters<typeof chargeObject>[0], id = `evt_${randomUUID().replace(/-/g, '')}`) =>
    signedDelivery(stripeEvent('charge.succeeded', chargeObject(charge), { id }), TEST_WEBHOOK_SECRET);
  // With the inbox, as the worker's webhook entry runs it: what it keeps is tokenized. paymentToCrm, the workflow
  // this file is about (TERMINAL_CRM_PAYMENT_WORKFLOW=classic); the default, the saga, has payment-saga.e2e.
  const webhook = (d: { body: string; headers: Record<string, string> }) =>
    startFromWebhook(client, 'stripe', stripeRequest(d), { credentials: { signingSecret: SECRETS }, inbox: new SqlInbox(s.db, keyProviderFromSpec(TEST_TOKEN_KEYS)) }, { taskQueue, workflow: 'classic' });
  const count = async (sql: string, params: string[] = []) => (await s.db.get<{ n: number }>(sql, params))!.n;

  async function executions(workflowId: string): Promise<string[]> {
    // Visibility is updated shortly after the start; wait for it rather than assert on a stale list.
    for (let i = 0; i < 50; i++) {
      const runs: string[] = [];
      for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(wf.runId);
      if (runs.length) return runs;
      await new Promise((r) => setTimeout(r, 100));
    }
    return [];
  }

  describe('webhook to CRM', () => {
    it('records a verified Stripe payment: customer and transaction in the store', async () => {
      const d = delivery({ amount: 2599, currency: 'eur', email: 'Ada.Lovelace@Example.com', name: 'Ada Lovelace' });
      const outcome = await webhook(d);
      assert.equal(outcome.status, 200);
      assert.equal(outcome.events.length, 1);
      const eventId = outcome.events[0]!.id;
      assert.match(eventId, /^stripe:evt_/);
      const result = await resultWithin(client.workflow.getHandle<typeof paymentToCrm>(outcome.workflowIds[0]!));
      assert.deepEqual(outcome.workflowIds, [`payment-${eventId}`]);
      assert.equal(result.outcome, 'recorded');
      assert.equal(result.customerCreated, true);
      const tx = await s.db.get<Record<string, unknown>>('SELECT customer_id, amount_minor, currency, kind FROM transactions WHERE event_id = ?', [eventId]);
      assert.deepEqual({ ...tx }, { customer_id: result.customerId, amount_minor: 2599, currency: 'EUR', kind: 'payment' });
      const customer = await s.db.get<Record<string, unknown>>('SELECT email, name FROM customers WHERE id = ?', [result.customerId!]);
      assert.deepEqual({ ...customer }, { email: 'ada.lovelace@example.com', name: 'Ada Lovelace' });
    });

    it('rejects a tampered delivery before any workflow starts, and writes nothing', async () => {
      const id = `evt_${randomUUID().replace(/-/g, '')}`;
      const d = delivery({ amount: 100 }, id);
      const before = [await count('SELECT COUNT(*) AS n FROM transactions'), await count('SELECT COUNT(*) AS n FROM customers')];
      const outcome = await webhook({ ...d, body: d.body.replace('"amount": 100', '"amount": 1') });
      assert.equal(outcome.status, 400);
      assert.ok(outcome.events.length === 0 && /signature/i.test(outcome.rejected ?? ''), JSON.stringify(outcome));
      await assert.rejects(client.workflow.getHandle(paymentWorkflowId(`stripe:${id}`)).describe(), WorkflowNotFoundError);
      assert.deepEqual([await count('SELECT COUNT(*) AS n FROM transactions'), await count('SELECT COUNT(*) AS n FROM customers')], before);
    });

    it('applies an event once however often it is started: one workflow execution, one transaction', async () => {
      const d = delivery({ amount: 750, email: 'twice@example.com' });
      const event = await verifiedStripeEvent(d, SECRETS);
      // A redelivery while the first run is going joins it...
      const [a, b] = await Promise.all([startPaymentWorkflow(client, event, { taskQueue }), startPaymentWorkflow(client, event, { taskQueue })]);
      const runId = a.firstExecutionRunId;
      assert.equal(b.firstExecutionRunId, runId);
      const first = await resultWithin(a);
      // ...and one after it completed gets the completed run.
      const again = await startPaymentWorkflow(client, event, { taskQueue });
      assert.deepEqual(await resultWithin(again), first);
      assert.equal(again.firstExecutionRunId, runId);
      // No later run: the latest execution under this workflow id is still the first one.
      assert.equal((await client.workflow.getHandle(paymentWorkflowId(event.id)).describe()).runId, runId);
      assert.deepEqual(await executions(paymentWorkflowId(event.id)), [runId]);
      assert.equal(await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', [event.id]), 1);
    });

    it('lets a failed event be started again once its cause is fixed (only failed runs may be replaced)', async () => {
      const d = delivery({ amount: 300 });
      const accepted = { event: await verifiedStripeEvent(d, SECRETS) };
      const broken = { ...accepted.event, amount: { minor: 3.5, currency: 'USD' } };
      const failed = await startPaymentWorkflow(client, broken, { taskQueue });
      await assert.rejects(resultWithin(failed), /Workflow execution failed/);
      const retried = await startPaymentWorkflow(client, accepted.event, { taskQueue });
      assert.notEqual(retried.firstExecutionRunId, failed.firstExecutionRunId);
      assert.equal((await resultWithin(retried)).outcome, 'recorded');
      assert.equal(await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', [accepted.event.id]), 1);
    });
  });

  describe('no card data in Temporal history', () => {
    it('keeps a card number typed into metadata out of the history, and the fingerprint out of everything after tokenize', async () => {
      const pan = '4242424242424242';
      const fingerprint = `fp_history_${randomUUID().slice(0, 8)}`;
      const d = delivery({ amount: 1999, email: 'pan@example.com', card: { fingerprint }, metadata: { note: `customer read out 4242 4242 4242 4242 to the clerk`, order: pan } });
      const outcome = await webhook(d);
      assert.equal(outcome.workflowIds.length, 1);
      const handle = client.workflow.getHandle(outcome.workflowIds[0]!);
      await resultWithin(handle);
      const events = (await handle.fetchHistory()).events!;
      const texts = events.map((ev) => ({ type: eventTypeName(ev), text: eventText(ev) }));
      assert.ok(texts.some((t) => t.text.includes('[redacted card number]')), 'the metadata note is in the history, redacted');
      assert.deepEqual(texts.filter((t) => /4242[ -]?4242[ -]?4242[ -]?4242/.test(t.text)).map((t) => t.type), []);

      // The input is the normalized event, which names the card by the processor's fingerprint (not card
      // data); tokenize's result, and everything after it, carries only the pack's token.
      const withFingerprint = events.filter((ev) => eventText(ev).includes(fingerprint));
      assert.deepEqual(
        withFingerprint.map((ev) => `${eventTypeName(ev)}${ev.activityTaskScheduledEventAttributes ? `:${ev.activityTaskScheduledEventAttributes.activityType!.name}` : ''}`),
        ['workflowExecutionStartedEventAttributes', 'activityTaskScheduledEventAttributes:tokenize'],
      );
      const results = events.filter((ev) => ev.activityTaskCompletedEventAttributes).map(eventText);
      assert.equal(results.length, 5, 'tokenize, match, upsert, segment, loyalty');
      assert.match(results[0]!, /ctok_k1_/);

      const tables = await s.db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'");
      const dump = JSON.stringify(await Promise.all(tables.map((t) => s.db.all(`SELECT * FROM "${t.name}"`))));
      assert.ok(dump.includes(outcome.events[0]!.id));
      assert.doesNotMatch(dump, new RegExp(`${pan}|${fingerprint}`));
    });
  });
});
