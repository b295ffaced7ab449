import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { SaleRequest } from '../../../nodes/core/terminal-push/terminal-push';
import { createPushActivities, PUSH_AUTH_ERROR_TYPE, PUSH_OUTCOME_UNKNOWN_TYPE, PUSH_TRANSIENT_TYPE } from '../../../temporal/activities/push-activities';
import { form, recordInto, useNock, type Seen } from '../../core/terminal-push/nock-harness';
import { adyenPaymentResponse, STRIPE_ERRORS, stripePaymentIntent, stripeReader } from '../../core/terminal-push/vendor-fixtures';

const STRIPE = 'https://api.stripe.com';
const ADYEN = 'https://terminal-api-test.adyen.com';
const READER = 'tmr_FrontDesk';
const POI = 'S1F2-000158123456';
const PI = 'pi_3PushTest';
const ENV = { STRIPE_SECRET_KEY: 'sk_test_fromenv', ADYEN_API_KEY: 'AQE-env-key' };

const sale = (over: Partial<SaleRequest> = {}): SaleRequest => ({
  amount: { minor: 1250, currency: 'USD' },
  readerId: READER,
  customerId: 'cus_4fHq9kQ2mZx7TtWbL1cN0a',
  crmRecordId: 'deal-9001',
  reference: 'deal-9001',
  ...over,
});

/** The ApplicationFailure the activity threw, checked for its type and whether Temporal may retry it. */
async function failure(run: Promise<unknown>, type: string, nonRetryable: boolean): Promise<ApplicationFailure> {
  let caught: unknown;
  await run.then(() => assert.fail(`expected a ${type} failure`), (e: unknown) => (caught = e));
  assert.ok(caught instanceof ApplicationFailure, `an ApplicationFailure, got ${String(caught)}`);
  assert.equal(caught.type, type, caught.message);
  assert.equal(caught.nonRetryable, nonRetryable, `${type} nonRetryable`);
  return caught;
}

describe('Temporal activity sendToTerminal', { timeout: 20_000 }, () => {
  const nock = useNock();
  const activities = () => createPushActivities({ env: ENV });
  const stripeCreated = (seen: Seen[] = []) => nock()(STRIPE).post('/v1/payment_intents').reply(recordInto(seen, 200, stripePaymentIntent({ amount: 1250, currency: 'usd' })));

  it('returns sent, with the key from STRIPE_SECRET_KEY and the customer in the metadata', async () => {
    const seen: Seen[] = [];
    stripeCreated(seen);
    nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(200, stripeReader({ paymentIntent: PI, status: 'in_progress' }));
    const out = await activities().sendToTerminal({ vendor: 'stripe', sale: sale() });
    assert.equal(out.outcome, 'sent');
    assert.equal(out.paymentId, PI);
    assert.equal(seen[0]!.headers.authorization, 'Bearer sk_test_fromenv');
    assert.equal(form(seen[0]!.body).get('metadata[terminal_crm_customer_id]'), 'cus_4fHq9kQ2mZx7TtWbL1cN0a');
  });

  it('returns offline and busy as outcomes: Temporal does not put the sale on the reader again by itself', async () => {
    stripeCreated();
    nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(400, STRIPE_ERRORS.offline);
    assert.equal((await activities().sendToTerminal({ vendor: 'stripe', sale: sale() })).outcome, 'offline');

    nock()(ADYEN).post('/sync').reply(200, adyenPaymentResponse({ serviceId: 'S', poiId: POI, reference: 'deal-9001', result: 'Failure', errorCondition: 'Busy' }));
    const busy = await activities().sendToTerminal({ vendor: 'adyen', sale: sale({ readerId: POI, amount: { minor: 1050, currency: 'EUR' } }) });
    assert.equal(busy.outcome, 'busy');
  });

  it('fails declined, cancelled and rejected without retries, carrying the outcome', async () => {
    stripeCreated();
    nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`)
      .reply(200, stripeReader({ paymentIntent: PI, status: 'failed', failure_code: 'card_declined', failure_message: 'Your card has insufficient funds.' }));
    const declined = await failure(activities().sendToTerminal({ vendor: 'stripe', sale: sale() }), 'TerminalPushDeclined', true);
    assert.equal((declined.details![0] as { outcome: string }).outcome, 'declined');
    assert.match(declined.message, /declined.*another card/);
    assert.equal(declined.category, 'BENIGN', 'a decline is no error in the worker log');

    nock()(ADYEN).post('/sync').reply(200, adyenPaymentResponse({ serviceId: 'S', poiId: POI, reference: 'deal-9001', result: 'Failure', errorCondition: 'Cancel', additionalResponse: 'message=CANCELLED' }));
    const cancelled = await failure(activities().sendToTerminal({ vendor: 'adyen', sale: sale({ readerId: POI, amount: { minor: 1050, currency: 'EUR' } }) }), 'TerminalPushCancelled', true);
    assert.equal((cancelled.details![0] as { by: string }).by, 'customer');

    // Stripe charges whole ariary: refused before any request.
    const rejected = await failure(activities().sendToTerminal({ vendor: 'stripe', sale: sale({ amount: { minor: 1250, currency: 'MGA' } }) }), 'TerminalPushRejected', true);
    assert.equal((rejected.details![0] as { field: string }).field, 'amount');
    assert.equal(rejected.category, undefined, 'a refused request is a problem to see');
  });

  it('retries what is safe to repeat: a Stripe 500, and a 429 after its Retry-After', async () => {
    nock()(STRIPE).post('/v1/payment_intents').reply(500, STRIPE_ERRORS.apiError);
    await failure(activities().sendToTerminal({ vendor: 'stripe', sale: sale() }), PUSH_TRANSIENT_TYPE, false);

    nock()(STRIPE).post('/v1/payment_intents').reply(429, { error: { message: 'Too many requests', type: 'rate_limit_error' } }, { 'Retry-After': '7' });
    const limited = await failure(activities().sendToTerminal({ vendor: 'stripe', sale: sale() }), PUSH_TRANSIENT_TYPE, false);
    assert.equal(limited.nextRetryDelay, 7_000);
  });

  it('does not retry an Adyen payment request whose answer never came: that would start a second payment', async () => {
    nock()(ADYEN).post('/sync').delay(1_000).reply(200, adyenPaymentResponse({ serviceId: 'S', poiId: POI, reference: 'deal-9001', result: 'Success' }));
    const impatient = createPushActivities({ settings: { adyen: { apiKey: 'k', baseUrl: ADYEN, saleId: 'terminal-crm', timeoutMs: 200 } } });
    const unknown = await failure(impatient.sendToTerminal({ vendor: 'adyen', sale: sale({ readerId: POI, amount: { minor: 1050, currency: 'EUR' } }) }), PUSH_OUTCOME_UNKNOWN_TYPE, true);
    assert.match(unknown.message, /look at terminal|look at it/);
  });

  it('fails a refused key and a missing setting at once, naming what to fix', async () => {
    nock()(STRIPE).post('/v1/payment_intents').reply(401, STRIPE_ERRORS.badKey);
    const auth = await failure(activities().sendToTerminal({ vendor: 'stripe', sale: sale() }), PUSH_AUTH_ERROR_TYPE, true);
    assert.equal((auth.details![0] as { field: string }).field, 'secretKey');

    const missing = await failure(createPushActivities({ env: {} }).sendToTerminal({ vendor: 'square', sale: sale() }), 'InputError', true);
    assert.match(missing.message, /^SQUARE_ACCESS_TOKEN: .*Fix: set SQUARE_ACCESS_TOKEN/);
    const vendor = await failure(activities().sendToTerminal({ vendor: 'zettle' as 'stripe', sale: sale() }), 'InputError', true);
    assert.match(vendor.message, /^vendor: "zettle" is not a terminal/);
  });
});
