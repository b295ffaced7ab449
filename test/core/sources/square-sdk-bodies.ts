/**
 * Square bodies as the `square` SDK (46) types them, for the conformance tests: every body is typed as the SDK's
 * wire schema types it (`serialization.*.Raw`: snake_case, every field the type has, null where it allows null),
 * parsed back by the SDK's own schema (so it is a body the SDK itself reads), signed for the notification URL and
 * checked with the SDK's `WebhooksHelper.verifySignature`, then handed to the core as every face does.
 */
import assert from 'node:assert/strict';
import { serialization, WebhooksHelper } from 'square';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import type { HttpTransport } from '../../../nodes/core/http/http-transport';
import { receiveWebhook, type WebhookOutcome } from '../../../nodes/core/pipeline/receive-webhook';
import { squareSource } from '../../../nodes/core/sources/square';
import { squareSignatureOf } from '../../../sandbox/simulator/square-events';

export const DEADLINE = { timeout: 20_000 };
export const KEY = 'whsk_conformance_3Vt8Qm1Zr6Lp';
export const URL_ = 'https://shop.example.com/webhooks/square';
export const CREATED = '2026-11-20T18:20:13.902Z';
export const LOCATION = 'L7K3PWQ9ZR2VD';
export const DEVICE = 'dbb5d83a-7838-11ea-bc55-0242ac130003';

export type PaymentRaw = serialization.Payment.Raw;
export type RefundRaw = serialization.PaymentRefund.Raw;
export type DisputeRaw = serialization.Dispute.Raw;

/** A card payment taken on a Square Terminal, with every field the SDK's Payment has. */
export function payment(over: Partial<PaymentRaw> = {}): PaymentRaw {
  const money = (amount: number, currency: serialization.Currency.Raw = 'USD') => ({ amount, currency });
  return {
    id: 'R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY',
    created_at: '2026-11-20T18:20:12.001Z',
    updated_at: '2026-11-20T18:20:13.377Z',
    amount_money: money(4500),
    tip_money: money(500),
    total_money: money(5000),
    app_fee_money: null,
    app_fee_allocations: null,
    approved_money: money(5000),
    processing_fee: [{ effective_at: '2026-11-20T20:20:13.000Z', type: 'INITIAL', amount_money: money(148) }],
    refunded_money: null,
    status: 'COMPLETED',
    delay_duration: 'PT168H',
    delay_action: 'CANCEL',
    delayed_until: '2026-11-27T18:20:12.001Z',
    source_type: 'CARD',
    card_details: {
      status: 'CAPTURED',
      card: {
        id: null, card_brand: 'VISA', last_4: '1111', exp_month: 11, exp_year: 2030, cardholder_name: 'DIAZ/ANA', billing_address: null,
        fingerprint: 'sq-1-conformanceFingerprintEMV0001', customer_id: null, merchant_id: null, reference_id: null, enabled: null,
        card_type: 'CREDIT', prepaid_type: 'NOT_PREPAID', bin: '411111', created_at: null, disabled_at: null, version: null,
        card_co_brand: null, issuer_alert: null, issuer_alert_at: null, hsa_fsa: false,
      },
      entry_method: 'EMV',
      cvv_status: 'CVV_NOT_CHECKED',
      avs_status: 'AVS_NOT_CHECKED',
      auth_result_code: 'Pq4T7w',
      application_identifier: 'A0000000031010',
      application_name: 'VISA CREDIT',
      application_cryptogram: '9A8B7C6D5E4F3A2B',
      verification_method: 'PIN',
      verification_results: 'SUCCESS',
      statement_description: 'SQ *CORNER CAFE',
      device_details: null,
      card_payment_timeline: { authorized_at: '2026-11-20T18:20:12.455Z', captured_at: '2026-11-20T18:20:13.377Z', voided_at: null },
      refund_requires_card_presence: false,
      errors: null,
      applied_card_surcharge_details: null,
      wallet_type: null,
    },
    cash_details: null,
    bank_account_details: null,
    electronic_money_details: null,
    external_details: null,
    wallet_details: null,
    buy_now_pay_later_details: null,
    square_account_details: null,
    location_id: LOCATION,
    order_id: 'mK8tYb2WqN5xRc7LpZ3sHd9Jf4gZY',
    reference_id: 'POS-1042',
    customer_id: 'JDKYHBWT1D4F8MFH63DBMEN8Y4',
    employee_id: 'TMoK_ogh6rH1o4dV',
    team_member_id: 'TMoK_ogh6rH1o4dV',
    refund_ids: [],
    risk_evaluation: { created_at: '2026-11-20T18:20:12.600Z', risk_level: 'NORMAL' },
    terminal_checkout_id: 'dhgENdnFOPXqO',
    buyer_email_address: 'ana@example.com',
    billing_address: { address_line_1: null, address_line_2: null, address_line_3: null, locality: null, sublocality: null, sublocality_2: null, sublocality_3: null,
      administrative_district_level_1: null, administrative_district_level_2: null, administrative_district_level_3: null, postal_code: '94107', country: 'US', first_name: null, last_name: null },
    shipping_address: null,
    note: 'Table 4',
    statement_description_identifier: null,
    capabilities: ['EDIT_AMOUNT_UP', 'EDIT_AMOUNT_DOWN', 'EDIT_TIP_AMOUNT_UP', 'EDIT_TIP_AMOUNT_DOWN'],
    receipt_number: 'R2B3',
    receipt_url: 'https://squareup.com/receipt/preview/R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY',
    device_details: { device_id: DEVICE, device_installation_id: null, device_name: 'Counter Terminal' },
    application_details: { square_product: 'TERMINAL_API', application_id: 'sq0idp-wuMpmQCwyO0TRHp1-pnXtw' },
    buyer_currency_exchange: null,
    is_offline_payment: false,
    offline_payment_details: null,
    version_token: 'TPtNEOBOa6Qq6E3C3IjckSVOM6b3hMbfhjvTxHBQUsB6o',
    ...over,
  };
}

export function refund(over: Partial<RefundRaw> = {}): RefundRaw {
  return {
    id: 'R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY_6a4Qw1eVZs9aQBDsmqKpAWtG13R8MpJVNtD7zA7UZtQ',
    status: 'COMPLETED',
    location_id: LOCATION,
    unlinked: false,
    destination_type: 'CARD',
    destination_details: { card_details: { card: { card_brand: 'VISA', last_4: '1111', exp_month: 11, exp_year: 2030, fingerprint: 'sq-1-conformanceFingerprintEMV0001', card_type: 'CREDIT', prepaid_type: 'NOT_PREPAID', bin: '411111' }, entry_method: 'EMV', auth_result_code: 'Rf8Q2a' }, cash_details: null, external_details: null },
    amount_money: { amount: 1500, currency: 'USD' },
    app_fee_money: null,
    app_fee_allocations: null,
    processing_fee: [{ effective_at: '2026-11-21T09:02:11.000Z', type: 'INITIAL', amount_money: { amount: -44, currency: 'USD' } }],
    payment_id: 'R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY',
    order_id: 'mK8tYb2WqN5xRc7LpZ3sHd9Jf4gZY',
    reason: 'Returned goods',
    created_at: '2026-11-21T09:02:10.144Z',
    updated_at: '2026-11-21T09:02:12.881Z',
    team_member_id: 'TMoK_ogh6rH1o4dV',
    terminal_refund_id: null,
    ...over,
  };
}

export function dispute(over: Partial<DisputeRaw> = {}): DisputeRaw {
  return {
    dispute_id: 'XDgyFu7yo1E2S5lQGGpYn',
    id: 'XDgyFu7yo1E2S5lQGGpYn',
    amount_money: { amount: 5000, currency: 'USD' },
    reason: 'NO_KNOWLEDGE',
    state: 'EVIDENCE_REQUIRED',
    due_at: '2026-12-05T00:00:00.000Z',
    disputed_payment: { payment_id: 'R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY' },
    evidence_ids: null,
    card_brand: 'VISA',
    created_at: '2026-11-28T11:15:41.412Z',
    updated_at: '2026-11-28T11:15:41.412Z',
    brand_dispute_id: '100000809947',
    reported_date: '2026-11-27',
    reported_at: '2026-11-27T00:00:00.000Z',
    version: 1,
    location_id: LOCATION,
    ...over,
  };
}

export const envelope = (type: string, id: string, object: object, extra: object = {}) => ({
  merchant_id: 'ML8Z2QXN1RT4W', ...extra, type, event_id: `${type}-${id}-${Math.random().toString(36).slice(2)}`, created_at: CREATED,
  data: { type: type.split('.')[0]!, id, object },
});
export const paymentEvent = (type: 'payment.created' | 'payment.updated', p: PaymentRaw) => envelope(type, p.id!, { payment: p });
export const refundEvent = (type: 'refund.created' | 'refund.updated', r: RefundRaw) => envelope(type, r.id, { refund: r });
/** The SDK's DisputeCreatedEventObject / DisputeStateUpdatedEventObject call the key `object`; the webhook reference `dispute`. */
export const disputeEvent = (type: 'dispute.created' | 'dispute.state.updated' | 'dispute.state.changed', d: DisputeRaw, key: 'object' | 'dispute' = 'object') =>
  envelope(type, d.id!, { [key]: d }, { location_id: LOCATION });

export const SCHEMAS: Record<string, { parseOrThrow(raw: unknown, opts?: object): unknown; jsonOrThrow(parsed: unknown, opts?: object): unknown }> = {
  'payment.created': serialization.PaymentCreatedEvent,
  'payment.updated': serialization.PaymentUpdatedEvent,
  'refund.created': serialization.RefundCreatedEvent,
  'refund.updated': serialization.RefundUpdatedEvent,
  'dispute.created': serialization.DisputeCreatedEvent,
  'dispute.state.updated': serialization.DisputeStateUpdatedEvent,
  'dispute.state.changed': serialization.DisputeStateChangedEvent,
  'dispute.evidence.added': serialization.DisputeEvidenceAddedEvent,
  'terminal.checkout.updated': serialization.TerminalCheckoutUpdatedEvent,
  'order.updated': serialization.OrderUpdatedEvent,
};

/** What a delivery is received with: the Square credential (the signature key is always this file's KEY) and the face's HTTP. */
export interface Receiver {
  credentials?: Record<string, unknown>;
  http?: HttpTransport;
}

/** Parsed by the SDK's schema (a body the SDK reads), signed, verified by WebhooksHelper, received by the core. */
export async function deliver(event: { type: string; created_at: string }, receiver: Receiver = {}): Promise<WebhookOutcome> {
  SCHEMAS[event.type]!.parseOrThrow(event, { unrecognizedObjectKeys: 'passthrough' });
  const body = JSON.stringify(event);
  const signature = squareSignatureOf(body, URL_, KEY);
  assert.equal(await WebhooksHelper.verifySignature({ requestBody: body, signatureHeader: signature, signatureKey: KEY, notificationUrl: URL_ }), true);
  return receiveWebhook(squareSource, {
    rawBody: Buffer.from(body, 'utf8'), method: 'POST', url: URL_, receivedAt: new Date(Date.parse(event.created_at) + 1_500),
    headers: { 'content-type': 'application/json', 'x-square-hmacsha256-signature': signature, 'square-environment': 'Production' },
  }, { credentials: { ...receiver.credentials, signatureKey: KEY }, ...(receiver.http ? { http: receiver.http } : {}) });
}

export async function accepted(event: { type: string; created_at: string }, receiver: Receiver = {}): Promise<PaymentEvent> {
  const out = await deliver(event, receiver);
  assert.equal(out.status, 200, JSON.stringify(out.answer));
  assert.equal(out.events.length, 1, JSON.stringify(out.report));
  return out.events[0]!;
}

export async function ignored(event: { type: string; created_at: string }, why: RegExp, receiver: Receiver = {}): Promise<void> {
  const out = await deliver(event, receiver);
  assert.equal(out.status, 200, JSON.stringify(out.answer));
  assert.deepEqual(out.events, []);
  assert.match(out.report.ignored.join(' | '), why);
}

/**
 * The body as the SDK itself writes it: read by its schema into its own objects (camelCase, bigint amounts), written
 * back by the same schema, and put down as JSON with each bigint as the number it is (as the SDK's JSON writer does).
 * A null the SDK allows stays null. Keys the SDK does not know are dropped.
 */
export function sdkWritten<T extends { type: string; created_at: string }>(event: T): T {
  return sdkJson(SCHEMAS[event.type]!, event);
}

/** Any body through one of the SDK's schemas (an API response: serialization.GetPaymentResponse …), as sdkWritten does. */
export function sdkJson<T>(schema: { parseOrThrow(raw: unknown, opts?: object): unknown; jsonOrThrow(parsed: unknown, opts?: object): unknown }, raw: T): T {
  const wire = schema.jsonOrThrow(schema.parseOrThrow(raw, { unrecognizedObjectKeys: 'strip' }), { unrecognizedObjectKeys: 'strip' });
  const text = JSON.stringify(wire, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}#bigint#` : v)).replace(/"(-?\d+)#bigint#"/g, '$1');
  return JSON.parse(text) as T;
}
