import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { stripeTerminalSource } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, disputeObject, paymentIntentObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { TEST_WEBHOOK_SECRET } from '../../support/temp-store';

const deliver = (event: object, secret = TEST_WEBHOOK_SECRET, timestamp?: number) => {
  const d = signedDelivery(event, secret, timestamp);
  return { rawBody: d.body, headers: d.headers };
};

describe('Stripe Terminal source: signature', () => {
  const event = stripeEvent('charge.succeeded', chargeObject({ amount: 1250 }));

  it('accepts a body signed with the endpoint secret', () => {
    const out = receiveWebhook('stripe', deliver(event), [TEST_WEBHOOK_SECRET]);
    assert.equal(out.status, 200);
    assert.equal(out.accepted, true);
  });

  it('rejects a body changed after signing, with a reason', () => {
    const req = deliver(event);
    req.rawBody = req.rawBody.replace('1250', '9999');
    const out = receiveWebhook('stripe', req, [TEST_WEBHOOK_SECRET]);
    assert.equal(out.status, 400);
    assert.ok('rejected' in out && /signature/i.test(out.rejected), JSON.stringify(out));
  });

  it('rejects a missing Stripe-Signature header', () => {
    const req = deliver(event);
    delete req.headers['stripe-signature'];
    const out = receiveWebhook('stripe', req, [TEST_WEBHOOK_SECRET]);
    assert.deepEqual(out, { status: 400, accepted: false, rejected: 'the Stripe-Signature header is missing' });
  });

  it('rejects a signature older than the 300 s tolerance', () => {
    const out = receiveWebhook('stripe', deliver(event, TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 301), [TEST_WEBHOOK_SECRET]);
    assert.equal(out.status, 400);
    assert.match('rejected' in out ? out.rejected : '', /tolerance/i);
  });

  it('accepts either of two secrets while one is being rolled', () => {
    const out = receiveWebhook('stripe', deliver(event, 'whsec_new'), ['whsec_old', 'whsec_new']);
    assert.equal(out.accepted, true);
  });

  it('answers a missing secret or an unknown source with 500 and the fix, so the processor retries until it is set up', () => {
    const noSecret = receiveWebhook('stripe', deliver(event), []);
    assert.equal(noSecret.status, 500);
    assert.match('misconfigured' in noSecret ? noSecret.misconfigured : '', /^signingSecret: .*Fix: /);
    const unknown = receiveWebhook('square-typo', deliver(event), [TEST_WEBHOOK_SECRET]);
    assert.equal(unknown.status, 500);
    assert.match('misconfigured' in unknown ? unknown.misconfigured : '', /^source: "square-typo" is not a supported terminal source\. Fix: use one of: stripe/);
  });

  it('refuses to run without a secret and says where to find one', () => {
    assert.throws(() => stripeTerminalSource.verify(deliver(event), []), /signingSecret: .*whsec_/);
  });

  it('uses the vendor helper for test signatures (header has t= and v1=)', () => {
    const header = Stripe.webhooks.generateTestHeaderString({ payload: '{}', secret: TEST_WEBHOOK_SECRET });
    assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
  });
});

describe('Stripe Terminal source: normalize', () => {
  const accept = (event: object) => {
    const out = receiveWebhook('stripe', deliver(event), [TEST_WEBHOOK_SECRET]);
    assert.ok(out.accepted, JSON.stringify(out));
    return out.event;
  };

  it('maps a chip charge to a PaymentEvent with money in minor units', () => {
    const charge = chargeObject({
      amount: 4599, currency: 'usd', customer: 'cus_A1', email: 'Ana@Example.com', phone: '+1 415 555 0100', name: 'Ana Diaz',
      postalCode: '94107', card: { brand: 'mastercard', last4: '4444', iin: '555555', expMonth: 3, expYear: 2030, funding: 'debit', fingerprint: 'fpA' },
      metadata: { reader_id: 'tmr_1', location_id: 'tml_9', order: 'A-17' },
    });
    const e = accept(stripeEvent('charge.succeeded', charge, { id: 'evt_chip' }));
    assert.equal(e.schemaVersion, 1);
    assert.equal(e.id, 'evt_chip');
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

  for (const [readMethod, entryMode] of [
    ['contact_emv', 'chip'], ['contactless_emv', 'contactless'], ['magnetic_stripe_track2', 'swipe'], ['magnetic_stripe_fallback', 'fallback'],
  ] as const) {
    it(`maps read_method ${readMethod} to entry mode ${entryMode}`, () => {
      const e = accept(stripeEvent('charge.succeeded', chargeObject({ amount: 100, card: { readMethod } })));
      assert.equal(e.card?.entryMode, entryMode);
    });
  }

  it('keeps the wallet of an Apple Pay tap and handles Interac and zero-decimal currencies', () => {
    const tap = accept(stripeEvent('charge.succeeded', chargeObject({ amount: 1200, currency: 'jpy', card: { readMethod: 'contactless_emv', wallet: 'apple_pay' } })));
    assert.equal(tap.card?.wallet, 'apple_pay');
    assert.deepEqual(tap.amount, { minor: 1200, currency: 'JPY' });
    const interac = accept(stripeEvent('charge.succeeded', chargeObject({ amount: 500, currency: 'cad', card: { interac: true } })));
    assert.equal(interac.card?.brand, 'interac');
  });

  it('maps a partial refund with the cumulative refunded total', () => {
    const e = accept(stripeEvent('charge.refunded', chargeObject({ amount: 5000, amountRefunded: 1500 })));
    assert.equal(e.kind, 'refund');
    assert.equal(e.status, 'partially_refunded');
    assert.deepEqual(e.refundedTotal, { minor: 1500, currency: 'USD' });
  });

  it('maps payment_intent.succeeded and a decline with its code', () => {
    const ok = accept(stripeEvent('payment_intent.succeeded', paymentIntentObject({ amount: 800, email: 'x@y.io' })));
    assert.equal(ok.kind, 'payment');
    assert.equal(ok.customerHints.email, 'x@y.io');
    const declined = accept(stripeEvent('payment_intent.payment_failed', paymentIntentObject({
      amount: 800, failed: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' },
    })));
    assert.equal(declined.kind, 'failure');
    assert.equal(declined.status, 'failed');
    assert.deepEqual(declined.failure, { code: 'insufficient_funds', message: 'Your card has insufficient funds.' });
    assert.equal(declined.card?.last4, '4242');
  });

  it('acknowledges but ignores online payments and other event types', () => {
    const online = chargeObject({ amount: 100 }) as Record<string, unknown>;
    online.payment_method_details = { type: 'card', card: { brand: 'visa', last4: '4242' } };
    const a = receiveWebhook('stripe', deliver(stripeEvent('charge.succeeded', online)), [TEST_WEBHOOK_SECRET]);
    assert.equal(a.status, 200);
    assert.ok('ignored' in a && /card-present/.test(a.ignored));
    const b = receiveWebhook('stripe', deliver(stripeEvent('customer.created', { id: 'cus_1' })), [TEST_WEBHOOK_SECRET]);
    assert.ok('ignored' in b && /customer\.created/.test(b.ignored));
  });

  it('scrubs a card number a clerk typed into metadata already at normalize', () => {
    const e = accept(stripeEvent('charge.succeeded', chargeObject({ amount: 100, metadata: { note: 'card 4111-1111-1111-1111 declined first' } })));
    assert.equal(e.metadata.note, 'card [redacted card number] declined first');
  });
});

describe('Stripe Terminal source: disputes', () => {
  const accept = (event: object) => {
    const out = receiveWebhook('stripe', deliver(event), [TEST_WEBHOOK_SECRET]);
    assert.ok(out.accepted, JSON.stringify(out));
    return out.event;
  };

  it('maps charge.dispute.created to an open dispute of the sale\'s PaymentIntent, with the reason', () => {
    const dispute = disputeObject({ amount: 4599, currency: 'eur', charge: 'ch_D1', paymentIntentId: 'pi_D1', reason: 'fraudulent', status: 'needs_response', disputeId: 'dp_1' });
    const e = accept(stripeEvent('charge.dispute.created', dispute, { id: 'evt_dispute_open', created: 1_750_000_000 }));
    assert.deepEqual(
      { id: e.id, kind: e.kind, type: e.type, paymentId: e.paymentId, amount: e.amount, status: e.status, occurredAt: e.occurredAt, dispute: e.dispute, card: e.card, customerHints: e.customerHints },
      {
        id: 'evt_dispute_open', kind: 'dispute', type: 'charge.dispute.created', paymentId: 'pi_D1', amount: { minor: 4599, currency: 'EUR' },
        status: 'disputed', occurredAt: '2025-06-15T15:06:40.000Z', dispute: { id: 'dp_1', reason: 'fraudulent', processorStatus: 'needs_response' },
        card: undefined, customerHints: {},
      },
    );
  });

  for (const [processorStatus, status] of [
    ['won', 'succeeded'], ['warning_closed', 'succeeded'], ['prevented', 'succeeded'], ['lost', 'refunded'],
  ] as const) {
    it(`maps a dispute closed as ${processorStatus} to status ${status} (${status === 'refunded' ? 'money returned' : 'merchant keeps it'})`, () => {
      const e = accept(stripeEvent('charge.dispute.closed', disputeObject({ amount: 1000, paymentIntentId: 'pi_D2', status: processorStatus })));
      assert.equal(e.kind, 'dispute');
      assert.equal(e.status, status);
      assert.equal(e.dispute?.processorStatus, processorStatus);
    });
  }

  it('keeps inquiries and disputes under review open', () => {
    for (const processorStatus of ['warning_needs_response', 'warning_under_review', 'under_review'] as const) {
      assert.equal(accept(stripeEvent('charge.dispute.created', disputeObject({ amount: 1000, status: processorStatus }))).status, 'disputed');
    }
  });

  it('falls back to the charge id when a dispute names no PaymentIntent', () => {
    const e = accept(stripeEvent('charge.dispute.created', disputeObject({ amount: 700, charge: 'ch_only', paymentIntentId: null })));
    assert.equal(e.paymentId, 'ch_only');
  });

  it('with the charge expanded, keeps its card and contact details, and ignores an online one', () => {
    const sale = chargeObject({ amount: 2500, email: 'ana@example.com', card: { fingerprint: 'fp_disputed', last4: '1881' } });
    const e = accept(stripeEvent('charge.dispute.created', disputeObject({ amount: 2500, charge: sale })));
    assert.equal(e.paymentId, sale.payment_intent);
    assert.equal(e.card?.last4, '1881');
    assert.deepEqual(e.card?.identity, { kind: 'fingerprint', value: 'fp_disputed' });
    assert.equal(e.customerHints.email, 'ana@example.com');

    const online = { ...sale, payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242' } } };
    const out = receiveWebhook('stripe', deliver(stripeEvent('charge.dispute.created', disputeObject({ amount: 2500, charge: online as never }))), [TEST_WEBHOOK_SECRET]);
    assert.ok('ignored' in out && /card-present/.test(out.ignored), JSON.stringify(out));
  });

  it('ignores disputes of other payment methods (Klarna, PayPal…) and the dispute events it does not process', () => {
    const klarna = receiveWebhook('stripe', deliver(stripeEvent('charge.dispute.created', disputeObject({ amount: 100, methodType: 'klarna' }))), [TEST_WEBHOOK_SECRET]);
    assert.equal(klarna.status, 200);
    assert.ok('ignored' in klarna && /card-present/.test(klarna.ignored));
    for (const type of ['charge.dispute.updated', 'charge.dispute.funds_withdrawn', 'charge.dispute.funds_reinstated']) {
      const out = receiveWebhook('stripe', deliver(stripeEvent(type, disputeObject({ amount: 100 }))), [TEST_WEBHOOK_SECRET]);
      assert.ok('ignored' in out && out.ignored.includes(type), JSON.stringify(out));
    }
  });
});
