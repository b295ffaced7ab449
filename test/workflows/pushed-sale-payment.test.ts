import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { STRIPE_METADATA_KEYS } from '../../nodes/core/terminal-push/push-metadata';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { createActivities } from '../../temporal/activities/worker-activities';
import { createPushActivities } from '../../temporal/activities/push-activities';
import { WORKFLOWS_PATH } from '../../temporal/payment-worker';
import { paymentWorkflowId } from '../../temporal/start-payment/start-payment-workflow';
import type { paymentToCrm } from '../../workflows/payment-to-crm';
import { sendToTerminalWorkflowId, type sendToTerminal } from '../../workflows/send-to-terminal';
import { useNock } from '../core/terminal-push/nock-harness';
import { stripePaymentIntent, stripeReader } from '../core/terminal-push/vendor-fixtures';
import { startTimeSkippingServer } from '../temporal/support/dev-server';
import { settledWithin } from '../temporal/support/result-within';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';

const STRIPE = 'https://api.stripe.com';
const READER = 'tmr_Counter';
const CUSTOMER = 'cus_pushedSaleCustomer01';

/** Waits, without asking for the result, until the workflow is no longer running (at most `ms`). */
async function closedWithin(handle: { workflowId: string; describe(): Promise<{ status: { name: string } }> }, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if ((await handle.describe()).status.name !== 'RUNNING') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`workflow ${handle.workflowId} was still running after ${ms} ms`);
}

describe('a pushed sale learns its payment: paymentToCrm signals the waiting sendToTerminal workflow', { timeout: 120_000 }, () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    [env, bundle, s] = await Promise.all([startTimeSkippingServer(), bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') }), tempStore()]);
  });
  const nock = useNock();
  after(async () => {
    await env?.teardown();
    await s?.remove();
  });

  async function runBoth(reference: string, metadata: Record<string, string>) {
    nock()(STRIPE)
      .post('/v1/payment_intents').reply(200, stripePaymentIntent({ amount: 1250, currency: 'usd' }))
      .post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(200, stripeReader({ paymentIntent: 'pi_pushed', status: 'in_progress' }));
    const taskQueue = `pushed-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection, taskQueue, workflowBundle: bundle,
      activities: {
        ...createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' }),
        ...createPushActivities({ env: { STRIPE_SECRET_KEY: 'sk_test_terminalcrm' } }),
      },
    });
    const event = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 1250, email: 'ada@example.com', metadata })));
    return worker.runUntil(async () => {
      const push = await env.client.workflow.start<typeof sendToTerminal>('sendToTerminal', {
        workflowId: sendToTerminalWorkflowId('stripe', reference), taskQueue,
        args: [{ vendor: 'stripe', sale: { amount: { minor: 1250, currency: 'USD' }, readerId: READER, customerId: CUSTOMER, reference }, waitForPayment: '10 minutes' }],
      });
      const payment = await env.client.workflow.start<typeof paymentToCrm>('paymentToCrm', { workflowId: paymentWorkflowId(event.id), taskQueue, args: [event] });
      // Polled rather than awaited: awaiting a result lets the test server skip time, which would end the push's
      // wait before the payment is recorded. Once the payment is done, the push's result may skip its timer.
      await closedWithin(payment);
      const paid = await settledWithin(payment);
      const pushed = await settledWithin(push);
      return { pushed, paid, eventId: event.id };
    });
  }

  it('the sale ends with the payment and the customer it was recorded under', async () => {
    const reference = `deal-${randomUUID().slice(0, 8)}`;
    const { pushed, paid, eventId } = await runBoth(reference, { [STRIPE_METADATA_KEYS.customerId]: CUSTOMER, [STRIPE_METADATA_KEYS.reference]: reference });
    assert.equal(paid.error, undefined);
    assert.equal(pushed.error, undefined);
    assert.equal(pushed.value?.push.outcome, 'sent');
    assert.ok(paid.value!.customerId, 'the payment was recorded under a customer');
    assert.deepEqual(pushed.value?.payment, { eventId, customerId: paid.value!.customerId });
  });

  it('a payment naming another sale leaves this one waiting until its timer gives up', async () => {
    const reference = `deal-${randomUUID().slice(0, 8)}`;
    const { pushed, paid } = await runBoth(reference, { [STRIPE_METADATA_KEYS.customerId]: CUSTOMER, [STRIPE_METADATA_KEYS.reference]: 'some-other-deal' });
    assert.equal(paid.error, undefined, 'a sale with no workflow to tell does not fail the payment');
    assert.equal(pushed.value?.push.outcome, 'sent');
    assert.equal(pushed.value?.payment, null);
  });
});
