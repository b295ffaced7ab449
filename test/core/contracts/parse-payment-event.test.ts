import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePaymentEvent } from '../../../nodes/core/contracts/parse-payment-event';
import { InputError, issueText } from '../../../nodes/core/errors';

describe('parsePaymentEvent', () => {
  it('rejects a malformed event as an InputError naming the first bad field and the fix', () => {
    assert.throws(
      () => parsePaymentEvent({ schemaVersion: 1, id: 'evt_1' }, 'Match Customer input'),
      (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.name, 'InputError');
        assert.equal(e.field, 'source');
        assert.match(e.message, /^source: Match Customer input is not a valid PaymentEvent v1 — source: .*\. Fix: feed this step the output of a Terminal Trigger/);
        return true;
      },
    );
  });

  it('says when the input is a delivery as the processor sent it, which skipped the trigger', () => {
    const cases: [unknown, RegExp][] = [
      [{ id: 'evt_1', object: 'event', type: 'charge.succeeded', data: { object: { id: 'ch_1' } } }, /is a Stripe event \(charge\.succeeded\), not a PaymentEvent/],
      [{ live: 'false', notificationItems: [{ NotificationRequestItem: { eventCode: 'AUTHORISATION', pspReference: 'P1' } }] }, /is an Adyen notification, not/],
      [{ SaleToPOIResponse: { MessageHeader: {} } }, /is an Adyen Terminal API message, not/],
      [{ merchant_id: 'M1', type: 'payment.updated', event_id: 'e1', data: { type: 'payment', object: {} } }, /is a Square webhook \(payment\.updated\), not/],
      [{ organizationUuid: 'o', eventName: 'PurchaseCreated', payload: '{}' }, /is a Zettle Pusher message \(PurchaseCreated\), not/],
      [{ appId: 'A1', merchants: { M1: [] } }, /is a Clover webhook, not/],
      [{ headers: { 'stripe-signature': 't=1' }, params: {}, query: {}, body: { id: 'evt_1' } }, /is an HTTP request as n8n's Webhook node hands it on/],
    ];
    for (const [input, shape] of cases) {
      assert.throws(() => parsePaymentEvent(input, 'Tokenize input'), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.field, 'Tokenize input');
        assert.match(e.message, shape);
        assert.match(e.message, /Fix: receive webhooks with the Terminal Payment Trigger \(n8n\) or the terminal payment trigger node \(Node-RED\)/);
        return true;
      });
    }
    // A PaymentEvent with a mistake is not taken for a delivery: its fields are named as before.
    assert.throws(() => parsePaymentEvent({ schemaVersion: 1, id: 'evt_1', type: 'charge.succeeded', data: { object: {} }, object: 'event' }, 'Tokenize input'), /is not a valid PaymentEvent v1 — /);
  });

  it('says a field left out is missing, in words, and keeps the schema\'s words for anything else', () => {
    assert.throws(() => parsePaymentEvent({ schemaVersion: 1 }, 'Tokenize input'), /^InputError: id: Tokenize input is not a valid PaymentEvent v1 — id: is missing; source: is missing; /);
    assert.equal(issueText({ code: 'invalid_type', message: 'Required' }), 'is missing');
    assert.equal(issueText({ code: 'invalid_type', message: 'Invalid input: expected string, received number' }), 'Invalid input: expected string, received number');
  });

  it('names the step itself when the input is not an object at all', () => {
    assert.throws(() => parsePaymentEvent('hello', 'Tokenize input'), (e: unknown) => e instanceof InputError && e.field === 'Tokenize input');
  });
});
