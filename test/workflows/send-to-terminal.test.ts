import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { SaleRequest } from '../../nodes/core/terminal-push/terminal-push';
import { createPushActivities } from '../../temporal/activities/push-activities';
import { WORKFLOWS_PATH } from '../../temporal/payment-worker';
import { startSendToTerminal } from '../../temporal/start-send-to-terminal';
import { paymentArrivedSignal, sendToTerminalWorkflowId, type sendToTerminal, type SendToTerminalWorkflowInput } from '../../workflows/send-to-terminal';
import { form, recordInto, useNock, type Seen } from '../core/terminal-push/nock-harness';
import { STRIPE_ERRORS, stripePaymentIntent, stripeReader } from '../core/terminal-push/vendor-fixtures';
import { startTimeSkippingServer } from '../temporal/support/dev-server';
import { settledWithin } from '../temporal/support/result-within';
import { eventText } from '../temporal/support/history-text';

const STRIPE = 'https://api.stripe.com';
const READER = 'tmr_FrontDesk';
const PI = 'pi_3PushTest';
const CUSTOMER = 'cus_4fHq9kQ2mZx7TtWbL1cN0a';
const MINUTE = 60_000;

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
/** The attempt each recorded activity run ended on (the server records the start of the last attempt only). */
const attempts = (h: History) => h.events!.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
const activityFailed = (h: History) => h.events!.some((e) => e.activityTaskFailedEventAttributes);

describe('sendToTerminal workflow (time-skipping test server, Stripe mocked with nock)', { timeout: 120_000 }, () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  // Before nock is switched on: the client's gRPC connection must not go through its interceptors.
  before(async () => {
    [env, bundle] = await Promise.all([startTimeSkippingServer(), bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') })]);
  });
  const nock = useNock();
  after(async () => {
    await env?.teardown();
  });

  let serial = 0;
  const input = (over: Partial<SendToTerminalWorkflowInput> = {}): SendToTerminalWorkflowInput => {
    const reference = `deal-${++serial}`;
    const sale: SaleRequest = { amount: { minor: 1250, currency: 'USD' }, readerId: READER, customerId: CUSTOMER, crmRecordId: 'deal-9001', reference };
    return { vendor: 'stripe', sale, ...over };
  };

  /** Runs the workflow on a worker with the real activity (its Stripe calls answered by nock); `during` runs while it is open. */
  async function run(args: SendToTerminalWorkflowInput, during?: (handle: WorkflowHandle<typeof sendToTerminal>) => Promise<void>, via: 'client' | 'startSendToTerminal' = 'client') {
    const taskQueue = `push-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection, taskQueue, workflowBundle: bundle,
      activities: createPushActivities({ env: { STRIPE_SECRET_KEY: 'sk_test_terminalcrm' } }),
    });
    return worker.runUntil(async () => {
      const handle = via === 'client'
        ? await env.client.workflow.start<typeof sendToTerminal>('sendToTerminal', { workflowId: sendToTerminalWorkflowId(args.vendor, args.sale.reference), taskQueue, args: [args] })
        : await startSendToTerminal(env.client, args, { taskQueue });
      if (during) await during(handle);
      const result: { value?: Awaited<ReturnType<typeof handle.result>>; error?: unknown } = await settledWithin(handle);
      return { ...result, history: await handle.fetchHistory(), workflowId: handle.workflowId };
    });
  }

  /** History reads do not move the test server's clock; the push has returned once its activity completed. */
  async function pushReturned(handle: WorkflowHandle) {
    for (let i = 0; i < 200; i++) {
      if ((await handle.fetchHistory()).events!.some((e) => e.activityTaskCompletedEventAttributes)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the push never completed');
  }

  const sentOnReader = (seen: Seen[] = []) =>
    nock()(STRIPE)
      .post('/v1/payment_intents').reply(recordInto(seen, 200, stripePaymentIntent({ amount: 1250, currency: 'usd' })))
      .post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(200, stripeReader({ paymentIntent: PI, status: 'in_progress' }));

  it('pushes the sale and, when asked, waits for paymentArrived: the result names the payment and its customer', async () => {
    const seen: Seen[] = [];
    sentOnReader(seen);
    const args = input({ waitForPayment: '10 minutes' });
    const { value, workflowId } = await run(args, async (handle) => {
      await pushReturned(handle);
      await handle.signal(paymentArrivedSignal, { eventId: 'stripe:evt_paid', customerId: CUSTOMER });
    });
    assert.equal(workflowId, `send-to-terminal-stripe-${args.sale.reference}`);
    assert.equal(value?.push.outcome, 'sent');
    assert.equal(value?.push.paymentId, PI);
    assert.deepEqual(value?.payment, { eventId: 'stripe:evt_paid', customerId: CUSTOMER });
    assert.equal(form(seen[0]!.body).get('metadata[terminal_crm_customer_id]'), CUSTOMER);
  });

  it('gives up waiting after waitForPayment on a durable timer, with the push outcome and no payment', async () => {
    sentOnReader();
    const startedAt = await env.currentTimeMs();
    const { value, history } = await run(input({ waitForPayment: '10 minutes' }));
    assert.equal(value?.push.outcome, 'sent');
    assert.equal(value?.payment, null);
    assert.ok((await env.currentTimeMs()) - startedAt >= 10 * MINUTE, 'the wait ran its ten minutes (skipped)');
    assert.ok(history.events!.some((e) => e.timerFiredEventAttributes), 'a timer ended the wait');
  });

  it('fails at once on a waitForPayment Temporal cannot read, naming it, before anything goes to the reader', async () => {
    // No Stripe answers set up: the sale must not be pushed at all.
    // As a caller in another language, or JSON from a form, may send it.
    const { error, history } = await run(input({ waitForPayment: 'ten minutes' as unknown as SendToTerminalWorkflowInput['waitForPayment'] }));
    assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure, `the run failed, not ${String(error)}`);
    assert.equal(error.cause.type, 'InputError');
    assert.match(error.cause.message, /^waitForPayment: "ten minutes" is not a duration\. Fix: give milliseconds or a duration such as "10 minutes"/);
    assert.deepEqual(attempts(history), [], 'nothing was pushed');
  });

  it('returns an offline reader as the outcome after one attempt: the sale is not put on the reader again by itself', async () => {
    nock()(STRIPE)
      .post('/v1/payment_intents').reply(200, stripePaymentIntent({ amount: 1250, currency: 'usd' }))
      .post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(400, STRIPE_ERRORS.offline);
    const { value, history } = await run(input());
    assert.equal(value?.push.outcome, 'offline');
    assert.equal(value?.payment, null);
    assert.deepEqual(attempts(history), [1]);
  });

  it('turns a declined card (a non-retryable activity failure) back into the result, after one attempt', async () => {
    nock()(STRIPE)
      .post('/v1/payment_intents').reply(200, stripePaymentIntent({ amount: 1250, currency: 'usd' }))
      .post(`/v1/terminal/readers/${READER}/process_payment_intent`)
      .reply(200, stripeReader({ paymentIntent: PI, status: 'failed', failure_code: 'card_declined', failure_message: 'Your card has insufficient funds.' }));
    const { value, history } = await run(input({ waitForPayment: '10 minutes' }));
    assert.equal(value?.push.outcome, 'declined');
    assert.equal((value?.push as { declineReason?: string }).declineReason, 'Your card has insufficient funds.');
    assert.equal(value?.payment, null, 'nothing to wait for');
    assert.deepEqual(attempts(history), [1]);
    assert.ok(activityFailed(history), 'the history shows the activity failed');
  });

  it('retries a Stripe outage: the second attempt reuses the reference and reaches the reader', async () => {
    const seen: Seen[] = [];
    nock()(STRIPE).post('/v1/payment_intents').reply(recordInto(seen, 500, STRIPE_ERRORS.apiError));
    sentOnReader(seen);
    const { value, history } = await run(input());
    assert.equal(value?.push.outcome, 'sent');
    assert.deepEqual(attempts(history), [2], 'it was the second attempt that completed');
    assert.equal(seen[0]!.headers['idempotency-key'], seen[1]!.headers['idempotency-key'], 'one PaymentIntent, whatever the attempts');
  });

  it('fails the workflow on a refused key, for a person to fix', async () => {
    nock()(STRIPE).post('/v1/payment_intents').reply(401, STRIPE_ERRORS.badKey);
    const { error, history } = await run(input());
    assert.ok(error instanceof WorkflowFailedError, String(error));
    assert.ok(error.cause instanceof ActivityFailure);
    assert.ok(error.cause.cause instanceof ApplicationFailure);
    assert.equal(error.cause.cause.type, 'TerminalPushAuth');
    assert.deepEqual(attempts(history), [1]);
  });

  it('started with startSendToTerminal, a card number, track or PIN typed into any of the sale\'s fields is in neither the history nor the request to Stripe', async () => {
    // Luhn-valid test numbers (Stripe's test cards), one per field a person or a CRM fills in.
    const secrets = ['4242424242424242', '4242 4242 4242 4242', '4000056655665556', '5555555555554444', '378282246310005', '6011111111111117', '2912101123456789', 'cvv 123', 'PIN 1234'];
    const typed = (): SendToTerminalWorkflowInput => {
      const args = input();
      args.sale = {
        ...args.sale,
        description: 'Card 4242 4242 4242 4242 exp 12/29 cvv 123, PIN 1234; swiped ;4242424242424242=2912101123456789?',
        reference: `${args.sale.reference}_4000056655665556`,
        crmRecordId: 'deal 5555555555554444',
        processorCustomerId: 'cus_378282246310005',
        customerId: 'cus_6011111111111117',
      };
      return args;
    };
    const inHistory = (history: History) => secrets.filter((x) => history.events!.some((e) => eventText(e).includes(x)));

    const seen: Seen[] = [];
    sentOnReader(seen);
    const args = typed();
    const { value, history, workflowId } = await run(args, undefined, 'startSendToTerminal');
    assert.equal(value?.push.outcome, 'sent');
    assert.equal(workflowId, `send-to-terminal-stripe-${args.sale.reference.replace('4000056655665556', '[redacted card number]')}`);
    assert.deepEqual(inHistory(history), []);
    assert.deepEqual(secrets.filter((x) => form(seen[0]!.body).toString().includes(x) || seen[0]!.body.includes(x)), [], 'sent to Stripe');
    assert.match(form(seen[0]!.body).get('description') ?? '', /^Card \[redacted card number\] exp 12\/29 cvv \[redacted security code\], PIN \[redacted PIN\]; swiped ;\[redacted card number\]$/);

    // The check can fail: the same sale started as it was typed keeps them all.
    sentOnReader();
    assert.deepEqual(inHistory((await run(typed())).history), secrets);
  });
});
