import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { receiveWebhook, type ReceiveOptions, type WebhookOutcome } from '../../../nodes/core/pipeline/receive-webhook';
import type { WebhookRequest } from '../../../nodes/core/sources/source';
import { parsePaymentEvent } from '../../../nodes/core/contracts/parse-payment-event';
import { SqlInbox } from '../../../nodes/core/inbox/inbox';
import { stripeRequest } from '../../support/stripe-delivery';
import { STRIPE_HANDLED_EVENT_TYPES } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, disputeObject, paymentIntentObject, refundObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { tempStore, TEST_WEBHOOK_SECRET } from '../../support/temp-store';

const deliver = (event: object, secret = TEST_WEBHOOK_SECRET, timestamp?: number) => stripeRequest(signedDelivery(event, secret, timestamp));
const receive = (request: WebhookRequest, secrets: string[], options: Partial<ReceiveOptions> = {}) =>
  receiveWebhook('stripe', request, { credentials: { signingSecret: secrets }, ...options });
const ignoredText = (out: WebhookOutcome) => out.report.ignored.join(' | ');

describe('Stripe Terminal source: signature', () => {
  const event = stripeEvent('charge.succeeded', chargeObject({ amount: 1250 }));

  it('accepts a body signed with the endpoint secret', async () => {
    const out = await receive(deliver(event), [TEST_WEBHOOK_SECRET]);
    assert.equal(out.status, 200);
    assert.equal(out.events.length, 1);
  });

  it('rejects a body changed after signing, with a reason', async () => {
    const req = deliver(event);
    req.rawBody = Buffer.from(req.rawBody.toString().replace('1250', '9999'));
    const out = await receive(req, [TEST_WEBHOOK_SECRET]);
    assert.equal(out.status, 400);
    assert.ok(/signature/i.test(out.rejected ?? ''), JSON.stringify(out));
    // stripe-node's first line ends in a blank before its advice: the reason a processor's log shows is trimmed.
    assert.equal(out.rejected, out.rejected?.trim());
  });

  it('rejects a missing Stripe-Signature header', async () => {
    const req = deliver(event);
    delete req.headers['stripe-signature'];
    const out = await receive(req, [TEST_WEBHOOK_SECRET]);
    assert.equal(out.status, 400);
    assert.equal(out.rejected, 'the Stripe-Signature header is missing');
    assert.deepEqual(JSON.parse(out.answer.body), { received: false, rejected: 'the Stripe-Signature header is missing' });
  });

  it('rejects a signature older than the 300 s tolerance', async () => {
    const out = await receive(deliver(event, TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 301), [TEST_WEBHOOK_SECRET]);
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /tolerance/i);
  });

  it('the type decides first: an event of a type the pack does not read is acknowledged whatever its data holds; one it reads without its object is refused, naming the type', async () => {
    const reader = { ...stripeEvent('terminal.reader.action_updated', {}), data: {} };
    const ignored = await receive(deliver(reader), [TEST_WEBHOOK_SECRET]);
    assert.deepEqual([ignored.status, ignored.events.length], [200, 0], JSON.stringify(ignored.answer));
    assert.match(ignoredText(ignored), /^Event type "terminal\.reader\.action_updated" is not processed: only payment_intent\.succeeded,/);
    const sale = await receive(deliver({ ...stripeEvent('charge.succeeded', {}), data: {} }), [TEST_WEBHOOK_SECRET]);
    assert.equal(sale.status, 400);
    assert.match(sale.rejected ?? '', /^event: this charge\.succeeded event carries no object \(data\.object\)/);
  });

  it('accepts either of two secrets while one is being rolled', async () => {
    const out = await receive(deliver(event, 'whsec_new'), ['whsec_old', 'whsec_new']);
    assert.equal(out.events.length, 1);
  });

  it('answers a missing secret or an unknown source with 500 and the fix, so the processor retries until it is set up', async () => {
    const noSecret = await receive(deliver(event), []);
    assert.equal(noSecret.status, 500);
    assert.match(noSecret.misconfigured ?? '', /^signingSecret: .*whsec_.*Fix: .*STRIPE_WEBHOOK_SECRET/);
    const unknown = await receiveWebhook('square-typo', deliver(event), { credentials: { signingSecret: [TEST_WEBHOOK_SECRET] } });
    assert.equal(unknown.status, 500);
    assert.match(unknown.misconfigured ?? '', /^source: "square-typo" is not a supported terminal source\. Fix: use one of: stripe, square, adyen, adyen-terminal, zettle, clover, sumup, generic/);
  });

  it('checks the timestamp against the time the request was received, not the wall clock', async () => {
    const signedAt = Math.floor(Date.now() / 1000) - 3600;
    const d = signedDelivery(event, TEST_WEBHOOK_SECRET, signedAt);
    const atSigning = await receive(stripeRequest(d, new Date(signedAt * 1000 + 30_000)), [TEST_WEBHOOK_SECRET]);
    assert.equal(atSigning.events.length, 1, JSON.stringify(atSigning));
    const late = await receive(stripeRequest(d, new Date(signedAt * 1000 + 301_000)), [TEST_WEBHOOK_SECRET]);
    assert.match(late.rejected ?? '', /tolerance/i);
  });

  it('uses the vendor helper for test signatures (header has t= and v1=)', async () => {
    const header = Stripe.webhooks.generateTestHeaderString({ payload: '{}', secret: TEST_WEBHOOK_SECRET });
    assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
  });
});

describe('Stripe Terminal source: normalize', () => {
  const accept = async (event: object) => {
    const out = await receive(deliver(event), [TEST_WEBHOOK_SECRET]);
    assert.equal(out.events.length, 1, JSON.stringify(out));
    return out.events[0]!;
  };

  it('maps a chip charge to a PaymentEvent with money in minor units', async () => {
    const charge = chargeObject({
      amount: 4599, currency: 'usd', customer: 'cus_A1', email: 'Ana@Example.com', phone: '+1 415 555 0100', name: 'Ana Diaz',
      postalCode: '94107',
      card: { brand: 'mastercard', last4: '4444', iin: '555555', expMonth: 3, expYear: 2030, funding: 'debit', fingerprint: 'fpA', readerId: 'tmr_1', locationId: 'tml_9' },
      metadata: { order: 'A-17' },
    });
    const e = await accept(stripeEvent('charge.succeeded', charge, { id: 'evt_chip' }));
    assert.equal(e.schemaVersion, 1);
    assert.equal(e.id, 'stripe:evt_chip');
    assert.equal(e.kind, 'payment');
    assert.equal(e.paymentId, charge.payment_intent);
    assert.deepEqual(e.amount, { minor: 4599, currency: 'USD' });
    assert.deepEqual(e.card, {
      brand: 'mastercard', last4: '4444', bin: '555555', expMonth: 3, expYear: 2030, funding: 'debit', entryMode: 'chip',
      identity: { kind: 'fingerprint', value: 'fpA' },
    });
    assert.deepEqual(e.terminal, { readerId: 'tmr_1', locationId: 'tml_9' });
    assert.deepEqual(e.customerHints, { processorCustomerId: 'cus_A1', email: 'Ana@Example.com', phone: '+1 415 555 0100', name: 'Ana Diaz', postalCode: '94107' });
    assert.equal(e.metadata.order, 'A-17');
  });

  it('names the customer from the chip ("SURNAME/GIVEN") only when billing gives no name, and never from a placeholder or blanks', async () => {
    const chip = (name: string | undefined, cardholderName: string) =>
      chargeObject({ amount: 500, name, email: '  Ana@Example.com ', postalCode: '   ', card: { cardholderName } });
    assert.equal((await accept(stripeEvent('charge.succeeded', chip(undefined, 'DIAZ/ANA ')))).customerHints.name, 'ANA DIAZ');
    assert.equal((await accept(stripeEvent('charge.succeeded', chip('  ', 'DIAZ/ANA')))).customerHints.name, 'ANA DIAZ');
    assert.equal((await accept(stripeEvent('charge.succeeded', chip('Ana  Diaz', 'DIAZ/ANA')))).customerHints.name, 'Ana Diaz');
    const prepaid = await accept(stripeEvent('charge.succeeded', chip(undefined, 'VALUED CUSTOMER')));
    assert.deepEqual(prepaid.customerHints, { email: 'Ana@Example.com' });
  });

  it('takes the reader and location Stripe records on the card details over what the integration put in metadata, and metadata when Stripe has none (older charges)', async () => {
    const both = chargeObject({ amount: 100, card: { readerId: 'tmr_FDOt2wlRZEdpd7', locationId: 'tml_FDOtHwxAAdIJOh' }, metadata: { reader_id: 'tmr_typed_by_pos', location_id: 'tml_typed_by_pos' } });
    assert.deepEqual((await accept(stripeEvent('charge.succeeded', both))).terminal, { readerId: 'tmr_FDOt2wlRZEdpd7', locationId: 'tml_FDOtHwxAAdIJOh' });
    const interac = chargeObject({ amount: 100, currency: 'cad', card: { interac: true, readerId: 'tmr_interac', locationId: 'tml_ca' } });
    assert.deepEqual((await accept(stripeEvent('charge.succeeded', interac))).terminal, { readerId: 'tmr_interac', locationId: 'tml_ca' });
    const older = chargeObject({ amount: 100, metadata: { terminal_reader: 'tmr_old', location: 'tml_old' } });
    assert.deepEqual((await accept(stripeEvent('charge.succeeded', older))).terminal, { readerId: 'tmr_old', locationId: 'tml_old' });
    // A PaymentIntent with its charge expanded: the charge's reader.
    const pi = { ...paymentIntentObject({ amount: 100 }), latest_charge: chargeObject({ amount: 100, card: { readerId: 'tmr_pi' } }) };
    assert.equal((await accept(stripeEvent('payment_intent.succeeded', pi))).terminal?.readerId, 'tmr_pi');
  });

  for (const [readMethod, entryMode] of [
    ['contact_emv', 'chip'], ['contactless_emv', 'contactless'], ['magnetic_stripe_track2', 'swipe'], ['magnetic_stripe_fallback', 'fallback'],
  ] as const) {
    it(`maps read_method ${readMethod} to entry mode ${entryMode}`, async () => {
      const e = await accept(stripeEvent('charge.succeeded', chargeObject({ amount: 100, card: { readMethod } })));
      assert.equal(e.card?.entryMode, entryMode);
    });
  }

  it('keeps the wallet of an Apple Pay tap and handles Interac and zero-decimal currencies', async () => {
    const tap = await accept(stripeEvent('charge.succeeded', chargeObject({ amount: 1200, currency: 'jpy', card: { readMethod: 'contactless_emv', wallet: 'apple_pay' } })));
    assert.equal(tap.card?.wallet, 'apple_pay');
    assert.deepEqual(tap.amount, { minor: 1200, currency: 'JPY' });
    const interac = await accept(stripeEvent('charge.succeeded', chargeObject({ amount: 500, currency: 'cad', card: { interac: true } })));
    assert.equal(interac.card?.brand, 'interac');
  });

  it('manual capture: an authorized charge is no sale yet; the sale is what payment_intent.succeeded says was captured, and a released authorization moved no money', async () => {
    const spec = { amount: 5000, paymentIntentId: 'pi_manual', chargeId: 'ch_manual', card: { fingerprint: 'fpM' } };
    const authorized = await receive(deliver(stripeEvent('charge.succeeded', chargeObject({ ...spec, amountCaptured: 0 }))), [TEST_WEBHOOK_SECRET]);
    assert.equal(authorized.status, 200);
    assert.equal(authorized.events.length, 0);
    assert.match(ignoredText(authorized), /authorized, not captured/);
    const sale = await accept(stripeEvent('payment_intent.succeeded', { ...paymentIntentObject(spec), amount_received: 4200 }));
    assert.deepEqual([sale.kind, sale.amount], ['payment', { minor: 4200, currency: 'USD' }]);
    // The partially captured charge refunded in full: Stripe's own `refunded` says so.
    const refund = await accept(stripeEvent('charge.refunded', { ...chargeObject({ ...spec, amountCaptured: 4200, amountRefunded: 4200 }), refunded: true }));
    assert.deepEqual([refund.kind, refund.status, refund.amount, refund.refundedTotal], ['refund', 'refunded', { minor: 4200, currency: 'USD' }, { minor: 4200, currency: 'USD' }]);
    const released = await receive(deliver(stripeEvent('charge.refunded', chargeObject({ ...spec, chargeId: 'ch_released', amountCaptured: 0, amountRefunded: 5000 }))), [TEST_WEBHOOK_SECRET]);
    assert.deepEqual([released.status, released.events.length], [200, 0]);
    assert.match(ignoredText(released), /released before anything was captured/);
  });

  it('manual capture on API versions from 2022-11-15: charge.captured brings the card, the reader and the cardholder the PaymentIntent names only by id', async () => {
    const spec = { amount: 5000, paymentIntentId: 'pi_captured', chargeId: 'ch_captured', card: { fingerprint: 'fpCap', last4: '0077', readMethod: 'contact_emv' as const } };
    // The PaymentIntent as stripe-node types it since 2022-11-15: latest_charge is the charge's id, not the charge.
    const sale = await accept(stripeEvent('payment_intent.succeeded', { ...paymentIntentObject(spec), latest_charge: 'ch_captured', amount_received: 5000 }));
    assert.deepEqual([sale.kind, sale.card?.last4], ['payment', undefined], 'no card on the PaymentIntent');
    assert.ok(STRIPE_HANDLED_EVENT_TYPES.includes('charge.captured'), 'the endpoint subscribes to it');
    const captured = await accept(stripeEvent('charge.captured', chargeObject({ ...spec, amountCaptured: 5000 })));
    assert.deepEqual([captured.kind, captured.paymentId, captured.amount, captured.card?.last4, captured.card?.entryMode], ['payment', 'pi_captured', { minor: 5000, currency: 'USD' }, '0077', 'chip']);
    assert.equal(captured.paymentId, sale.paymentId, 'one payment: the ledger counts it once');
  });

  it('a sale the reader collected offline (card_present.offline.stored_at) is dated when it was stored, not when it was forwarded, and says so', async () => {
    const storedAt = Date.UTC(2026, 2, 14, 18, 5, 0) / 1000;
    const forwardedAt = storedAt + 2 * 86_400 + 3_600;
    const spec = { amount: 2500, paymentIntentId: 'pi_offline', chargeId: 'ch_offline', created: forwardedAt, card: { fingerprint: 'fpOff', offlineStoredAt: storedAt } };
    // The charge as stripe-node types it: card_present.offline is { stored_at, type: 'deferred' }.
    const charge = chargeObject(spec);
    assert.deepEqual(charge.payment_method_details?.card_present?.offline, { stored_at: storedAt, type: 'deferred' });
    for (const type of ['charge.succeeded', 'charge.captured']) {
      const sale = parsePaymentEvent(await accept(stripeEvent(type, charge, { created: forwardedAt })));
      assert.deepEqual([sale.kind, sale.occurredAt, sale.storedOffline, sale.metadata.offline], ['payment', '2026-03-14T18:05:00.000Z', true, 'true'], type);
    }
    // Its PaymentIntent names the charge only by id: nothing on it says offline, so it is dated at its event, and the
    // ledger moves the sale to the charge's time (ledger/payment-rules.ts).
    const pi = await accept(stripeEvent('payment_intent.succeeded', paymentIntentObject(spec), { created: forwardedAt }));
    assert.deepEqual([pi.occurredAt, pi.storedOffline, pi.metadata.offline], [new Date(forwardedAt * 1000).toISOString(), undefined, undefined]);
    // With the charge in it (API versions before 2022-11-15 list it under charges), the PaymentIntent is dated as the charge.
    const listed = await accept(stripeEvent('payment_intent.succeeded', { ...paymentIntentObject(spec), charges: { object: 'list', data: [charge], has_more: false, url: '/v1/charges' } }, { created: forwardedAt }));
    assert.deepEqual([listed.occurredAt, listed.storedOffline, listed.metadata.offline], ['2026-03-14T18:05:00.000Z', true, 'true']);
    // A refund keeps its own time, whatever its sale's.
    const refund = await accept(stripeEvent('charge.refunded', chargeObject({ ...spec, amountRefunded: 500 }), { created: forwardedAt + 600 }));
    assert.deepEqual([refund.kind, refund.occurredAt, refund.storedOffline], ['refund', new Date((forwardedAt + 600) * 1000).toISOString(), undefined]);
    // Stored at no time Stripe gives (stored_at null): offline, dated at its event.
    const timeless = chargeObject(spec);
    timeless.payment_method_details!.card_present!.offline = { stored_at: null, type: 'deferred' };
    const unknown = await accept(stripeEvent('charge.succeeded', timeless, { created: forwardedAt }));
    assert.deepEqual([unknown.occurredAt, unknown.storedOffline, unknown.metadata.offline], [new Date(forwardedAt * 1000).toISOString(), undefined, 'true']);
    // A sale online is dated at its event and says nothing of being offline.
    const online = await accept(stripeEvent('charge.succeeded', chargeObject({ ...spec, card: { fingerprint: 'fpOn' } }), { created: forwardedAt }));
    assert.deepEqual([online.occurredAt, online.storedOffline, 'offline' in online.metadata], [new Date(forwardedAt * 1000).toISOString(), undefined, false]);
  });

  it('a partial capture on an API version before 2025-03-31.basil: the released rest Stripe counted in amount_refunded is no refund', async () => {
    // Authorized 10.00, captured 8.00: before basil the 2.00 released is "a refund object … linked to the payment".
    const spec = { amount: 1000, paymentIntentId: 'pi_partial', chargeId: 'ch_partial', card: { fingerprint: 'fpP' } };
    const preBasil = { apiVersion: '2024-06-20' };
    const release = await receive(deliver(stripeEvent('charge.refunded', chargeObject({ ...spec, amountCaptured: 800, amountRefunded: 200 }), preBasil)), [TEST_WEBHOOK_SECRET]);
    assert.deepEqual([release.status, release.events.length], [200, 0]);
    assert.match(ignoredText(release), /only the uncaptured rest of a partial capture was released/);
    const refund = await accept(stripeEvent('charge.refunded', chargeObject({ ...spec, amountCaptured: 800, amountRefunded: 300 }), preBasil));
    assert.deepEqual([refund.amount.minor, refund.refundedTotal?.minor, refund.status], [800, 100, 'partially_refunded']);
    // From basil on the release is no refund, and amount_refunded holds only what was refunded.
    const basil = await accept(stripeEvent('charge.refunded', chargeObject({ ...spec, amountCaptured: 800, amountRefunded: 100 }), { apiVersion: '2025-03-31.basil' }));
    assert.deepEqual([basil.amount.minor, basil.refundedTotal?.minor], [800, 100]);
  });

  it('ignores a reader sale paid by QR code (WeChat Pay) though its PaymentIntent also allowed card_present: the charge\'s method decides', async () => {
    const spec = { amount: 1000, paymentIntentId: 'pi_qr', chargeId: 'ch_qr' };
    const charge = { ...chargeObject(spec), payment_method_details: { type: 'wechat_pay', wechat_pay: { fingerprint: 'wx_fp', transaction_id: '4200001234' } } };
    const pi = { ...paymentIntentObject(spec), payment_method_types: ['card_present', 'wechat_pay'], latest_charge: charge };
    const out = await receive(deliver(stripeEvent('payment_intent.succeeded', pi)), [TEST_WEBHOOK_SECRET]);
    assert.deepEqual([out.status, out.events.length], [200, 0]);
    assert.match(ignoredText(out), /not card-present/);
    const refunded = await receive(deliver(stripeEvent('charge.refunded', { ...charge, amount_refunded: 1000, refunded: true })), [TEST_WEBHOOK_SECRET]);
    assert.deepEqual([refunded.status, refunded.events.length], [200, 0], 'its refund is ignored the same way: neither counts');
  });

  it('maps a partial refund with the cumulative refunded total', async () => {
    const e = await accept(stripeEvent('charge.refunded', chargeObject({ amount: 5000, amountRefunded: 1500 })));
    assert.equal(e.kind, 'refund');
    assert.equal(e.status, 'partially_refunded');
    assert.deepEqual(e.refundedTotal, { minor: 1500, currency: 'USD' });
  });

  it('maps payment_intent.succeeded and a decline with its code', async () => {
    const ok = await accept(stripeEvent('payment_intent.succeeded', paymentIntentObject({ amount: 800, email: 'x@y.io' })));
    assert.equal(ok.kind, 'payment');
    assert.equal(ok.customerHints.email, 'x@y.io');
    const declined = await accept(stripeEvent('payment_intent.payment_failed', paymentIntentObject({
      amount: 800, failed: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' },
    })));
    assert.equal(declined.kind, 'failure');
    assert.equal(declined.status, 'failed');
    assert.deepEqual(declined.failure, { code: 'insufficient_funds', message: 'Your card has insufficient funds.' });
    assert.equal(declined.card?.last4, '4242');
  });

  it('acknowledges but ignores online payments and other event types', async () => {
    const online = { ...chargeObject({ amount: 100 }), payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242' } } };
    const a = await receive(deliver(stripeEvent('charge.succeeded', online)), [TEST_WEBHOOK_SECRET]);
    assert.equal(a.status, 200);
    assert.ok(/card-present/.test(ignoredText(a)));
    const b = await receive(deliver(stripeEvent('customer.created', { id: 'cus_1' })), [TEST_WEBHOOK_SECRET]);
    assert.ok(/customer\.created/.test(ignoredText(b)));
  });

  it('keeps Stripe\'s own ids whole even when a digit run in them passes the Luhn check (two such events stay two)', async () => {
    // 1796280951320 and 4111111111111 are Luhn-valid 13-digit runs: scrubbing them would give both events one id.
    const ids = ['evt_1Kill1796280951320N8n', 'evt_1Kill4111111111111N8n'];
    const events = [];
    for (const [i, id] of ids.entries()) {
      const charge = chargeObject({ amount: 100 + i, paymentIntentId: `pi_1${id.slice(9, 22)}`, chargeId: `ch_1${id.slice(9, 22)}` });
      events.push(await accept(stripeEvent('charge.succeeded', charge, { id })));
    }
    assert.deepEqual(events.map((e) => e.id), ids.map((id) => `stripe:${id}`));
    assert.deepEqual(events.map((e) => e.paymentId), ['pi_11796280951320', 'pi_14111111111111']);
  });

  it('scrubs a card number a clerk typed into metadata already at normalize', async () => {
    const e = await accept(stripeEvent('charge.succeeded', chargeObject({ amount: 100, metadata: { note: 'card 4111-1111-1111-1111 declined first' } })));
    assert.equal(e.metadata.note, 'card [redacted card number] declined first');
  });
});

describe('Stripe Terminal source: disputes', () => {
  const accept = async (event: object) => {
    const out = await receive(deliver(event), [TEST_WEBHOOK_SECRET]);
    assert.equal(out.events.length, 1, JSON.stringify(out));
    return out.events[0]!;
  };

  it('maps charge.dispute.created to an open dispute of the sale\'s PaymentIntent, with the reason', async () => {
    const dispute = disputeObject({ amount: 4599, currency: 'eur', charge: 'ch_D1', paymentIntentId: 'pi_D1', reason: 'fraudulent', status: 'needs_response', disputeId: 'dp_1' });
    const e = await accept(stripeEvent('charge.dispute.created', dispute, { id: 'evt_dispute_open', created: 1_750_000_000 }));
    assert.deepEqual(
      { id: e.id, kind: e.kind, type: e.type, paymentId: e.paymentId, amount: e.amount, status: e.status, occurredAt: e.occurredAt, dispute: e.dispute, card: e.card, customerHints: e.customerHints },
      {
        id: 'stripe:evt_dispute_open', kind: 'dispute', type: 'charge.dispute.created', paymentId: 'pi_D1', amount: { minor: 4599, currency: 'EUR' },
        status: 'disputed', occurredAt: '2025-06-15T15:06:40.000Z', dispute: { id: 'dp_1', reason: 'fraudulent', processorStatus: 'needs_response' },
        card: undefined, customerHints: {},
      },
    );
  });

  for (const [processorStatus, status] of [
    ['won', 'succeeded'], ['warning_closed', 'succeeded'], ['prevented', 'succeeded'], ['lost', 'refunded'],
  ] as const) {
    it(`maps a dispute closed as ${processorStatus} to status ${status} (${status === 'refunded' ? 'money returned' : 'merchant keeps it'})`, async () => {
      const e = await accept(stripeEvent('charge.dispute.closed', disputeObject({ amount: 1000, paymentIntentId: 'pi_D2', status: processorStatus })));
      assert.equal(e.kind, 'dispute');
      assert.equal(e.status, status);
      assert.equal(e.dispute?.processorStatus, processorStatus);
    });
  }

  it('keeps inquiries and disputes under review open', async () => {
    for (const processorStatus of ['warning_needs_response', 'warning_under_review', 'under_review'] as const) {
      assert.equal((await accept(stripeEvent('charge.dispute.created', disputeObject({ amount: 1000, status: processorStatus })))).status, 'disputed');
    }
  });

  it('falls back to the charge id when a dispute names no PaymentIntent', async () => {
    const e = await accept(stripeEvent('charge.dispute.created', disputeObject({ amount: 700, charge: 'ch_only', paymentIntentId: null })));
    assert.equal(e.paymentId, 'ch_only');
  });

  it('with the charge expanded, keeps its card and contact details, and ignores an online one', async () => {
    const sale = chargeObject({ amount: 2500, email: 'ana@example.com', card: { fingerprint: 'fp_disputed', last4: '1881' } });
    const e = await accept(stripeEvent('charge.dispute.created', disputeObject({ amount: 2500, charge: sale })));
    assert.equal(e.paymentId, sale.payment_intent);
    assert.equal(e.card?.last4, '1881');
    assert.deepEqual(e.card?.identity, { kind: 'fingerprint', value: 'fp_disputed' });
    assert.equal(e.customerHints.email, 'ana@example.com');

    const online = { ...sale, payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242' } } };
    const out = await receive(deliver(stripeEvent('charge.dispute.created', disputeObject({ amount: 2500, charge: online as never }))), [TEST_WEBHOOK_SECRET]);
    assert.ok(/card-present/.test(ignoredText(out)), JSON.stringify(out));
  });

  it('ignores disputes of other payment methods (Klarna, PayPal…) and the dispute events it does not process', async () => {
    const klarna = await receive(deliver(stripeEvent('charge.dispute.created', disputeObject({ amount: 100, methodType: 'klarna' }))), [TEST_WEBHOOK_SECRET]);
    assert.equal(klarna.status, 200);
    assert.ok(/card-present/.test(ignoredText(klarna)));
    for (const type of ['charge.dispute.updated', 'charge.dispute.funds_withdrawn', 'charge.dispute.funds_reinstated']) {
      const out = await receive(deliver(stripeEvent(type, disputeObject({ amount: 100 }))), [TEST_WEBHOOK_SECRET]);
      assert.ok(ignoredText(out).includes(type), JSON.stringify(out));
    }
  });
});

describe('Stripe Terminal source: refunds that fail', () => {
  const accept = async (event: object) => {
    const out = await receive(deliver(event), [TEST_WEBHOOK_SECRET]);
    assert.equal(out.events.length, 1, JSON.stringify(out));
    return out.events[0]!;
  };

  it('reads a Refund Stripe reports failed — charge.refund.updated, refund.updated, refund.failed — as the reversal of that refund, by its id, under one event id', async () => {
    const failed = refundObject({ amount: 2000, currency: 'usd', refundId: 're_F1', chargeId: 'ch_F1', paymentIntentId: 'pi_F1', status: 'failed', failureReason: 'lost_or_stolen_card' });
    for (const type of ['charge.refund.updated', 'refund.updated', 'refund.failed']) {
      const e = await accept(stripeEvent(type, failed, { id: `evt_${type}`, created: 1_750_000_000 }));
      assert.deepEqual(
        [e.id, e.kind, e.type, e.paymentId, e.amount, e.refund, e.status, e.occurredAt, e.card, e.metadata.failure_reason, e.metadata.charge_id],
        ['stripe:refund:re_F1:failed', 'refund', type, 'pi_F1', { minor: 2000, currency: 'USD' }, { id: 're_F1', cumulative: false, reversed: true }, 'succeeded', '2025-06-15T15:06:40.000Z', undefined, 'lost_or_stolen_card', 'ch_F1'],
        type,
      );
    }
  });

  it('keeps one failure of a refund once in the inbox, however many of its events Stripe sends', async () => {
    const s = await tempStore();
    try {
      const inbox = new SqlInbox(s.db);
      const failed = refundObject({ amount: 2000, refundId: 're_F2', chargeId: 'ch_F2', paymentIntentId: 'pi_F2', status: 'failed' });
      const passed: number[] = [];
      for (const type of ['charge.refund.updated', 'refund.updated', 'refund.failed']) {
        passed.push((await receive(deliver(stripeEvent(type, failed, { id: `evt_F2_${type}` })), [TEST_WEBHOOK_SECRET], { inbox })).events.length);
      }
      assert.deepEqual(passed, [1, 0, 0]);
      const rows = await s.db.all<{ event_id: string }>('SELECT event_id FROM inbox_events');
      assert.deepEqual(rows.map((r) => r.event_id), ['stripe:refund:re_F2:failed']);
    } finally {
      await s.remove();
    }
  });

  it('acknowledges a refund event of any other status and passes nothing on: charge.refunded counts refunds', async () => {
    for (const status of ['pending', 'succeeded', 'requires_action', 'canceled']) {
      const out = await receive(deliver(stripeEvent('refund.updated', refundObject({ amount: 500, status }))), [TEST_WEBHOOK_SECRET]);
      assert.deepEqual([out.status, out.events], [200, []], status);
      assert.match(ignoredText(out), new RegExp(`the refund is ${status}: charge\\.refunded counts Stripe's refunds`));
    }
  });

  it('subscribes the trigger\'s endpoint to the refund events, as stripe-node names them', () => {
    for (const type of ['charge.refund.updated', 'refund.updated', 'refund.failed']) assert.ok((STRIPE_HANDLED_EVENT_TYPES as readonly string[]).includes(type), type);
  });
});

describe('Stripe Terminal source: money as Stripe means it', () => {
  const amountOf = async (amount: number, currency: string) => {
    const out = await receive(deliver(stripeEvent('charge.succeeded', chargeObject({ amount, currency }))), [TEST_WEBHOOK_SECRET]);
    assert.equal(out.events.length, 1, JSON.stringify(out));
    return out.events[0]!.amount;
  };

  it('converts Stripe minor units to ISO minor units: ISK is two-decimal at Stripe, MGA zero-decimal', async () => {
    assert.deepEqual(await amountOf(150000, 'isk'), { minor: 1500, currency: 'ISK' });
    assert.deepEqual(await amountOf(5000, 'mga'), { minor: 500000, currency: 'MGA' });
  });

  it('keeps JPY and CLP whole and KWD and BHD three-decimal, as ISO does', async () => {
    assert.deepEqual(await amountOf(1200, 'jpy'), { minor: 1200, currency: 'JPY' });
    assert.deepEqual(await amountOf(9990, 'clp'), { minor: 9990, currency: 'CLP' });
    assert.deepEqual(await amountOf(1250, 'kwd'), { minor: 1250, currency: 'KWD' });
    assert.deepEqual(await amountOf(3005, 'bhd'), { minor: 3005, currency: 'BHD' });
  });

  it('refuses an ISK amount that does not end in 00, instead of rounding it', async () => {
    const out = await receive(deliver(stripeEvent('charge.succeeded', chargeObject({ amount: 12345, currency: 'isk' }))), [TEST_WEBHOOK_SECRET]);
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /^amount: 12345 ISK/);
  });
});

describe('Stripe Terminal source: ids, replays and limits', () => {
  const event = stripeEvent('charge.succeeded', chargeObject({ amount: 990 }), { id: 'evt_replay_1' });

  it('namespaces the event id by source, and reads an id stored before namespacing as the same event', async () => {
    const out = await receive(deliver(event), [TEST_WEBHOOK_SECRET]);
    const e = out.events[0]!;
    assert.equal(e.id, 'stripe:evt_replay_1');
    assert.equal(parsePaymentEvent({ ...e, id: 'evt_replay_1' }).id, 'stripe:evt_replay_1');
  });

  it('keeps an accepted event in the inbox and answers its replay 200 without passing it on again', async () => {
    const s = await tempStore();
    try {
      const inbox = new SqlInbox(s.db);
      const first = await receive(deliver(event), [TEST_WEBHOOK_SECRET], { inbox });
      const replay = await receive(deliver(event), [TEST_WEBHOOK_SECRET], { inbox });
      assert.deepEqual([first.events.length, replay.events.length], [1, 0]);
      assert.equal(replay.status, 200);
      assert.deepEqual(JSON.parse(replay.answer.body), { received: true, duplicates: ['stripe:evt_replay_1'] });
      const rows = await s.db.all<{ event_id: string; state: string }>('SELECT event_id, state FROM inbox_events');
      assert.deepEqual(rows.map((r) => ({ ...r })), [{ event_id: 'stripe:evt_replay_1', state: 'accepted' }]);
    } finally {
      await s.remove();
    }
  });

  it('answers a body over the size limit with 413 before checking anything', async () => {
    const req = deliver(event);
    req.rawBody = Buffer.alloc(1024 * 1024 + 1, 32);
    const out = await receive(req, [TEST_WEBHOOK_SECRET]);
    assert.equal(out.status, 413);
    assert.match(out.rejected ?? '', /1048577 bytes/);
  });
});
