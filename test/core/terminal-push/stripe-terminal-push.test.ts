import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { attributionFrom } from '../../../nodes/core/terminal-push/push-metadata';
import { stripeTerminalPush } from '../../../nodes/core/terminal-push/stripe-terminal-push';
import { PushAuthError, PushTransientError, type PushOutcome, type SaleRequest } from '../../../nodes/core/terminal-push/terminal-push';
import { form, recordInto, useNock, type Seen } from './nock-harness';
import { STRIPE_ERRORS, stripePaymentIntent, stripeReader } from './vendor-fixtures';

const STRIPE = 'https://api.stripe.com';
const READER = 'tmr_FrontDesk';
const PI = 'pi_3PushTest';
const KEY = 'sk_test_terminalcrm';

const push = () => stripeTerminalPush(axiosTransport(), { secretKey: KEY, baseUrl: STRIPE, timeoutMs: 5_000 });
const sale = (over: Partial<SaleRequest> = {}): SaleRequest => ({
  amount: { minor: 1250, currency: 'USD' },
  readerId: READER,
  customerId: 'cus_4fHq9kQ2mZx7TtWbL1cN0a',
  crmRecordId: 'deal-9001',
  reference: 'deal-1',
  description: 'Cut and colour',
  ...over,
});
const expectOutcome = <K extends PushOutcome['outcome']>(o: PushOutcome, kind: K): Extract<PushOutcome, { outcome: K }> => {
  assert.equal(o.outcome, kind, `expected ${kind}, got ${JSON.stringify(o)}`);
  return o as Extract<PushOutcome, { outcome: K }>;
};

describe('Stripe Terminal push', { timeout: 20_000 }, () => {
  const nock = useNock();

  /** Mocks PaymentIntent creation (answered with a requires_payment_method intent) and records the request. */
  const created = (seen: Seen[], amount: number, currency: string, status = 'requires_payment_method') =>
    nock()(STRIPE).post('/v1/payment_intents').reply(recordInto(seen, 200, stripePaymentIntent({ amount, currency, status })));

  it('creates a card_present PaymentIntent with the customer and CRM record in its metadata, then sends it to the reader', async () => {
    const seen: Seen[] = [];
    created(seen, 1250, 'usd');
    nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(recordInto(seen, 200, stripeReader({ paymentIntent: PI, status: 'in_progress' })));

    const out = expectOutcome(await push().pushSale(sale()), 'sent');

    const [create, processed] = seen;
    assert.equal(create!.headers['idempotency-key'], 'terminal-crm:deal-1');
    assert.equal(create!.headers.authorization, `Bearer ${KEY}`);
    assert.match(create!.headers['content-type']!, /^application\/x-www-form-urlencoded/);
    const body = form(create!.body);
    assert.deepEqual([...body.keys()].sort(), [
      'amount', 'capture_method', 'currency', 'description', 'metadata[reader_id]', 'metadata[terminal_crm_customer_id]',
      'metadata[terminal_crm_record_id]', 'metadata[terminal_crm_reference]', 'payment_method_types[]',
    ]);
    assert.equal(body.get('amount'), '1250');
    assert.equal(body.get('currency'), 'usd');
    assert.deepEqual(body.getAll('payment_method_types[]'), ['card_present']);
    assert.equal(body.get('capture_method'), 'automatic');
    assert.equal(body.get('metadata[terminal_crm_customer_id]'), 'cus_4fHq9kQ2mZx7TtWbL1cN0a');
    assert.equal(body.get('metadata[terminal_crm_record_id]'), 'deal-9001');
    assert.equal(body.get('metadata[terminal_crm_reference]'), 'deal-1');
    assert.equal(body.get('metadata[reader_id]'), READER);
    assert.equal(body.get('description'), 'Cut and colour');
    assert.equal(processed!.body, `payment_intent=${PI}`);
    assert.equal(processed!.headers['idempotency-key'], undefined, 'a stored offline answer must not be replayed for a day');

    assert.equal(out.paymentId, PI);
    assert.equal(out.approved, false);
    assert.deepEqual(attributionFrom({ metadata: out.metadata }), { customerId: 'cus_4fHq9kQ2mZx7TtWbL1cN0a', crmRecordId: 'deal-9001', reference: 'deal-1' });
    assert.match(out.message, /12\.50 USD/);
  });

  it('sends no card number, security code or PIN typed into the description, reference or CRM record id', async () => {
    const seen: Seen[] = [];
    created(seen, 1250, 'usd');
    nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(recordInto(seen, 200, stripeReader({ paymentIntent: PI, status: 'in_progress' })));

    const typed = sale({ description: 'Cut, card 4242 4242 4242 4242 cvv 123', reference: 'deal 7 4000056655665556', crmRecordId: 'PIN 4321' });
    const out = expectOutcome(await push().pushSale(typed), 'sent');

    const body = form(seen[0]!.body);
    assert.equal(body.get('description'), 'Cut, card [redacted card number] cvv [redacted security code]');
    assert.equal(body.get('metadata[terminal_crm_reference]'), 'deal 7 [redacted card number]');
    assert.equal(body.get('metadata[terminal_crm_record_id]'), 'PIN [redacted PIN]');
    for (const s of seen) assert.doesNotMatch(JSON.stringify(s), /4242 ?4242|4000056655665556|4321|123"/);
    assert.equal(out.reference, 'deal 7 [redacted card number]');
  });

  it("converts each currency to Stripe's units: JPY as is, KWD in thousandths, ISK with two decimals, CAD with Interac", async () => {
    const cases: Array<{ money: { minor: number; currency: string }; amount: string; types: string[] }> = [
      { money: { minor: 1500, currency: 'JPY' }, amount: '1500', types: ['card_present'] },
      { money: { minor: 12340, currency: 'KWD' }, amount: '12340', types: ['card_present'] },
      { money: { minor: 1500, currency: 'ISK' }, amount: '150000', types: ['card_present'] },
      { money: { minor: 2599, currency: 'CAD' }, amount: '2599', types: ['card_present', 'interac_present'] },
    ];
    for (const c of cases) {
      const seen: Seen[] = [];
      created(seen, Number(c.amount), c.money.currency.toLowerCase());
      nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(200, stripeReader({ paymentIntent: PI, status: 'in_progress' }));
      expectOutcome(await push().pushSale(sale({ amount: c.money, reference: `deal-${c.money.currency}` })), 'sent');
      const body = form(seen[0]!.body);
      assert.equal(body.get('amount'), c.amount, c.money.currency);
      assert.equal(body.get('currency'), c.money.currency.toLowerCase());
      assert.deepEqual(body.getAll('payment_method_types[]'), c.types);
    }
  });

  it('refuses, before calling Stripe, a KWD amount not ending in 0 and an MGA amount with decimals', async () => {
    const kwd = expectOutcome(await push().pushSale(sale({ amount: { minor: 12345, currency: 'KWD' } })), 'rejected');
    assert.equal(kwd.field, 'amount');
    assert.match(kwd.message, /end in 0/);
    assert.match(kwd.message, /Type 12\.34 or 12\.35 KWD instead/, 'what to type instead');
    const mga = expectOutcome(await push().pushSale(sale({ amount: { minor: 1250, currency: 'MGA' } })), 'rejected');
    assert.equal(mga.field, 'amount');
    assert.match(mga.message, /Stripe charges MGA with no decimals.*Type 12 or 13 MGA instead/);
  });

  it('refuses a sale without a customer, naming the field, without calling Stripe', async () => {
    const out = expectOutcome(await push().pushSale(sale({ customerId: '' })), 'rejected');
    assert.equal(out.field, 'customerId');
    assert.match(out.message, /customerId/);
  });

  it('reports an offline reader with what to do, and that the same reference reuses the PaymentIntent', async () => {
    created([], 1250, 'usd');
    nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(400, STRIPE_ERRORS.offline);
    const out = expectOutcome(await push().pushSale(sale()), 'offline');
    assert.equal(out.vendorCode, 'terminal_reader_offline');
    assert.equal(out.mayBeOnReader, false);
    assert.equal(out.paymentId, PI);
    assert.match(out.message, /switched on.*push again.*pi_3PushTest/s);
  });

  it('retries a reader timeout once, as Stripe advises, and reports sent when the retry lands', async () => {
    const seen: Seen[] = [];
    created(seen, 1250, 'usd');
    nock()(STRIPE)
      .post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(recordInto(seen, 400, STRIPE_ERRORS.timeout))
      .post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(recordInto(seen, 200, stripeReader({ paymentIntent: PI, status: 'in_progress' })));
    expectOutcome(await push().pushSale(sale()), 'sent');
    assert.equal(seen.length, 3);
  });

  it('after two timeouts says the reader may still show the sale', async () => {
    created([], 1250, 'usd');
    nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`).times(2).reply(400, STRIPE_ERRORS.timeout);
    const out = expectOutcome(await push().pushSale(sale()), 'offline');
    assert.equal(out.mayBeOnReader, true);
    assert.equal(out.vendorCode, 'terminal_reader_timeout');
  });

  it('reports busy when the reader is processing another sale', async () => {
    created([], 1250, 'usd');
    nock()(STRIPE)
      .post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(400, STRIPE_ERRORS.busy)
      .get(`/v1/terminal/readers/${READER}`).reply(200, stripeReader({ paymentIntent: 'pi_someoneElse', status: 'in_progress' }));
    const out = expectOutcome(await push().pushSale(sale()), 'busy');
    assert.equal(out.vendorCode, 'terminal_reader_busy');
    assert.match(out.message, /busy/);
  });

  it('treats busy with this very sale (a double push) as sent', async () => {
    created([], 1250, 'usd');
    nock()(STRIPE)
      .post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(400, STRIPE_ERRORS.busy)
      .get(`/v1/terminal/readers/${READER}`).reply(200, stripeReader({ paymentIntent: PI, status: 'in_progress' }));
    const out = expectOutcome(await push().pushSale(sale()), 'sent');
    assert.equal(out.paymentId, PI);
  });

  it('reads an action that already failed: a declined card and a customer who cancelled', async () => {
    created([], 1250, 'usd');
    nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`)
      .reply(200, stripeReader({ paymentIntent: PI, status: 'failed', failure_code: 'card_declined', failure_message: 'Your card has insufficient funds.' }));
    const declined = expectOutcome(await push().pushSale(sale()), 'declined');
    assert.equal(declined.vendorCode, 'card_declined');
    assert.equal(declined.declineReason, 'Your card has insufficient funds.');
    assert.match(declined.message, /another card/);

    created([], 1250, 'usd');
    nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`)
      .reply(200, stripeReader({ paymentIntent: PI, status: 'failed', failure_code: 'customer_canceled', failure_message: 'This action could not be completed due to an error on the card reader.' }));
    const cancelled = expectOutcome(await push().pushSale(sale()), 'cancelled');
    assert.equal(cancelled.by, 'customer');
  });

  it('maps intent_invalid_state to a rejected reference', async () => {
    created([], 1250, 'usd');
    nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(400, STRIPE_ERRORS.invalidState);
    const out = expectOutcome(await push().pushSale(sale()), 'rejected');
    assert.equal(out.field, 'reference');
    assert.equal(out.vendorMessage, STRIPE_ERRORS.invalidState.error.message);
  });

  it('does not send an already paid reference to the reader again', async () => {
    created([], 1250, 'usd', 'succeeded');
    const out = expectOutcome(await push().pushSale(sale()), 'rejected');
    assert.equal(out.field, 'reference');
    assert.match(out.message, /already paid/);
  });

  it('explains a reference reused with other details (idempotency_error)', async () => {
    nock()(STRIPE).post('/v1/payment_intents').reply(400, STRIPE_ERRORS.idempotency);
    const out = expectOutcome(await push().pushSale(sale()), 'rejected');
    assert.equal(out.field, 'reference');
    assert.match(out.message, /new reference/);
  });

  it("passes Stripe's parameter errors on with the field in the pack's words", async () => {
    nock()(STRIPE).post('/v1/payment_intents').reply(400, STRIPE_ERRORS.amountTooSmall);
    const out = expectOutcome(await push().pushSale(sale({ amount: { minor: 20, currency: 'USD' } })), 'rejected');
    assert.equal(out.field, 'amount');
    assert.equal(out.vendorCode, 'amount_too_small');
    assert.equal(out.vendorMessage, 'Amount must be at least $0.50 usd');
  });

  it('throws an auth error naming the setting for a refused key', async () => {
    nock()(STRIPE).post('/v1/payment_intents').reply(401, STRIPE_ERRORS.badKey);
    await assert.rejects(push().pushSale(sale()), (e) => e instanceof PushAuthError && e.field === 'secretKey' && /Fix: /.test(e.message));
  });

  it('throws transient errors, flagging an unknown outcome only for the request that starts the payment', async () => {
    nock()(STRIPE).post('/v1/payment_intents').reply(500, STRIPE_ERRORS.apiError);
    await assert.rejects(push().pushSale(sale()), (e) => e instanceof PushTransientError && e.outcomeUnknown === false);

    // No answer in time: the reader may have the sale, so the operator must look before pushing again.
    created([], 1250, 'usd');
    nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`).delay(1_000).reply(200, stripeReader({ paymentIntent: PI, status: 'in_progress' }));
    const impatient = stripeTerminalPush(axiosTransport(), { secretKey: KEY, baseUrl: STRIPE, timeoutMs: 200 });
    await assert.rejects(impatient.pushSale(sale()), (e) => e instanceof PushTransientError && e.outcomeUnknown && /look at it/.test(e.message));
  });

  it('cancels only its own sale on the reader, and says when the card is already being authorised', async () => {
    const seen: Seen[] = [];
    nock()(STRIPE)
      .get(`/v1/terminal/readers/${READER}`).reply(200, stripeReader({ paymentIntent: PI, status: 'in_progress' }))
      .post(`/v1/terminal/readers/${READER}/cancel_action`).reply(recordInto(seen, 200, stripeReader(null)));
    const cancelled = expectOutcome(await push().cancel!({ readerId: READER, reference: 'deal-1', paymentId: PI }), 'cancelled');
    assert.equal(cancelled.by, 'cashier');
    assert.equal(seen.length, 1);

    nock()(STRIPE)
      .get(`/v1/terminal/readers/${READER}`).reply(200, stripeReader({ paymentIntent: PI, status: 'in_progress' }))
      .post(`/v1/terminal/readers/${READER}/cancel_action`).reply(400, STRIPE_ERRORS.busy);
    expectOutcome(await push().cancel!({ readerId: READER, reference: 'deal-1', paymentId: PI }), 'busy');

    nock()(STRIPE).get(`/v1/terminal/readers/${READER}`).reply(200, stripeReader({ paymentIntent: 'pi_someoneElse', status: 'in_progress' }));
    const notOurs = expectOutcome(await push().cancel!({ readerId: READER, reference: 'deal-1', paymentId: PI }), 'rejected');
    assert.equal(notOurs.field, 'paymentId');
  });

  it('reads the status from the PaymentIntent once the reader moved on', async () => {
    nock()(STRIPE)
      .get(`/v1/terminal/readers/${READER}`).reply(200, stripeReader(null))
      .get(`/v1/payment_intents/${PI}`).reply(200, stripePaymentIntent({ amount: 1250, currency: 'usd', status: 'succeeded', metadata: { terminal_crm_customer_id: 'cus_x' } }));
    const out = expectOutcome(await push().status!({ readerId: READER, reference: 'deal-1', paymentId: PI }), 'sent');
    assert.equal(out.approved, true);
    assert.deepEqual(out.metadata, { terminal_crm_customer_id: 'cus_x' });
  });
});
