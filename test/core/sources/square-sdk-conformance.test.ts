/**
 * Conformance of the Square source with what the `square` SDK (46) says Square sends: every body is typed as the
 * SDK's wire schema types it (`serialization.*.Raw`: snake_case, every field the type has, null where it allows
 * null), parsed back by the SDK's own schema (so it is a body the SDK itself reads), signed for the notification URL
 * and checked with the SDK's `WebhooksHelper.verifySignature`, then handed to the core as every face does
 * (square-sdk-bodies.ts). The assertions are the outcome: amount, currency, kind, status, customer keys, card, reader.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serialization, type Square } from 'square';
import {
  accepted, CREATED, DEADLINE, DEVICE, dispute, disputeEvent, envelope, ignored, LOCATION, payment, paymentEvent, refund, refundEvent, type PaymentRaw,
} from './square-sdk-bodies';

describe('Square conformance: payments as the SDK types them', () => {
  it('a chip sale on a Terminal (payment.created and payment.updated, COMPLETED) is the sale: total with tip, card, reader, customer', DEADLINE, async () => {
    for (const type of ['payment.created', 'payment.updated'] as const) {
      const e = await accepted(paymentEvent(type, payment()));
      assert.deepEqual([e.kind, e.status, e.paymentId, e.amount, e.livemode], ['payment', 'succeeded', 'R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY', { minor: 5000, currency: 'USD' }, true]);
      assert.deepEqual(e.card, {
        brand: 'visa', last4: '1111', bin: '411111', expMonth: 11, expYear: 2030, funding: 'credit', entryMode: 'chip',
        identity: { kind: 'fingerprint', value: 'sq-1-conformanceFingerprintEMV0001' },
      });
      assert.deepEqual(e.terminal, { readerId: DEVICE, locationId: LOCATION });
      assert.deepEqual(e.customerHints, { processorCustomerId: 'JDKYHBWT1D4F8MFH63DBMEN8Y4', email: 'ana@example.com', name: 'ANA DIAZ', postalCode: '94107' });
      assert.equal(e.occurredAt, '2026-11-20T18:20:12.001Z');
      assert.equal(e.metadata.tip_minor, '500');
    }
  });

  it('every payment status the SDK lists: COMPLETED a sale, FAILED a decline with its code, APPROVED / PENDING / CANCELED acknowledged', DEADLINE, async () => {
    const declined = payment({
      status: 'FAILED', total_money: { amount: 5000, currency: 'USD' }, tip_money: null, approved_money: { amount: 0, currency: 'USD' }, processing_fee: null,
      card_details: { ...payment().card_details!, status: 'FAILED', card_payment_timeline: { authorized_at: null, captured_at: null, voided_at: null },
        errors: [{ category: 'PAYMENT_METHOD_ERROR', code: 'INSUFFICIENT_FUNDS', detail: 'Authorization error: \'INSUFFICIENT_FUNDS\'' }] },
    });
    const d = await accepted(paymentEvent('payment.updated', declined));
    assert.deepEqual([d.kind, d.status, d.amount, d.failure?.code, d.card?.last4], ['failure', 'failed', { minor: 5000, currency: 'USD' }, 'INSUFFICIENT_FUNDS', '1111']);
    const authorized = { ...payment().card_details!, status: 'AUTHORIZED', card_payment_timeline: { authorized_at: '2026-11-20T18:20:12.455Z', captured_at: null, voided_at: null } };
    await ignored(paymentEvent('payment.created', payment({ status: 'APPROVED', card_details: authorized })), /authorized but not captured/);
    await ignored(paymentEvent('payment.updated', payment({ status: 'PENDING', card_details: authorized })), /still pending/);
    await ignored(paymentEvent('payment.updated', payment({ status: 'CANCELED', card_details: { ...authorized, status: 'VOIDED' } })), /voided before capture/);
  });

  it('entry methods: EMV, CONTACTLESS, SWIPED read; KEYED on a device read; KEYED without one and ON_FILE are not card-present', DEADLINE, async () => {
    for (const [method, mode] of [['EMV', 'chip'], ['CONTACTLESS', 'contactless'], ['SWIPED', 'swipe'], ['KEYED', 'keyed']] as const) {
      const e = await accepted(paymentEvent('payment.updated', payment({ card_details: { ...payment().card_details!, entry_method: method } })));
      assert.equal(e.card?.entryMode, mode);
    }
    const online = payment({ device_details: null, application_details: { square_product: 'VIRTUAL_TERMINAL', application_id: 'sq0idp-VT' }, card_details: { ...payment().card_details!, entry_method: 'KEYED' } });
    await ignored(paymentEvent('payment.updated', online), /keyed payment taken without a Square device/);
    await ignored(paymentEvent('payment.updated', payment({ card_details: { ...payment().card_details!, entry_method: 'ON_FILE' } })), /card on file/);
    // Older API versions put the device under card_details.device_details (deprecated) and leave device_details null.
    const legacyDevice = payment({ device_details: null, card_details: { ...payment().card_details!, device_details: { device_id: 'DEVICE_OLD', device_installation_id: null, device_name: 'Register 2' } } });
    assert.deepEqual((await accepted(paymentEvent('payment.updated', legacyDevice))).terminal, { readerId: 'DEVICE_OLD', locationId: LOCATION });
  });

  it('a wallet tap: Apple Pay names its wallet (wallet_type), Google Pay reads as the contactless card it is', DEADLINE, async () => {
    const apple = await accepted(paymentEvent('payment.updated', payment({ card_details: { ...payment().card_details!, entry_method: 'CONTACTLESS', wallet_type: 'APPLE_PAY', verification_method: 'ON_DEVICE' } })));
    assert.deepEqual([apple.card?.wallet, apple.card?.entryMode], ['apple_pay', 'contactless']);
    const google = await accepted(paymentEvent('payment.updated', payment({ card_details: { ...payment().card_details!, entry_method: 'CONTACTLESS', wallet_type: null } })));
    assert.deepEqual([google.card?.wallet, google.card?.entryMode], [undefined, 'contactless']);
  });

  it('the other source types the SDK lists (WALLET, CASH, EXTERNAL, SQUARE_ACCOUNT, BUY_NOW_PAY_LATER, BANK_ACCOUNT) are acknowledged, not recorded', DEADLINE, async () => {
    const noCard = { card_details: null, device_details: { device_id: DEVICE, device_installation_id: null, device_name: 'Counter Terminal' } };
    const cases: [string, Partial<PaymentRaw>][] = [
      ['WALLET', { wallet_details: { status: 'CAPTURED', brand: 'CASH_APP', cash_app_details: { buyer_full_name: 'Ana Diaz', buyer_country_code: 'US', buyer_cashtag: '$anadiaz' }, lightning_details: null, errors: null } }],
      ['CASH', { cash_details: { buyer_supplied_money: { amount: 6000, currency: 'USD' }, change_back_money: { amount: 1000, currency: 'USD' } } }],
      ['EXTERNAL', { external_details: { type: 'CHECK', source: 'Front desk check', source_id: 'chk-1042', source_fee_money: null } }],
      ['SQUARE_ACCOUNT', { square_account_details: { payment_source_token: 'sqact_conformance', errors: null } }],
      ['BUY_NOW_PAY_LATER', { buy_now_pay_later_details: { brand: 'AFTERPAY', afterpay_details: { email_address: 'ana@example.com' }, clearpay_details: null, errors: null } }],
      ['BANK_ACCOUNT', { bank_account_details: { bank_name: 'Citizens Bank', transfer_type: 'ACH', account_ownership_type: 'INDIVIDUAL', fingerprint: 'bank-fp', country: 'US', statement_description: null, ach_details: null, errors: null } }],
    ];
    for (const [sourceType, details] of cases) {
      await ignored(paymentEvent('payment.updated', payment({ ...noCard, source_type: sourceType, ...details })), new RegExp(`only card payments are processed, this one is ${sourceType}`));
    }
  });

  it('null where the SDK allows it: no customer, email, billing address, cardholder name or device name', DEADLINE, async () => {
    const bare = payment({
      customer_id: null, buyer_email_address: null, billing_address: null, note: null, reference_id: null, tip_money: null, total_money: { amount: 4500, currency: 'USD' },
      card_details: { ...payment().card_details!, card: { ...payment().card_details!.card!, cardholder_name: null } },
      device_details: { device_id: DEVICE, device_installation_id: null, device_name: null },
    });
    const e = await accepted(paymentEvent('payment.updated', bare));
    assert.deepEqual(e.customerHints, {});
    assert.deepEqual(e.amount, { minor: 4500, currency: 'USD' });
    assert.equal(e.metadata.tip_minor, undefined);
  });

  it('currencies: JPY and KRW are whole units at Square as in ISO; amounts at their extremes keep every unit', DEADLINE, async () => {
    const inCurrency = (amount: number, currency: serialization.Currency.Raw) => payment({ amount_money: { amount, currency }, tip_money: null, total_money: { amount, currency }, approved_money: { amount, currency }, processing_fee: null });
    assert.deepEqual((await accepted(paymentEvent('payment.updated', inCurrency(1500, 'JPY')))).amount, { minor: 1500, currency: 'JPY' });
    assert.deepEqual((await accepted(paymentEvent('payment.updated', inCurrency(15000, 'KRW')))).amount, { minor: 15000, currency: 'KRW' });
    assert.deepEqual((await accepted(paymentEvent('payment.updated', inCurrency(1, 'GBP')))).amount, { minor: 1, currency: 'GBP' });
    assert.deepEqual((await accepted(paymentEvent('payment.updated', inCurrency(99_999_999, 'AUD')))).amount, { minor: 99_999_999, currency: 'AUD' });
  });
});

describe('Square conformance: an event built with the SDK\'s own objects (camelCase, bigint amounts) and written by its serializer', () => {
  it('a contactless JPY sale from Square.PaymentCreatedEvent, through serialization.PaymentCreatedEvent and bigint-exact JSON, is the sale it says', DEADLINE, async () => {
    const yen = (amount: bigint): Square.Money => ({ amount, currency: 'JPY' });
    const event: Square.PaymentCreatedEvent = {
      merchantId: 'ML8Z2QXN1RT4W', type: 'payment.created', eventId: '6f1e0d34-2c5b-4a8e-9d7f-3b2a1c0e9f8d', createdAt: CREATED,
      data: { type: 'payment', id: 'Jp9xZ8WMVt3EAmzYWLZvz7Y69EbZY', object: { payment: {
        id: 'Jp9xZ8WMVt3EAmzYWLZvz7Y69EbZY', createdAt: '2026-11-20T18:20:12.001Z', updatedAt: '2026-11-20T18:20:13.377Z',
        amountMoney: yen(1_980n), tipMoney: yen(0n), totalMoney: yen(1_980n), approvedMoney: yen(1_980n), status: 'COMPLETED', sourceType: 'CARD',
        cardDetails: {
          status: 'CAPTURED', entryMethod: 'CONTACTLESS', walletType: 'APPLE_PAY',
          card: { cardBrand: 'JCB', last4: '0000', expMonth: 3n, expYear: 2031n, fingerprint: 'sq-1-conformanceFingerprintJCB0001', cardType: 'CREDIT', prepaidType: 'NOT_PREPAID', bin: '356999' },
          cardPaymentTimeline: { authorizedAt: '2026-11-20T18:20:12.455Z', capturedAt: '2026-11-20T18:20:13.377Z' },
        },
        locationId: LOCATION, customerId: 'JDKYHBWT1D4F8MFH63DBMEN8Y4', refundIds: [],
        deviceDetails: { deviceId: DEVICE, deviceName: 'Counter Terminal' }, applicationDetails: { squareProduct: 'TERMINAL_API', applicationId: 'sq0idp-wuMpmQCwyO0TRHp1-pnXtw' },
        isOfflinePayment: false,
      } } },
    };
    const wire = serialization.PaymentCreatedEvent.jsonOrThrow(event, { unrecognizedObjectKeys: 'strip' });
    // The SDK's own JSON writer puts a bigint down as the number it is; so does this replacer.
    const body = JSON.stringify(wire, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}#bigint#` : v)).replace(/"(-?\d+)#bigint#"/g, '$1');
    const e = await accepted(JSON.parse(body) as { type: string; created_at: string });
    assert.deepEqual([e.kind, e.status, e.amount, e.card?.brand, e.card?.last4, e.card?.expMonth, e.card?.expYear, e.card?.wallet, e.card?.entryMode],
      ['payment', 'succeeded', { minor: 1980, currency: 'JPY' }, 'jcb', '0000', 3, 2031, 'apple_pay', 'contactless']);
    assert.deepEqual([e.customerHints.processorCustomerId, e.terminal], ['JDKYHBWT1D4F8MFH63DBMEN8Y4', { readerId: DEVICE, locationId: LOCATION }]);
  });
});

describe('Square conformance: refunds and disputes as the SDK types them', () => {
  it('refund statuses: COMPLETED counts by its id and amount; PENDING, REJECTED and FAILED are acknowledged', DEADLINE, async () => {
    const done = await accepted(refundEvent('refund.updated', refund()));
    assert.deepEqual([done.kind, done.paymentId, done.amount, done.refund?.id, done.refund?.cumulative], ['refund', 'R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY', { minor: 1500, currency: 'USD' }, refund().id, false]);
    await ignored(refundEvent('refund.created', refund({ status: 'PENDING' })), /pending/);
    await ignored(refundEvent('refund.updated', refund({ status: 'REJECTED' })), /rejected/);
    await ignored(refundEvent('refund.updated', refund({ status: 'FAILED' })), /failed/);
    // Cash back for a card sale cannot be told from a cash sale's refund without an access token.
    await ignored(refundEvent('refund.updated', refund({ destination_type: 'CASH', destination_details: { card_details: null, cash_details: { seller_supplied_money: { amount: 1500, currency: 'USD' }, change_back_money: null }, external_details: null } })), /went to CASH/);
    await ignored(refundEvent('refund.updated', refund({ payment_id: null, unlinked: true })), /unlinked refund/);
  });

  const outcomes: [serialization.DisputeState.Raw, string][] = [
    ['INQUIRY_EVIDENCE_REQUIRED', 'disputed'], ['INQUIRY_PROCESSING', 'disputed'], ['INQUIRY_CLOSED', 'succeeded'], ['EVIDENCE_REQUIRED', 'disputed'],
    ['PROCESSING', 'disputed'], ['WON', 'succeeded'], ['LOST', 'refunded'], ['ACCEPTED', 'refunded'],
  ];
  it('the deprecated dispute.state.changed (older subscriptions) reads as dispute.state.updated; the other events a Terminal seller gets are acknowledged', DEADLINE, async () => {
    const lost = await accepted(disputeEvent('dispute.state.changed', dispute({ state: 'LOST' })));
    assert.deepEqual([lost.kind, lost.status, lost.paymentId], ['dispute', 'refunded', 'R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY']);
    await ignored(envelope('dispute.evidence.added', 'XDgyFu7yo1E2S5lQGGpYn', { object: dispute() }), /dispute\.evidence\.added/);
    const checkout = {
      id: 'dhgENdnFOPXqO', amount_money: { amount: 5000, currency: 'USD' }, reference_id: 'POS-1042', note: null, order_id: null, payment_options: null,
      device_options: { device_id: DEVICE, skip_receipt_screen: false, collect_signature: false, tip_settings: null, show_itemized_cart: null },
      deadline_duration: 'PT5M', status: 'COMPLETED', cancel_reason: null, payment_ids: ['R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY'],
      created_at: '2026-11-20T18:19:40.000Z', updated_at: CREATED, app_id: 'sq0idp-wuMpmQCwyO0TRHp1-pnXtw', location_id: LOCATION,
      payment_type: 'CARD_PRESENT', team_member_id: null, customer_id: null, app_fee_money: null, statement_description_identifier: null, tip_money: null,
    } satisfies serialization.TerminalCheckout.Raw;
    await ignored(envelope('terminal.checkout.updated', checkout.id, { checkout }), /terminal\.checkout\.updated/);
    await ignored(envelope('order.updated', 'mK8tYb2WqN5xRc7LpZ3sHd9Jf4gZY', { order_updated: { order_id: 'mK8tYb2WqN5xRc7LpZ3sHd9Jf4gZY', version: 3, location_id: LOCATION, state: 'COMPLETED', created_at: CREATED, updated_at: CREATED } }), /order\.updated/);
  });

  for (const [state, status] of outcomes) {
    it(`a dispute ${state} reads ${status}, on the disputed payment, nested under the SDK's key and the reference's`, DEADLINE, async () => {
      for (const key of ['object', 'dispute'] as const) {
        const type = state === 'EVIDENCE_REQUIRED' || state === 'INQUIRY_EVIDENCE_REQUIRED' ? 'dispute.created' : 'dispute.state.updated';
        const e = await accepted(disputeEvent(type, dispute({ state }), key));
        assert.deepEqual([e.kind, e.status, e.paymentId, e.amount, e.dispute], ['dispute', status, 'R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY', { minor: 5000, currency: 'USD' }, { id: 'XDgyFu7yo1E2S5lQGGpYn', reason: 'NO_KNOWLEDGE', processorStatus: state }]);
        assert.equal(e.terminal?.locationId, LOCATION);
      }
    });
  }
});
