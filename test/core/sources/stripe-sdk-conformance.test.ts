/**
 * Conformance of the Stripe source with what stripe-node (the vendor's SDK) says Stripe sends: every object is built
 * with every field stripe-node 23's types give it (sandbox/simulator/stripe-terminal-events.ts, held to those types by
 * the compiler, varied here the way the types allow: null where they allow null, expanded where they are
 * expandable), every delivery is signed with stripe-node's own `webhooks.generateTestHeaderString` and checked back
 * with its `constructEventAsync`, and the outcome asserted is what the pack makes of it: amount, currency, status,
 * kind, customer keys, card, reader — not only the 200.
 */
import assert from 'node:assert/strict';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { receiveWebhook, type WebhookOutcome } from '../../../nodes/core/pipeline/receive-webhook';
import { StripeUnavailableError } from '../../../nodes/core/sources/stripe-list';
import { STRIPE_HANDLED_EVENT_TYPES } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, disputeObject, paymentIntentObject, refundObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { stripeRequest } from '../../support/stripe-delivery';
import { TEST_WEBHOOK_SECRET } from '../../support/temp-store';
import { nockOffline } from '../../support/nock-offline';
import { deliverSdkSigned } from './stripe-sdk-delivery';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

const DEADLINE = { timeout: 20_000 };
const stripe = new Stripe('sk_test_conformance');

const deliver = deliverSdkSigned;

async function accepted(event: object): Promise<PaymentEvent> {
  const out = await deliver(event);
  assert.equal(out.status, 200, JSON.stringify(out.answer));
  assert.equal(out.events.length, 1, JSON.stringify(out.report));
  return out.events[0]!;
}

async function ignored(event: object, why: RegExp): Promise<void> {
  const out = await deliver(event);
  assert.equal(out.status, 200, JSON.stringify(out.answer));
  assert.deepEqual(out.events, []);
  assert.match(out.report.ignored.join(' | '), why);
}

/** A Customer as stripe-node types it, for a charge whose `customer` is expanded. */
function customerObject(id: string, email: string | null): Stripe.Customer {
  return {
    id, object: 'customer', address: null, balance: 0, created: 1_767_225_600, currency: null, default_source: null, delinquent: false,
    description: null, discount: null, email, invoice_prefix: 'A1B2C3D4', invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false, metadata: {}, name: 'Ana Diaz', next_invoice_sequence: 1, phone: null, preferred_locales: [], shipping: null, tax_exempt: 'none', test_clock: null,
  };
}

describe('Stripe conformance: the events a card-present business gets, as stripe-node 23 types them', () => {
  it('reads the ten event types the README lists and acknowledges every other one a Terminal account receives, terminal.reader.* included', DEADLINE, async () => {
    const charge = chargeObject({ amount: 2500, paymentIntentId: 'pi_types', card: { readerId: 'tmr_types' } });
    const pi = paymentIntentObject({ amount: 2500, paymentIntentId: 'pi_types' });
    for (const type of ['charge.succeeded', 'charge.captured']) assert.equal((await accepted(stripeEvent(type, charge))).kind, 'payment');
    assert.equal((await accepted(stripeEvent('payment_intent.succeeded', pi))).kind, 'payment');
    const reader: Stripe.Terminal.Reader = {
      id: 'tmr_types', object: 'terminal.reader', action: {
        failure_code: null, failure_message: null, status: 'succeeded', type: 'process_payment_intent',
        process_payment_intent: { payment_intent: 'pi_types' },
      } as Stripe.Terminal.Reader.Action, device_sw_version: '2.30.2.0', device_type: 'bbpos_wisepos_e', ip_address: '192.168.2.2', label: 'Front counter',
      last_seen_at: 1_767_225_600_000, livemode: false, location: 'tml_types', metadata: {}, serial_number: 'WSC513105011295', status: 'online',
    };
    for (const type of ['terminal.reader.action_succeeded', 'terminal.reader.action_failed', 'terminal.reader.action_updated']) {
      await ignored(stripeEvent(type, reader), new RegExp(type.replace(/\./g, '\\.')));
    }
    for (const type of ['payment_intent.created', 'payment_intent.processing', 'payment_intent.requires_action', 'payment_intent.amount_capturable_updated', 'payment_intent.canceled']) {
      await ignored(stripeEvent(type, pi), new RegExp(type.replace(/\./g, '\\.')));
    }
    for (const type of ['charge.pending', 'charge.failed', 'charge.updated', 'charge.expired']) await ignored(stripeEvent(type, charge), new RegExp(type.replace(/\./g, '\\.')));
    const dispute = disputeObject({ amount: 2500, charge: charge.id, paymentIntentId: 'pi_types' });
    for (const type of ['charge.dispute.updated', 'charge.dispute.funds_withdrawn', 'charge.dispute.funds_reinstated']) {
      await ignored(stripeEvent(type, dispute), new RegExp(type.replace(/\./g, '\\.')));
    }
    await ignored(stripeEvent('refund.created', refundObject({ amount: 500, paymentIntentId: 'pi_types' })), /refund\.created/);
    assert.deepEqual([...STRIPE_HANDLED_EVENT_TYPES].sort(), [
      'charge.captured', 'charge.dispute.closed', 'charge.dispute.created', 'charge.refund.updated', 'charge.refunded', 'charge.succeeded',
      'payment_intent.payment_failed', 'payment_intent.succeeded', 'refund.failed', 'refund.updated',
    ]);
  });

  it('card_present, interac_present and wallets on the reader are sales; a card not present (online) is not', DEADLINE, async () => {
    const chip = await accepted(stripeEvent('charge.succeeded', chargeObject({
      amount: 4599, customer: 'cus_Chip', email: 'ana@example.com', card: { brand: 'visa', last4: '4242', readMethod: 'contact_emv', fingerprint: 'fpChip', readerId: 'tmr_A', locationId: 'tml_A' },
    })));
    assert.deepEqual([chip.kind, chip.status, chip.amount, chip.card?.brand, chip.card?.entryMode, chip.card?.wallet, chip.terminal],
      ['payment', 'succeeded', { minor: 4599, currency: 'USD' }, 'visa', 'chip', undefined, { readerId: 'tmr_A', locationId: 'tml_A' }]);
    assert.deepEqual([chip.customerHints.processorCustomerId, chip.customerHints.email], ['cus_Chip', 'ana@example.com']);
    for (const wallet of ['apple_pay', 'google_pay', 'samsung_pay'] as const) {
      const tap = await accepted(stripeEvent('charge.succeeded', chargeObject({ amount: 800, card: { readMethod: 'contactless_emv', wallet, brand: 'mastercard' } })));
      assert.deepEqual([tap.card?.wallet, tap.card?.entryMode, tap.card?.brand], [wallet, 'contactless', 'mastercard']);
    }
    const unknownWallet = { ...chargeObject({ amount: 800, card: { readMethod: 'contactless_emv' } }) };
    const details = unknownWallet.payment_method_details as Stripe.Charge.PaymentMethodDetails;
    details.card_present = { ...details.card_present!, wallet: { type: 'unknown' } };
    assert.equal((await accepted(stripeEvent('charge.succeeded', unknownWallet))).card?.wallet, undefined);
    const interac = await accepted(stripeEvent('charge.succeeded', chargeObject({ amount: 1500, currency: 'cad', card: { interac: true, readMethod: 'contactless_emv', readerId: 'tmr_CA' } })));
    assert.deepEqual([interac.card?.brand, interac.amount, interac.terminal?.readerId], ['interac', { minor: 1500, currency: 'CAD' }, 'tmr_CA']);

    const online: Stripe.Charge.PaymentMethodDetails = {
      type: 'card',
      card: {
        amount_authorized: 4599, authorization_code: '123456', brand: 'visa', checks: { address_line1_check: null, address_postal_code_check: 'pass', cvc_check: 'pass' },
        country: 'US', exp_month: 12, exp_year: 2030, extended_authorization: { status: 'disabled' }, fingerprint: 'fpOnline', funding: 'credit',
        incremental_authorization: { status: 'unavailable' }, installments: null, last4: '4242', mandate: null, multicapture: { status: 'unavailable' },
        network: 'visa', network_token: { used: false }, network_transaction_id: '1234567890', overcapture: { maximum_amount_capturable: 4599, status: 'unavailable' },
        regulated_status: 'unregulated', three_d_secure: null, wallet: null,
      } as Stripe.Charge.PaymentMethodDetails.Card,
    };
    await ignored(stripeEvent('charge.succeeded', { ...chargeObject({ amount: 4599 }), payment_method_details: online }), /not card-present/);
    await ignored(stripeEvent('payment_intent.succeeded', { ...paymentIntentObject({ amount: 4599 }), payment_method_types: ['card'], payment_method_options: {} }), /not card-present/);
  });

  it('reads customer as an id, as an expanded Customer or as null, and billing_details, receipt_email and metadata when null or empty', DEADLINE, async () => {
    const asId = await accepted(stripeEvent('charge.succeeded', chargeObject({ amount: 100, customer: 'cus_Id' })));
    assert.equal(asId.customerHints.processorCustomerId, 'cus_Id');
    const expanded = await accepted(stripeEvent('charge.succeeded', { ...chargeObject({ amount: 100 }), customer: customerObject('cus_Expanded', 'ana@example.com') }));
    assert.equal(expanded.customerHints.processorCustomerId, 'cus_Expanded');
    const deleted: Stripe.DeletedCustomer = { id: 'cus_Deleted', object: 'customer', deleted: true };
    assert.equal((await accepted(stripeEvent('charge.succeeded', { ...chargeObject({ amount: 100 }), customer: deleted }))).customerHints.processorCustomerId, 'cus_Deleted');
    const nobody = await accepted(stripeEvent('charge.succeeded', chargeObject({ amount: 100, customer: null, email: null, phone: null, name: null, postalCode: null, card: { fingerprint: 'fpNobody' } })));
    assert.deepEqual(nobody.customerHints, {});
    assert.deepEqual(nobody.metadata, {});
    assert.equal(nobody.card?.identity?.value, 'fpNobody');
    // receipt_email alone (billing_details empty, as a reader fills it): the receipt address is the customer's email.
    const receiptOnly = { ...chargeObject({ amount: 100, email: null }), receipt_email: 'receipt@example.com' };
    assert.equal((await accepted(stripeEvent('charge.succeeded', receiptOnly))).customerHints.email, 'receipt@example.com');
    // billing_details.address null altogether (stripe-node: Address | null).
    const noAddress = chargeObject({ amount: 100, name: 'Ana Diaz' });
    noAddress.billing_details = { ...noAddress.billing_details, address: null };
    assert.deepEqual((await accepted(stripeEvent('charge.succeeded', noAddress))).customerHints, { name: 'Ana Diaz' });
    const pi = await accepted(stripeEvent('payment_intent.succeeded', { ...paymentIntentObject({ amount: 100, email: 'pi@example.com' }), customer: customerObject('cus_PI', null) }));
    assert.deepEqual([pi.customerHints.processorCustomerId, pi.customerHints.email], ['cus_PI', 'pi@example.com']);
  });

  it('latest_charge as an id (API versions from 2022-11-15) or expanded: the PaymentIntent is the sale either way, with the card when the charge is there', DEADLINE, async () => {
    const spec = { amount: 3200, paymentIntentId: 'pi_latest', chargeId: 'ch_latest', customer: 'cus_L', card: { last4: '0005', fingerprint: 'fpL', readerId: 'tmr_L' } };
    const byId = await accepted(stripeEvent('payment_intent.succeeded', paymentIntentObject(spec)));
    assert.deepEqual([byId.paymentId, byId.amount, byId.card, byId.customerHints.processorCustomerId], ['pi_latest', { minor: 3200, currency: 'USD' }, undefined, 'cus_L']);
    const expanded = await accepted(stripeEvent('payment_intent.succeeded', { ...paymentIntentObject(spec), latest_charge: chargeObject(spec) }));
    assert.deepEqual([expanded.paymentId, expanded.amount, expanded.card?.last4, expanded.terminal?.readerId], ['pi_latest', { minor: 3200, currency: 'USD' }, '0005', 'tmr_L']);
  });

  it('a PaymentIntent on an API version before 2022-11-15 lists its charges (newest first): the card, reader and cardholder come from the one that succeeded', DEADLINE, async () => {
    const spec = { amount: 6100, paymentIntentId: 'pi_2022', chargeId: 'ch_2022_ok', card: { last4: '1881', fingerprint: 'fp2022', readerId: 'tmr_2022', cardholderName: 'DIAZ/ANA' } };
    const succeeded = chargeObject(spec);
    const declined = { ...chargeObject({ ...spec, chargeId: 'ch_2022_declined', card: { ...spec.card, last4: '0002', fingerprint: 'fpDeclined' } }), status: 'failed' as const, paid: false, captured: false, amount_captured: 0, failure_code: 'card_declined', failure_message: 'Your card was declined.' };
    // Before 2022-11-15 a PaymentIntent had no latest_charge: its charges came listed.
    const pi: Record<string, unknown> = { ...paymentIntentObject(spec) };
    delete pi.latest_charge;
    const charges = { object: 'list', data: [succeeded, declined], has_more: false, total_count: 2, url: '/v1/charges?payment_intent=pi_2022' };
    const e = await accepted(stripeEvent('payment_intent.succeeded', { ...pi, charges }, { apiVersion: '2022-08-01' }));
    assert.deepEqual([e.kind, e.paymentId, e.amount, e.card?.last4, e.card?.identity?.value, e.terminal?.readerId, e.customerHints.name],
      ['payment', 'pi_2022', { minor: 6100, currency: 'USD' }, '1881', 'fp2022', 'tmr_2022', 'ANA DIAZ']);
  });

  it('a decline (payment_intent.payment_failed) keeps the card from last_payment_error and the decline code', DEADLINE, async () => {
    const e = await accepted(stripeEvent('payment_intent.payment_failed', paymentIntentObject({
      amount: 990, card: { last4: '0341', fingerprint: 'fpDecl', readMethod: 'contactless_emv' }, failed: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' },
    })));
    assert.deepEqual([e.kind, e.status, e.amount, e.card?.last4, e.card?.entryMode, e.failure],
      ['failure', 'failed', { minor: 990, currency: 'USD' }, '0341', 'contactless', { code: 'insufficient_funds', message: 'Your card has insufficient funds.' }]);
  });
});

describe('Stripe conformance: currencies and amounts', () => {
  const amountOf = async (amount: number, currency: string) => (await accepted(stripeEvent('charge.succeeded', chargeObject({ amount, currency })))).amount;

  it('zero-decimal JPY, KRW and the others of Stripe\'s list are whole units, as ISO counts them (MGA: ISO has two decimals)', DEADLINE, async () => {
    assert.deepEqual(await amountOf(500, 'jpy'), { minor: 500, currency: 'JPY' });
    assert.deepEqual(await amountOf(15000, 'krw'), { minor: 15000, currency: 'KRW' });
    assert.deepEqual(await amountOf(25000, 'vnd'), { minor: 25000, currency: 'VND' });
    assert.deepEqual(await amountOf(5000, 'mga'), { minor: 500000, currency: 'MGA' });
  });

  it('Stripe\'s special cases: ISK and UGX are written with two decimals always 00; HUF and TWD charge with two decimals (zero-decimal only for payouts)', DEADLINE, async () => {
    assert.deepEqual(await amountOf(50000, 'isk'), { minor: 500, currency: 'ISK' });
    // "to charge 5 UGX, provide an amount value of 500", though Stripe's zero-decimal list names UGX too.
    assert.deepEqual(await amountOf(500, 'ugx'), { minor: 5, currency: 'UGX' });
    assert.deepEqual(await amountOf(3_700_000, 'ugx'), { minor: 37_000, currency: 'UGX' });
    const refund = await accepted(stripeEvent('charge.refunded', chargeObject({ amount: 3_700_000, currency: 'ugx', amountRefunded: 1_200_000 })));
    assert.deepEqual([refund.amount, refund.refundedTotal], [{ minor: 37_000, currency: 'UGX' }, { minor: 12_000, currency: 'UGX' }]);
    const dispute = await accepted(stripeEvent('charge.dispute.created', disputeObject({ amount: 3_700_000, currency: 'ugx', paymentIntentId: 'pi_ugx' })));
    assert.deepEqual(dispute.amount, { minor: 37_000, currency: 'UGX' });
    // A UGX amount with shillings' hundredths is none Stripe writes: refused, not rounded.
    const odd = await deliver(stripeEvent('charge.succeeded', chargeObject({ amount: 3_700_050, currency: 'ugx' })));
    assert.equal(odd.status, 400);
    assert.match(odd.rejected ?? '', /^amount: 3700050 UGX/);
    assert.deepEqual(await amountOf(1045, 'huf'), { minor: 1045, currency: 'HUF' });
    assert.deepEqual(await amountOf(1000, 'twd'), { minor: 1000, currency: 'TWD' });
    assert.deepEqual(await amountOf(5120, 'kwd'), { minor: 5120, currency: 'KWD' });
  });

  it('amounts at their extremes: the smallest unit and the eight digits Stripe allows, in every conversion', DEADLINE, async () => {
    assert.deepEqual(await amountOf(1, 'usd'), { minor: 1, currency: 'USD' });
    assert.deepEqual(await amountOf(99_999_999, 'usd'), { minor: 99_999_999, currency: 'USD' });
    assert.deepEqual(await amountOf(99_999_999, 'jpy'), { minor: 99_999_999, currency: 'JPY' });
    assert.deepEqual(await amountOf(99_999_999, 'mga'), { minor: 9_999_999_900, currency: 'MGA' });
    assert.deepEqual(await amountOf(99_999_900, 'isk'), { minor: 999_999, currency: 'ISK' });
    const refund = await accepted(stripeEvent('charge.refunded', chargeObject({ amount: 99_999_900, currency: 'isk', amountRefunded: 99_999_900 })));
    assert.deepEqual([refund.kind, refund.status, refund.refundedTotal], ['refund', 'refunded', { minor: 999_999, currency: 'ISK' }]);
  });
});

describe('Stripe conformance: refunds and disputes in every status stripe-node lists', () => {
  it('charge.refunded: a partial and a full refund, with the running total', DEADLINE, async () => {
    const partial = await accepted(stripeEvent('charge.refunded', chargeObject({ amount: 5000, amountRefunded: 1500, paymentIntentId: 'pi_ref' })));
    assert.deepEqual([partial.kind, partial.status, partial.paymentId, partial.amount, partial.refundedTotal], ['refund', 'partially_refunded', 'pi_ref', { minor: 5000, currency: 'USD' }, { minor: 1500, currency: 'USD' }]);
    const full = await accepted(stripeEvent('charge.refunded', chargeObject({ amount: 5000, amountRefunded: 5000, paymentIntentId: 'pi_ref' })));
    assert.deepEqual([full.status, full.refundedTotal], ['refunded', { minor: 5000, currency: 'USD' }]);
  });

  it('a Refund object: failed is the reversal of that refund; pending, requires_action, succeeded and canceled are acknowledged', DEADLINE, async () => {
    for (const type of ['charge.refund.updated', 'refund.updated', 'refund.failed']) {
      const e = await accepted(stripeEvent(type, refundObject({ amount: 700, currency: 'jpy', refundId: 're_F', paymentIntentId: 'pi_F', chargeId: 'ch_F', status: 'failed', failureReason: 'lost_or_stolen_card' })));
      assert.deepEqual([e.id, e.kind, e.paymentId, e.amount, e.refund], ['stripe:refund:re_F:failed', 'refund', 'pi_F', { minor: 700, currency: 'JPY' }, { id: 're_F', cumulative: false, reversed: true }]);
      assert.equal(e.metadata.failure_reason, 'lost_or_stolen_card');
    }
    for (const status of ['pending', 'requires_action', 'succeeded', 'canceled']) {
      await ignored(stripeEvent('refund.updated', refundObject({ amount: 700, status })), new RegExp(`the refund is ${status}`));
    }
    // A refund naming only its charge (payment_intent null, as stripe-node allows).
    const byCharge = await accepted(stripeEvent('refund.failed', { ...refundObject({ amount: 300, refundId: 're_C', chargeId: 'ch_only', status: 'failed' }), payment_intent: null }));
    assert.equal(byCharge.paymentId, 'ch_only');
  });

  const outcomes: [Stripe.Dispute.Status, string][] = [
    ['warning_needs_response', 'disputed'], ['warning_under_review', 'disputed'], ['warning_closed', 'succeeded'],
    ['needs_response', 'disputed'], ['under_review', 'disputed'], ['won', 'succeeded'], ['lost', 'refunded'], ['prevented', 'succeeded'],
    ['appeal_needs_response', 'disputed'], ['appeal_under_review', 'disputed'],
  ];
  for (const [status, expected] of outcomes) {
    it(`a dispute ${status} reads ${expected}, tied to the sale by its PaymentIntent`, DEADLINE, async () => {
      const type = status === 'won' || status === 'lost' || status === 'warning_closed' || status === 'prevented' ? 'charge.dispute.closed' : 'charge.dispute.created';
      const dispute = { ...disputeObject({ amount: 1200, currency: 'krw', charge: 'ch_D', paymentIntentId: 'pi_D', disputeId: 'du_D', reason: 'product_not_received' }), status };
      const e = await accepted(stripeEvent(type, dispute));
      assert.deepEqual([e.kind, e.status, e.paymentId, e.amount, e.dispute], ['dispute', expected, 'pi_D', { minor: 1200, currency: 'KRW' }, { id: 'du_D', reason: 'product_not_received', processorStatus: status }]);
    });
  }
});

/**
 * An event destination with the thin payload sends `v2.core.event` notifications: the type, the related object and,
 * for the thin version of a v1 event (`v1.<type>`), the snapshot event it stands for; never the object. Built as
 * stripe-node 23 types them (its Events.* interfaces, less the fetch helpers its parser attaches), signed with its
 * `generateTestHeaderString` and checked back with its `parseEventNotification`, then handed to the core with the
 * secret key and an HTTP transport, as a trigger does; Stripe's API is nock.
 */
describe('Stripe conformance: thin event notifications, as an event destination with the thin payload sends them', () => {
  const KEY = 'rk_test_51ThinEventsKeyForTerminalCrm';
  const STRIPE_API = 'https://api.stripe.com';
  nockOffline();

  type Thin<E> = Omit<E, 'fetchRelatedObject' | 'fetchEvent'>;
  const CREATED = '2026-12-06T23:30:00.000Z';

  async function deliverThin(notification: Thin<Stripe.V2.Core.EventBase>, credentials: object = { signingSecret: [TEST_WEBHOOK_SECRET], secretKey: KEY }): Promise<WebhookOutcome> {
    const body = JSON.stringify(notification, null, 2);
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret: TEST_WEBHOOK_SECRET });
    const parsed = await stripe.parseEventNotificationAsync(body, header, TEST_WEBHOOK_SECRET);
    assert.equal(parsed.id, notification.id, 'stripe-node accepts its own signature');
    return receiveWebhook('stripe', stripeRequest({ body, headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': header } }), {
      credentials,
      http: axiosTransport(),
    });
  }

  const piSucceeded = (snapshotEvent: string | undefined, context?: string): Thin<Stripe.Events.V1PaymentIntentSucceededEvent> => ({
    id: 'evt_test_65ThinPiSucceeded16ThinEventsForTerminalCrm0001',
    object: 'v2.core.event',
    type: 'v1.payment_intent.succeeded',
    created: CREATED,
    livemode: false,
    related_object: { id: 'pi_thin', type: 'payment_intent', url: '/v1/payment_intents/pi_thin' },
    reason: { type: 'request', request: { id: 'req_thin', idempotency_key: 'a1b2c3' } },
    ...(snapshotEvent ? { snapshot_event: snapshotEvent } : {}),
    ...(context ? { context } : {}),
  });

  it('the destination\'s ping, v2 events and the thin versions of v1 types the pack does not read are acknowledged, with no request to Stripe', DEADLINE, async () => {
    const ping: Thin<Stripe.Events.V2CoreEventDestinationPingEvent> = {
      id: 'evt_test_65PingThinEventsForTerminalCrm0000000000000001', object: 'v2.core.event', type: 'v2.core.event_destination.ping', created: CREATED, livemode: false,
      related_object: { id: 'ed_test_61ThinDestination', type: 'v2.core.event_destination', url: '/v2/core/event_destinations/ed_test_61ThinDestination' },
    };
    const reader: Thin<Stripe.Events.V1TerminalReaderActionSucceededEvent> = {
      id: 'evt_test_65ReaderThinEventsForTerminalCrm00000000000001', object: 'v2.core.event', type: 'v1.terminal.reader.action_succeeded', created: CREATED, livemode: false,
      related_object: { id: 'tmr_thin', type: 'terminal.reader', url: '/v1/terminal/readers/tmr_thin' }, snapshot_event: 'evt_1ReaderSnapshot',
    };
    const created: Thin<Stripe.Events.V1PaymentIntentCreatedEvent> = { ...piSucceeded('evt_1CreatedSnapshot'), id: 'evt_test_65CreatedThin', type: 'v1.payment_intent.created' };
    for (const [notification, type] of [[ping, 'v2.core.event_destination.ping'], [reader, 'v1.terminal.reader.action_succeeded'], [created, 'v1.payment_intent.created']] as const) {
      // Without a secret key too: nothing is read for them.
      const out = await deliverThin(notification, { signingSecret: [TEST_WEBHOOK_SECRET] });
      assert.equal(out.status, 200, JSON.stringify(out.answer));
      assert.deepEqual(out.events, []);
      assert.match(out.report.ignored.join(' | '), new RegExp(`^Event type "${type.replace(/\./g, '\\.')}" is not processed: only the thin versions of v1\\.payment_intent\\.succeeded,`));
    }
  });

  it('a thin event signed with another secret, or changed after signing, is refused as any forged delivery is, before anything is read', DEADLINE, async () => {
    const body = JSON.stringify(piSucceeded('evt_3ThinSnapshotPi'));
    const forged = stripe.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_not_this_endpoints' });
    const signed = stripe.webhooks.generateTestHeaderString({ payload: body, secret: TEST_WEBHOOK_SECRET });
    for (const [raw, header] of [[body, forged], [body.replace('evt_3ThinSnapshotPi', 'evt_3ThinSnapshotPX'), signed]] as const) {
      const out = await receiveWebhook('stripe', stripeRequest({ body: raw, headers: { 'stripe-signature': header } }), {
        credentials: { signingSecret: [TEST_WEBHOOK_SECRET], secretKey: KEY }, http: axiosTransport(),
      });
      assert.equal(out.status, 400, JSON.stringify(out.answer));
      assert.match(out.rejected ?? '', /No signatures found matching the expected signature for payload/);
    }
  });

  it('the thin version of a sale is read from the snapshot event it names: the same event, under the same id, as the snapshot payload and polling bring', DEADLINE, async () => {
    const spec = { amount: 4200, paymentIntentId: 'pi_thin', customer: 'cus_Thin', email: 'thin@example.com' };
    const snapshot = stripeEvent('payment_intent.succeeded', paymentIntentObject(spec), { id: 'evt_3ThinSnapshotPi' });
    const scope = nock(STRIPE_API).matchHeader('authorization', `Bearer ${KEY}`).get('/v1/events/evt_3ThinSnapshotPi').reply(200, snapshot);
    const out = await deliverThin(piSucceeded('evt_3ThinSnapshotPi'));
    assert.ok(scope.isDone(), JSON.stringify(nock.pendingMocks()));
    assert.equal(out.status, 200, JSON.stringify(out.answer));
    assert.equal(out.events.length, 1, JSON.stringify(out.report));
    const e = out.events[0]!;
    assert.deepEqual([e.id, e.type, e.kind, e.paymentId, e.amount, e.customerHints.processorCustomerId, e.customerHints.email],
      ['stripe:evt_3ThinSnapshotPi', 'payment_intent.succeeded', 'payment', 'pi_thin', { minor: 4200, currency: 'USD' }, 'cus_Thin', 'thin@example.com']);
    assert.deepEqual(e, await accepted(snapshot), 'what the snapshot payload itself gives');
  });

  it('a refund\'s failure and a charge come thin too; from a connected account the notification\'s context goes with the read, as stripe-node sends it', DEADLINE, async () => {
    const refund = stripeEvent('refund.failed', refundObject({ amount: 700, refundId: 're_Thin', paymentIntentId: 'pi_T', status: 'failed' }), { id: 'evt_3ThinRefund' });
    const sold = chargeObject({ amount: 900, paymentIntentId: 'pi_C', chargeId: 'ch_Thin', card: { last4: '0077', readerId: 'tmr_C' } });
    const charge = stripeEvent('charge.succeeded', sold, { id: 'evt_3ThinCharge' });
    const scope = nock(STRIPE_API)
      .get('/v1/events/evt_3ThinRefund').matchHeader('stripe-context', 'acct_1Connected').reply(200, refund)
      .get('/v1/events/evt_3ThinCharge').reply(200, charge);
    const failed: Thin<Stripe.Events.V1RefundFailedEvent> = {
      id: 'evt_test_65ThinRefund', object: 'v2.core.event', type: 'v1.refund.failed', created: CREATED, livemode: false, context: 'acct_1Connected',
      related_object: { id: 're_Thin', type: 'refund', url: '/v1/refunds/re_Thin' }, snapshot_event: 'evt_3ThinRefund',
    };
    const succeeded: Thin<Stripe.Events.V1ChargeSucceededEvent> = {
      id: 'evt_test_65ThinCharge', object: 'v2.core.event', type: 'v1.charge.succeeded', created: CREATED, livemode: false,
      related_object: { id: sold.id, type: 'charge', url: `/v1/charges/${sold.id}` }, snapshot_event: 'evt_3ThinCharge',
    };
    const r = await deliverThin(failed);
    const c = await deliverThin(succeeded);
    assert.ok(scope.isDone(), JSON.stringify(nock.pendingMocks()));
    assert.deepEqual([r.events[0]?.id, r.events[0]?.refund], ['stripe:refund:re_Thin:failed', { id: 're_Thin', cumulative: false, reversed: true }]);
    assert.deepEqual([c.events[0]?.id, c.events[0]?.amount, c.events[0]?.card?.last4, c.events[0]?.terminal?.readerId], ['stripe:evt_3ThinCharge', { minor: 900, currency: 'USD' }, '0077', 'tmr_C']);
  });

  it('a sale that comes thin without a secret key, or with one of another account or mode, is our setup (500, Stripe sends it again once the key is set); Stripe down is asked again; no snapshot named is acknowledged with the fix', DEADLINE, async () => {
    const noKey = await deliverThin(piSucceeded('evt_3ThinSnapshotPi'), { signingSecret: [TEST_WEBHOOK_SECRET] });
    assert.equal(noKey.status, 500, JSON.stringify(noKey.answer));
    assert.match(noKey.misconfigured ?? '', /reading the v1\.payment_intent\.succeeded thin event \(its snapshot event evt_3ThinSnapshotPi\) needs a secret API key/);
    // A test key for a live destination's event: Stripe has no such event for it.
    nock(STRIPE_API).get('/v1/events/evt_3ThinSnapshotPi').reply(404, { error: { code: 'resource_missing', message: 'No such event: \'evt_3ThinSnapshotPi\'; a similar object exists in live mode, but a test mode key was used to make this request.', param: 'id', type: 'invalid_request_error' } });
    const otherMode = await deliverThin(piSucceeded('evt_3ThinSnapshotPi'));
    assert.equal(otherMode.status, 500, JSON.stringify(otherMode.answer));
    assert.match(otherMode.misconfigured ?? '', /^secretKey: Stripe has no event evt_3ThinSnapshotPi for this key \(resource_missing: No such event.*live mode.*\): the v1\.payment_intent\.succeeded thin event is of another account or mode\. Fix: use the secret key of the Stripe account/);
    nock(STRIPE_API).get('/v1/events/evt_3ThinSnapshotPi').reply(503, { error: { message: 'Stripe is down' } });
    await assert.rejects(deliverThin(piSucceeded('evt_3ThinSnapshotPi')), (e: Error) => e instanceof StripeUnavailableError && /answered 503 to GET \/v1\/events\/evt_3ThinSnapshotPi/.test(e.message));
    const unnamed = await deliverThin(piSucceeded(undefined));
    assert.equal(unnamed.status, 200, JSON.stringify(unnamed.answer));
    assert.match(unnamed.report.ignored.join(' | '), /names no snapshot event \(snapshot_event\).*snapshot payload/);
  });
});

/**
 * Manual capture on Terminal with the amount moving after the card was read. An incremental authorization
 * (`request_incremental_authorization_support`, then `increment_authorization`) raises the PaymentIntent's amount
 * ("the PaymentIntent object returns with the updated amount") and says so in payment_intent.amount_capturable_updated;
 * an on-receipt tip is an over-capture ("capture more than the authorized amount … Over-capturing updates the
 * PaymentIntent amount to reflect the new total … To see the original amount authorized, use the amount_authorized field
 * in the PaymentIntent's underlying Charge object"). Whichever of the sale's events comes first, the pack records
 * what was captured, never the first authorization.
 */
describe('Stripe conformance: incremental authorization and over-capture on Terminal', () => {
  /** The captured charge as stripe-node types it, with the card-present details of such a sale. */
  function capturedCharge(s: { amount: number; captured: number; firstAuthorized: number; paymentIntentId: string; chargeId: string; incremental?: boolean; overcapture?: boolean; refunded?: number }) {
    const charge = chargeObject({ amount: s.amount, amountCaptured: s.captured, amountRefunded: s.refunded, paymentIntentId: s.paymentIntentId, chargeId: s.chargeId, card: { last4: '1117', readerId: 'tmr_Tip' } });
    const details = charge.payment_method_details as Stripe.Charge.PaymentMethodDetails;
    details.card_present = {
      ...details.card_present!, amount_authorized: s.firstAuthorized,
      incremental_authorization_supported: s.incremental === true, overcapture_supported: s.overcapture === true,
    };
    return charge;
  }
  function manualIntent(s: { amount: number; received: number; paymentIntentId: string; chargeId: string; capturable?: number }): Stripe.PaymentIntent {
    const cardPresent: Stripe.PaymentIntent.PaymentMethodOptions.CardPresent = { capture_method: 'manual_preferred', request_extended_authorization: false, request_incremental_authorization_support: true };
    return {
      ...paymentIntentObject({ amount: s.amount, paymentIntentId: s.paymentIntentId, chargeId: s.chargeId }),
      capture_method: 'manual', amount_capturable: s.capturable ?? 0, amount_received: s.received, status: s.capturable ? 'requires_capture' : 'succeeded',
      payment_method_options: { card_present: cardPresent },
    };
  }

  it('an on-receipt tip (over-capture): 20.00 authorized, 24.00 captured is a 24.00 sale from charge.captured and payment_intent.succeeded alike, and its refund counts against 24.00', DEADLINE, async () => {
    // The charge as it may still read after the capture: amount at the authorization, amount_captured the total.
    const charge = capturedCharge({ amount: 2000, captured: 2400, firstAuthorized: 2000, paymentIntentId: 'pi_Tip', chargeId: 'ch_Tip', overcapture: true });
    const pi = manualIntent({ amount: 2400, received: 2400, paymentIntentId: 'pi_Tip', chargeId: 'ch_Tip' });
    const chargeFirst = await accepted(stripeEvent('charge.captured', charge));
    const intentFirst = await accepted(stripeEvent('payment_intent.succeeded', pi));
    assert.deepEqual([chargeFirst.paymentId, chargeFirst.amount, chargeFirst.card?.last4], ['pi_Tip', { minor: 2400, currency: 'USD' }, '1117']);
    assert.deepEqual([intentFirst.paymentId, intentFirst.amount], ['pi_Tip', { minor: 2400, currency: 'USD' }]);
    const refund = await accepted(stripeEvent('charge.refunded', { ...capturedCharge({ amount: 2000, captured: 2400, firstAuthorized: 2000, paymentIntentId: 'pi_Tip', chargeId: 'ch_Tip', overcapture: true, refunded: 2400 }), refunded: true }));
    assert.deepEqual([refund.status, refund.amount, refund.refundedTotal], ['refunded', { minor: 2400, currency: 'USD' }, { minor: 2400, currency: 'USD' }]);
    const part = await accepted(stripeEvent('charge.refunded', { ...capturedCharge({ amount: 2000, captured: 2400, firstAuthorized: 2000, paymentIntentId: 'pi_Tip', chargeId: 'ch_Tip', overcapture: true, refunded: 400 }), refunded: false }));
    assert.deepEqual([part.status, part.amount, part.refundedTotal], ['partially_refunded', { minor: 2400, currency: 'USD' }, { minor: 400, currency: 'USD' }]);
  });

  it('an incremental authorization: 10.00 authorized, raised to 15.00, captured in full is a 15.00 sale whichever event comes first; the raise itself is no sale', DEADLINE, async () => {
    const raised = manualIntent({ amount: 1500, received: 0, capturable: 1500, paymentIntentId: 'pi_Inc', chargeId: 'ch_Inc' });
    await ignored(stripeEvent('payment_intent.amount_capturable_updated', raised), /payment_intent\.amount_capturable_updated/);
    await ignored(stripeEvent('charge.succeeded', { ...capturedCharge({ amount: 1500, captured: 0, firstAuthorized: 1000, paymentIntentId: 'pi_Inc', chargeId: 'ch_Inc', incremental: true }) }), /authorized, not captured/);
    const pi = manualIntent({ amount: 1500, received: 1500, paymentIntentId: 'pi_Inc', chargeId: 'ch_Inc' });
    // The charge with its amount raised, and as it would read were only the capture to show the raise.
    for (const amount of [1500, 1000]) {
      const captured = await accepted(stripeEvent('charge.captured', capturedCharge({ amount, captured: 1500, firstAuthorized: 1000, paymentIntentId: 'pi_Inc', chargeId: 'ch_Inc', incremental: true })));
      assert.deepEqual([captured.paymentId, captured.amount], ['pi_Inc', { minor: 1500, currency: 'USD' }], `charge.amount ${amount}`);
    }
    assert.deepEqual((await accepted(stripeEvent('payment_intent.succeeded', pi))).amount, { minor: 1500, currency: 'USD' });
    // Raised to 15.00 and 12.00 captured: a partial capture, the sale is 12.00.
    const partial = await accepted(stripeEvent('charge.captured', capturedCharge({ amount: 1500, captured: 1200, firstAuthorized: 1000, paymentIntentId: 'pi_Inc', chargeId: 'ch_Inc', incremental: true })));
    assert.deepEqual(partial.amount, { minor: 1200, currency: 'USD' });
  });
});
