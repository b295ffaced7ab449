import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeAllDatabases } from '../../../nodes/core/store/open-database';
import { tempDir } from '../../support/temp-store';
import { nockOffline } from '../../support/nock-offline';
import { CLOVER, delivered, ledger, MID, polled, referencePayment, referenceRefund } from './clover-reference';

/**
 * Conformance: a payment written as Clover's REST API reference documents it (docs.clover.com/dev/reference,
 * "Get a single payment", schema Payment), not as the SDK's classes serialize it. The reference writes a record's
 * lists as bare arrays ("refunds": [ {...} ], Order "customers": [ {...} ], Customer "emailAddresses": [...]) and
 * CardTransaction.first6 as a number (123456); the live API wraps lists in {"elements": [...]}, which clover.test.ts
 * covers. Amounts in cents ("Payment response reference": amount, tipAmount; "Refund response reference":
 * refund.amount), the currency from the card transaction or the order; webhook as "Use webhooks" shows it
 * ({appId, merchants: {mId: [{objectId: "P:…", type, ts}]}}, X-Clover-Auth). The payments, refunds and the webhook
 * are built by clover-reference.ts.
 */

const dir = tempDir('tcrm-clover-conformance-');
after(async () => {
  await closeAllDatabases();
  dir.remove();
});

/** The events of the payment's notification, with no card number in the outcome. */
async function deliver(payment: { id: string }) {
  return (await delivered(payment, { cardNumberFree: true })).events;
}

describe('Clover conformance: payments as the REST API reference documents them', () => {
  nockOffline();

  it('reads the sale: amount with tip, currency, brand, BIN, last four, entry, the customer of the order', async () => {
    const [sale] = await deliver(referencePayment());
    assert.deepEqual(
      [sale!.id, sale!.kind, sale!.paymentId, sale!.amount, sale!.status, sale!.occurredAt],
      ['clover:XJ4D2K9W1MQ7A', 'payment', 'XJ4D2K9W1MQ7A', { minor: 2450, currency: 'EUR' }, 'succeeded', '2024-06-13T09:30:00.000Z'],
    );
    assert.deepEqual(
      [sale!.card?.brand, sale!.card?.bin, sale!.card?.last4, sale!.card?.entryMode, sale!.card?.funding],
      ['mastercard', '535583', '4417', 'contactless', 'credit'],
    );
    assert.deepEqual(sale!.customerHints, {
      processorCustomerId: 'QK3T7Y1P5R9HW',
      email: 'siobhan.kelly@example.ie',
      phone: '+353 1 555 0142',
      name: 'Siobhán Kelly',
      postalCode: 'D08 R2P6',
    });
  });

  it('counts each refund of the refunds array once, takes a failed one as reversed, and the ledger nets them', async () => {
    const payment = referencePayment({
      refunds: [
        referenceRefund('RA1B2C3D4E5F6', 800, 1718272000000),
        referenceRefund('RG7H8J9K0L1M2', 450, 1718273000000),
        referenceRefund('RN3P4Q5R6S7T8', 300, 1718274000000, 'FAIL'),
      ],
    });
    const events = await deliver(payment);
    const refunds = events.filter((e) => e.kind === 'refund');
    assert.deepEqual(
      refunds.map((e) => [e.id, e.amount, e.refundedTotal?.minor, e.refund?.reversed ?? false, e.status]),
      [
        ['clover:RA1B2C3D4E5F6', { minor: 800, currency: 'EUR' }, 800, false, 'partially_refunded'],
        ['clover:RG7H8J9K0L1M2', { minor: 450, currency: 'EUR' }, 1250, false, 'partially_refunded'],
        ['clover:RN3P4Q5R6S7T8:failed', { minor: 300, currency: 'EUR' }, 1250, true, 'partially_refunded'],
      ],
    );
    const state = await ledger(dir.path, 'refunds', events);
    assert.deepEqual([state.grossMinor, state.refundedMinor, state.netMinor, state.status], [2450, 1250, 1200, 'partially_refunded']);
  });

  it('refunds a sale in full, tip included, in pounds sterling named by the card transaction', async () => {
    const payment = referencePayment({
      order: { id: 'V8S5N0C4B2Z6X', currency: 'GBP', customers: [] },
      cardTransaction: { ...referencePayment().cardTransaction, currency: 'GBP', cardType: 'VISA', first6: 476173, last4: '0119', entryType: 'EMV_CONTACT' },
      refunds: [referenceRefund('RU9V8W7X6Y5Z4', 2450, 1718272000000, 'SUCCESS', { tipAmount: 200 })],
    });
    const events = await deliver(payment);
    const refund = events.find((e) => e.kind === 'refund')!;
    assert.deepEqual([refund.amount, refund.refundedTotal, refund.status, refund.card?.brand, refund.card?.bin], [{ minor: 2450, currency: 'GBP' }, { minor: 2450, currency: 'GBP' }, 'refunded', 'visa', '476173']);
  });

  it('reads a voided payment as its sale and the void, which leave nothing counted', async () => {
    const events = await deliver(referencePayment({ result: 'VOIDED', voidReason: 'USER_CANCEL', tipAmount: 0, modifiedTime: 1718271600000, refunds: [] }));
    assert.deepEqual(events.map((e) => [e.id, e.kind, e.status, e.sale?.voided]), [
      ['clover:XJ4D2K9W1MQ7A:void', 'failure', 'failed', true],
      ['clover:XJ4D2K9W1MQ7A', 'payment', 'succeeded', undefined],
    ]);
    const state = await ledger(dir.path, 'void', events);
    assert.deepEqual([state.netMinor, state.status], [0, 'failed']);
  });

  it('polls a page of payments whose refunds are bare arrays, as it does from a webhook', async () => {
    const payment = referencePayment({ refunds: [referenceRefund('RA1B2C3D4E5F6', 800, 1718272000000)] });
    const out = await polled({ elements: [payment], href: `${CLOVER}/v3/merchants/${MID}/payments?limit=100` });
    assert.deepEqual(out.events.map((e) => [e.id, e.kind, e.amount.minor, e.card?.bin]), [
      ['clover:XJ4D2K9W1MQ7A', 'payment', 2450, '535583'],
      ['clover:XJ4D2K9W1MQ7A:amount:2450', 'payment', 2450, '535583'],
      ['clover:RA1B2C3D4E5F6', 'refund', 800, '535583'],
    ]);
  });
});
