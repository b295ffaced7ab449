/**
 * What the Stripe source makes of the fields stripe-node 23 lets Stripe leave null (or out), in the events it reads
 * and in its API reads (the Charges and Refunds lists of a backfill, the Events list of polling): every object is
 * typed by stripe-node (`satisfies Stripe.Charge` and the like, so each null is one the SDK allows), every delivery
 * signed with stripe-node's `webhooks.generateTestHeaderString` and checked back with its `constructEventAsync`. The
 * outcome is asserted, in the event and in the ledger: recorded where the rest is enough, acknowledged and ignored
 * (2xx, with the reason) where it is not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { totalsOf } from '../../../nodes/core/crm/local-sql-crm';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { stripeChargeHistory } from '../../../nodes/core/sources/history/stripe-charges';
import { stripeTerminalSource } from '../../../nodes/core/sources/stripe-terminal';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { chargeObject, disputeObject, paymentIntentObject, refundObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { nock, SINCE, STRIPE_KEY, UNTIL } from '../backfill/history-mocks';
import { nockOffline } from '../../support/nock-offline';
import { tempStore, testKeys } from '../../support/temp-store';
import { deliverSdkSigned } from './stripe-sdk-delivery';

const DEADLINE = { timeout: 20_000 };
const cents = (minor: number) => ({ minor, currency: 'USD' });

const deliver = deliverSdkSigned;

async function accepted(type: string, object: object, opts: Parameters<typeof stripeEvent>[2] = {}): Promise<PaymentEvent> {
  const out = await deliver(stripeEvent(type, object, opts));
  assert.equal(out.status, 200, JSON.stringify(out.answer));
  assert.equal(out.events.length, 1, JSON.stringify(out.report));
  return out.events[0]!;
}

async function ignored(type: string, object: object, why: RegExp): Promise<void> {
  const out = await deliver(stripeEvent(type, object));
  assert.equal(out.status, 200, JSON.stringify(out.answer));
  assert.deepEqual(out.events, []);
  assert.match(out.report.ignored.join(' | '), why);
}

/** The object without the fields named: those stripe-node marks optional, left out as Stripe leaves them. */
function without<T extends object, K extends keyof T>(o: T, ...keys: K[]): Omit<T, K> {
  const copy: Partial<T> = { ...o };
  for (const k of keys) delete copy[k];
  return copy as Omit<T, K>;
}

/** A reader's card-present details leaving every field stripe-node lets be null null (exp_* and the flags are not nullable). */
function bareCardPresent(reader?: string): Stripe.Charge.PaymentMethodDetails.CardPresent {
  return {
    amount_authorized: null, brand: null, brand_product: null, cardholder_name: null, country: null, description: null, emv_auth_data: null, exp_month: 12,
    exp_year: 2029, fingerprint: null, funding: null, generated_card: null, iin: null, incremental_authorization_supported: false, issuer: null, last4: null,
    network: null, network_transaction_id: null, offline: null, overcapture_supported: false, preferred_locales: null, read_method: null, receipt: null,
    ...(reader ? { reader } : {}),
  };
}

/**
 * A card-present charge leaving every field stripe-node lets be null null, and `refunds` out (as from API 2022-11-15):
 * the customer, the receipt address, the billing details, the card's details, the outcome, the balance transaction.
 */
function bareCharge(s: { amount: number; amountRefunded?: number; chargeId?: string; paymentIntentId?: string | null; reader?: string; created?: number }): Stripe.Charge {
  const base = chargeObject({ amount: s.amount, amountRefunded: s.amountRefunded, chargeId: s.chargeId, paymentIntentId: s.paymentIntentId ?? undefined, created: s.created });
  return {
    ...base,
    balance_transaction: null,
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: null,
    customer: null,
    description: null,
    failure_code: null,
    failure_message: null,
    fraud_details: null,
    outcome: null,
    payment_intent: s.paymentIntentId === null ? null : base.payment_intent,
    payment_method: null,
    payment_method_details: { type: 'card_present', card_present: bareCardPresent(s.reader) },
    receipt_email: null,
    receipt_url: null,
  } satisfies Stripe.Charge;
}

/** A card-present PaymentMethod as stripe-node types it (payment_method expanded, or a decline's). */
function cardPresentMethod(card: Partial<Stripe.PaymentMethod.CardPresent> = {}): Stripe.PaymentMethod {
  return {
    id: 'pm_1NullableCardPresent', object: 'payment_method', created: 1_767_225_600, customer: null, customer_account: null, livemode: false, metadata: {},
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null }, type: 'card_present',
    card_present: {
      brand: 'mastercard', brand_product: null, cardholder_name: null, country: null, exp_month: 3, exp_year: 2031, fingerprint: 'fpUsedMethod', funding: null,
      last4: '4444', networks: null, offline: null, preferred_locales: null, read_method: 'contactless_emv', ...card,
    },
  };
}

describe('Stripe: fields stripe-node lets be null, in the events the source reads', () => {
  it('a charge leaving every nullable field null (customer, receipt_email, billing_details, every card_present detail, outcome…) is the sale, its capture and its refund', DEADLINE, async () => {
    const charge = bareCharge({ amount: 2500, chargeId: 'ch_bare', paymentIntentId: 'pi_bare', reader: 'tmr_bare' });
    for (const type of ['charge.succeeded', 'charge.captured']) {
      const e = await accepted(type, charge);
      assert.deepEqual([e.kind, e.status, e.paymentId, e.amount, e.card, e.terminal, e.customerHints, e.metadata],
        ['payment', 'succeeded', 'pi_bare', cents(2500), { expMonth: 12, expYear: 2029, entryMode: 'unknown' }, { readerId: 'tmr_bare' }, {}, {}]);
    }
    const refunded = await accepted('charge.refunded', { ...bareCharge({ amount: 2500, amountRefunded: 1000, chargeId: 'ch_bare', paymentIntentId: 'pi_bare' }), refunds: null });
    assert.deepEqual([refunded.kind, refunded.status, refunded.paymentId, refunded.refundedTotal], ['refund', 'partially_refunded', 'pi_bare', cents(1000)]);
    // Interac, its details as bare.
    const interac = without(bareCardPresent(), 'amount_authorized', 'brand_product', 'incremental_authorization_supported', 'offline', 'overcapture_supported');
    const e = await accepted('charge.succeeded', { ...charge, currency: 'cad', payment_method_details: { type: 'interac_present', interac_present: interac } } satisfies Stripe.Charge);
    assert.deepEqual([e.kind, e.amount, e.card], ['payment', { minor: 2500, currency: 'CAD' }, { expMonth: 12, expYear: 2029, entryMode: 'unknown' }]);
  });

  it('payment_method_details null: no sale is taken from a charge not known to be card-present; its refund is passed on naming no one', DEADLINE, async () => {
    const charge = {
      ...chargeObject({ amount: 2500, amountRefunded: 500, paymentIntentId: 'pi_noDetails', customer: 'cus_noDetails', email: 'someone@example.com', name: 'Some One' }),
      payment_method_details: null,
    } satisfies Stripe.Charge;
    for (const type of ['charge.succeeded', 'charge.captured']) await ignored(type, charge, /not card-present/);
    const e = await accepted('charge.refunded', charge);
    assert.deepEqual([e.kind, e.status, e.paymentId, e.amount, e.refundedTotal, e.card, e.customerHints], ['refund', 'partially_refunded', 'pi_noDetails', cents(2500), cents(500), undefined, {}]);
  });

  it('payment_intent null: the charge is its own payment, and its failed refund and its dispute, naming no PaymentIntent either, are of it', DEADLINE, async () => {
    const sale = await accepted('charge.succeeded', bareCharge({ amount: 4000, chargeId: 'ch_noPI', paymentIntentId: null }));
    assert.deepEqual([sale.kind, sale.paymentId], ['payment', 'ch_noPI']);
    const failed = await accepted('refund.failed', { ...refundObject({ amount: 500, refundId: 're_noPI', chargeId: 'ch_noPI', status: 'failed' }), payment_intent: null } satisfies Stripe.Refund);
    assert.deepEqual([failed.kind, failed.paymentId, failed.refund], ['refund', 'ch_noPI', { id: 're_noPI', cumulative: false, reversed: true }]);
    const dispute = await accepted('charge.dispute.created', disputeObject({ amount: 4000, charge: 'ch_noPI', paymentIntentId: null }));
    assert.deepEqual([dispute.kind, dispute.paymentId, dispute.amount], ['dispute', 'ch_noPI', cents(4000)]);
  });

  it('a PaymentIntent leaving customer, receipt_email, latest_charge, payment_method and the rest null is the sale by its amount', DEADLINE, async () => {
    const pi = {
      ...paymentIntentObject({ amount: 3100, paymentIntentId: 'pi_barePI' }),
      customer: null, receipt_email: null, latest_charge: null, payment_method: null, payment_method_options: null, description: null, client_secret: null,
    } satisfies Stripe.PaymentIntent;
    const e = await accepted('payment_intent.succeeded', pi);
    assert.deepEqual([e.kind, e.status, e.paymentId, e.amount, e.card, e.terminal, e.metadata], ['payment', 'succeeded', 'pi_barePI', cents(3100), undefined, undefined, {}]);
    assert.deepEqual(JSON.parse(JSON.stringify(e.customerHints)), {});
    // latest_charge expanded: a charge whose payment_method_details is null says nothing of the card; a bare one, what it can.
    const noDetails = await accepted('payment_intent.succeeded', { ...pi, latest_charge: { ...bareCharge({ amount: 3100, paymentIntentId: 'pi_barePI' }), payment_method_details: null } });
    assert.deepEqual([noDetails.kind, noDetails.amount, noDetails.card], ['payment', cents(3100), undefined]);
    const bare = await accepted('payment_intent.succeeded', { ...pi, latest_charge: bareCharge({ amount: 3100, paymentIntentId: 'pi_barePI', reader: 'tmr_PI' }) });
    assert.deepEqual([bare.card, bare.terminal], [{ expMonth: 12, expYear: 2029, entryMode: 'unknown' }, { readerId: 'tmr_PI' }]);
  });

  it('payment_method expanded: the card comes from the PaymentMethod used when the charge is only an id; one of another method (a QR code) is no card-present sale', DEADLINE, async () => {
    const pi = paymentIntentObject({ amount: 1800, paymentIntentId: 'pi_usedPM', chargeId: 'ch_usedPM' });
    const e = await accepted('payment_intent.succeeded', { ...pi, payment_method: cardPresentMethod() } satisfies Stripe.PaymentIntent);
    assert.deepEqual([e.kind, e.amount, e.card?.brand, e.card?.last4, e.card?.entryMode, e.card?.identity], ['payment', cents(1800), 'mastercard', '4444', 'contactless', { kind: 'fingerprint', value: 'fpUsedMethod' }]);
    // Its fields null: what is left.
    const bare = await accepted('payment_intent.succeeded', { ...pi, payment_method: cardPresentMethod({ brand: null, last4: null, fingerprint: null, read_method: null }) });
    assert.deepEqual(bare.card, { expMonth: 3, expYear: 2031, entryMode: 'unknown' });
    // As an id (as webhooks send it): no card.
    assert.equal((await accepted('payment_intent.succeeded', pi)).card, undefined);
    const wechat: Stripe.PaymentMethod = { ...cardPresentMethod(), type: 'wechat_pay', card_present: undefined, wechat_pay: {} };
    await ignored('payment_intent.succeeded', { ...pi, payment_method_types: ['card_present', 'wechat_pay'], payment_method: wechat }, /not card-present/);
  });

  it('a decline whose last_payment_error is null is still the decline; the declined charge, expanded, says why', DEADLINE, async () => {
    const declined = paymentIntentObject({ amount: 990, paymentIntentId: 'pi_declNull', failed: { code: 'card_declined', message: 'Your card was declined.' } });
    const e = await accepted('payment_intent.payment_failed', { ...declined, last_payment_error: null });
    assert.deepEqual([e.kind, e.status, e.paymentId, e.amount, e.card], ['failure', 'failed', 'pi_declNull', cents(990), undefined]);
    const charge = {
      ...bareCharge({ amount: 990, paymentIntentId: 'pi_declNull' }), status: 'failed', paid: false, captured: false, amount_captured: 0,
      failure_code: 'card_declined', failure_message: 'Your card was declined.',
    } satisfies Stripe.Charge;
    const withCharge = await accepted('payment_intent.payment_failed', { ...declined, last_payment_error: null, latest_charge: charge });
    assert.deepEqual([withCharge.kind, withCharge.failure], ['failure', { code: 'card_declined', message: 'Your card was declined.' }]);
    // last_payment_error naming no PaymentMethod (all its fields but type are optional): the code, no card.
    const noMethod = await accepted('payment_intent.payment_failed', { ...declined, last_payment_error: { type: 'card_error', code: 'card_declined' } });
    assert.deepEqual([noMethod.failure, noMethod.card], [{ code: 'card_declined' }, undefined]);
  });

  it('a Refund: status null is acknowledged; naming neither charge nor PaymentIntent it is acknowledged; its other nullable fields null, the failure still counts', DEADLINE, async () => {
    const failed = refundObject({ amount: 700, refundId: 're_bare', chargeId: 'ch_bareR', paymentIntentId: 'pi_bareR', status: 'failed' });
    await ignored('refund.updated', { ...failed, status: null } satisfies Stripe.Refund, /the refund is of no status/);
    await ignored('refund.failed', { ...failed, charge: null, payment_intent: null } satisfies Stripe.Refund, /names no refund id or no payment it refunds/);
    const required = without(failed, 'destination_details', 'failure_balance_transaction', 'failure_reason');
    const bare = { ...required, metadata: null, reason: null, balance_transaction: null, customer: null, payment_method: null } satisfies Stripe.Refund;
    for (const type of ['charge.refund.updated', 'refund.updated', 'refund.failed']) {
      const e = await accepted(type, bare);
      assert.deepEqual([e.id, e.kind, e.paymentId, e.amount, e.refund, e.metadata], ['stripe:refund:re_bare:failed', 'refund', 'pi_bareR', cents(700), { id: 're_bare', cumulative: false, reversed: true },
        { refund_id: 're_bare', refund_status: 'failed', charge_id: 'ch_bareR' }]);
    }
  });

  it('a failed Refund naming no PaymentIntent, its charge expanded: the sale is the charge\'s PaymentIntent, as charge.refunded named it', DEADLINE, async () => {
    const charge = bareCharge({ amount: 2500, amountRefunded: 700, chargeId: 'ch_expR', paymentIntentId: 'pi_expR' });
    const e = await accepted('refund.failed', { ...refundObject({ amount: 700, refundId: 're_expR', status: 'failed' }), charge, payment_intent: null } satisfies Stripe.Refund);
    assert.deepEqual([e.kind, e.paymentId, e.refund, e.metadata.charge_id], ['refund', 'pi_expR', { id: 're_expR', cumulative: false, reversed: true }, 'ch_expR']);
    // The PaymentIntent expanded in its place: its id.
    const pi = paymentIntentObject({ amount: 2500, paymentIntentId: 'pi_expR' });
    assert.equal((await accepted('refund.failed', { ...refundObject({ amount: 700, refundId: 're_expR2', status: 'failed' }), charge: null, payment_intent: pi })).paymentId, 'pi_expR');
  });

  it('a dispute: payment_intent null, payment_method_details out, evidence dates null; its charge expanded with payment_method_details null is passed on as if named by id', DEADLINE, async () => {
    const dispute = disputeObject({ amount: 2500, charge: 'ch_D', paymentIntentId: 'pi_D', disputeId: 'du_bare', reason: 'fraudulent' });
    const required = without(dispute, 'payment_method_details', 'network_reason_code');
    const bare = {
      ...required, network_reason_code: null, intended_submission_method: null, evidence_details: { ...dispute.evidence_details, due_by: null },
    } satisfies Stripe.Dispute;
    const e = await accepted('charge.dispute.created', bare);
    assert.deepEqual([e.kind, e.status, e.paymentId, e.amount, e.dispute], ['dispute', 'disputed', 'pi_D', cents(2500), { id: 'du_bare', reason: 'fraudulent', processorStatus: 'needs_response' }]);
    assert.equal((await accepted('charge.dispute.created', { ...bare, payment_intent: null })).paymentId, 'ch_D');
    const noDetails = { ...bareCharge({ amount: 2500, chargeId: 'ch_D', paymentIntentId: 'pi_D' }), payment_method_details: null } satisfies Stripe.Charge;
    for (const paymentIntent of ['pi_D', null]) {
      const lost = await accepted('charge.dispute.closed', { ...bare, charge: noDetails, payment_intent: paymentIntent, status: 'lost' } satisfies Stripe.Dispute);
      assert.deepEqual([lost.kind, lost.status, lost.paymentId, lost.amount, lost.card], ['dispute', 'refunded', 'pi_D', cents(2500), undefined]);
    }
    // An expanded charge that says it was online is still none of the pack's.
    const online = { ...noDetails, payment_method_details: { type: 'card' } as Stripe.Charge.PaymentMethodDetails };
    await ignored('charge.dispute.created', { ...bare, charge: online }, /not card-present/);
  });

  it('an event with api_version and request null: read as any other (a partial capture\'s total taken as it is)', DEADLINE, async () => {
    const charge = { ...chargeObject({ amount: 2500, amountCaptured: 2000, amountRefunded: 500, paymentIntentId: 'pi_noVersion' }), refunded: false };
    const event = { ...stripeEvent('charge.refunded', charge), api_version: null, request: null } satisfies Stripe.EventBase;
    const out = await deliver(event);
    assert.equal(out.status, 200);
    assert.deepEqual(out.events.map((e) => [e.kind, e.paymentId, e.amount, e.refundedTotal, e.status]), [['refund', 'pi_noVersion', cents(2000), cents(500), 'partially_refunded']]);
  });
});

describe('Stripe: nullable fields in the ledger and the CRM totals', () => {
  type Store = Awaited<ReturnType<typeof tempStore>>;
  let s: Store;
  const keys = testKeys();
  before(async () => { s = await tempStore(); });
  after(async () => { await s.remove(); });

  async function record(type: string, object: object, id: string) {
    const out = await deliver(stripeEvent(type, object, { id, created: 1_750_000_000 }));
    assert.equal(out.status, 200, JSON.stringify(out));
    assert.equal(out.events.length, 1, JSON.stringify(out.report));
    const [recorded] = await upsertStep([await matchStep(tokenizeStep(out.events[0]!, keys), s.crm)], s.crm);
    return recorded!.crm!;
  }

  it('a refund counted by charge.refunded whose failure names no PaymentIntent, its charge expanded, is given back on that sale', DEADLINE, async () => {
    const spec = { amount: 5000, chargeId: 'ch_ledgerR', paymentIntentId: 'pi_ledgerR', email: 'nia@example.com', card: { fingerprint: 'fp_nullable_nia' } };
    const paid = await record('charge.succeeded', chargeObject(spec), 'evt_nullR_sale');
    await record('charge.refunded', chargeObject({ ...spec, amountRefunded: 2000 }), 'evt_nullR_refund');
    assert.equal((await paymentState(s.db, 'stripe', 'pi_ledgerR'))!.refundedMinor, 2000);
    const refund = { ...refundObject({ amount: 2000, refundId: 're_ledgerR', status: 'failed' }), charge: chargeObject({ ...spec, amountRefunded: 2000 }), payment_intent: null } satisfies Stripe.Refund;
    const back = await record('refund.failed', refund, 'evt_nullR_failed');
    assert.equal(back.customerId, paid.customerId);
    const state = (await paymentState(s.db, 'stripe', 'pi_ledgerR'))!;
    assert.deepEqual([state.refundedMinor, state.netMinor, state.status], [0, 5000, 'succeeded']);
    assert.deepEqual(await totalsOf(s.db, paid.customerId!), [{ currency: 'USD', payments: 1, grossMinor: 5000, refundedMinor: 0, netMinor: 5000 }]);
    assert.equal(await paymentState(s.db, 'stripe', 'ch_ledgerR'), undefined, 'no payment of the charge id beside the sale');
  });

  it('a refund of a charge with payment_method_details null counts against the sale the pack recorded; of one it never saw, it makes no customer', DEADLINE, async () => {
    const spec = { amount: 6000, chargeId: 'ch_ledgerU', paymentIntentId: 'pi_ledgerU', email: 'oto@example.com', card: { fingerprint: 'fp_nullable_oto' } };
    const paid = await record('payment_intent.succeeded', paymentIntentObject(spec), 'evt_nullU_pi');
    const charged = await record('charge.succeeded', chargeObject(spec), 'evt_nullU_sale');
    const refunded = await record('charge.refunded', { ...chargeObject({ ...spec, amountRefunded: 6000 }), payment_method_details: null }, 'evt_nullU_refund');
    assert.deepEqual([paid.customerId, refunded.customerId], [charged.customerId, charged.customerId]);
    const state = (await paymentState(s.db, 'stripe', 'pi_ledgerU'))!;
    assert.deepEqual([state.grossMinor, state.refundedMinor, state.netMinor, state.status], [6000, 6000, 0, 'refunded']);
    assert.deepEqual(await totalsOf(s.db, charged.customerId!), [{ currency: 'USD', payments: 1, grossMinor: 6000, refundedMinor: 6000, netMinor: 0 }]);
    // One the pack never recorded (an online sale's, say), with a customer, an email and a name on it: no customer.
    const stranger = { ...chargeObject({ amount: 900, amountRefunded: 900, paymentIntentId: 'pi_ledgerOnline', customer: 'cus_online', email: 'online@example.com', name: 'Web Buyer' }), payment_method_details: null };
    const none = await record('charge.refunded', stranger, 'evt_nullU_online');
    assert.equal(none.customerId ?? null, null);
    assert.equal((await paymentState(s.db, 'stripe', 'pi_ledgerOnline'))!.counted, false);
  });

  it('a sale told with every nullable field null, then lost in a dispute whose expanded charge has no payment_method_details: charged back on that sale', DEADLINE, async () => {
    const pi = { ...paymentIntentObject({ amount: 3000, paymentIntentId: 'pi_ledgerD', customer: 'cus_ledgerD' }), receipt_email: null, latest_charge: null, payment_method: null };
    const paid = await record('payment_intent.succeeded', pi, 'evt_nullD_sale');
    await record('charge.succeeded', bareCharge({ amount: 3000, chargeId: 'ch_ledgerD', paymentIntentId: 'pi_ledgerD' }), 'evt_nullD_charge');
    const charge = { ...bareCharge({ amount: 3000, chargeId: 'ch_ledgerD', paymentIntentId: 'pi_ledgerD' }), payment_method_details: null };
    const lost = await record('charge.dispute.closed', { ...disputeObject({ amount: 3000, charge: 'ch_ledgerD', paymentIntentId: null, status: 'lost' }), charge }, 'evt_nullD_lost');
    assert.equal(lost.customerId, paid.customerId);
    const state = (await paymentState(s.db, 'stripe', 'pi_ledgerD'))!;
    assert.deepEqual([state.grossMinor, state.chargebackMinor, state.netMinor, state.status], [3000, 3000, 0, 'refunded']);
  });
});

describe('Stripe: nullable fields in the API reads (backfill lists, polling)', () => {
  nockOffline();
  const api = () => nock('https://api.stripe.com', { reqheaders: { authorization: `Bearer ${STRIPE_KEY}` } });
  const created = Math.floor(SINCE.getTime() / 1000) + 3600;

  it('backfill: charges listed with refunds out, payment_intent, customer and card details null; refunds listed naming neither charge nor PaymentIntent, or of no status', DEADLINE, async () => {
    const noPI = bareCharge({ amount: 4000, amountRefunded: 1500, chargeId: 'ch_listNoPI', paymentIntentId: null, created });
    const withPI = bareCharge({ amount: 2000, chargeId: 'ch_listPI', paymentIntentId: 'pi_listPI', created: created + 60 });
    const unknown = { ...bareCharge({ amount: 900, chargeId: 'ch_listNoDetails', created: created + 120 }), payment_method_details: null };
    const failed = { ...refundObject({ amount: 1000, refundId: 're_listFailed', status: 'failed', created: created + 600 }), charge: null, payment_intent: null, metadata: null } satisfies Stripe.Refund;
    const noStatus = { ...refundObject({ amount: 500, refundId: 're_listNoStatus', created: created + 300 }), charge: null, payment_intent: null, status: null } satisfies Stripe.Refund;
    const scope = api()
      .get('/v1/charges').query(true).reply(200, { object: 'list', url: '/v1/charges', data: [unknown, withPI, noPI], has_more: false })
      .get('/v1/refunds').query({ charge: 'ch_listNoPI', limit: '100' }).reply(200, { object: 'list', url: '/v1/refunds', data: [failed, noStatus], has_more: false });
    const page = await stripeChargeHistory.list({ secretKey: STRIPE_KEY }, { cursor: null, since: SINCE, until: UNTIL, limit: 10 }, { http: axiosTransport(), now: () => UNTIL });
    assert.ok(scope.isDone(), scope.pendingMocks().join(', '));
    assert.deepEqual(page.events.map((e) => [e.kind, e.paymentId, e.amount.minor, e.refundedTotal?.minor, e.refund?.id]), [
      ['payment', 'pi_listPI', 2000, undefined, undefined],
      ['payment', 'ch_listNoPI', 4000, undefined, undefined],
      ['refund', 'ch_listNoPI', 4000, 1500, undefined],
      ['refund', 'ch_listNoPI', 1000, undefined, 're_listFailed'],
    ]);
  });

  it('backfill: a charge with payment_method_details null is read as its webhook is: no sale, its refund passed on naming no one, its failed refund reversed', DEADLINE, async () => {
    const charge = {
      ...chargeObject({ amount: 2500, amountRefunded: 1500, chargeId: 'ch_listNoDetailsR', paymentIntentId: 'pi_listNoDetailsR', customer: 'cus_noDetails', email: 'someone@example.com', created }),
      payment_method_details: null,
    } satisfies Stripe.Charge;
    const failed = refundObject({ amount: 500, refundId: 're_listNoDetailsF', chargeId: charge.id, paymentIntentId: 'pi_listNoDetailsR', status: 'failed', created: created + 600 });
    const standing = refundObject({ amount: 1000, refundId: 're_listNoDetailsS', chargeId: charge.id, paymentIntentId: 'pi_listNoDetailsR', status: 'succeeded', created: created + 300 });
    const scope = api()
      .get('/v1/charges').query(true).reply(200, { object: 'list', url: '/v1/charges', data: [charge], has_more: false })
      .get('/v1/refunds').query({ charge: charge.id, limit: '100' }).reply(200, { object: 'list', url: '/v1/refunds', data: [failed, standing], has_more: false });
    const page = await stripeChargeHistory.list({ secretKey: STRIPE_KEY }, { cursor: null, since: SINCE, until: UNTIL, limit: 10 }, { http: axiosTransport(), now: () => UNTIL });
    assert.ok(scope.isDone(), scope.pendingMocks().join(', '));
    assert.deepEqual(page.events.map((e) => [e.id, e.kind, e.paymentId, e.amount.minor, e.refundedTotal?.minor, e.refund?.reversed]), [
      ['stripe:charge:ch_listNoDetailsR:refunded:1500', 'refund', 'pi_listNoDetailsR', 2500, 1500, undefined],
      ['stripe:refund:re_listNoDetailsF:failed', 'refund', 'pi_listNoDetailsR', 500, undefined, true],
    ]);
    // What the webhook makes of the same charge's charge.refunded, field by field but the event's own id and time.
    const hooked = await accepted('charge.refunded', charge);
    const facts = (e: PaymentEvent) => ({ ...e, id: undefined, occurredAt: undefined });
    assert.deepEqual(facts(page.events[0]!), facts(hooked));
    assert.deepEqual([hooked.card, hooked.customerHints], [undefined, {}]);
  });

  it('backfill: a charge with payment_method_details null that shows nothing refunded has its refunds read where the ledger counts one; of no refund, it is passed over', DEADLINE, async () => {
    const charge = { ...chargeObject({ amount: 2500, chargeId: 'ch_listNoDetailsL', paymentIntentId: 'pi_listNoDetailsL', created }), payment_method_details: null } satisfies Stripe.Charge;
    const failed = refundObject({ amount: 2500, refundId: 're_listNoDetailsL', chargeId: charge.id, paymentIntentId: 'pi_listNoDetailsL', status: 'failed', created: created + 600 });
    const asked: string[][] = [];
    const ledger = { refunded: async (ids: readonly string[]) => (asked.push([...ids]), new Set(ids)), sales: async () => new Map() };
    const scope = api()
      .get('/v1/charges').query(true).reply(200, { object: 'list', url: '/v1/charges', data: [charge], has_more: false })
      .get('/v1/refunds').query({ charge: charge.id, limit: '100' }).reply(200, { object: 'list', url: '/v1/refunds', data: [failed], has_more: false });
    const page = await stripeChargeHistory.list({ secretKey: STRIPE_KEY }, { cursor: null, since: SINCE, until: UNTIL, limit: 10 }, { http: axiosTransport(), now: () => UNTIL, ledger });
    assert.ok(scope.isDone(), scope.pendingMocks().join(', '));
    assert.deepEqual(asked, [['pi_listNoDetailsL']]);
    assert.deepEqual(page.events.map((e) => [e.id, e.kind, e.paymentId, e.refundedTotal?.minor, e.refund?.reversed]), [
      ['stripe:charge:ch_listNoDetailsL:refunded:2500', 'refund', 'pi_listNoDetailsL', 2500, undefined],
      ['stripe:refund:re_listNoDetailsL:failed', 'refund', 'pi_listNoDetailsL', undefined, true],
    ]);
    // An online charge beside it is still none of the pack's: no question about it, no refunds read.
    const online = { ...chargeObject({ amount: 900, amountRefunded: 900, chargeId: 'ch_listOnline', created }), payment_method_details: { type: 'card' } as Stripe.Charge.PaymentMethodDetails };
    const onlineScope = api().get('/v1/charges').query(true).reply(200, { object: 'list', url: '/v1/charges', data: [online], has_more: false });
    const none = await stripeChargeHistory.list({ secretKey: STRIPE_KEY }, { cursor: null, since: SINCE, until: UNTIL, limit: 10 }, { http: axiosTransport(), now: () => UNTIL, ledger });
    assert.ok(onlineScope.isDone());
    assert.deepEqual([none.events, asked.length], [[], 1]);
  });

  it('polling: events with api_version and request null are read', DEADLINE, async () => {
    const event = { ...stripeEvent('charge.succeeded', bareCharge({ amount: 1200, paymentIntentId: 'pi_polled', created }), { id: 'evt_1PolledNullVersionAAAAAAA', created }), api_version: null, request: null };
    const scope = nock('https://api.stripe.com').get('/v1/events').query(true).reply(200, { object: 'list', url: '/v1/events', has_more: false, data: [event] });
    const page = await stripeTerminalSource.list!({ signingSecret: [], secretKey: STRIPE_KEY }, { cursor: null, since: SINCE, limit: 10 }, { http: axiosTransport(), now: () => UNTIL });
    assert.ok(scope.isDone());
    assert.deepEqual([page.events.map((e) => [e.id, e.paymentId, e.amount]), page.cursor], [[['stripe:evt_1PolledNullVersionAAAAAAA', 'pi_polled', cents(1200)]], 'evt_1PolledNullVersionAAAAAAA']);
  });
});
