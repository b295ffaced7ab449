/**
 * What the Square source makes of the fields the `square` SDK (46) lets Square leave null, in webhooks and in the API
 * reads: each body is typed by the SDK's wire schema, written by the SDK itself (sdkWritten / sdkJson: parsed by its
 * schema and written back, so every null is one the SDK allows and keeps), signed, verified by WebhooksHelper and
 * received by the core (square-sdk-bodies.ts). The outcome is asserted: recorded where the rest is enough,
 * acknowledged and ignored (2xx, with the reason) where it is not, an error naming the field only for a body Square
 * could not send.
 */
import assert from 'node:assert/strict';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import { describe, it } from 'node:test';
import { serialization } from 'square';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { InputError } from '../../../nodes/core/errors';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { ledgerEventOf } from '../../../nodes/core/ledger/ledger-event';
import { applyEvent, MemoryEntries, statusOf, viewOf, type PaymentRecord } from '../../../nodes/core/ledger/payment-rules';
import { parseSourceCredentials } from '../../../nodes/core/sources/source-credentials';
import { squareSource } from '../../../nodes/core/sources/square';
import {
  accepted, CREATED, DEADLINE, deliver, DEVICE, dispute, disputeEvent, envelope, ignored, KEY, LOCATION, payment, paymentEvent, refund, refundEvent,
  sdkJson, sdkWritten, type PaymentRaw,
} from './square-sdk-bodies';
import { nockOffline } from '../../support/nock-offline';
import { serveSquareRefunds } from './square-refunds-mock';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

const SQUARE = 'https://connect.squareup.com';
const TOKEN = 'EAAAl-nullable-access-token';
const PAYMENT_ID = 'R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY';
const CUSTOMER = 'JDKYHBWT1D4F8MFH63DBMEN8Y4';
/** A Square Money in USD, and the pack's. */
const usd = (amount: number) => ({ amount, currency: 'USD' as const });
const cents = (minor: number) => ({ minor, currency: 'USD' });

/** GetPayment's answer, typed and written by the SDK. */
const getPayment = (p: PaymentRaw) => sdkJson(serialization.GetPaymentResponse, { errors: null, payment: p } satisfies serialization.GetPaymentResponse.Raw);
/** RetrieveCustomer's answer for a profile that leaves every optional field null. */
const bareCustomer = () => sdkJson(serialization.GetCustomerResponse, {
  errors: null,
  customer: {
    id: CUSTOMER, created_at: '2026-01-02T10:00:00.000Z', updated_at: '2026-01-02T10:00:00.000Z', given_name: null, family_name: null, nickname: null,
    company_name: null, email_address: null, address: null, phone_number: null, birthday: null, reference_id: null, note: null, preferences: null,
    creation_source: 'THIRD_PARTY', group_ids: null, segment_ids: null, version: 0, tax_ids: null,
  },
} satisfies serialization.GetCustomerResponse.Raw);

describe('Square: fields the SDK lets be null, without an access token', () => {
  it('a dispute that states no amount_money (null, or a Money whose amount is null) is acknowledged and ignored with the fix, never a 400', DEADLINE, async () => {
    for (const amount_money of [null, { amount: null, currency: 'USD' as const }]) {
      for (const type of ['dispute.created', 'dispute.state.updated'] as const) {
        await ignored(sdkWritten(disputeEvent(type, dispute({ amount_money, state: type === 'dispute.created' ? 'EVIDENCE_REQUIRED' : 'LOST' }))),
          /the dispute states no amount_money; with an access token \(PAYMENTS_READ\) its payment R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY is read/);
      }
    }
  });

  it('a dispute with neither amount_money nor disputed_payment is acknowledged and ignored: there is nothing to record it against', DEADLINE, async () => {
    await ignored(sdkWritten(disputeEvent('dispute.created', dispute({ amount_money: null, disputed_payment: null }))), /states no amount_money and names no disputed payment/);
  });

  it('dispute.state.updated naming no state is acknowledged and ignored (it would reopen a closed dispute); dispute.created naming none is open', DEADLINE, async () => {
    await ignored(sdkWritten(disputeEvent('dispute.state.updated', dispute({ state: null }))), /names no state/);
    await ignored(sdkWritten(disputeEvent('dispute.state.changed', dispute({ state: null }))), /names no state/);
    const opened = await accepted(sdkWritten(disputeEvent('dispute.created', dispute({ state: null }))));
    assert.deepEqual([opened.kind, opened.status, opened.amount, opened.dispute], ['dispute', 'disputed', cents(5000), { id: 'XDgyFu7yo1E2S5lQGGpYn', reason: 'NO_KNOWLEDGE' }]);
  });

  it('a dispute leaving everything else null (ids but one, reason, brand, dates, location) is recorded on its payment', DEADLINE, async () => {
    const bare = dispute({ id: null, reason: null, card_brand: null, due_at: null, brand_dispute_id: null, reported_date: null, reported_at: null, location_id: null, evidence_ids: null, created_at: null, updated_at: null, version: null });
    const e = await accepted(sdkWritten(disputeEvent('dispute.state.updated', bare)));
    assert.deepEqual([e.kind, e.status, e.paymentId, e.amount, e.dispute, e.terminal], ['dispute', 'disputed', PAYMENT_ID, cents(5000), { id: 'XDgyFu7yo1E2S5lQGGpYn', processorStatus: 'EVIDENCE_REQUIRED' }, undefined]);
  });

  it('total_money null: the card was charged amount_money and tip_money, not amount_money alone', DEADLINE, async () => {
    const e = await accepted(sdkWritten(paymentEvent('payment.updated', payment({ total_money: null }))));
    assert.deepEqual([e.kind, e.amount, e.metadata.tip_minor], ['payment', cents(5000), '500']);
    // A Money whose amount is null states nothing either.
    assert.deepEqual((await accepted(sdkWritten(paymentEvent('payment.updated', payment({ total_money: { amount: null, currency: 'USD' } }))))).amount, cents(5000));
    // No tip: amount_money is all of it.
    assert.deepEqual((await accepted(sdkWritten(paymentEvent('payment.updated', payment({ total_money: null, tip_money: null }))))).amount, cents(4500));
  });

  it('a payment with no amount at all (total_money and amount_money null) is a 400 naming total_money: Square requires amount_money', DEADLINE, async () => {
    const out = await deliver(sdkWritten(paymentEvent('payment.updated', payment({ total_money: null, amount_money: null, tip_money: null }))));
    assert.equal(out.status, 400);
    assert.match(JSON.stringify(out.answer), /total_money/);
  });

  it('payment.id null: the event\'s data.id names the payment', DEADLINE, async () => {
    const e = await accepted(sdkWritten(envelope('payment.updated', PAYMENT_ID, { payment: payment({ id: null }) })));
    assert.deepEqual([e.kind, e.paymentId, e.amount], ['payment', PAYMENT_ID, cents(5000)]);
  });

  it('the card and its fields null: the sale is recorded with what is left (entry method, reader)', DEADLINE, async () => {
    const noCard = await accepted(sdkWritten(paymentEvent('payment.updated', payment({ card_details: { ...payment().card_details!, card: null } }))));
    assert.deepEqual([noCard.kind, noCard.amount, noCard.card, noCard.customerHints.name], ['payment', cents(5000), { entryMode: 'chip' }, undefined]);
    const blank = {
      id: null, card_brand: null, last_4: null, exp_month: null, exp_year: null, cardholder_name: null, billing_address: null, fingerprint: null, customer_id: null,
      merchant_id: null, reference_id: null, enabled: null, card_type: null, prepaid_type: null, bin: null, created_at: null, disabled_at: null, version: null,
      card_co_brand: null, issuer_alert: null, issuer_alert_at: null, hsa_fsa: null,
    } satisfies serialization.Card.Raw;
    const blankCard = await accepted(sdkWritten(paymentEvent('payment.updated', payment({ card_details: { ...payment().card_details!, card: blank } }))));
    assert.deepEqual(blankCard.card, { entryMode: 'chip' });
    // No card details at all, taken on a device: a card-present sale of unknown entry.
    const noDetails = await accepted(sdkWritten(paymentEvent('payment.updated', payment({ card_details: null }))));
    assert.deepEqual([noDetails.card, noDetails.terminal], [{ entryMode: 'unknown' }, { readerId: DEVICE, locationId: LOCATION }]);
  });

  it('every other optional field the pack reads null: customer, email, location, receipt, refunds, fees, approval, device name, times', DEADLINE, async () => {
    const bare = payment({
      created_at: null, updated_at: null, customer_id: null, buyer_email_address: null, billing_address: null, location_id: null, order_id: null, reference_id: null,
      receipt_number: null, receipt_url: null, refund_ids: null, refunded_money: null, processing_fee: null, approved_money: null, app_fee_money: null, note: null,
      team_member_id: null, employee_id: null, terminal_checkout_id: null, application_details: null, offline_payment_details: null, is_offline_payment: null,
      risk_evaluation: null, capabilities: null, version_token: null, delay_duration: null, delay_action: null, delayed_until: null,
      device_details: { device_id: DEVICE, device_installation_id: null, device_name: null },
      card_details: { ...payment().card_details!, status: null, cvv_status: null, avs_status: null, auth_result_code: null, application_identifier: null, application_name: null,
        application_cryptogram: null, verification_method: null, verification_results: null, statement_description: null, card_payment_timeline: null, refund_requires_card_presence: null },
    });
    const e = await accepted(sdkWritten(paymentEvent('payment.updated', bare)));
    assert.deepEqual([e.kind, e.status, e.amount, e.customerHints, e.terminal], ['payment', 'succeeded', cents(5000), { name: 'ANA DIAZ' }, { readerId: DEVICE }]);
    // No payment time of its own: the event's.
    assert.equal(e.occurredAt, CREATED);
    assert.deepEqual(Object.keys(e.metadata).sort(), ['entry_method', 'merchant_id', 'payment_status', 'tip_minor']);
  });

  it('a decline with errors null is still the decline; status or source_type null is acknowledged with the reason', DEADLINE, async () => {
    const declined = payment({ status: 'FAILED', card_details: { ...payment().card_details!, status: 'FAILED', errors: null } });
    const d = await accepted(sdkWritten(paymentEvent('payment.updated', declined)));
    assert.deepEqual([d.kind, d.status, d.failure], ['failure', 'failed', {}]);
    await ignored(sdkWritten(paymentEvent('payment.updated', payment({ status: null }))), /neither COMPLETED nor FAILED/);
    await ignored(sdkWritten(paymentEvent('payment.updated', payment({ source_type: null }))), /only card payments are processed, this one is of no source_type/);
  });

  it('a COMPLETED refund leaving its optional fields null counts by its id and amount; status null is acknowledged', DEADLINE, async () => {
    const bare = refund({
      location_id: null, destination_type: null, destination_details: null, processing_fee: null, order_id: null, reason: null, created_at: null, updated_at: null,
      team_member_id: null, terminal_refund_id: null, unlinked: null, app_fee_money: null, app_fee_allocations: null,
    });
    const e = await accepted(sdkWritten(refundEvent('refund.updated', bare)));
    assert.deepEqual([e.kind, e.paymentId, e.amount, e.refund, e.terminal, e.occurredAt], ['refund', PAYMENT_ID, cents(1500), { id: refund().id, cumulative: false }, undefined, CREATED]);
    await ignored(sdkWritten(refundEvent('refund.updated', refund({ status: null }))), /is not COMPLETED/);
  });
});

describe('Square: fields the SDK lets be null, read with an access token', () => {
  nockOffline();
  const square = () => nock(SQUARE).matchHeader('authorization', `Bearer ${TOKEN}`);
  const withToken = () => ({ credentials: { accessToken: TOKEN }, http: axiosTransport() });

  it('a dispute that states no amount_money is recorded at what its payment charged (GetPayment), with its card and buyer', DEADLINE, async () => {
    for (const [type, state, status] of [['dispute.created', 'EVIDENCE_REQUIRED', 'disputed'], ['dispute.state.updated', 'LOST', 'refunded']] as const) {
      const scope = square().get(`/v2/payments/${PAYMENT_ID}`).reply(200, getPayment(payment({ customer_id: null })));
      const e = await accepted(sdkWritten(disputeEvent(type, dispute({ amount_money: null, state }))), withToken());
      assert.ok(scope.isDone());
      assert.deepEqual([e.kind, e.status, e.paymentId, e.amount, e.metadata.dispute_amount, e.card?.last4, e.customerHints.email],
        ['dispute', status, PAYMENT_ID, cents(5000), 'payment_total', '1111', 'ana@example.com']);
      assert.equal(e.metadata.square_lookup, undefined);
    }
    // The payment read leaves total_money null too: its amount and tip.
    square().get(`/v2/payments/${PAYMENT_ID}`).reply(200, getPayment(payment({ customer_id: null, total_money: null })));
    assert.deepEqual((await accepted(sdkWritten(disputeEvent('dispute.created', dispute({ amount_money: null }))), withToken())).amount, cents(5000));
  });

  it('a stated amount_money stays the dispute\'s, read or not: a dispute of part of a sale', DEADLINE, async () => {
    square().get(`/v2/payments/${PAYMENT_ID}`).reply(200, getPayment(payment({ customer_id: null })));
    const e = await accepted(sdkWritten(disputeEvent('dispute.created', dispute({ amount_money: usd(2000) }))), withToken());
    assert.deepEqual([e.amount, e.metadata.dispute_amount], [cents(2000), undefined]);
  });

  it('a dispute with no amount whose payment cannot be read, or states none either, is acknowledged and ignored with why', DEADLINE, async () => {
    square().get(`/v2/payments/${PAYMENT_ID}`).reply(404, { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail: 'Could not find payment.' }] });
    await ignored(sdkWritten(disputeEvent('dispute.created', dispute({ amount_money: null }))), /could not be read for what it charged: GET \/v2\/payments\/R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY answered 404: NOT_FOUND/, withToken());
    square().get(`/v2/payments/${PAYMENT_ID}`).reply(200, getPayment(payment({ customer_id: null, total_money: null, amount_money: null, tip_money: null })));
    await ignored(sdkWritten(disputeEvent('dispute.created', dispute({ amount_money: null }))), /as read states no total_money or amount_money either/, withToken());
  });

  it('the ledger takes a lost dispute of no stated amount back up to what refunds left: the sale nets to zero, never below', DEADLINE, async () => {
    square().get(`/v2/payments/${PAYMENT_ID}`).reply(200, getPayment(payment({ customer_id: null })));
    const lost = await accepted(sdkWritten(disputeEvent('dispute.state.updated', dispute({ amount_money: null, state: 'LOST' }))), withToken());
    const sale = await accepted(sdkWritten(paymentEvent('payment.updated', payment())));
    const partRefund = await accepted(sdkWritten(refundEvent('refund.updated', refund())));
    const entries = new MemoryEntries();
    let record: PaymentRecord | undefined;
    for (const e of [sale, partRefund, lost] as PaymentEvent[]) {
      const le = ledgerEventOf(e, null);
      record = applyEvent(record, le, entries.changesFor(le));
    }
    const view = viewOf(record);
    assert.deepEqual([view.grossMinor, view.refundedMinor, view.chargebackMinor, view.disputePhase, statusOf(record!)], [5000, 1500, 3500, 'lost', 'refunded']);
  });

  it('a dispute that stated 20.00 of the 50.00 sale and is then lost in a report with amount_money null is charged back 20.00, in either order', DEADLINE, async () => {
    const opened = await accepted(sdkWritten(disputeEvent('dispute.created', dispute({ amount_money: usd(2000), state: 'EVIDENCE_REQUIRED' }))));
    square().get(`/v2/payments/${PAYMENT_ID}`).reply(200, getPayment(payment({ customer_id: null })));
    const lost = await accepted(sdkWritten({ ...disputeEvent('dispute.state.updated', dispute({ amount_money: null, state: 'LOST' })), created_at: '2026-11-30T09:00:00.000Z' }), withToken());
    assert.ok(lost.occurredAt > opened.occurredAt, 'the loss is the later report');
    assert.deepEqual([lost.amount, lost.metadata.dispute_amount], [cents(5000), 'payment_total']);
    const sale = await accepted(sdkWritten(paymentEvent('payment.updated', payment())));
    for (const order of [[sale, opened, lost], [sale, lost, opened]] as PaymentEvent[][]) {
      const entries = new MemoryEntries();
      let record: PaymentRecord | undefined;
      for (const e of order) {
        const le = ledgerEventOf(e, null);
        record = applyEvent(record, le, entries.changesFor(le));
      }
      const view = viewOf(record);
      assert.deepEqual([view.disputePhase, view.disputedMinor, view.chargebackMinor], ['lost', 2000, 2000]);
    }
  });

  it('a refund whose payment, read, says it was refunded but lists no refund_ids counts by its own id: a second refund adds to it', DEADLINE, async () => {
    const first = refund();
    const second = refund({ id: 'R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY_second', amount_money: usd(1000) });
    const events: PaymentEvent[] = [];
    for (const r of [first, second]) {
      square().get(`/v2/payments/${PAYMENT_ID}`).reply(200, getPayment(payment({ customer_id: null, refunded_money: usd(2500), refund_ids: null })));
      const e = await accepted(sdkWritten(refundEvent('refund.updated', r)), withToken());
      assert.deepEqual([e.kind, e.amount, e.refund], ['refund', { minor: Number(r.amount_money.amount), currency: 'USD' }, { id: r.id, cumulative: false }]);
      assert.match(e.metadata.square_lookup ?? '', /says it was refunded but lists no refund_ids, so the refund counts by its own id and amount/);
      events.push(e);
    }
    const entries = new MemoryEntries();
    let record: PaymentRecord | undefined;
    for (const e of [await accepted(sdkWritten(paymentEvent('payment.updated', payment()))), ...events]) {
      const le = ledgerEventOf(e, null);
      record = applyEvent(record, le, entries.changesFor(le));
    }
    assert.equal(viewOf(record).refundedMinor, 2500);
  });

  it('a refund whose payment, read, leaves total_money null is measured against amount_money and tip_money', DEADLINE, async () => {
    // 45.00 back of a 45.00 + 5.00 tip sale: part of it, not all.
    const r = refund({ amount_money: usd(4500) });
    square()
      .get(`/v2/payments/${PAYMENT_ID}`).reply(200, getPayment(payment({ customer_id: null, total_money: null, refund_ids: [r.id] })));
    const e = await accepted(sdkWritten(refundEvent('refund.updated', r)), withToken());
    assert.deepEqual([e.kind, e.status, e.refundedTotal, e.refund?.cumulative, e.metadata.refund_scope], ['refund', 'partially_refunded', cents(4500), true, 'partial']);
  });

  it('a refund whose payment, read, states no amount at all is still the refund, with why its scope is unknown', DEADLINE, async () => {
    square()
      .get(`/v2/payments/${PAYMENT_ID}`).reply(200, getPayment(payment({ customer_id: null, total_money: null, amount_money: null, tip_money: null, refund_ids: null })));
    const e = await accepted(sdkWritten(refundEvent('refund.updated', refund())), withToken());
    assert.deepEqual([e.kind, e.amount, e.refundedTotal, e.metadata.refund_scope], ['refund', cents(1500), cents(1500), 'unknown']);
    assert.match(e.metadata.square_lookup ?? '', /states no total_money or amount_money, so whether the refund is full is not known/);
  });

  it('a customer profile leaving every field null adds nothing, and costs the sale nothing', DEADLINE, async () => {
    const scope = square().get(`/v2/customers/${CUSTOMER}`).reply(200, bareCustomer());
    const e = await accepted(sdkWritten(paymentEvent('payment.updated', payment({ buyer_email_address: null, billing_address: null }))), withToken());
    assert.ok(scope.isDone());
    assert.deepEqual([e.customerHints, e.metadata.square_lookup], [{ processorCustomerId: CUSTOMER, name: 'ANA DIAZ' }, undefined]);
  });

  describe('polling ListPayments', () => {
    const creds = () => parseSourceCredentials(squareSource, { signatureKey: KEY, accessToken: TOKEN, locationId: LOCATION });
    const ctx = () => ({ http: axiosTransport(), now: () => new Date('2026-11-22T00:00:00.000Z') });
    const SINCE = new Date('2026-11-20T00:00:00.000Z');
    const listed = (payments: PaymentRaw[] | null) => sdkJson(serialization.ListPaymentsResponse, { errors: null, payments, cursor: null } satisfies serialization.ListPaymentsResponse.Raw);

    it('a payment whose refund_ids list a refund while refunded_money is null: the refund is read and counted', DEADLINE, async () => {
      const r = refund();
      const scope = square()
        .get('/v2/payments').query(true).reply(200, listed([payment({ customer_id: null, refunded_money: null, refund_ids: [r.id] })]))
        .get(`/v2/refunds/${r.id}`).reply(200, sdkJson(serialization.GetPaymentRefundResponse, { errors: null, refund: r } satisfies serialization.GetPaymentRefundResponse.Raw));
      const page = await squareSource.list!(creds(), { cursor: null, since: SINCE, limit: 100 }, ctx());
      assert.ok(scope.isDone());
      assert.deepEqual(page.events.map((e) => [e.kind, e.amount, e.status]), [['payment', cents(5000), 'succeeded'], ['refund', cents(1500), 'partially_refunded']]);
    });

    /** ListPaymentRefunds' answer, typed and written by the SDK. */
    const refundsListed = (refunds: serialization.PaymentRefund.Raw[] | null, cursor: string | null = null) =>
      sdkJson(serialization.ListPaymentRefundsResponse, { errors: null, refunds, cursor } satisfies serialization.ListPaymentRefundsResponse.Raw);

    it('refunded_money above zero with refund_ids null or left out: ListPaymentRefunds (from the payment\'s creation, at its location, card payments, page by cursor) finds its refunds', DEADLINE, async () => {
      for (const refund_ids of [null, undefined]) {
        const ours = refund({ id: 'R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY_ours' });
        const another = refund({ id: 'Xk2QpMsv7yHZ3Tu1VbA0PnaPq4cZY_other', payment_id: 'Xk2QpMsv7yHZ3Tu1VbA0PnaPq4cZY', amount_money: usd(900) });
        const sale = payment({ customer_id: null, refunded_money: usd(1500), refund_ids });
        const asked: Record<string, unknown>[] = [];
        const scope = square()
          .get('/v2/payments').query(true).reply(200, listed([sale]))
          .get('/v2/refunds').query((q) => (asked.push(q), q.cursor === undefined)).reply(200, refundsListed([another], 'page-2-cursor'))
          .get('/v2/refunds').query((q) => (asked.push(q), q.cursor === 'page-2-cursor')).reply(200, refundsListed([ours]));
        const page = await squareSource.list!(creds(), { cursor: null, since: SINCE, limit: 100 }, ctx());
        assert.ok(scope.isDone());
        const first = asked.find((q) => q.cursor === undefined)!;
        assert.deepEqual([first.begin_time, first.location_id, first.source_type], [sale.created_at, LOCATION, 'CARD']);
        assert.equal(asked.find((q) => q.cursor === 'page-2-cursor')?.begin_time, sale.created_at, 'the next page continues the same query');
        assert.deepEqual(page.events.map((e) => [e.kind, e.amount, e.refundedTotal, e.status]),
          [['payment', cents(5000), undefined, 'succeeded'], ['refund', cents(1500), cents(1500), 'partially_refunded']]);
        assert.equal(page.notes, undefined);
      }
    });

    it('refunded without refund_ids and none of its refunds listed yet: nothing is made up, the poll\'s notes name the payment, and the next poll reads it again until they are listed', DEADLINE, async () => {
      const sale = payment({ customer_id: null, refunded_money: usd(1500), refund_ids: null });
      square()
        .get('/v2/payments').query(true).reply(200, listed([sale]))
        .get('/v2/refunds').query(true).reply(200, refundsListed(null));
      const page = await squareSource.list!(creds(), { cursor: null, since: SINCE, limit: 100 }, ctx());
      assert.deepEqual(page.events.map((e) => e.kind), ['payment']);
      assert.match(page.notes?.join(' ') ?? '', new RegExp(`payment ${PAYMENT_ID} says it was refunded \\(refunded_money 1500 USD minor units\\) but lists no refund_ids, and ListPaymentRefunds shows none of its refunds yet \\(Square's listing is eventually consistent\\): none is recorded until the next poll reads the payment again`));

      // Square's listing catches up; the payment itself has not changed since, so ListPayments does not list it again.
      const scope = square()
        .get(`/v2/payments/${PAYMENT_ID}`).reply(200, getPayment(sale))
        .get('/v2/refunds').query(true).reply(200, refundsListed([refund({ id: 'R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY_late' })]))
        .get('/v2/payments').query(true).reply(200, listed([]));
      const next = await squareSource.list!(creds(), { cursor: page.cursor, since: SINCE, limit: 100 }, ctx());
      assert.ok(scope.isDone());
      assert.deepEqual(next.events.map((e) => [e.kind, e.amount, e.refundedTotal]), [['payment', cents(5000), undefined], ['refund', cents(1500), cents(1500)]]);
      assert.equal(next.notes, undefined);
      assert.equal(JSON.parse(next.cursor!).waiting, undefined, 'found: no longer read again');
    });

    describe('a search for the refunds of a payment listing no refund_ids, over polls', () => {
      /** A seller's card refunds at the payment's location, one a minute from a minute after the sale, of other payments but where `ours` says. */
      const busyLocation = (count: number, ours: Record<number, Partial<serialization.PaymentRefund.Raw>>) =>
        Array.from({ length: count }, (_, i) => refund({
          id: `Xk2QpMsv7yHZ3Tu1VbA0PnaPq4cZY_${String(i).padStart(5, '0')}`,
          payment_id: `Xk2QpMsv7yHZ3Tu1VbA0PnaPq${String(i).padStart(4, '0')}`,
          amount_money: usd(900),
          created_at: new Date(Date.parse(CREATED) + (i + 1) * 60_000).toISOString(),
          ...ours[i],
        }));
      const clock = (iso: string) => {
        const at = { now: new Date(iso) };
        return { at, ctx: { http: axiosTransport(), now: () => at.now } };
      };

      it('at a location with more card refunds since the payment than 10 pages hold, the next poll reads on from where the last one got, and finds a refund on page 12; no page is read twice', DEADLINE, async () => {
        const sale = payment({ customer_id: null, refunded_money: usd(2000), refund_ids: null });
        // Refund 250 (page 3, 15.00) and refund 1120 (page 12, 5.00) are the sale's; the 1,158 others are other sales'.
        const first = `${PAYMENT_ID}_first`;
        const second = `${PAYMENT_ID}_second`;
        const refunds = busyLocation(1160, { 250: { id: first, payment_id: PAYMENT_ID, amount_money: usd(1500) }, 1120: { id: second, payment_id: PAYMENT_ID, amount_money: usd(500) } });
        const { ctx: c } = clock('2026-11-22T00:00:00.000Z');
        const listing = serveSquareRefunds(nock(SQUARE), refunds, c.now);
        square().get('/v2/payments').query(true).reply(200, listed([sale]));
        const page = await squareSource.list!(creds(), { cursor: null, since: SINCE, limit: 100 }, c);
        assert.equal(listing.asked.length, 10, 'a poll reads 10 pages at most');
        assert.deepEqual(page.events.map((e) => [e.kind, e.amount]), [['payment', cents(5000)], ['refund', cents(1500)]], 'what was found so far counts');
        const reached = refunds[999]!.created_at!;
        assert.match(page.notes?.join(' ') ?? '', new RegExp(`payment ${PAYMENT_ID} says it was refunded \\(refunded_money 2000 USD minor units\\) but lists no refund_ids; ListPaymentRefunds was read for 10 pages from ${sale.created_at} at its location without reaching the end, so only the 1 of its refunds found so far count for now: the next poll reads on from ${reached}`));
        const kept = JSON.parse(page.cursor!);
        assert.deepEqual([kept.waiting, kept.searches?.[PAYMENT_ID]?.from, kept.searches?.[PAYMENT_ID]?.ids], [[PAYMENT_ID], reached, [first]]);

        // The sale has not changed since, so ListPayments does not list it again: it is read again as a waiting payment.
        const scope = square()
          .get(`/v2/payments/${PAYMENT_ID}`).reply(200, getPayment(sale))
          .get(`/v2/refunds/${first}`).reply(200, sdkJson(serialization.GetPaymentRefundResponse, { errors: null, refund: refunds[250]! } satisfies serialization.GetPaymentRefundResponse.Raw))
          .get('/v2/payments').query(true).reply(200, listed([]));
        const next = await squareSource.list!(creds(), { cursor: page.cursor, since: SINCE, limit: 100 }, c);
        assert.ok(scope.isDone());
        assert.deepEqual(next.events.map((e) => [e.kind, e.amount, e.refundedTotal]), [['payment', cents(5000), undefined], ['refund', cents(2000), cents(2000)]]);
        assert.equal(next.notes, undefined);
        const resumed = listing.asked.slice(10);
        assert.deepEqual(resumed.map((q) => [q.begin_time, q.location_id, q.source_type, q.sort_order]), [[reached, LOCATION, 'CARD', 'ASC'], [reached, LOCATION, 'CARD', 'ASC']]);
        // Every refund since the sale was read once, but the one the first poll stopped at (begin_time is inclusive).
        assert.equal(listing.served.length, 1161);
        assert.deepEqual(listing.served.filter((id, i) => listing.served.indexOf(id) !== i), [refunds[999]!.id]);
        assert.deepEqual([JSON.parse(next.cursor!).waiting, JSON.parse(next.cursor!).searches], [undefined, undefined], 'found: no longer read again');
      });

      it('a refund listed late, created before the last refund a poll read, is found by the next poll: the search goes back 5 minutes before the present', DEADLINE, async () => {
        const sale = payment({ customer_id: null, refunded_money: usd(1500), refund_ids: null });
        const at = (hms: string) => `2026-11-21T${hms}.000Z`;
        const ours = refund({ id: `${PAYMENT_ID}_late`, created_at: at('23:59:00') });
        const others = ['23:50:00', '23:58:00', '23:59:30'].map((t, i) => refund({ id: `Xk2QpMsv7yHZ3Tu1VbA0PnaPq4cZY_${i}`, payment_id: `Xk2QpMsv7yHZ3Tu1VbA0PnaPq${i}`, created_at: at(t) }));
        const { ctx: c } = clock('2026-11-22T00:00:00.000Z');
        const listing = serveSquareRefunds(nock(SQUARE), [...others, ours], c.now);
        listing.unlisted.add(ours.id);
        square().get('/v2/payments').query(true).reply(200, listed([sale]));
        const page = await squareSource.list!(creds(), { cursor: null, since: SINCE, limit: 100 }, c);
        assert.deepEqual(page.events.map((e) => e.kind), ['payment']);
        assert.match(page.notes?.join(' ') ?? '', /ListPaymentRefunds shows none of its refunds yet/);
        // The last refund read (23:59:30) is within 5 minutes of now: refunds created before it may still be listed.
        assert.equal(JSON.parse(page.cursor!).searches?.[PAYMENT_ID]?.from, at('23:55:00'));

        listing.unlisted.clear();
        square()
          .get(`/v2/payments/${PAYMENT_ID}`).reply(200, getPayment(sale))
          .get('/v2/payments').query(true).reply(200, listed([]));
        const next = await squareSource.list!(creds(), { cursor: page.cursor, since: SINCE, limit: 100 }, c);
        assert.deepEqual(next.events.map((e) => [e.kind, e.amount]), [['payment', cents(5000)], ['refund', cents(1500)]]);
        assert.equal(listing.asked[1]?.begin_time, at('23:55:00'));
        assert.deepEqual(listing.served.slice(3), [others[1]!.id, ours.id, others[2]!.id], 'the refund at 23:50 is not read again');
      });

      it('refunds the listing, read to its end, still does not show a day after polling began looking for them: the payment leaves the waiting set, and the notes say so', DEADLINE, async () => {
        const sale = payment({ customer_id: null, refunded_money: usd(1500), refund_ids: null });
        const { at, ctx: c } = clock('2026-11-22T00:00:00.000Z');
        serveSquareRefunds(nock(SQUARE), busyLocation(3, {}), c.now);
        square().get('/v2/payments').query(true).reply(200, listed([sale]));
        let cursor = (await squareSource.list!(creds(), { cursor: null, since: SINCE, limit: 100 }, c)).cursor;
        assert.deepEqual([JSON.parse(cursor!).waiting, JSON.parse(cursor!).searches?.[PAYMENT_ID]?.since], [[PAYMENT_ID], '2026-11-22T00:00:00.000Z']);
        for (const [now, waits] of [['2026-11-22T23:59:00.000Z', true], ['2026-11-23T00:00:00.000Z', false]] as const) {
          at.now = new Date(now);
          square()
            .get(`/v2/payments/${PAYMENT_ID}`).reply(200, getPayment(sale))
            .get('/v2/payments').query(true).reply(200, listed([]));
          const page = await squareSource.list!(creds(), { cursor, since: SINCE, limit: 100 }, c);
          cursor = page.cursor;
          assert.deepEqual(page.events.map((e) => e.kind), ['payment']);
          assert.deepEqual(JSON.parse(cursor!).waiting, waits ? [PAYMENT_ID] : undefined, now);
          assert.equal(JSON.parse(cursor!).searches?.[PAYMENT_ID]?.since, waits ? '2026-11-22T00:00:00.000Z' : undefined, 'the search keeps when it began');
          const said = waits
            ? /none is recorded until the next poll reads the payment again/
            : new RegExp(`payment ${PAYMENT_ID} says it was refunded \\(refunded_money 1500 USD minor units\\) but lists no refund_ids, and ListPaymentRefunds, read from the payment's creation at its location to its end, shows only 0 of its refunds \\(0 minor units\\) though polling has looked for them since 2026-11-22T00:00:00.000Z: polling stops looking for the rest \\(a refund webhook or reconcile brings them\\)`);
          assert.match(page.notes?.join(' ') ?? '', said);
        }
      });
    });

    it('ListPaymentRefunds refused (403 INSUFFICIENT_SCOPES, Square\'s error body): the poll fails naming the access token, the payment and Square\'s words', DEADLINE, async () => {
      square()
        .get('/v2/payments').query(true).reply(200, listed([payment({ customer_id: null, refunded_money: usd(1500), refund_ids: null })]))
        .get('/v2/refunds').query(true).reply(403, { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'INSUFFICIENT_SCOPES', detail: 'The merchant has not given your application sufficient permissions to do that. The app must request the PAYMENTS_READ permission.' }] });
      await assert.rejects(squareSource.list!(creds(), { cursor: null, since: SINCE, limit: 100 }, ctx()),
        (e) => e instanceof InputError && e.field === 'accessToken' && new RegExp(`refunds of payment ${PAYMENT_ID} could not be read: GET /v2/refunds \\(ListPaymentRefunds\\) answered 403: INSUFFICIENT_SCOPES`).test(e.message));
    });

    it('ListLocations: a location leaving all but its id null is listed by it; locations null lists the main location, saying so', DEADLINE, async () => {
      const fields = ['name', 'address', 'timezone', 'capabilities', 'status', 'created_at', 'merchant_id', 'country', 'language_code', 'currency', 'phone_number',
        'business_name', 'type', 'website_url', 'business_hours', 'business_email', 'description', 'twitter_username', 'instagram_username', 'facebook_url',
        'coordinates', 'logo_url', 'pos_background_url', 'mcc', 'full_format_logo_url', 'tax_ids', 'custom_receipt_text', 'return_policy'];
      const bare = (id: string | null) => ({ id, ...Object.fromEntries(fields.map((f) => [f, null])) }) as serialization.Location.Raw;
      const locations = (list: serialization.Location.Raw[] | null) => sdkJson(serialization.ListLocationsResponse, { errors: null, locations: list } satisfies serialization.ListLocationsResponse.Raw);
      const everywhere = () => parseSourceCredentials(squareSource, { signatureKey: KEY, accessToken: TOKEN });
      const scope = square()
        .get('/v2/locations').reply(200, locations([bare(null), bare(LOCATION)]))
        .get('/v2/payments').query((q) => q.location_id === LOCATION).reply(200, listed([payment({ customer_id: null })]));
      const page = await squareSource.list!(everywhere(), { cursor: null, since: SINCE, limit: 100 }, ctx());
      assert.ok(scope.isDone());
      assert.deepEqual([page.events.map((e) => e.paymentId), page.notes], [[PAYMENT_ID], undefined]);

      const unasked = square()
        .get('/v2/locations').reply(200, locations(null))
        .get('/v2/payments').query((q) => q.location_id === undefined).reply(200, listed([payment({ customer_id: null })]));
      const main = await squareSource.list!(everywhere(), { cursor: null, since: SINCE, limit: 100 }, ctx());
      assert.ok(unasked.isDone());
      assert.deepEqual(main.events.map((e) => e.paymentId), [PAYMENT_ID]);
      assert.match(main.notes?.join(' ') ?? '', /Square listed no locations for this seller: only the main location's payments are listed/);
    });

    it('payments null and cursor null: an empty page, and polling resumes where it stood', DEADLINE, async () => {
      square().get('/v2/payments').query(true).reply(200, listed(null));
      const page = await squareSource.list!(creds(), { cursor: null, since: SINCE, limit: 100 }, ctx());
      assert.deepEqual([page.events, page.more, JSON.parse(page.cursor!)], [[], false, { since: SINCE.toISOString(), page: null, last: null }]);
    });
  });
});
